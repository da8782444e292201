package config_test

import (
	"testing"

	"github.com/acme-oem/vehicle-data/config"
)

func TestLoadFeatures(t *testing.T) {
	prod, err := config.LoadFeatures("prod")
	if err != nil {
		t.Fatal(err)
	}
	if !prod["listings"] || prod["dealer"] {
		t.Errorf("prod features = %v, want listings on and dealer off (features/prod.json)", prod)
	}
	local, err := config.LoadFeatures("local")
	if err != nil || !local["listings"] || !local["dealer"] || !local["offers"] {
		t.Errorf("local features = %v, %v", local, err)
	}
	for _, bad := range []string{"", "staging", "../features/local", "local.json"} {
		if _, err := config.LoadFeatures(bad); err == nil {
			t.Errorf("LoadFeatures(%q) succeeded", bad)
		}
	}
}

package dynamo_test

import (
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

func TestApplyPolicy(t *testing.T) {
	def := dynamo.DefaultCacheConfig()
	got, err := dynamo.ApplyPolicy(def, []byte(`{"sources":{"recalls":{"soft":"12h"}},"negative":"1m"}`))
	if err != nil {
		t.Fatal(err)
	}
	if r := got.Sources[vehicle.SourceRecalls]; r.Soft != 12*time.Hour || r.Hard != def.Sources[vehicle.SourceRecalls].Hard {
		t.Errorf("recalls = %+v", r)
	}
	if got.Negative != time.Minute || got.PersonalHard != def.PersonalHard || !got.Sources[vehicle.SourceRegistry].Personal {
		t.Errorf("cfg = %+v", got)
	}
	if def.Sources[vehicle.SourceRecalls].Soft != 24*time.Hour {
		t.Error("ApplyPolicy modified its input")
	}
	for _, bad := range []string{
		`{"sources":{"dealer-stock":{"soft":"1h"}}}`,
		`{"sources":{"recalls":{"soft":"30d"}}}`,
		`{"sources":{"recalls":{"soft":"-1h"}}}`,
		`{"sources":{"recalls":{"soft":"48h","hard":"24h"}}}`,
		`{"personal":"1h"}`,
	} {
		if _, err := dynamo.ApplyPolicy(def, []byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

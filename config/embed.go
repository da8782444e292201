// Package config holds the per-environment files that the backend, the site and the CDK app all
// read, so that an environment's feature toggles are stated once.
package config

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
)

// Features holds features/<env>.json for every environment (local, dev, qa, prod): which
// product features are switched on there.
//
//go:embed features/*.json
var Features embed.FS

// LoadFeatures reads features/<env>.json: each product feature (listings, dealer, offers) and
// whether it is on. An unknown environment is an error, never "everything on".
func LoadFeatures(env string) (map[string]bool, error) {
	if env == "" || strings.ContainsAny(env, "/\\.") {
		return nil, fmt.Errorf("config: bad environment name %q", env)
	}
	b, err := Features.ReadFile("features/" + env + ".json")
	if err != nil {
		return nil, fmt.Errorf("config: features of %s: %w", env, err)
	}
	var m map[string]bool
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("config: features of %s: %w", env, err)
	}
	return m, nil
}

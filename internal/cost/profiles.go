package cost

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
)

//go:embed profiles.json
var profileFile []byte

// Profile is the usage one request of a route causes in one situation (cached or cold, say).
type Profile struct {
	Route string `json:"route"`
	Note  string `json:"note"`
	Usage Usage  `json:"usage"`
}

// Profiles is a set of named profiles and what their figures rest on.
type Profiles struct {
	Basis    string             `json:"basis"`
	Profiles map[string]Profile `json:"profiles"`
}

// Names lists the profile names, sorted.
func (ps Profiles) Names() []string {
	out := make([]string, 0, len(ps.Profiles))
	for n := range ps.Profiles {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// DefaultProfiles returns the repository's profiles (internal/cost/profiles.json).
func DefaultProfiles() (Profiles, error) { return ParseProfiles(profileFile) }

// ParseProfiles decodes a profiles file and checks every usage in it (unknown fields are refused,
// so a misspelt field cannot silently count as zero).
func ParseProfiles(b []byte) (Profiles, error) {
	var ps Profiles
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ps); err != nil {
		return Profiles{}, fmt.Errorf("cost: profiles: %w", err)
	}
	if len(ps.Profiles) == 0 {
		return Profiles{}, fmt.Errorf("cost: profiles: no profiles")
	}
	for _, n := range ps.Names() {
		p := ps.Profiles[n]
		if p.Route == "" {
			return Profiles{}, fmt.Errorf("cost: profiles: %s: route is required", n)
		}
		if err := p.Usage.check(); err != nil {
			return Profiles{}, fmt.Errorf("cost: profiles: %s: %w", n, err)
		}
	}
	return ps, nil
}

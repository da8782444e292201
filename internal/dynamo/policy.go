package dynamo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// policyJSON is the configuration form of the expiry policy, with Go duration strings:
//
//	{"sources": {"recalls": {"soft": "12h", "hard": "72h"}}, "personalHard": "24h", "negative": "10m"}
//
// Sources left out keep their defaults; whether a source has personal fields is a fact of the
// data, not configuration, and cannot be changed here.
type policyJSON struct {
	Sources map[vehicle.Source]struct {
		Soft string `json:"soft"`
		Hard string `json:"hard"`
	} `json:"sources"`
	PersonalHard string `json:"personalHard"`
	Negative     string `json:"negative"`
}

// ApplyPolicy overrides cfg's expiry policy with a JSON document (see policyJSON). It rejects
// unknown sources and fields, non-positive durations and a hard expiry before the soft one.
func ApplyPolicy(cfg CacheConfig, doc []byte) (CacheConfig, error) {
	var p policyJSON
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return cfg, fmt.Errorf("cache policy: %w", err)
	}
	sources := make(map[vehicle.Source]SourcePolicy, len(cfg.Sources))
	for k, v := range cfg.Sources {
		sources[k] = v
	}
	for src, o := range p.Sources {
		pol, ok := sources[src]
		if !ok {
			return cfg, fmt.Errorf("cache policy: unknown source %q", src)
		}
		var err error
		if pol.Soft, err = duration(o.Soft, pol.Soft); err != nil {
			return cfg, fmt.Errorf("cache policy %s soft: %w", src, err)
		}
		if pol.Hard, err = duration(o.Hard, pol.Hard); err != nil {
			return cfg, fmt.Errorf("cache policy %s hard: %w", src, err)
		}
		if pol.Hard < pol.Soft {
			return cfg, fmt.Errorf("cache policy %s: hard expiry %v before soft expiry %v", src, pol.Hard, pol.Soft)
		}
		sources[src] = pol
	}
	var err error
	if cfg.PersonalHard, err = duration(p.PersonalHard, cfg.PersonalHard); err != nil {
		return cfg, fmt.Errorf("cache policy personalHard: %w", err)
	}
	if cfg.Negative, err = duration(p.Negative, cfg.Negative); err != nil {
		return cfg, fmt.Errorf("cache policy negative: %w", err)
	}
	cfg.Sources = sources
	return cfg, nil
}

func duration(s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("%v is not positive", d)
	}
	return d, nil
}

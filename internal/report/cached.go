package report

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Cached is what the cache holds for one (VIN, source), as the report sees it. The DynamoDB
// adapter maps its items to this value (and drops whatever is past its hard expiry); the rules
// about it (is it fresh, what does it contribute to a report) live here, once.
type Cached struct {
	Source vehicle.Source `json:"source"`
	// Present is false when there is no usable public item (missing or past hard expiry).
	Present    bool      `json:"present"`
	FetchedAt  time.Time `json:"fetchedAt"`
	SoftExpiry time.Time `json:"softExpiry"`
	HardExpiry time.Time `json:"hardExpiry"`
	NotFound   bool      `json:"notFound,omitempty"`
	// HasPersonal says the fetch that wrote the public item also wrote a personal item.
	HasPersonal bool `json:"hasPersonal,omitempty"`
	// Public is the section data without personal fields, as JSON of SourceData.
	Public json.RawMessage `json:"public,omitempty"`
	// Personal is the complete section (JSON of SourceData), when a personal item is present and
	// not hard-expired.
	Personal           json.RawMessage `json:"personal,omitempty"`
	PersonalHardExpiry time.Time       `json:"personalHardExpiry"`
}

// Freshness is how current the cached data is at now: fresh before its soft expiry, stale after
// it (the plan asks for a refetch; if that fails this is what is served), unavailable without
// data.
func (c Cached) Freshness(now time.Time) Freshness {
	switch {
	case !c.Present:
		return Unavailable
	case now.Before(c.SoftExpiry):
		return Fresh
	default:
		return Stale
	}
}

// Fresh reports whether the entry can be served without asking the source: present and before
// its soft expiry and, when the caller needs personal data and the source has any, with a live
// personal item.
func (c Cached) Fresh(now time.Time, needPersonal bool) bool {
	if c.Freshness(now) != Fresh {
		return false
	}
	return !needPersonal || !c.HasPersonal || c.Personal != nil
}

// Servable reports whether the entry may answer a report without asking the source first:
// fresh, or stale (past its soft expiry, within its hard expiry) data of a source that knows the
// VIN, with the live personal item when the caller needs it. A stale entry is served marked
// stale while the source is asked again in the background. A negative entry is never served
// stale: whether a VIN exists is asked again before a report says it does not.
func (c Cached) Servable(now time.Time, needPersonal bool) bool {
	if !c.Present || (c.NotFound && c.Freshness(now) != Fresh) {
		return false
	}
	return !needPersonal || !c.HasPersonal || c.Personal != nil
}

// Data decodes the cached section, preferring the complete (personal) item.
func (c Cached) Data() (*SourceData, error) {
	raw := c.Personal
	if raw == nil {
		raw = c.Public
	}
	if raw == nil {
		return &SourceData{}, nil
	}
	var d SourceData
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("decode cached %s section: %w", c.Source, err)
	}
	return &d, nil
}

// Package reportflow holds what the vehicle-report steps exchange through the state machine: the
// per-source payload, the fetch result, and the split of a payload into its public and personal
// parts. The steps are separate Lambda functions; this is their shared vocabulary, not a domain.
package reportflow

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// SourceData is what one source contributes to a report; each source fills its own fields.
type SourceData struct {
	Build        *vehicle.BuildData        `json:"build,omitempty"`
	Service      *vehicle.ServiceData      `json:"service,omitempty"`
	Registration *vehicle.RegistrationData `json:"registration,omitempty"`
	Owner        *vehicle.OwnerData        `json:"owner,omitempty"`
	Odometer     []vehicle.OdometerReading `json:"odometer,omitempty"`
	Recalls      *vehicle.RecallData       `json:"recalls,omitempty"`
}

// Public returns d without personal fields. The fields are found by vehicle.Redact, so the
// report model's `personal` tags stay the only place that says what is personal.
func (d SourceData) Public() SourceData {
	r := vehicle.Report{
		Build:        section(d.Build),
		Service:      section(d.Service),
		Registration: section(d.Registration),
		Owner:        section(d.Owner),
		Recalls:      section(d.Recalls),
	}
	if d.Odometer != nil {
		r.Odometer = section(&vehicle.OdometerData{Readings: d.Odometer})
	}
	p := vehicle.Redact(r, vehicle.AccessPublic)
	out := SourceData{
		Build:        data(p.Build),
		Service:      data(p.Service),
		Registration: data(p.Registration),
		Owner:        data(p.Owner),
		Recalls:      data(p.Recalls),
	}
	if od := data(p.Odometer); od != nil {
		out.Odometer = od.Readings
	}
	return out
}

func section[T any](d *T) *vehicle.Section[T] {
	if d == nil {
		return nil
	}
	return &vehicle.Section[T]{Data: d}
}

func data[T any](s *vehicle.Section[T]) *T {
	if s == nil {
		return nil
	}
	return s.Data
}

// Record turns fetched data into a cache record: the public part for the long-lived item and,
// for a source with personal fields, the whole data for the short-lived one.
func Record(d SourceData, fetchedAt time.Time, personal bool) (dynamo.Record, error) {
	pub, err := json.Marshal(d.Public())
	if err != nil {
		return dynamo.Record{}, fmt.Errorf("encode public section: %w", err)
	}
	rec := dynamo.Record{FetchedAt: fetchedAt, Public: pub}
	if personal {
		if rec.Personal, err = json.Marshal(d); err != nil {
			return dynamo.Record{}, fmt.Errorf("encode personal section: %w", err)
		}
	}
	return rec, nil
}

// Status says what a fetch step achieved for its source.
type Status string

const (
	StatusFetched     Status = "fetched"     // the source's data is current (fetched now, or by a concurrent request)
	StatusNotFound    Status = "notFound"    // the vehicle master does not know the VIN
	StatusUnavailable Status = "unavailable" // set by the state machine's Catch: the fetch failed
	StatusSkipped     Status = "skipped"     // set by the state machine: the cache was fresh
)

// FetchInput is a fetch step's event.
type FetchInput struct {
	VIN    string         `json:"vin"`
	Access vehicle.Access `json:"access"`
}

// FetchResult is a fetch step's result, and what the state machine records for a source that
// was skipped or failed (then only Source, Status and Error are set).
type FetchResult struct {
	Source    vehicle.Source `json:"source"`
	Status    Status         `json:"status"`
	FetchedAt *time.Time     `json:"fetchedAt,omitempty"`
	// Data is the complete data (personal fields included when the cache holds them); the redact
	// step decides what the caller sees.
	Data  *SourceData `json:"data,omitempty"`
	Error string      `json:"error,omitempty"`
}

// ResultFromEntry builds a fetch result from a cache entry that Cache.Fetch made current.
func ResultFromEntry(e dynamo.Entry) (FetchResult, error) {
	if e.NotFound {
		return FetchResult{Source: e.Source, Status: StatusNotFound}, nil
	}
	d, err := EntryData(e)
	if err != nil {
		return FetchResult{}, err
	}
	at := e.FetchedAt
	return FetchResult{Source: e.Source, Status: StatusFetched, FetchedAt: &at, Data: d}, nil
}

// EntryData decodes a cache entry's data, preferring the complete (personal) item.
func EntryData(e dynamo.Entry) (*SourceData, error) {
	raw := e.Personal
	if raw == nil {
		raw = e.Public
	}
	if raw == nil {
		return &SourceData{}, nil
	}
	var d SourceData
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("decode cached %s section: %w", e.Source, err)
	}
	return &d, nil
}

// CacheRead is the plan and merge steps' view of what the state machine read: the caller's
// access and the raw outputs of the cache getItem tasks.
type CacheRead struct {
	VIN    string            `json:"vin"`
	Access vehicle.Access    `json:"access"`
	Cache  []json.RawMessage `json:"cache"`
}

// Entries decodes the cache read into entries by source, evaluated at now.
func (c CacheRead) Entries(now func() time.Time) (map[vehicle.Source]dynamo.Entry, error) {
	raw, err := dynamo.EntriesFromGetItemOutputs(c.Cache, now)
	if err != nil {
		return nil, err
	}
	out := make(map[vehicle.Source]dynamo.Entry, len(raw))
	for _, src := range vehicle.ReportSources() {
		if e, ok := raw[string(src)]; ok {
			out[src] = e
		} else {
			out[src] = dynamo.Entry{Source: src}
		}
	}
	return out, nil
}

// Entry is a cache entry as the steps see it.
type Entry = dynamo.Entry

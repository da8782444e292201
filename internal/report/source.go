package report

import (
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// SourceData is what one source contributes to a report; each source fills its own fields.
type SourceData struct {
	Build        *BuildData        `json:"build,omitempty"`
	Service      *ServiceData      `json:"service,omitempty"`
	Registration *RegistrationData `json:"registration,omitempty"`
	Owner        *OwnerData        `json:"owner,omitempty"`
	Odometer     []OdometerReading `json:"odometer,omitempty"`
	Recalls      *RecallData       `json:"recalls,omitempty"`
}

// Public returns d without personal fields. The fields are found by Redact, so the
// report model's `personal` tags stay the only place that says what is personal.
func (d SourceData) Public() SourceData {
	r := Report{
		Build:        section(d.Build),
		Service:      section(d.Service),
		Registration: section(d.Registration),
		Owner:        section(d.Owner),
		Recalls:      section(d.Recalls),
	}
	if d.Odometer != nil {
		r.Odometer = section(&OdometerData{Readings: d.Odometer})
	}
	p := Redact(r, vehicle.AccessPublic)
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

func section[T any](d *T) *Section[T] {
	if d == nil {
		return nil
	}
	return &Section[T]{Data: d}
}

func data[T any](s *Section[T]) *T {
	if s == nil {
		return nil
	}
	return s.Data
}

// Status says what a fetch step achieved for its source.
type Status string

const (
	StatusFetched     Status = "fetched"     // the source's data is current (fetched now, or by a concurrent request)
	StatusNotFound    Status = "notFound"    // the vehicle master does not know the VIN
	StatusUnavailable Status = "unavailable" // set by the state machine's Catch: the fetch failed
	StatusSkipped     Status = "skipped"     // set by the state machine: the cache was fresh
)

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

// ResultFromCached builds a fetch result from a cached entry that a fetch made current.
func ResultFromCached(c Cached) (FetchResult, error) {
	if c.NotFound {
		return FetchResult{Source: c.Source, Status: StatusNotFound}, nil
	}
	d, err := c.Data()
	if err != nil {
		return FetchResult{}, err
	}
	at := c.FetchedAt
	return FetchResult{Source: c.Source, Status: StatusFetched, FetchedAt: &at, Data: d}, nil
}

package listings

import (
	"slices"

	"github.com/acme-oem/vehicle-data/internal/listing"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Snapshot builds a listing's verified facts from a report. It redacts the report to the public
// view first, whatever access it was built for, so no personal field can reach a listing even
// if a state machine handed over an owner's report: the report context's one redaction decides
// what is personal. A section whose source was unavailable gives no fact.
func Snapshot(r report.Report) listing.Verified {
	pub := report.Redact(r, vehicle.AccessPublic)
	var v listing.Verified
	if s := pub.Build; s != nil && s.Data != nil {
		v.Make = fact(s.Data.Make, s.Source, s)
		v.Model = fact(s.Data.Model, s.Source, s)
		v.ModelYear = fact(s.Data.ModelYear, s.Source, s)
	}
	if s := pub.Odometer; s != nil && s.Data != nil {
		if n := len(s.Data.Readings); n > 0 {
			last := s.Data.Readings[n-1]
			v.Odometer = &listing.Fact[listing.Odometer]{Value: listing.Odometer{Km: last.Km, Month: last.Month},
				Source: last.Source, FetchedAt: s.FetchedAt}
		}
		v.RollbackDetected = fact(s.Data.RollbackDetected, s.Source, s)
	}
	if s := pub.Service; s != nil && s.Data != nil {
		sum := listing.ServiceSummary{Count: len(s.Data.Visits)}
		accident := false
		for _, visit := range s.Data.Visits {
			if visit.Month > sum.LastServiceMonth {
				sum.LastServiceMonth = visit.Month
			}
			accident = accident || visit.Kind == "accident-repair"
		}
		v.Service = fact(sum, s.Source, s)
		v.AccidentRecorded = fact(accident, s.Source, s)
	}
	if s := pub.Recalls; s != nil && s.Data != nil {
		open := []listing.Recall{}
		for _, c := range s.Data.Campaigns {
			if c.Status == "open" {
				open = append(open, listing.Recall{ID: c.ID, Title: c.Title})
			}
		}
		slices.SortFunc(open, func(a, b listing.Recall) int {
			if a.ID < b.ID {
				return -1
			}
			if a.ID > b.ID {
				return 1
			}
			return 0
		})
		v.OpenRecalls = fact(open, s.Source, s)
	}
	return v
}

func fact[T, D any](value T, src vehicle.Source, s *report.Section[D]) *listing.Fact[T] {
	return &listing.Fact[T]{Value: value, Source: src, FetchedAt: s.FetchedAt}
}

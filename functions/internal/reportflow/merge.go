package reportflow

import (
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Merge assembles the report from the cache entries and the fetch results (none when nothing was
// fetched) and returns it as a caller with access may see it (report.Redact). Every section says
// where it came from, when, and how fresh it is (judged at now); a source that failed yields a
// stale section (from cache) or an unavailable one, never a failed report. Only an unknown VIN
// fails: VehicleData.NotFound. The merge step calls it after fetching; the plan step calls it
// when nothing needs fetching, so a cached report is decoded once.
func Merge(vin string, access vehicle.Access, entries map[vehicle.Source]Entry, fetched []FetchResult, t time.Time) (report.Report, error) {
	v, err := vehicle.ParseVIN(vin)
	if err != nil {
		return report.Report{}, err
	}
	parts := make(map[vehicle.Source]part, 4)
	for _, src := range report.Sources() {
		p, err := cachedPart(entries[src], t)
		if err != nil {
			return report.Report{}, err
		}
		parts[src] = p
	}
	for _, f := range fetched {
		switch f.Status {
		case StatusFetched:
			parts[f.Source] = part{freshness: report.Fresh, fetchedAt: f.FetchedAt, data: f.Data}
		case StatusNotFound:
			parts[f.Source] = part{notFound: true}
		}
		// Skipped: the cache was fresh (already in parts). Unavailable: keep the cached
		// data, which cachedPart marked stale, or unavailable when there is none.
	}
	if parts[vehicle.SourceVehicleMaster].notFound {
		return report.Report{}, apperr.New(apperr.NotFound, "no vehicle with this VIN")
	}
	return report.Redact(assemble(v, parts), access), nil
}

// part is one source's contribution.
type part struct {
	freshness report.Freshness
	fetchedAt *time.Time
	data      *SourceData
	notFound  bool
}

// cachedPart is what the cache alone offers: fresh before the soft expiry, stale after it (the
// plan asked for a refetch; if that failed this is what is served), unavailable without data.
func cachedPart(e Entry, now time.Time) (part, error) {
	if !e.Present {
		return part{freshness: report.Unavailable}, nil
	}
	if e.NotFound {
		return part{notFound: true}, nil
	}
	d, err := EntryData(e)
	if err != nil {
		return part{}, err
	}
	at := e.FetchedAt
	fr := report.Fresh
	if !now.Before(e.SoftExpiry) {
		fr = report.Stale
	}
	return part{freshness: fr, fetchedAt: &at, data: d}, nil
}

func mkSection[T any](src vehicle.Source, p part, pick func(*SourceData) *T) *report.Section[T] {
	s := &report.Section[T]{Source: src, Freshness: p.freshness, FetchedAt: p.fetchedAt}
	if p.data != nil && !p.notFound {
		s.Data = pick(p.data)
	}
	if s.Data == nil {
		return &report.Section[T]{Source: src, Freshness: report.Unavailable}
	}
	return s
}

func assemble(v vehicle.VIN, parts map[vehicle.Source]part) report.Report {
	vm, ws, rg, rc := parts[vehicle.SourceVehicleMaster], parts[vehicle.SourceWorkshop], parts[vehicle.SourceRegistry], parts[vehicle.SourceRecalls]
	r := report.Report{
		VIN:          v,
		Build:        mkSection(vehicle.SourceVehicleMaster, vm, func(d *SourceData) *report.BuildData { return d.Build }),
		Service:      mkSection(vehicle.SourceWorkshop, ws, func(d *SourceData) *report.ServiceData { return d.Service }),
		Registration: mkSection(vehicle.SourceRegistry, rg, func(d *SourceData) *report.RegistrationData { return d.Registration }),
		Owner:        mkSection(vehicle.SourceRegistry, rg, func(d *SourceData) *report.OwnerData { return d.Owner }),
		Recalls:      mkSection(vehicle.SourceRecalls, rc, func(d *SourceData) *report.RecallData { return d.Recalls }),
		Odometer:     odometer(ws, rg),
	}
	// Make and model year: the build record's, else what the VIN itself encodes.
	if b := r.Build.Data; b != nil {
		r.Make, r.ModelYear = b.Make, b.ModelYear
	} else {
		if m, ok := v.Manufacturer(); ok {
			r.Make = m.Make
		}
		r.ModelYear = v.ModelYear()
	}
	return r
}

// odometer merges the workshop's and the registry's readings. The section is as fresh as its
// least fresh input; with one input missing it is stale (readings may be missing), with both
// missing unavailable. It names the workshop as source; each reading names its own.
func odometer(ws, rg part) *report.Section[report.OdometerData] {
	var readings [][]report.OdometerReading
	fr := report.Fresh
	var at *time.Time
	for _, p := range []part{ws, rg} {
		if p.data == nil || p.notFound {
			fr = report.Stale
			continue
		}
		readings = append(readings, p.data.Odometer)
		if p.freshness == report.Stale {
			fr = report.Stale
		}
		if at == nil || (p.fetchedAt != nil && p.fetchedAt.Before(*at)) {
			at = p.fetchedAt
		}
	}
	if len(readings) == 0 {
		return &report.Section[report.OdometerData]{Source: vehicle.SourceWorkshop, Freshness: report.Unavailable}
	}
	od := report.MergeOdometer(readings...)
	return &report.Section[report.OdometerData]{Source: vehicle.SourceWorkshop, Freshness: fr, FetchedAt: at, Data: &od}
}

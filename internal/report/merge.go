package report

import (
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Merge assembles the report from the cache entries and the fetch results (none when nothing was
// fetched) and returns it as a caller with access may see it (Redact). Every section says
// where it came from, when, and how fresh it is (judged at now); a source that failed yields a
// stale section (from cache) or an unavailable one, never a failed report. Only an unknown VIN
// fails (VehicleData.NotFound), and a VIN nobody can confirm because the vehicle master failed
// with nothing cached (VehicleData.Unavailable). The merge step calls it after fetching; the plan
// step calls it when nothing needs fetching, so a cached report is decoded once.
func Merge(vin string, access vehicle.Access, entries map[vehicle.Source]Cached, fetched []FetchResult, t time.Time) (Report, error) {
	v, err := vehicle.ParseVIN(vin)
	if err != nil {
		return Report{}, err
	}
	parts := make(map[vehicle.Source]part, 4)
	for _, src := range Sources() {
		p, err := cachedPart(entries[src], t)
		if err != nil {
			return Report{}, err
		}
		parts[src] = p
	}
	for _, f := range fetched {
		switch f.Status {
		case StatusFetched:
			parts[f.Source] = part{freshness: Fresh, fetchedAt: f.FetchedAt, data: f.Data}
		case StatusNotFound:
			parts[f.Source] = part{notFound: true}
		}
		// Skipped: the cache was fresh (already in parts). Unavailable: keep the cached
		// data, which cachedPart marked stale, or unavailable when there is none.
	}
	vm := parts[vehicle.SourceVehicleMaster]
	if vm.notFound {
		return Report{}, apperr.New(apperr.NotFound, "no vehicle with this VIN")
	}
	if vm.data == nil {
		// The vehicle master alone says whether a VIN exists. Without its answer and without a
		// cached one, the other sources' empty answers would read as a clean history of a car
		// nobody can confirm: not verified, so not reported.
		return Report{}, apperr.New(apperr.Unavailable, "the vehicle's records cannot be confirmed right now; try again later")
	}
	return Redact(assemble(v, parts), access), nil
}

// part is one source's contribution.
type part struct {
	freshness Freshness
	fetchedAt *time.Time
	data      *SourceData
	notFound  bool
}

// cachedPart is what the cache alone offers (Cached.Freshness judges it at now).
func cachedPart(c Cached, now time.Time) (part, error) {
	if c.NotFound && c.Present {
		return part{notFound: true}, nil
	}
	fr := c.Freshness(now)
	if fr == Unavailable {
		return part{freshness: Unavailable}, nil
	}
	d, err := c.Data()
	if err != nil {
		return part{}, err
	}
	at := c.FetchedAt
	return part{freshness: fr, fetchedAt: &at, data: d}, nil
}

func mkSection[T any](src vehicle.Source, p part, pick func(*SourceData) *T) *Section[T] {
	s := &Section[T]{Source: src, Freshness: p.freshness, FetchedAt: p.fetchedAt}
	if p.data != nil && !p.notFound {
		s.Data = pick(p.data)
	}
	if s.Data == nil {
		return &Section[T]{Source: src, Freshness: Unavailable}
	}
	return s
}

func assemble(v vehicle.VIN, parts map[vehicle.Source]part) Report {
	vm, ws, rg, rc := parts[vehicle.SourceVehicleMaster], parts[vehicle.SourceWorkshop], parts[vehicle.SourceRegistry], parts[vehicle.SourceRecalls]
	r := Report{
		VIN:          v,
		Build:        mkSection(vehicle.SourceVehicleMaster, vm, func(d *SourceData) *BuildData { return d.Build }),
		Service:      mkSection(vehicle.SourceWorkshop, ws, func(d *SourceData) *ServiceData { return d.Service }),
		Registration: mkSection(vehicle.SourceRegistry, rg, func(d *SourceData) *RegistrationData { return d.Registration }),
		Owner:        mkSection(vehicle.SourceRegistry, rg, func(d *SourceData) *OwnerData { return d.Owner }),
		Recalls:      mkSection(vehicle.SourceRecalls, rc, func(d *SourceData) *RecallData { return d.Recalls }),
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
// missing unavailable. It names as source the one input that contributed, the workshop when both
// did; each reading names its own source and Inputs lists both inputs with their freshness.
func odometer(ws, rg part) *Section[OdometerData] {
	var readings [][]OdometerReading
	var inputs []OdometerInput
	var from []vehicle.Source
	fr := Fresh
	var at *time.Time
	for i, p := range []part{ws, rg} {
		src := []vehicle.Source{vehicle.SourceWorkshop, vehicle.SourceRegistry}[i]
		if p.data == nil || p.notFound {
			fr = Stale
			inputs = append(inputs, OdometerInput{Source: src, Freshness: Unavailable})
			continue
		}
		readings = append(readings, p.data.Odometer)
		from = append(from, src)
		inputs = append(inputs, OdometerInput{Source: src, Freshness: p.freshness, FetchedAt: p.fetchedAt})
		if p.freshness == Stale {
			fr = Stale
		}
		if at == nil || (p.fetchedAt != nil && p.fetchedAt.Before(*at)) {
			at = p.fetchedAt
		}
	}
	if len(readings) == 0 {
		return &Section[OdometerData]{Source: vehicle.SourceWorkshop, Freshness: Unavailable}
	}
	od := MergeOdometer(readings...)
	od.Inputs = inputs
	return &Section[OdometerData]{Source: from[0], Freshness: fr, FetchedAt: at, Data: &od}
}

package wiring

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/internal/listing"
	"github.com/acme-oem/vehicle-data/internal/metrics"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// recorder records catalogue metrics, logging (never failing on) a refused point: a refusal is
// a bug in the names, never in the data.
type recorder struct {
	rec metrics.Recorder
	log *slog.Logger
}

func (r recorder) record(ctx context.Context, name metrics.Name, v float64, dims ...string) {
	if r.rec == nil {
		return
	}
	if err := r.rec.Record(name, v, dims...); err != nil {
		r.log.LogAttrs(ctx, slog.LevelWarn, "metric refused", slog.String("metric", string(name)), slog.String("error", err.Error()))
	}
}

// ProofStep implements ownership.Observer: OwnershipProofs by method and outcome.
func (r recorder) ProofStep(ctx context.Context, method ownership.Method, outcome ownership.ProofOutcome) {
	m := string(method)
	if m == "" {
		m = metrics.MethodUnknown
	}
	r.record(ctx, metrics.OwnershipProofs, 1, m, string(outcome))
}

// ListingWrite implements listing.Observer: ListingWrites by operation and outcome.
func (r recorder) ListingWrite(ctx context.Context, op listing.WriteOp, outcome listing.WriteOutcome) {
	r.record(ctx, metrics.ListingWrites, 1, string(op), string(outcome))
}

// outputMetrics returns, for the steps whose output tells how the report cache did, what records
// it after a successful invocation; nil for the others. The steps stay unaware of metrics: they
// are read from the output the state machine gets anyway.
func outputMetrics(name string, r recorder, now func() time.Time) func(ctx context.Context, out []byte) {
	switch name {
	case catalog.PlanReport:
		return func(ctx context.Context, out []byte) { r.plan(ctx, out, now()) }
	case catalog.MergeReport:
		return func(ctx context.Context, out []byte) { r.served(ctx, out, now()) }
	}
	return nil
}

// plan counts, per source, a hit (fresh in the cache), a miss (fetched before answering) or
// neither (served stale and refreshed after answering: counted as served); when the plan carries
// the report (nothing fetched), the sections served.
func (r recorder) plan(ctx context.Context, out []byte, now time.Time) {
	var p struct {
		report.Plan
		Report json.RawMessage `json:"report"`
	}
	if json.Unmarshal(out, &p) != nil || p.NotFound {
		return
	}
	for _, x := range []struct {
		src            vehicle.Source
		fetch, refresh bool
	}{
		{vehicle.SourceVehicleMaster, p.Fetch.VehicleMaster, p.Refresh.VehicleMaster},
		{vehicle.SourceWorkshop, p.Fetch.Workshop, p.Refresh.Workshop},
		{vehicle.SourceRegistry, p.Fetch.Registry, p.Refresh.Registry},
		{vehicle.SourceRecalls, p.Fetch.Recalls, p.Refresh.Recalls},
	} {
		switch {
		case x.fetch:
			r.record(ctx, metrics.CacheMisses, 1, string(x.src))
		case !x.refresh:
			r.record(ctx, metrics.CacheHits, 1, string(x.src))
		}
	}
	if len(p.Report) > 0 && string(p.Report) != "null" {
		r.served(ctx, p.Report, now)
	}
}

// section is what a report section says about where it came from.
type section struct {
	Source    vehicle.Source   `json:"source"`
	FetchedAt *time.Time       `json:"fetchedAt"`
	Freshness report.Freshness `json:"freshness"`
}

// served records, per source of the report answered, its stale serve and the age of its data.
// The owner section shares the registry's item with the registration: one value per source.
func (r recorder) served(ctx context.Context, out []byte, now time.Time) {
	var rep struct {
		Build        *section `json:"build"`
		Service      *section `json:"serviceHistory"`
		Recalls      *section `json:"recalls"`
		Registration *section `json:"registration"`
		Owner        *section `json:"owner"`
	}
	if json.Unmarshal(out, &rep) != nil {
		return
	}
	seen := map[vehicle.Source]bool{}
	for _, s := range []*section{rep.Build, rep.Service, rep.Registration, rep.Owner, rep.Recalls} {
		if s == nil || seen[s.Source] || s.Freshness == report.Unavailable || s.FetchedAt == nil {
			continue
		}
		seen[s.Source] = true
		if s.Freshness == report.Stale {
			r.record(ctx, metrics.CacheStaleServes, 1, string(s.Source))
		}
		r.record(ctx, metrics.ReportFreshness, max(0, now.Sub(*s.FetchedAt).Seconds()), string(s.Source))
	}
}

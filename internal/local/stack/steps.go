package stack

import (
	"context"
	"fmt"
	"log/slog"

	"go.opentelemetry.io/otel/trace"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/metrics"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/internal/wiring"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

// buildSteps wires the Lambda steps with internal/wiring, as the Lambda binary does in AWS, except
// that the legacy systems are the simulators, the outbox is the development one, and all steps
// share one process. The pseudonym key and the ownership pepper are fresh per run: logs of one
// run correlate, runs do not; codes of an earlier run cannot verify; no secret sits in the
// repository (Secrets Manager holds them in AWS).
func buildSteps(ctx context.Context, api dynamo.API, table string, sims *sim.Cluster, outbox ownership.Outbox, cfg Config, log *slog.Logger, tp trace.TracerProvider, rec metrics.Recorder) (*wiring.Functions, error) {
	urls := map[vehicle.Source]string{}
	for _, src := range report.Sources() {
		urls[src] = sims.URL(src)
	}
	urls[vehicle.SourceOffers] = sims.URL(vehicle.SourceOffers)
	urls[vehicle.SourceDealerStock] = sims.URL(vehicle.SourceDealerStock) // similar cars
	fns, err := wiring.Build(ctx, wiring.Config{
		TableName:       table,
		DynamoDB:        api,
		LegacyURLs:      urls,
		Transport:       transport.Config{Breaker: cfg.LegacyBreaker, Logger: log},
		PseudonymKey:    wiring.RandomSecret(32),
		OwnershipPepper: wiring.RandomSecret(32),
		Outbox:          outbox,
		Now:             cfg.Now,
		Log:             log,
		SiteURL:         cfg.SiteURL,
		TracerProvider:  tp,
		Metrics:         rec,
	})
	if err != nil {
		return nil, fmt.Errorf("steps: %w", err)
	}
	return fns, nil
}

// lambdaFunctions is what the engine invokes: each step, wrapped by cfg.WrapFunctions.
func lambdaFunctions(steps *wiring.Functions, cfg Config) engine.FunctionMap {
	fns := engine.FunctionMap{}
	for _, name := range steps.Names() {
		h, _ := steps.Lookup(name)
		if cfg.WrapFunctions != nil {
			h = cfg.WrapFunctions(name, h)
		}
		fns[name] = h
	}
	return fns
}

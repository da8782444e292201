package localstack

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"

	"github.com/acme-oem/vehicle-data/functions/registry"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/ownershipadapters"
	"github.com/acme-oem/vehicle-data/internal/tracing"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/recalls"
	regclient "github.com/acme-oem/vehicle-data/legacyclients/registry"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
	"github.com/acme-oem/vehicle-data/legacyclients/vehiclemaster"
	"github.com/acme-oem/vehicle-data/legacyclients/workshop"
	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

// buildRegistry wires the Lambda steps as functions/lambda does in AWS (same registry, same
// clients, same cache policy), except that the legacy systems are the simulators and all steps
// share one process. It returns the transports, for Close.
func buildRegistry(api dynamo.API, table string, sims *sim.Cluster, outbox ownership.Outbox, cfg Config, log *slog.Logger) (*registry.Registry, []*transport.Client, error) {
	cc := dynamo.DefaultCacheConfig()
	cc.LeaseTTL = registry.FetchLeaseTTL()
	cc.Now = cfg.Now

	// A fresh pseudonym key per run: logs of one run correlate, runs do not, and no key sits in
	// the repository.
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)

	deps := registry.Deps{
		Cache:         dynamo.NewCache(api, table, cc),
		Log:           log,
		Pseudonymizer: vehicle.NewPseudonymizer(key),
		Now:           cfg.Now,
	}
	var transports []*transport.Client
	tc := func(src vehicle.Source) (*transport.Client, error) {
		t, err := transport.New(transport.Config{
			System: string(src), BaseURL: sims.URL(src), Breaker: cfg.LegacyBreaker, Logger: log,
		})
		if err != nil {
			return nil, fmt.Errorf("%s transport: %w", src, err)
		}
		transports = append(transports, t)
		return t, nil
	}
	fail := func(err error) (*registry.Registry, []*transport.Client, error) {
		for _, t := range transports {
			t.Close()
		}
		return nil, nil, err
	}
	now := cfg.Now
	t, err := tc(vehicle.SourceVehicleMaster)
	if err != nil {
		return fail(err)
	}
	if deps.Build, err = vehiclemaster.New(vehiclemaster.Config{Transport: t, Now: now}); err != nil {
		return fail(fmt.Errorf("vehicle master client: %w", err))
	}
	if t, err = tc(vehicle.SourceWorkshop); err != nil {
		return fail(err)
	}
	if deps.Workshop, err = workshop.New(workshop.Config{Transport: t, Now: now}); err != nil {
		return fail(fmt.Errorf("workshop client: %w", err))
	}
	if t, err = tc(vehicle.SourceRegistry); err != nil {
		return fail(err)
	}
	regClient, err := regclient.New(regclient.Config{Transport: t, Now: now})
	if err != nil {
		return fail(fmt.Errorf("registry client: %w", err))
	}
	deps.Registry = regClient
	// The pepper, like the pseudonym key, is fresh per run: codes and challenges of an earlier run
	// cannot verify, and no secret sits in the repository (Secrets Manager holds it in AWS).
	pepper := make([]byte, 32)
	_, _ = rand.Read(pepper)
	coder, err := ownership.NewCoder(pepper, ownership.DefaultPolicy().CodeDigits)
	if err != nil {
		return fail(fmt.Errorf("ownership coder: %w", err))
	}
	svc := ownership.NewService(dynamo.NewOwnershipStore(api, table), ownershipadapters.NewRegistry(regClient),
		outbox, coder, ownership.DefaultPolicy(), nowOr(now))
	svc = svc.WithAlarm(ownershipadapters.NewLogAlarm(log, deps.Pseudonymizer))
	deps.OwnershipChallenge, deps.OwnershipVerify = svc, svc
	if t, err = tc(vehicle.SourceRecalls); err != nil {
		return fail(err)
	}
	if deps.Recalls, err = recalls.New(recalls.Config{Transport: t, Now: now}); err != nil {
		return fail(fmt.Errorf("recalls client: %w", err))
	}
	return registry.New(deps), transports, nil
}

// lambdaFunctions is what the engine invokes: each step of the registry, wrapped by
// cfg.WrapFunctions, then run under a Lambda-style trace context when cfg.TraceEmitter is set.
func lambdaFunctions(steps *registry.Registry, cfg Config) (engine.FunctionMap, error) {
	var tracer *tracing.Tracer
	if cfg.TraceEmitter != nil {
		var err error
		if tracer, err = tracing.NewTracer(cfg.TraceEmitter); err != nil {
			return nil, err
		}
	}
	fns := engine.FunctionMap{}
	for _, name := range steps.Names() {
		h, _ := steps.Lookup(name)
		if cfg.WrapFunctions != nil {
			h = cfg.WrapFunctions(name, h)
		}
		if tracer != nil {
			h = tracer.Wrap(h)
		}
		fns[name] = h
	}
	return fns, nil
}

// nowOr returns now, or time.Now when nil.
func nowOr(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// documentCodes shows the development outbox the codes on the simulated registration documents,
// so that a demo owner can prove ownership by document-code, as a real owner would with the
// paper in hand. Local only, like the outbox; nothing logs them.
func documentCodes(sims *sim.Cluster) func(vehicle.VIN) (string, bool) {
	return func(v vehicle.VIN) (string, bool) {
		car, ok := sims.World().Vehicle(v)
		if !ok || car.DocumentCode() == "" {
			return "", false
		}
		return car.DocumentCode(), true
	}
}

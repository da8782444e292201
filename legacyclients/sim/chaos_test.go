package sim_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
)

func TestRandomFaultsAreValidAndVaried(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	kinds := map[string]bool{}
	for range 200 {
		f := sim.RandomFaults(r, 0.2)
		if err := f.Validate(); err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		kinds[f.String()] = true
	}
	if len(kinds) < 6 {
		t.Fatalf("only %d kinds of chaos: %v", len(kinds), kinds)
	}
}

func TestRunChaosSetsAndClearsFaults(t *testing.T) {
	c := startCluster(t, sim.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	seen := map[vehicle.Source]fault.Faults{}
	done := make(chan error, 1)
	go func() {
		done <- c.RunChaos(ctx, 0.5, time.Hour, 1, func(s vehicle.Source, f fault.Faults) {
			seen[s] = f
			if len(seen) == len(sim.Systems()) {
				cancel() // one round is enough
			}
		})
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, s := range sim.Systems() {
		if seen[s].String() == "healthy" {
			t.Errorf("%s: no fault drawn", s)
		}
		if got := c.System(s).Faults(); got.String() != "healthy" {
			t.Errorf("%s: chaos left %s", s, got)
		}
	}
}

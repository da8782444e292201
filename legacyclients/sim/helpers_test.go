package sim_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
)

// startCluster starts a cluster without latency unless opts says otherwise, closed at cleanup.
func startCluster(t *testing.T, opts sim.Options) *sim.Cluster {
	t.Helper()
	if opts.Latency == nil {
		opts.NoLatency = true
	}
	c, err := sim.Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return c
}

// sampleVINs are n VINs the world knows, from a fixed seed.
func sampleVINs(n int) []vehicle.VIN {
	r := rand.New(rand.NewPCG(7, 11))
	w := world.New(world.DefaultAsOf)
	var out []vehicle.VIN
	for len(out) < n {
		vin := world.RandomVIN(r)
		if _, ok := w.Vehicle(vin); ok {
			out = append(out, vin)
		}
	}
	return out
}

func isNotFound(err error) bool { return apperr.CodeOf(err) == apperr.NotFound }

package clienttest

import (
	"context"
	"fmt"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// Sim starts the six simulators on loopback without their latency profiles (integration tests
// judge wire compatibility, not timing) and stops them with the test.
func Sim(t testing.TB) *sim.Cluster {
	t.Helper()
	c, err := sim.Start(context.Background(), sim.Options{NoLatency: true})
	if err != nil {
		t.Fatalf("sim.Start: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("sim.Close: %v", err)
		}
	})
	return c
}

// SimTransport is Transport pointed at one simulator.
func SimTransport(t testing.TB, c *sim.Cluster, src vehicle.Source) *transport.Client {
	t.Helper()
	return Transport(t, string(src), c.URL(src), 0)
}

// VINs mints n valid VINs across the OEM's makes and model years, deterministically: the
// simulators invent a history for any valid VIN, so these sweep the generator for data the
// clients would wrongly reject.
func VINs(n int) []vehicle.VIN {
	wmis := vehicle.Manufacturers()
	const years = "ABCDEFGHJKLMNPRSTVWXY123456789"
	out := make([]vehicle.VIN, 0, n)
	for i := range n {
		m := wmis[i%len(wmis)]
		// Position 7 a letter selects the 2010-2039 cycle; years 2012..2025 are plausible.
		year := years[(2+i*5)%14+2]
		s := []byte(m.WMI + "ZZZAU0" + string(year) + "X" + fmt.Sprintf("%06d", 100000+i*7919%900000))
		s[8] = vehicle.CheckDigitOf(string(s))
		v, err := vehicle.ParseVIN(string(s))
		if err != nil {
			panic(fmt.Sprintf("clienttest.VINs minted an invalid VIN: %v", err))
		}
		out = append(out, v)
	}
	return out
}

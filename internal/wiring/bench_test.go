package wiring_test

import (
	"fmt"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

// BenchmarkReportWarm is a report served from the cache: engine, six getItems, plan, merge,
// redact, nested ownership-authorization (simulators without latency, dynalite).
func BenchmarkReportWarm(b *testing.B) {
	s := newStack(b, 1)
	in := input(world.DemoClean, "", "anonymous")
	if res := s.run(b, in); res.Status != engine.StatusSucceeded {
		b.Fatal(res.Error, res.Cause)
	}
	b.ResetTimer()
	for b.Loop() {
		if res := s.run(b, in); res.Status != engine.StatusSucceeded {
			b.Fatal(res.Error, res.Cause)
		}
	}
}

// BenchmarkReportCold is a report for a VIN never seen: four fetches with leases and cache writes.
func BenchmarkReportCold(b *testing.B) {
	s := newStack(b, 1)
	i := 0
	for b.Loop() {
		i++
		raw := []byte(fmt.Sprintf("WVWZZZCD0MW%06d", 700000+i))
		raw[8] = vehicle.CheckDigitOf(string(raw))
		if res := s.run(b, input(vehicle.VIN(raw), "", "anonymous")); res.Status != engine.StatusSucceeded {
			b.Fatal(res.Error, res.Cause)
		}
	}
}

package stack_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
)

// BenchmarkReport measures GET /api/vehicles/{vin} through the whole local stack (gateway,
// engine, ASL, Lambda steps, dynalite, simulators with a fixed 5 ms latency), warm (served from
// the cache) and cold (every source fetched: a VIN nobody looked up).
func BenchmarkReport(b *testing.B) {
	stack, _ := startStack(b)
	client := &http.Client{}
	get := func(b *testing.B, vin string) {
		req, err := http.NewRequestWithContext(b.Context(), http.MethodGet, stack.APIURL+"/vehicles/"+vin, nil)
		if err != nil {
			b.Fatal(err)
		}
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	b.Run("warm", func(b *testing.B) {
		get(b, string(world.DemoClean))
		for b.Loop() {
			get(b, string(world.DemoClean))
		}
	})
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			get(b, freshVIN())
		}
	})
}

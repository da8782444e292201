// Package stacktest starts the local stack for tests that need real listings: the whole product
// in one process (gateway, engine, real handlers, dynalite, simulators without latency), with the
// demo listings created through the listings state machine.
package stacktest

import (
	"testing"

	"github.com/acme-oem/vehicle-data/internal/local/stack"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
)

// WithListings starts a stack, closed when the test ends, and returns it with the demo listings'
// ids.
func WithListings(tb testing.TB) (*stack.Stack, []string) {
	tb.Helper()
	st, err := stack.Start(tb.Context(), stack.Config{Sim: sim.Options{NoLatency: true}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	ids, err := st.SeedDemoListings(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	return st, ids
}

package main

import (
	"context"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/legacyclients/sim"
)

func TestParsePorts(t *testing.T) {
	p, err := parsePorts("9101, 9102,9103,9104,9105,0")
	if err != nil || p[sim.Systems()[0]] != 9101 || p[sim.Systems()[5]] != 0 {
		t.Fatalf("%v %v", p, err)
	}
	for _, bad := range []string{"1,2,3", "1,2,3,4,5,x", "1,2,3,4,5,70000"} {
		if _, err := parsePorts(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestRunPrintsURLsAndDemos starts the simulators, prints the banner and shuts down at once
// because the context is already cancelled.
func TestRunPrintsURLsAndDemos(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out strings.Builder
	if err := run(ctx, []string{"-no-latency", "-chaos", "0.1"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"vehicle-master", "http://127.0.0.1:", "WAUZZZFV8GA200002", "odometer-rollback", "shutting down"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := run(context.Background(), []string{"-chaos", "2"}, &out); err == nil {
		t.Error("-chaos 2 accepted")
	}
}

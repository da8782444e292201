package stack_test

import (
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/local/stack"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

type healthBody struct {
	Status   string `json:"status"`
	Degraded bool   `json:"degraded"`
	Checks   []struct {
		Name        string   `json:"name"`
		Status      string   `json:"status"`
		Breaker     string   `json:"breaker"`
		LastOutcome string   `json:"lastOutcome"`
		LastReason  string   `json:"lastReason"`
		AgeSeconds  *float64 `json:"ageSeconds"`
	} `json:"checks"`
}

// /healthz tells the truth about the legacy systems from what their clients already know
// (breaker state, last outcome, its age), and asks none of them anything itself: with the
// registry in outage and the vehicle master hanging, it says degraded, and which and why.
func TestHealthTellsTheTruthWithoutCallingLegacySystems(t *testing.T) {
	st, err := stack.Start(t.Context(), stack.Config{
		Sim:           sim.Options{NoLatency: true},
		LegacyBreaker: transport.BreakerConfig{ConsecutiveFailures: 3, OpenTimeout: time.Minute},
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	health := func() (int, healthBody) {
		t.Helper()
		before := st.Sims.TotalRequests()
		status, h, body := call(t, "GET", st.APIURL+"/healthz", "", nil)
		checkContract(t, "/healthz", status, h, body)
		if n := st.Sims.TotalRequests() - before; n != 0 {
			t.Fatalf("a health probe made %d legacy requests", n)
		}
		var hb healthBody
		if err := json.Unmarshal(body, &hb); err != nil {
			t.Fatalf("health body %s: %v", body, err)
		}
		return status, hb
	}

	if status, _, body := call(t, "GET", st.APIURL+"/vehicles/"+string(world.DemoClean), "", nil); status != 200 {
		t.Fatalf("report: %d %s", status, body)
	}
	status, hb := health()
	if status != 200 || hb.Status != "up" || hb.Degraded {
		t.Fatalf("all healthy: %d %+v", status, hb)
	}

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.Sims.System(vehicle.SourceRegistry).SetFaults(fault.Faults{Outage: fault.OutageUnavailable}))
	must(st.Sims.System(vehicle.SourceVehicleMaster).SetFaults(fault.Faults{Hang: true}))
	// A VIN nothing has cached, so every source is asked.
	call(t, "GET", st.APIURL+"/vehicles/"+string(world.DemoOwners), "", nil)

	status, hb = health()
	if status != 200 || hb.Status != "degraded" || !hb.Degraded {
		t.Fatalf("registry down, vehicle master hanging: %d %+v", status, hb)
	}
	seen := map[string]bool{}
	for _, c := range hb.Checks {
		switch c.Name {
		case "legacy-registry":
			seen[c.Name] = true
			if c.Status != "down" || c.Breaker != "open" || c.LastOutcome != "unavailable" || c.AgeSeconds == nil {
				t.Errorf("registry: %+v", c)
			}
		case "legacy-vehicle-master":
			seen[c.Name] = true
			if c.Status == "up" || c.LastOutcome != "unavailable" || c.AgeSeconds == nil {
				t.Errorf("vehicle master: %+v", c)
			}
		case "legacy-recalls":
			seen[c.Name] = true
			if c.Status != "up" || c.Breaker != "closed" || c.LastOutcome != "success" {
				t.Errorf("recalls: %+v", c)
			}
		}
	}
	if len(seen) != 3 {
		t.Errorf("health lacks legacy systems: %+v", hb.Checks)
	}
}

package stack_test

import (
	"context"
	"encoding/json"

	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/local/stack"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
)

// sectionState is one report section's freshness and fetch time.
type sectionState struct {
	Freshness string `json:"freshness"`
	FetchedAt string `json:"fetchedAt"`
}

// reportSections asks for the public report of vin and returns its sections by name.
func reportSections(t *testing.T, st *stack.Stack, vin string) map[string]sectionState {
	t.Helper()
	code, _, body := call(t, http.MethodGet, st.APIURL+"/vehicles/"+vin, "", nil)
	// Errorf, not Fatalf: this runs on the concurrent requests' goroutines too.
	if code != http.StatusOK {
		t.Errorf("GET report: %d %.300s", code, body)
		return nil
	}
	var r map[string]json.RawMessage
	if err := json.Unmarshal(body, &r); err != nil {
		t.Error(err)
		return nil
	}
	out := map[string]sectionState{}
	for _, name := range []string{"build", "serviceHistory", "odometer", "recalls", "registration"} {
		var s sectionState
		if err := json.Unmarshal(r[name], &s); err != nil {
			t.Errorf("section %s: %v in %.300s", name, err, body)
		}
		out[name] = s
	}
	return out
}

func wantFreshness(t *testing.T, got map[string]sectionState, want map[string]string) {
	t.Helper()
	for name, w := range want {
		if got[name].Freshness != w {
			t.Errorf("section %s is %q, want %q (report %+v)", name, got[name].Freshness, w, got)
		}
	}
}

func drain(t *testing.T, st *stack.Stack) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := st.Engine.Drain(ctx); err != nil {
		t.Fatal(err)
	}
}

func legacyCalls(st *stack.Stack) map[vehicle.Source]int64 {
	out := map[vehicle.Source]int64{}
	for src, s := range st.Sims.Stats() {
		out[src] = s.Total
	}
	return out
}

// TestSoftExpiredSectionsAreServedAtOnceAndRefreshedInTheBackground runs the report machine on
// the engine with the real handlers, dynalite and the simulators: soft-expired sections are
// answered from the cache (stale) and each source is asked again once, in the background, however
// many requests served them; a failing refresh leaves the stale data served; a hard-expired
// section is fetched before answering, as before.
func TestSoftExpiredSectionsAreServedAtOnceAndRefreshedInTheBackground(t *testing.T) {
	st, clock := startStack(t)
	vin := freshVIN()
	wantFreshness(t, reportSections(t, st, vin), map[string]string{"build": "fresh", "serviceHistory": "fresh", "recalls": "fresh", "registration": "fresh"})
	drain(t, st)

	// Two days on, the daily sources are past their soft expiry (one day), within their hard
	// expiry (recalls 7 days, workshop and registry 30). The workshop, registry and recall
	// systems now take 300 ms: a report that waited for them would come back fresh.
	clock.Advance(48 * time.Hour)
	st.Sims.Reset()
	for _, src := range []vehicle.Source{vehicle.SourceWorkshop, vehicle.SourceRegistry, vehicle.SourceRecalls} {
		if err := st.Sims.System(src).SetFaults(fault.Faults{Latency: &fault.Latency{FixedMs: 300}}); err != nil {
			t.Fatal(err)
		}
	}
	const concurrent = 24
	answers := make([]map[string]sectionState, concurrent)
	var wg sync.WaitGroup
	for i := range concurrent {
		wg.Go(func() { answers[i] = reportSections(t, st, vin) })
	}
	wg.Wait()
	stale := map[string]string{"build": "fresh", "serviceHistory": "stale", "odometer": "stale", "recalls": "stale", "registration": "stale"}
	for _, a := range answers {
		wantFreshness(t, a, stale)
	}
	drain(t, st)
	calls := legacyCalls(st)
	want := map[vehicle.Source]int64{vehicle.SourceVehicleMaster: 0, vehicle.SourceWorkshop: 1, vehicle.SourceRegistry: 1, vehicle.SourceRecalls: 1}
	for src, n := range want {
		if calls[src] != n {
			t.Errorf("%s: %d legacy calls after %d concurrent stale reports, want %d", src, calls[src], concurrent, n)
		}
	}
	// After the refresh the cache is fresh: the next report is fresh and calls nobody.
	wantFreshness(t, reportSections(t, st, vin), map[string]string{"build": "fresh", "serviceHistory": "fresh", "odometer": "fresh", "recalls": "fresh", "registration": "fresh"})
	drain(t, st)
	if got := st.Sims.TotalRequests(); got != 3 {
		t.Errorf("%d legacy calls in all, want the 3 refreshes only", got)
	}

	// A failing refresh leaves the stale data served.
	clock.Advance(48 * time.Hour)
	if err := st.Sims.System(vehicle.SourceRecalls).SetFaults(fault.Faults{Outage: fault.OutageUnavailable}); err != nil {
		t.Fatal(err)
	}
	before := reportSections(t, st, vin)
	wantFreshness(t, before, stale)
	drain(t, st)
	after := reportSections(t, st, vin)
	if after["recalls"] != before["recalls"] {
		t.Errorf("recalls after a failed refresh: %+v, want the stale %+v", after["recalls"], before["recalls"])
	}
	wantFreshness(t, after, map[string]string{"recalls": "stale", "serviceHistory": "fresh", "registration": "fresh"})
	drain(t, st)

	// Past the hard expiry (recalls: 7 days after the last good fetch) the section is fetched
	// before answering, as for a cold VIN.
	if err := st.Sims.System(vehicle.SourceRecalls).SetFaults(fault.Faults{}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(6 * 24 * time.Hour)
	st.Sims.Reset()
	got := reportSections(t, st, vin)
	wantFreshness(t, got, map[string]string{"recalls": "fresh", "serviceHistory": "stale", "registration": "stale"})
	if n := legacyCalls(st)[vehicle.SourceRecalls]; n != 1 {
		t.Errorf("hard-expired recalls: %d calls before the answer, want 1", n)
	}
	drain(t, st)
}

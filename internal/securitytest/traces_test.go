package securitytest

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/report"
)

// The only attributes a span may carry: low-cardinality facts, never a value of the request. A
// new key must be added here on purpose, after checking that it cannot carry personal data.
var allowedAttributes = []string{
	"legacy.system", "legacy.operation", "legacy.outcome", "legacy.attempts", "legacy.retries", "legacy.breaker_state",
	"http.request.method", "http.response.status_code", "http.route", "error.type", "faas.step",
	"sfn.state_machine", "sfn.state", "sfn.state_type",
}

// TestTraceSpansCarryNoPersonalData drives every path of the canary test (happy, invalid,
// unknown, faulty, retried, panicking step) and looks for its canaries, and every secret any test
// remembered so far, in the spans the stack recorded meanwhile (gateway, states, steps, legacy
// calls), and in the metrics. The guard must have refused nothing (nothing even tried to put
// personal data in a span); at least one span per legacy system and one failed span must exist,
// so that it cannot pass vacuously; every attribute key must be allowed.
func TestTraceSpansCarryNoPersonalData(t *testing.T) {
	refusedBefore := stack.Traces.Refused()
	canaries := runCanaries(t)
	spans := stack.Traces.Spans()
	if len(spans) == 0 {
		t.Fatal("the stack recorded no span: tracing is not wired")
	}
	if n := stack.Traces.Evicted(); n > 0 {
		t.Fatalf("the recorder evicted %d spans: the scan would be incomplete", n)
	}
	if n := stack.Traces.Refused() - refusedBefore; n > 0 {
		t.Errorf("the guard refused %d names or attributes: some code tried to trace personal data", n)
	}
	secrets := allSecrets()
	maps.Copy(secrets, canaries)
	var b strings.Builder
	bySystem := map[string]int{}
	failed := 0
	for i, s := range spans {
		d, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(d)
		b.WriteByte('\n')
		if strings.EqualFold(s.Status, "error") {
			failed++
		}
		for _, a := range s.Attributes {
			if !slices.Contains(allowedAttributes, a.Key) {
				t.Errorf("span %d (%s): attribute %q is not allowed", i, s.Name, a.Key)
			}
			if a.Key == "legacy.system" && a.Value == s.Name {
				bySystem[s.Name]++
			}
		}
	}
	for _, leak := range leaksIn(b.String(), secrets) {
		t.Errorf("a span carries the %s", leak)
	}
	metricsJSON, err := json.Marshal(stack.Metrics.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range leaksIn(string(metricsJSON)+"\n", secrets) {
		t.Errorf("a metric carries the %s", leak)
	}
	// The steps' own metrics were scanned too: the canary reports counted their cache misses
	// and the served sections' ages.
	for _, m := range []string{`"CacheMisses"`, `"ReportFreshness"`} {
		if !strings.Contains(string(metricsJSON), m) {
			t.Errorf("no %s series: the steps' metrics were not recorded, so not scanned", m)
		}
	}
	for _, sys := range report.Sources() { // the systems the canary run calls
		if bySystem[string(sys)] == 0 {
			t.Errorf("no span for the legacy system %s: its calls are not traced (got %v)", sys, bySystem)
		}
	}
	if failed == 0 {
		t.Error("no failed span: the outages of the run were not traced")
	}
	t.Logf("%d spans (%d failed) over %d legacy systems: %v", len(spans), failed, len(bySystem), bySystem)
}

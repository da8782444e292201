package stack_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/internal/cost"
	"github.com/acme-oem/vehicle-data/internal/local/stack"
	"github.com/acme-oem/vehicle-data/internal/local/traceview"
	"github.com/acme-oem/vehicle-data/internal/metrics"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/telemetry"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
)

// TestOneRequestOneTrace follows one cold report request end to end: the trace id of the
// response's X-Amzn-Trace-Id is the one in the gateway's access line, in every step's line, in
// the header each legacy simulator received, and in the trace view, which shows the states, the
// steps and the legacy calls. The request is metered and counted, and no line holds the VIN.
func TestOneRequestOneTrace(t *testing.T) {
	logs := &syncBuffer{}
	st, err := stack.Start(t.Context(), stack.Config{
		Sim:    sim.Options{NoLatency: true},
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	vin := string(sim.Demos()[0].VIN)

	status, h, body := call(t, "GET", st.APIURL+"/vehicles/"+vin, "", nil)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	header := h.Get(telemetry.HeaderName)
	root, _, _ := strings.Cut(strings.TrimPrefix(header, "Root="), ";")
	if !strings.HasPrefix(header, "Root=1-") || root == "" {
		t.Fatalf("response X-Amzn-Trace-Id = %q, want Root=1-...", header)
	}
	if usd, ok := cost.ParseUSD(h.Get(cost.HeaderName)); !ok || usd <= 0 {
		t.Errorf("%s = %q, want a positive estimate", cost.HeaderName, h.Get(cost.HeaderName))
	}

	type line struct {
		Msg, TraceID, RequestID, Route, StateMachine, Outcome, Step, System, TraceHeader string
		LatencyMs                                                                        *float64
	}
	var access []line
	stepsLogged := map[string]line{}
	simsHeard := map[string]bool{}
	for raw := range strings.Lines(logs.String()) {
		var l struct {
			Msg          string   `json:"msg"`
			TraceID      string   `json:"traceId"`
			RequestID    string   `json:"requestId"`
			Route        string   `json:"route"`
			StateMachine string   `json:"stateMachine"`
			Outcome      string   `json:"outcome"`
			Step         string   `json:"step"`
			System       string   `json:"system"`
			TraceHeader  string   `json:"traceHeader"`
			LatencyMs    *float64 `json:"latencyMs"`
		}
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("a log line is not JSON: %v: %s", err, raw)
		}
		if strings.Contains(raw, vin) {
			t.Errorf("a log line holds the VIN: %s", raw)
		}
		switch {
		case l.Msg == "access" && l.Route == "/vehicles/{vin}":
			access = append(access, line(l))
		case l.Msg == "step":
			if l.TraceID != root {
				t.Errorf("step %s logged trace %q, want %q", l.Step, l.TraceID, root)
			}
			stepsLogged[l.Step] = line(l)
		case l.Msg == "legacy sim request":
			if strings.Contains(l.TraceHeader, "Root="+root+";") {
				simsHeard[l.System] = true
			}
		}
	}
	if len(access) != 1 {
		t.Fatalf("%d access lines for the report route, want 1", len(access))
	}
	a := access[0]
	if a.TraceID != root || a.RequestID != h.Get("X-Request-Id") || a.StateMachine != "vehicle-report" || a.Outcome != "ok" || a.LatencyMs == nil {
		t.Errorf("access line %+v: want trace %s, request id %s, state machine vehicle-report, outcome ok, a latency", a, root, h.Get("X-Request-Id"))
	}
	for _, name := range []string{catalog.ValidateVIN, catalog.PlanReport, catalog.MergeReport} {
		l, ok := stepsLogged[name]
		if !ok {
			t.Errorf("no log line for step %s (got %v)", name, stepsLogged)
			continue
		}
		if l.RequestID != a.RequestID || l.Outcome != "ok" || l.LatencyMs == nil {
			t.Errorf("step %s line %+v: want request id %s, outcome ok, a latency", name, l, a.RequestID)
		}
	}
	for _, src := range report.Sources() {
		if !simsHeard[string(src)] {
			t.Errorf("the %s simulator received no X-Amzn-Trace-Id of trace %s (heard %v)", src, root, simsHeard)
		}
	}

	status, _, body = call(t, "GET", st.URL+"/dev/traces/"+root+"?format=json", "", nil)
	if status != http.StatusOK {
		t.Fatalf("trace view: status %d: %s", status, body)
	}
	var wf traceview.Waterfall
	if err := json.Unmarshal(body, &wf); err != nil {
		t.Fatalf("trace view JSON: %v: %s", err, body)
	}
	var names []string
	for _, r := range wf.Rows {
		names = append(names, r.Name)
	}
	// The nested ownership-authorization execution is a span of its own, around its states.
	want := []string{"GET /vehicles/{vin}", catalog.ValidateVIN, catalog.MergeReport, "vehicle-report/ValidateVin",
		"execution/ownership-authorization"}
	for _, src := range report.Sources() {
		want = append(want, string(src))
	}
	for _, w := range want {
		if !slices.Contains(names, w) {
			t.Errorf("the trace view lacks span %q: %v", w, names)
		}
	}

	snap := st.Metrics.Snapshot()
	counted := map[metrics.Name]bool{}
	for _, s := range snap.Series {
		counted[s.Name] = true
	}
	for _, m := range []metrics.Name{metrics.Requests, metrics.RequestLatency, metrics.LegacyCalls, metrics.LegacyLatency} {
		if !counted[m] {
			t.Errorf("metric %s was not recorded (got %v)", m, counted)
		}
	}
}

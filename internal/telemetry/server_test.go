package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/local/traceview"
	"github.com/acme-oem/vehicle-data/internal/metrics"
	"github.com/acme-oem/vehicle-data/internal/telemetry"
)

type stepError struct{}

func (stepError) Error() string {
	return `{"code":"UNAVAILABLE","message":"owner of ` + canaryVIN + `"}`
}
func (stepError) ErrorType() string { return "VehicleData.Unavailable" }

// One request through the pieces as the local stack will wire them: the gateway (Server) names
// the route and logs, a step (WrapStep) logs and calls a legacy system (Transport). One trace id
// is in the response header, both log lines, the header the legacy system received, the trace
// view and nowhere else; the route's metrics count the request.
func TestOneRequestOneTrace(t *testing.T) {
	rec := telemetry.NewRecorder(0)
	tp := provider(t, telemetry.Options{Service: "vehicled", Recorder: rec})
	sink := metrics.NewLocal(0)
	var logs bytes.Buffer
	log := slog.New(telemetry.LogHandler(slog.NewJSONHandler(&logs, nil)))
	legacySrv := newHeaderServer(t, http.StatusOK)
	legacyRT, err := telemetry.NewTransport(http.DefaultTransport, tp, "workshop")
	if err != nil {
		t.Fatal(err)
	}
	step := telemetry.WrapStep(tp, "fetch-workshop", func(ctx context.Context, _ []byte) ([]byte, error) {
		log.InfoContext(ctx, "step", "step", "fetch-workshop", "outcome", "ok")
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, legacySrv.URL+"/history/"+canaryVIN, nil)
		res, err := (&http.Client{Transport: legacyRT}).Do(req)
		if err != nil {
			return nil, err
		}
		_ = res.Body.Close()
		return []byte(`{}`), nil
	})
	gw := telemetry.Server(tp, sink, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		telemetry.SetRoute(r.Context(), "GET /vehicles/{vin}")
		if _, err := step(r.Context(), nil); err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		log.InfoContext(r.Context(), "access", "route", "GET /vehicles/{vin}", "status", 200)
		_, _ = w.Write([]byte(`{}`))
	}))
	srv := httptest.NewServer(gw)
	defer srv.Close()

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/api/vehicles/"+canaryVIN, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()

	answered := parseHeader(t, res.Header.Get("X-Amzn-Trace-Id"))
	traceID := answered["Root"]
	if res.StatusCode != 200 || !strings.HasPrefix(traceID, "1-") {
		t.Fatalf("status %d, X-Amzn-Trace-Id %q", res.StatusCode, res.Header.Get("X-Amzn-Trace-Id"))
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 2 || lines[0]["traceId"] != traceID || lines[1]["traceId"] != traceID {
		t.Errorf("log lines %v: want both with traceId %s", lines, traceID)
	}
	if got := legacySrv.received(); len(got) != 1 || parseHeader(t, got[0])["Root"] != traceID {
		t.Errorf("legacy system received %q, want Root=%s", got, traceID)
	}

	view := httptest.NewServer(traceview.Handler(rec))
	defer view.Close()
	vreq, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, view.URL+"/"+traceID+"?format=json", nil)
	vres, err := http.DefaultClient.Do(vreq)
	if err != nil {
		t.Fatal(err)
	}
	var wf traceview.Waterfall
	err = json.NewDecoder(vres.Body).Decode(&wf)
	_ = vres.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range wf.Rows {
		names = append(names, strings.Repeat("  ", r.Depth)+r.Name)
	}
	if strings.Join(names, "|") != "GET /vehicles/{vin}|  fetch-workshop|    workshop" {
		t.Errorf("waterfall %q", names)
	}
	if len(rec.TraceIDs()) != 1 {
		t.Errorf("%d traces recorded, want 1", len(rec.TraceIDs()))
	}

	snap := sink.Snapshot()
	if len(snap.Series) != 2 || snap.Series[0].Name != metrics.RequestLatency || snap.Series[1].Name != metrics.Requests ||
		snap.Series[1].Dimensions["Route"] != "GET /vehicles/{vin}" || snap.Series[1].Count != 1 {
		t.Errorf("metrics %+v", snap.Series)
	}
	all, _ := json.Marshal(rec.Spans())
	if strings.Contains(string(all)+logs.String(), canaryVIN) {
		t.Error("the VIN of the path reached a span or a log line")
	}
}

func TestServerEdges(t *testing.T) {
	rec := telemetry.NewRecorder(0)
	tp := provider(t, telemetry.Options{Recorder: rec})
	sink := metrics.NewLocal(0)
	h := telemetry.Server(tp, sink, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/boom":
			telemetry.SetRoute(r.Context(), "GET /boom")
			w.WriteHeader(http.StatusInternalServerError)
		case "/bad":
			telemetry.SetRoute(r.Context(), "GET /bad")
			w.WriteHeader(http.StatusBadRequest)
		case "/raw":
			telemetry.SetRoute(r.Context(), "GET /vehicles/"+canaryVIN) // not a template: ignored
		default:
			http.NotFound(w, r)
		}
	}))
	serve := func(method, path, header string) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(t.Context(), method, path, nil)
		if header != "" {
			req.Header.Set("X-Amzn-Trace-Id", header)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	serve("GET", "/boom", "")
	serve("GET", "/bad", "")
	serve("GET", "/raw", "")
	serve("BREW", "/nowhere", "")
	w := serve("GET", "/nowhere", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	if got := parseHeader(t, w.Header().Get("X-Amzn-Trace-Id"))["Root"]; got != "1-5759e988-bd862e3fe1be46a994272793" {
		t.Errorf("the caller's trace was not continued: %q", w.Header().Get("X-Amzn-Trace-Id"))
	}

	count := map[string]int{}
	for _, s := range sink.Snapshot().Series {
		count[string(s.Name)+" "+s.Dimensions["Route"]] = s.Count
	}
	want := map[string]int{"Requests GET /boom": 1, "RequestLatency GET /boom": 1, "ServerErrors GET /boom": 1,
		"Requests GET /bad": 1, "RequestLatency GET /bad": 1, "ClientErrors GET /bad": 1}
	if len(count) != len(want) {
		t.Errorf("metrics %v, want %v", count, want)
	}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%s = %d, want %d (all: %v)", k, count[k], n, count)
		}
	}
	names := map[string]string{}
	for _, s := range rec.Spans() {
		names[s.Name] = s.Status
	}
	if names["GET /boom"] != "Error" || names["GET /bad"] != "Unset" || names["GET"] == "" || names["OTHER"] == "" {
		t.Errorf("span names and statuses %v", names)
	}
}

// In Lambda the trace arrives in the context from aws-lambda-go; a failed step records its error
// name, never its message.
func TestWrapStepInLambda(t *testing.T) {
	rec := telemetry.NewRecorder(0)
	tp := provider(t, telemetry.Options{Service: "lambda", Recorder: rec})
	h := telemetry.WrapStep(tp, "fetch-registry", func(context.Context, []byte) ([]byte, error) { return nil, stepError{} })
	const header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	ctx := context.WithValue(t.Context(), "x-amzn-trace-id", header) //nolint:staticcheck // SA1029: aws-lambda-go's own key
	if _, err := h(ctx, nil); !errors.Is(err, stepError{}) {
		t.Fatalf("error %v not passed on", err)
	}
	spans := rec.Spans()
	if len(spans) != 1 || spans[0].TraceID != "1-5759e988-bd862e3fe1be46a994272793" || spans[0].ParentID != "53995c3f42cd8ad8" ||
		spans[0].Status != "Error" || spans[0].StatusMessage != "step_failed" {
		t.Fatalf("spans %+v", spans)
	}
	b, _ := json.Marshal(spans)
	if !strings.Contains(string(b), "VehicleData.Unavailable") || strings.Contains(string(b), canaryVIN) {
		t.Errorf("span %s: want the error name and not the message", b)
	}
}

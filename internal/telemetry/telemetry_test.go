package telemetry_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/acme-oem/vehicle-data/internal/telemetry"
	legacy "github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// The canaries: personal data of a made-up owner.
const (
	canaryVIN   = "WVWZZZCD3MW100001"
	canaryPlate = "M-AB 1234"
	canaryName  = "Erika Mustermann"
	canaryCode  = "493817"
)

var canaries = []string{canaryVIN, strings.ToLower(canaryVIN), canaryPlate, canaryName, "Mustermann", canaryCode}

func provider(t *testing.T, opts telemetry.Options) *sdktrace.TracerProvider {
	t.Helper()
	if opts.Service == "" {
		opts.Service = "test"
	}
	tp, err := telemetry.NewTracerProvider(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp
}

// headerServer records the X-Amzn-Trace-Id of every request it receives.
type headerServer struct {
	*httptest.Server
	mu      sync.Mutex
	headers []string
	status  int
}

func newHeaderServer(t *testing.T, status int) *headerServer {
	s := &headerServer{status: status}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.headers = append(s.headers, r.Header.Get("X-Amzn-Trace-Id"))
		s.mu.Unlock()
		w.WriteHeader(s.status)
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *headerServer) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.headers...)
}

func parseHeader(t *testing.T, h string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for part := range strings.SplitSeq(h, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			t.Fatalf("header %q: part %q is not key=value", h, part)
		}
		out[k] = v
	}
	return out
}

// A legacy call under a step's span carries the step's trace in X-Amzn-Trace-Id, with the
// client span as parent, and the client span is recorded under the step's span.
func TestTransportSendsTheTraceHeader(t *testing.T) {
	rec := telemetry.NewRecorder(0)
	tp := provider(t, telemetry.Options{Recorder: rec})
	srv := newHeaderServer(t, http.StatusOK)
	tr, err := telemetry.NewTransport(http.DefaultTransport, tp, "workshop")
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: tr}

	ctx, step := tp.Tracer("test").Start(t.Context(), "fetch-workshop")
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/history/"+canaryVIN, nil)
	req.Header.Set("Accept", "text/xml")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	step.End()

	if req.Header.Get("X-Amzn-Trace-Id") != "" {
		t.Error("the caller's request was changed")
	}
	got := srv.received()
	if len(got) != 1 || got[0] == "" {
		t.Fatalf("server received %q, want one X-Amzn-Trace-Id", got)
	}
	h := parseHeader(t, got[0])
	traceID := telemetry.XRayTraceID(step.SpanContext().TraceID())
	if h["Root"] != traceID || h["Sampled"] != "1" {
		t.Errorf("header %q: want Root=%s;...;Sampled=1", got[0], traceID)
	}
	spans := rec.Trace(step.SpanContext().TraceID())
	if len(spans) != 2 {
		t.Fatalf("%d spans recorded, want the client span and the step: %+v", len(spans), spans)
	}
	client0 := spans[0]
	if client0.Name != "workshop" || client0.Kind != "client" || client0.ParentID != step.SpanContext().SpanID().String() ||
		client0.SpanID != h["Parent"] || client0.TraceID != traceID {
		t.Errorf("client span %+v; header parent %s", client0, h["Parent"])
	}
	b, _ := json.Marshal(spans)
	for _, want := range []string{`"key":"http.response.status_code","value":"200"`, `"key":"legacy.system","value":"workshop"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("spans lack %s: %s", want, b)
		}
	}
	if strings.Contains(string(b), canaryVIN) || strings.Contains(string(b), srv.URL) {
		t.Errorf("the URL reached the spans: %s", b)
	}
}

// The resilient legacy transport takes Transport as its Config.Transport: every attempt,
// retries included, carries the header of the same trace.
func TestTransportUnderTheResilientClient(t *testing.T) {
	rec := telemetry.NewRecorder(0)
	tp := provider(t, telemetry.Options{Recorder: rec})
	srv := newHeaderServer(t, http.StatusServiceUnavailable)
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	tr, err := telemetry.NewTransport(base, tp, "recalls")
	if err != nil {
		t.Fatal(err)
	}
	c, err := legacy.New(legacy.Config{System: "recalls", BaseURL: srv.URL, Transport: tr,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, step := tp.Tracer("test").Start(t.Context(), "fetch-recalls")
	_, err = c.Do(ctx, &legacy.Request{Method: http.MethodGet, Path: "/recalls/" + canaryVIN, Idempotent: true, Operation: "list-recalls"})
	step.End()
	if err == nil {
		t.Fatal("a 503 answered without error")
	}
	got := srv.received()
	if len(got) != 3 {
		t.Fatalf("%d attempts, want 3 (two retries)", len(got))
	}
	parents := map[string]bool{}
	for _, h := range got {
		p := parseHeader(t, h)
		if p["Root"] != telemetry.XRayTraceID(step.SpanContext().TraceID()) {
			t.Errorf("attempt header %q is not of the step's trace", h)
		}
		parents[p["Parent"]] = true
	}
	if len(parents) != 3 {
		t.Errorf("attempts share parents %v: want one client span per attempt", parents)
	}
	for _, s := range rec.Trace(step.SpanContext().TraceID()) {
		if s.Kind == "client" && (s.Status != codes.Error.String() || s.Name != "recalls") {
			t.Errorf("attempt span %+v: want an error status", s)
		}
	}
}

// Every way personal data could reach a span is refused, in the Recorder and on export.
func TestGuardRefusesPersonalData(t *testing.T) {
	rec := telemetry.NewRecorder(0)
	exp := tracetest.NewInMemoryExporter()
	guarded := telemetry.Guarded(exp)
	tp := provider(t, telemetry.Options{Recorder: rec})
	tpExport := sdktrace.NewTracerProvider(sdktrace.WithSyncer(guarded))
	t.Cleanup(func() { _ = tpExport.Shutdown(context.Background()) })

	for _, p := range []trace.TracerProvider{tp, tpExport} {
		tracer := p.Tracer("test")
		_, s := tracer.Start(t.Context(), "GET /vehicles/"+canaryVIN)
		s.SetAttributes(
			attribute.String("vin", canaryVIN),
			attribute.String("vehicle.pseudonym", "v_3fa94c0e1b2d7a6f9c0e1b2d7a6f9c0e"),
			attribute.String("registration.current", canaryPlate),
			attribute.String("holder", canaryName),
			attribute.String("owner.name", "Mustermann"),
			attribute.String("url.full", "http://registry/owners/x"),
			attribute.String("challenge.attempt", canaryCode),
			attribute.StringSlice("sources", []string{"workshop", canaryVIN}),
			attribute.String("legacy.system", "registry"),
		)
		s.AddEvent(canaryName, trace.WithAttributes(attribute.String("detail", "sent to "+canaryName)))
		s.RecordError(&customError{}) // exception.message holds the VIN
		s.SetStatus(codes.Error, "no owner for "+canaryVIN)
		s.End()
		_, s = tracer.Start(t.Context(), canaryPlate)
		s.End()
	}

	recorded, _ := json.Marshal(rec.Spans())
	exported, _ := json.Marshal(exportedView(exp.GetSpans()))
	for name, b := range map[string][]byte{"recorder": recorded, "exporter": exported} {
		for _, c := range canaries {
			if strings.Contains(string(b), c) {
				t.Errorf("%s: canary %q passed the guard: %s", name, c, b)
			}
		}
		for _, want := range []string{"registry", "v_3fa94c0e1b2d7a6f9c0e1b2d7a6f9c0e", telemetry.RefusedName, "[refused: vin-shaped]",
			"[refused: plate-shaped]", "[refused: free-text]", "[refused: personal key]", "[refused: code-shaped]"} {
			if !strings.Contains(string(b), want) {
				t.Errorf("%s: %q missing: clean data must pass and refusals must be marked: %s", name, want, b)
			}
		}
	}
	if rec.Refused() < 10 || guarded.Refused() != rec.Refused() {
		t.Errorf("refused: recorder %d, exporter %d; want the same count, at least 10", rec.Refused(), guarded.Refused())
	}
}

type customError struct{}

func (*customError) Error() string { return "lookup failed for " + canaryVIN }

// exportedView renders exported spans with everything the guard must cover.
func exportedView(spans tracetest.SpanStubs) []map[string]any {
	var out []map[string]any
	for _, s := range spans {
		m := map[string]any{"name": s.Name, "status": s.Status.Description}
		for _, a := range s.Attributes {
			m[string(a.Key)] = a.Value.String()
		}
		for i, e := range s.Events {
			m["event"+string(rune('0'+i))] = e.Name
			for _, a := range e.Attributes {
				m["event."+string(a.Key)] = a.Value.String()
			}
		}
		out = append(out, m)
	}
	return out
}

func TestCheckAttribute(t *testing.T) {
	for _, c := range []struct {
		kv attribute.KeyValue
		ok bool
	}{
		{attribute.String("legacy.system", "workshop"), true},
		{attribute.String("http.route", "GET /vehicles/{vin}"), true},
		{attribute.Int("http.response.status_code", 503), true},
		{attribute.String("aws.operation", "GetItem"), true},
		{attribute.String("vehicle.pseudonym", "v_3fa94c0e1b2d7a6f"), true},
		{attribute.String("vin", "v_3fa94c0e1b2d7a6f"), false}, // the key alone is enough
		{attribute.String("http.url", "http://x/"), false},
		{attribute.String("user.id", "alice"), false},
		{attribute.String("note", canaryName), false},
		{attribute.String("x", canaryPlate), false},
		{attribute.String("x", canaryVIN), false},
		{attribute.String("x", "erika@example.org"), false},
	} {
		if err := telemetry.CheckAttribute(c.kv); (err == nil) != c.ok {
			t.Errorf("CheckAttribute(%s=%s) = %v, want ok %v", c.kv.Key, c.kv.Value.String(), err, c.ok)
		} else if err != nil && strings.Contains(err.Error(), c.kv.Value.String()) {
			t.Errorf("the error repeats the value: %v", err)
		}
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	const h = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	ctx := telemetry.ContextWithHeader(t.Context(), h)
	if got := telemetry.TraceID(ctx); got != "1-5759e988-bd862e3fe1be46a994272793" {
		t.Errorf("TraceID = %q", got)
	}
	if got := telemetry.Header(ctx); got != h {
		t.Errorf("Header = %q, want %q", got, h)
	}
	// A span started under the header joins the trace; the provider's own ids are X-Ray shaped.
	tp := provider(t, telemetry.Options{})
	_, s := tp.Tracer("t").Start(ctx, "step")
	if telemetry.XRayTraceID(s.SpanContext().TraceID()) != "1-5759e988-bd862e3fe1be46a994272793" {
		t.Error("span did not join the incoming trace")
	}
	s.End()
	_, root := tp.Tracer("t").Start(t.Context(), "root")
	epoch := root.SpanContext().TraceID().String()[:8]
	if got := telemetry.XRayTraceID(root.SpanContext().TraceID()); got[2:10] != epoch {
		t.Errorf("new trace id %s", got)
	}
	if sec, err := parseHexInt(epoch); err != nil || time.Since(time.Unix(sec, 0)).Abs() > time.Hour {
		t.Errorf("new trace id %s does not start with the epoch seconds (X-Ray ID generator)", epoch)
	}
	root.End()
	for _, bad := range []string{"", "garbage", "Root=1-zz;Parent=1"} {
		if got := telemetry.TraceID(telemetry.ContextWithHeader(t.Context(), bad)); got != "" {
			t.Errorf("header %q gave trace %q", bad, got)
		}
	}
}

func parseHexInt(s string) (int64, error) {
	var v int64
	for _, c := range s {
		d := strings.IndexRune("0123456789abcdef", c)
		if d < 0 {
			return 0, &json.SyntaxError{}
		}
		v = v*16 + int64(d)
	}
	return v, nil
}

func TestParseTraceID(t *testing.T) {
	a, err := telemetry.ParseTraceID("1-5759e988-bd862e3fe1be46a994272793")
	b, err2 := telemetry.ParseTraceID("5759e988bd862e3fe1be46a994272793")
	if err != nil || err2 != nil || a != b {
		t.Errorf("%v %v %v %v", a, b, err, err2)
	}
	for _, bad := range []string{"", "1-5759e988-bd862e3fe1be46a99427279", "5759E988BD862E3FE1BE46A994272793", "00000000000000000000000000000000",
		"1-5759e988bbd862e3fe1be46a994272793", "<script>"} {
		if _, err := telemetry.ParseTraceID(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRecorderEvictsOldestTraces(t *testing.T) {
	rec := telemetry.NewRecorder(3)
	tp := provider(t, telemetry.Options{Recorder: rec})
	tracer := tp.Tracer("t")
	var ids []trace.TraceID
	for range 3 {
		ctx, root := tracer.Start(t.Context(), "root")
		_, child := tracer.Start(ctx, "child")
		child.End()
		root.End()
		ids = append(ids, root.SpanContext().TraceID())
	}
	if len(rec.Trace(ids[0])) != 0 || len(rec.Trace(ids[1])) != 0 || len(rec.Trace(ids[2])) != 2 || rec.Evicted() != 4 {
		t.Errorf("traces %d %d %d, evicted %d; want 0 0 2 and 4", len(rec.Trace(ids[0])), len(rec.Trace(ids[1])), len(rec.Trace(ids[2])), rec.Evicted())
	}
	if got := rec.TraceIDs(); len(got) != 1 || got[0] != ids[2] {
		t.Errorf("TraceIDs %v", got)
	}
	// One trace beyond the bound keeps its first spans.
	ctx, root := tracer.Start(t.Context(), "big")
	for range 5 {
		_, c := tracer.Start(ctx, "c")
		c.End()
	}
	root.End()
	if n := len(rec.Trace(root.SpanContext().TraceID())); n != 3 {
		t.Errorf("big trace kept %d spans, want 3", n)
	}
	rec.Reset()
	if len(rec.Spans()) != 0 || rec.Evicted() != 0 {
		t.Error("Reset kept data")
	}
}

func TestNewTracerProviderChecksOptions(t *testing.T) {
	for _, o := range []telemetry.Options{{}, {Service: canaryName}} {
		if _, err := telemetry.NewTracerProvider(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if _, err := telemetry.NewTransport(http.DefaultTransport, provider(t, telemetry.Options{}), canaryVIN); err == nil {
		t.Error("a VIN as system name accepted")
	}
}

// The guard's cost on a typical span: a legacy client span's attributes.
func BenchmarkGuardClean(b *testing.B) {
	kvs := []attribute.KeyValue{
		attribute.String("legacy.system", "workshop"), attribute.String("http.request.method", "GET"),
		attribute.Int("http.response.status_code", 200), attribute.String("http.route", "GET /vehicles/{vin}"),
		attribute.String("vehicle.pseudonym", "v_3fa94c0e1b2d7a6f9c0e1b2d7a6f9c0e"),
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, kv := range kvs {
			if telemetry.CheckAttribute(kv) != nil {
				b.Fatal(kv)
			}
		}
	}
}

// Options.Exporter goes through the guard too.
func TestProviderExporterIsGuarded(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := provider(t, telemetry.Options{Exporter: exp})
	_, s := tp.Tracer("t").Start(t.Context(), canaryVIN, trace.WithAttributes(attribute.String("x", canaryName)))
	s.End()
	if err := tp.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := exp.GetSpans()
	if len(got) != 1 || got[0].Name != telemetry.RefusedName || got[0].Attributes[0].Value.AsString() != "[refused: free-text]" {
		t.Errorf("exported %+v", got)
	}
}

package traceview_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/acme-oem/vehicle-data/internal/local/traceview"
	"github.com/acme-oem/vehicle-data/internal/telemetry"
)

// report records the trace of a cold report with fixed timings (ms from t0):
//
//	GET /vehicles/{vin}        gateway          0 - 120
//	  vehicle-report           state machine    5 - 115
//	    ReadWorkshop getItem   cache            6 -   8
//	    fetch-workshop         step            10 - 100
//	      workshop             legacy call     12 -  95 (error)
func report(t *testing.T) (*telemetry.Recorder, trace.TraceID) {
	t.Helper()
	rec := telemetry.NewRecorder(0)
	tp, err := telemetry.NewTracerProvider(telemetry.Options{Service: "gateway", Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tr := tp.Tracer("test")
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	span := func(ctx context.Context, name string, kind trace.SpanKind, from, to int, fail bool) context.Context {
		ctx, s := tr.Start(ctx, name, trace.WithTimestamp(at(from)), trace.WithSpanKind(kind))
		if fail {
			s.SetStatus(codes.Error, "server_error")
		}
		defer s.End(trace.WithTimestamp(at(to)))
		return ctx
	}
	// Children end before parents, as in a real run: start the parents first, end them last.
	ctx, gw := tr.Start(context.Background(), "GET /vehicles/{vin}", trace.WithTimestamp(at(0)), trace.WithSpanKind(trace.SpanKindServer))
	ctx, sm := tr.Start(ctx, "vehicle-report", trace.WithTimestamp(at(5)))
	span(ctx, "ReadWorkshop", trace.SpanKindClient, 6, 8, false)
	stepCtx, step := tr.Start(ctx, "fetch-workshop", trace.WithTimestamp(at(10)))
	span(stepCtx, "workshop", trace.SpanKindClient, 12, 95, true)
	step.End(trace.WithTimestamp(at(100)))
	_, odd := tr.Start(ctx, `<img/src=x/onerror=alert(1)>`, trace.WithTimestamp(at(101)))
	odd.End(trace.WithTimestamp(at(101)))
	sm.End(trace.WithTimestamp(at(115)))
	gw.End(trace.WithTimestamp(at(120)))
	return rec, gw.SpanContext().TraceID()
}

// response is what a test reads of an answer; the body is read and closed already.
type response struct {
	StatusCode int
	Header     http.Header
}

func get(t *testing.T, srv *httptest.Server, path string) (response, string) {
	t.Helper()
	return do(t, http.MethodGet, srv.URL+path)
}

func do(t *testing.T, method, url string) (response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header}, string(b)
}

func TestWaterfallJSON(t *testing.T) {
	rec, id := report(t)
	srv := httptest.NewServer(http.StripPrefix("/dev/traces", traceview.Handler(rec)))
	defer srv.Close()
	res, body := get(t, srv, "/dev/traces/"+telemetry.XRayTraceID(id)+"?format=json")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	var wf traceview.Waterfall
	if err := json.Unmarshal([]byte(body), &wf); err != nil {
		t.Fatal(err)
	}
	type row struct {
		name         string
		depth        int
		offset, dur  float64
		status, kind string
	}
	want := []row{
		{"GET /vehicles/{vin}", 0, 0, 120, "Unset", "server"},
		{"vehicle-report", 1, 5, 110, "Unset", "internal"},
		{"ReadWorkshop", 2, 6, 2, "Unset", "client"},
		{"fetch-workshop", 2, 10, 90, "Unset", "internal"},
		{"workshop", 3, 12, 83, "Error", "client"},
		{`<img/src=x/onerror=alert(1)>`, 2, 101, 0, "Unset", "internal"},
	}
	if wf.TraceID != telemetry.XRayTraceID(id) || wf.DurationMs != 120 || len(wf.Rows) != len(want) {
		t.Fatalf("waterfall %+v", wf)
	}
	for i, w := range want {
		r := wf.Rows[i]
		got := row{r.Name, r.Depth, r.OffsetMs, r.DurationMs, r.Status, r.Kind}
		if got != w {
			t.Errorf("row %d = %+v, want %+v", i, got, w)
		}
	}
	if wf.Rows[4].ParentID != wf.Rows[3].SpanID || wf.Rows[3].ParentID != wf.Rows[1].SpanID {
		t.Error("parent ids do not nest the legacy call under its step under the state machine")
	}
}

func TestWaterfallHTML(t *testing.T) {
	rec, id := report(t)
	srv := httptest.NewServer(traceview.Handler(rec))
	defer srv.Close()
	// The hex form of the id works as well as the X-Ray form.
	res, body := get(t, srv, "/"+id.String())
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("%d %v", res.StatusCode, res.Header)
	}
	// Rows in waterfall order, each nested by its depth class.
	last := -1
	for _, want := range []string{`class="d0"><span>GET /vehicles/{vin}`, `class="d1"><span>vehicle-report`, `class="d2"><span>ReadWorkshop`,
		`class="d2"><span>fetch-workshop`, `class="d3"><span class="err">workshop`} {
		i := strings.Index(body, want)
		if i < 0 || i < last {
			t.Errorf("%q missing or out of order in\n%s", want, body)
		}
		last = i
	}
	// The legacy call's bar: starts at 12/120 = 10 %, lasts 83/120 = 69.17 % of a 1000-wide box.
	if !strings.Contains(body, `x="100.0" y="2" width="691.7"`) {
		t.Errorf("the workshop bar is not at x=100.0 width=691.7:\n%s", body)
	}
	if strings.Contains(body, "<img/src") || !strings.Contains(body, "&lt;img/src=x/onerror=alert(1)&gt;") {
		t.Error("a span name reached the page unescaped")
	}
	if strings.Contains(body, "<script") {
		t.Error("the page has a script")
	}
}

func TestTraceList(t *testing.T) {
	rec, id := report(t)
	srv := httptest.NewServer(traceview.Handler(rec))
	defer srv.Close()
	res, body := get(t, srv, "/")
	if res.StatusCode != 200 || !strings.Contains(body, `<a href="`+telemetry.XRayTraceID(id)+`">`) {
		t.Errorf("%d\n%s", res.StatusCode, body)
	}
	_, body = get(t, srv, "/?format=json")
	var list struct{ Traces []traceview.Summary }
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Traces) != 1 || list.Traces[0].Root != "GET /vehicles/{vin}" || list.Traces[0].Spans != 6 || list.Traces[0].Errors != 1 {
		t.Errorf("list %+v", list)
	}
	rec.Reset()
	if _, body := get(t, srv, "/?format=json"); !strings.Contains(body, `"traces":[]`) {
		t.Errorf("empty list: %s", body)
	}
}

func TestBadRequests(t *testing.T) {
	rec, _ := report(t)
	srv := httptest.NewServer(traceview.Handler(rec))
	defer srv.Close()
	for path, want := range map[string]struct {
		status int
		field  string
	}{
		"/not-a-trace-id":                      {400, "traceId"},
		"/1-5759e988-bd862e3fe1be46a994272793": {404, "traceId"},
		"/?format=xml":                         {400, "format"},
	} {
		res, body := get(t, srv, path)
		if res.StatusCode != want.status || !strings.Contains(body, `"field":"`+want.field+`"`) {
			t.Errorf("%s: %d %s, want %d naming %s", path, res.StatusCode, body, want.status, want.field)
		}
	}
	res, _ := do(t, http.MethodPost, srv.URL+"/")
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", res.StatusCode)
	}
}

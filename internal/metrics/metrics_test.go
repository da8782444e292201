package metrics_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/metrics"
	"github.com/acme-oem/vehicle-data/internal/pii"
)

var update = flag.Bool("update", false, "rewrite catalogue.json from Definitions")

// The canaries: personal data that must never become a dimension value.
const (
	canaryVIN   = "WVWZZZCD3MW100001"
	canaryPlate = "M-AB 1234"
	canaryName  = "Erika Mustermann"
)

func TestCatalogueIsConsistent(t *testing.T) {
	c := metrics.Definitions()
	dims := map[string]bool{}
	for _, d := range c.Dimensions {
		if dims[d.Name] {
			t.Errorf("dimension %s twice", d.Name)
		}
		dims[d.Name] = true
		if (len(d.Values) == 0) == (d.Pattern == "") {
			t.Errorf("dimension %s: want exactly one of values and pattern", d.Name)
		}
	}
	names := map[metrics.Name]bool{}
	for _, m := range c.Metrics {
		if names[m.Name] {
			t.Errorf("metric %s twice", m.Name)
		}
		names[m.Name] = true
		if len(m.Dimensions) == 0 || len(m.Dimensions) > 30 {
			t.Errorf("metric %s: %d dimensions, want 1 to 30 (CloudWatch)", m.Name, len(m.Dimensions))
		}
		for _, d := range m.Dimensions {
			if !dims[d] {
				t.Errorf("metric %s: undeclared dimension %s", m.Name, d)
			}
		}
		if m.Help == "" || m.Unit == "" {
			t.Errorf("metric %s: unit and help are required", m.Name)
		}
	}
	// Every metric the issue asks for exists.
	for _, n := range []metrics.Name{metrics.LegacyLatency, metrics.LegacyCalls, metrics.BreakerTransitions, metrics.CacheHits,
		metrics.CacheMisses, metrics.CacheStaleServes, metrics.ReportFreshness, metrics.OwnershipProofs, metrics.ListingWrites,
		metrics.Requests, metrics.RequestLatency, metrics.ServerErrors} {
		if !names[n] {
			t.Errorf("metric %s missing from Definitions", n)
		}
	}
}

// EMF writes one document per dimension set and values; a document takes every metric of its
// group only while the catalogue has fewer than 100 metrics.
func TestCatalogueFitsOneDocument(t *testing.T) {
	if n := len(metrics.Definitions().Metrics); n >= 100 {
		t.Fatalf("%d metrics: EMF.Flush must split a group's metrics over documents of at most 100", n)
	}
}

// catalogue.json is the catalogue for readers that are not Go (and a diffable record of changes).
// Regenerate: go test ./internal/metrics -run CatalogueJSON -update
func TestCatalogueJSONIsCurrent(t *testing.T) {
	want, err := json.MarshalIndent(metrics.Definitions(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if *update {
		if err := os.WriteFile("catalogue.json", want, 0o644); err != nil { //nolint:gosec // a committed, world-readable source file, as git checks it out
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("catalogue.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("catalogue.json is stale: go test ./internal/metrics -run CatalogueJSON -update")
	}
}

type document struct {
	AWS struct {
		Timestamp         int64 `json:"Timestamp"`
		CloudWatchMetrics []struct {
			Namespace  string     `json:"Namespace"`
			Dimensions [][]string `json:"Dimensions"`
			Metrics    []struct {
				Name string `json:"Name"`
				Unit string `json:"Unit"`
			} `json:"Metrics"`
		} `json:"CloudWatchMetrics"`
	} `json:"_aws"`
}

func decodeLines(t *testing.T, out string) ([]document, []map[string]any) {
	t.Helper()
	var docs []document
	var raws []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var d document
		var raw map[string]any
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatalf("not JSON: %v: %s", err, line)
		}
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			t.Fatal(err)
		}
		docs, raws = append(docs, d), append(raws, raw)
	}
	return docs, raws
}

func TestEMFDocuments(t *testing.T) {
	var out bytes.Buffer
	at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	e := metrics.NewEMF(&out, func() time.Time { return at })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.Record(metrics.LegacyLatency, 812.5, "workshop"))
	must(e.Record(metrics.LegacyLatency, 900, "workshop"))
	must(e.Record(metrics.CacheHits, 1, "workshop"))
	must(e.Record(metrics.LegacyCalls, 1, "workshop", "unavailable"))
	must(e.Record(metrics.Requests, 1, "GET /vehicles/{vin}"))
	must(e.Flush())

	docs, raws := decodeLines(t, out.String())
	if len(docs) != 3 {
		t.Fatalf("%d documents, want 3 (Source; Source+Outcome; Route):\n%s", len(docs), out.String())
	}
	d, raw := docs[0], raws[0]
	if d.AWS.Timestamp != at.UnixMilli() || len(d.AWS.CloudWatchMetrics) != 1 {
		t.Fatalf("document 0: %+v", d)
	}
	cw := d.AWS.CloudWatchMetrics[0]
	if cw.Namespace != metrics.Namespace || !slices.Equal(cw.Dimensions[0], []string{"Source"}) || len(cw.Metrics) != 2 ||
		cw.Metrics[0].Name != "LegacyLatency" || cw.Metrics[0].Unit != "Milliseconds" || cw.Metrics[1].Name != "CacheHits" || cw.Metrics[1].Unit != "Count" {
		t.Errorf("directive %+v", cw)
	}
	if raw["Source"] != "workshop" || raw["CacheHits"] != 1.0 {
		t.Errorf("document 0 members: %v", raw)
	}
	if vals, ok := raw["LegacyLatency"].([]any); !ok || len(vals) != 2 || vals[0] != 812.5 || vals[1] != 900.0 {
		t.Errorf("LegacyLatency = %v, want [812.5 900]", raw["LegacyLatency"])
	}
	if raws[1]["Outcome"] != "unavailable" || raws[2]["Route"] != "GET /vehicles/{vin}" {
		t.Errorf("documents 1, 2: %v %v", raws[1], raws[2])
	}

	out.Reset()
	must(e.Flush())
	if out.Len() != 0 {
		t.Errorf("second Flush wrote %q; Flush must empty the buffer", out.String())
	}
}

func TestEMFSplitsAtOneHundredValues(t *testing.T) {
	var out bytes.Buffer
	e := metrics.NewEMF(&out, nil)
	for i := range 250 {
		if err := e.Record(metrics.RequestLatency, float64(i), "GET /vehicles/{vin}"); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	_, raws := decodeLines(t, out.String())
	var sizes []int
	next := 0.0
	for _, r := range raws {
		vals := r["RequestLatency"].([]any)
		sizes = append(sizes, len(vals))
		for _, v := range vals {
			if v != next {
				t.Fatalf("value %v, want %v: values lost or reordered", v, next)
			}
			next++
		}
	}
	if !slices.Equal(sizes, []int{100, 100, 50}) {
		t.Errorf("values per document %v, want [100 100 50]", sizes)
	}
}

func TestDimensionValuesAreChecked(t *testing.T) {
	for _, r := range []metrics.Recorder{metrics.NewEMF(&bytes.Buffer{}, nil), metrics.NewLocal(0)} {
		for _, c := range []struct {
			name metrics.Name
			dims []string
			rule string
		}{
			{metrics.Requests, []string{"GET /vehicles/" + canaryVIN}, "vin-shaped"},
			{metrics.Requests, []string{"GET /vehicles/" + strings.ToLower(canaryVIN)}, "vin-shaped"},
			{metrics.LegacyLatency, []string{canaryVIN}, "vin-shaped"},
			{metrics.Requests, []string{"GET /listings/3f2a9c"}, "free-text"}, // a concrete id, not a template
			{metrics.Requests, []string{"OPTIONS /listings"}, "must match"},
			{metrics.Requests, []string{canaryName}, "free-text"},
			{metrics.LegacyLatency, []string{canaryPlate}, "plate-shaped"},
			{metrics.LegacyLatency, []string{canaryName}, "free-text"},
			{metrics.LegacyLatency, []string{"mustermann"}, "one of"},
			{metrics.LegacyCalls, []string{"workshop", "timed out after 3s"}, "free-text"},
			{metrics.LegacyCalls, []string{"workshop"}, "takes 2 dimension values"},
			{"Revenue", []string{"workshop"}, "not in the catalogue"},
		} {
			err := r.Record(c.name, 1, c.dims...)
			if err == nil {
				t.Errorf("%T: %s %q accepted", r, c.name, c.dims)
				continue
			}
			if !strings.Contains(err.Error(), c.rule) {
				t.Errorf("%T: %s %q: error %q does not name the rule %q", r, c.name, c.dims, err, c.rule)
			}
			for _, v := range c.dims {
				if len(v) > 8 && strings.Contains(err.Error(), v) {
					t.Errorf("error %q repeats the refused value", err)
				}
			}
		}
		if err := r.Record(metrics.LegacyLatency, nan(), "workshop"); err == nil {
			t.Errorf("%T: NaN accepted", r)
		}
	}
	// Refused points are not written.
	var out bytes.Buffer
	e := metrics.NewEMF(&out, nil)
	_ = e.Record(metrics.LegacyLatency, 1, canaryVIN)
	if err := e.Flush(); err != nil || out.Len() != 0 {
		t.Errorf("refused point written: %q %v", out.String(), err)
	}
}

func nan() float64 { z := 0.0; return z / z }

func TestLocalAggregatesAndServesJSON(t *testing.T) {
	l := metrics.NewLocal(0)
	r := metrics.Multi(l, metrics.NewEMF(&bytes.Buffer{}, nil))
	for i := 1; i <= 100; i++ {
		if err := r.Record(metrics.LegacyLatency, float64(i), "registry"); err != nil {
			t.Fatal(err)
		}
	}
	_ = r.Record(metrics.CacheStaleServes, 1, "recalls")
	_ = r.Record(metrics.CacheStaleServes, 1, "recalls")

	srv := httptest.NewServer(l.Handler())
	defer srv.Close()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"?name=LegacyLatency", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	var snap metrics.Snapshot
	if err := json.NewDecoder(res.Body).Decode(&snap); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" || len(snap.Series) != 1 {
		t.Fatalf("status %d, %+v", res.StatusCode, snap)
	}
	s := snap.Series[0]
	if s.Count != 100 || s.Sum != 5050 || s.Min != 1 || s.Max != 100 || s.P50 != 50 || s.P99 != 99 || s.Dimensions["Source"] != "registry" || s.Unit != metrics.Milliseconds {
		t.Errorf("series %+v", s)
	}
	all := l.Snapshot()
	if len(all.Series) != 2 || all.Series[0].Name != metrics.CacheStaleServes || all.Series[0].Count != 2 {
		t.Errorf("snapshot %+v", all)
	}

	for _, c := range []struct {
		method, query string
		status        int
	}{{"GET", "?name=Nope", 400}, {"POST", "", 405}} {
		req, _ := http.NewRequestWithContext(t.Context(), c.method, srv.URL+c.query, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.query, res.StatusCode, c.status)
		}
	}
}

func TestLocalIsBounded(t *testing.T) {
	l := metrics.NewLocal(2)
	for _, src := range []string{"workshop", "registry", "recalls", "workshop"} {
		if err := l.Record(metrics.CacheHits, 1, src); err != nil {
			t.Fatal(err)
		}
	}
	s := l.Snapshot()
	if len(s.Series) != 2 || s.Dropped != 1 {
		t.Errorf("%d series, %d dropped; want 2 and 1", len(s.Series), s.Dropped)
	}
	l.Reset()
	if s := l.Snapshot(); len(s.Series) != 0 || s.Dropped != 0 {
		t.Errorf("after Reset: %+v", s)
	}
}

// One step's worth of points (a cold report's fetch step): check, buffer, encode.
func BenchmarkEMFRecordAndFlush(b *testing.B) {
	var out bytes.Buffer
	e := metrics.NewEMF(&out, nil)
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		_ = e.Record(metrics.LegacyCalls, 1, "workshop", "ok")
		_ = e.Record(metrics.LegacyLatency, 812, "workshop")
		_ = e.Record(metrics.CacheMisses, 1, "workshop")
		_ = e.Record(metrics.ReportFreshness, 0, "workshop")
		_ = e.Record(metrics.Requests, 1, "GET /vehicles/{vin}")
		_ = e.Record(metrics.RequestLatency, 1203, "GET /vehicles/{vin}")
		if err := e.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}

// Every route of the OpenAPI contract is a valid Route value, with each of its methods.
func TestEveryAPIRouteIsAValidRoute(t *testing.T) {
	spec, err := os.ReadFile("../../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l := metrics.NewLocal(0)
	path, n := "", 0
	for _, line := range strings.Split(string(spec), "\n") {
		if strings.HasPrefix(line, "  /") && strings.HasSuffix(line, ":") {
			path = strings.TrimSuffix(strings.TrimSpace(line), ":")
			continue
		}
		m := strings.TrimSuffix(strings.TrimSpace(line), ":")
		if path == "" || !strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "     ") || !slices.Contains([]string{"get", "post", "put", "patch", "delete"}, m) {
			continue
		}
		route := strings.ToUpper(m) + " " + path
		if err := l.Record(metrics.Requests, 1, route); err != nil {
			t.Errorf("route %s: %v", route, err)
		}
		n++
	}
	if n < 3 {
		t.Fatalf("found %d operations in api/openapi.yaml; the scan is broken", n)
	}
}

// Every alarm watches a metric of the catalogue with a valid value for each of its dimensions,
// so an alarm can never watch a metric the code does not record.
func TestAlarmsWatchRecordedMetrics(t *testing.T) {
	c := metrics.Definitions()
	byName := map[metrics.Name]metrics.Metric{}
	for _, m := range c.Metrics {
		byName[m.Name] = m
	}
	names := map[string]bool{}
	l := metrics.NewLocal(0)
	for _, a := range c.Alarms {
		if names[a.Name] || pii.Check(a.Name) != "" {
			t.Errorf("alarm name %q repeated or not a plain name", a.Name)
		}
		names[a.Name] = true
		m, ok := byName[a.Metric]
		if !ok {
			t.Errorf("alarm %s watches %s, not in the catalogue", a.Name, a.Metric)
			continue
		}
		if len(a.Dimensions) != len(m.Dimensions) {
			t.Errorf("alarm %s names dimensions %v; %s has %v", a.Name, a.Dimensions, m.Name, m.Dimensions)
			continue
		}
		var vals []string
		for _, d := range m.Dimensions {
			vals = append(vals, a.Dimensions[d])
		}
		if err := l.Record(a.Metric, 1, vals...); err != nil {
			t.Errorf("alarm %s: %v", a.Name, err)
		}
		if a.PeriodSeconds < 60 || a.PeriodSeconds%60 != 0 || a.EvaluationPeriods < 1 || a.DatapointsToAlarm < 1 ||
			a.DatapointsToAlarm > a.EvaluationPeriods || a.Statistic == "" || a.Comparison == "" || a.Help == "" {
			t.Errorf("alarm %s: incomplete or invalid settings %+v", a.Name, a)
		}
	}
	if len(c.Alarms) < 8 {
		t.Errorf("%d alarms; want the breaker of every source at least", len(c.Alarms))
	}
}

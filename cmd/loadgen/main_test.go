package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRefusesNonLoopbackTargets(t *testing.T) {
	for _, u := range []string{
		"http://example.com/", "http://10.0.0.1:8080/", "http://[2001:db8::1]/", "http://localhost.example.com/",
		"http://127.0.0.1.nip.io/", "ftp://127.0.0.1/", "//127.0.0.1/",
	} {
		if err := run(t.Context(), []string{"-url", u, "-n", "1"}, io.Discard, io.Discard); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	for _, u := range []string{"http://127.0.0.1:1/", "http://localhost:1/", "https://[::1]:1/", "http://127.3.4.5/"} {
		if err := checkLoopback(u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
}

func TestBoundsAreEnforced(t *testing.T) {
	for _, args := range [][]string{
		{"-c", "0"}, {"-c", "513"}, {"-d", "0s"}, {"-d", "11m"}, {"-n", "-1"}, {},
	} {
		full := args
		if len(args) > 0 {
			full = append([]string{"-url", "http://127.0.0.1:1/"}, args...)
		}
		if err := run(t.Context(), full, io.Discard, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestCountsEveryRequestAndItsStatus(t *testing.T) {
	var n atomic.Int64
	var sawHeader atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer t" {
			sawHeader.Store(true)
		}
		if strings.HasSuffix(r.URL.Path, "/missing") {
			w.WriteHeader(404)
			return
		}
		n.Add(1)
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()

	var out bytes.Buffer
	err := run(t.Context(), []string{"-url", srv.URL + "/a," + srv.URL + "/missing", "-c", "4", "-n", "40", "-d", "5m",
		"-H", "Authorization: Bearer t"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var s Summary
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &s); err != nil {
		t.Fatalf("last line is not the JSON summary: %v\n%s", err, out.String())
	}
	if s.Requests != 40 || s.Statuses["200"] != 20 || s.Statuses["404"] != 20 || n.Load() != 20 {
		t.Errorf("summary %+v, server saw %d", s, n.Load())
	}
	if !(s.P50Ms <= s.P90Ms && s.P90Ms <= s.P99Ms && s.P99Ms <= s.MaxMs) || s.MaxMs <= 0 || s.RPS <= 0 {
		t.Errorf("inconsistent figures %+v", s)
	}
	if !sawHeader.Load() {
		t.Error("-H was not sent")
	}
	if !strings.Contains(out.String(), "statuses    200:20 404:20") {
		t.Errorf("text summary:\n%s", out.String())
	}
}

func TestTransportErrorsAreCountedNotFatal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	url := srv.URL
	srv.Close() // nothing listens any more: every request fails to connect
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-url", url, "-c", "2", "-n", "6"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"transportErrors":6`) {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	lat := make([]time.Duration, 100)
	for i := range lat {
		lat[i] = time.Duration(i+1) * time.Millisecond
	}
	for p, want := range map[int]time.Duration{50: 50 * time.Millisecond, 90: 90 * time.Millisecond, 99: 99 * time.Millisecond} {
		if got := percentile(lat, p); got != want {
			t.Errorf("p%d = %s, want %s", p, got, want)
		}
	}
	if got := percentile(lat[:1], 99); got != time.Millisecond {
		t.Errorf("p99 of one = %s", got)
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("p50 of none = %s", got)
	}
}

func TestProfilesPriceEachURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/cold") {
			time.Sleep(20 * time.Millisecond)
		}
		_, _ = w.Write([]byte("{}"))
	}))
	defer srv.Close()
	dir := t.TempDir()
	var out bytes.Buffer
	err := run(t.Context(), []string{"-url", srv.URL + "/cached," + srv.URL + "/cold", "-c", "2", "-n", "20",
		"-profile", "cached-report,cold-report", "-png", filepath.Join(dir, "lat.png")}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var s Summary
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Profiles) != 2 {
		t.Fatalf("profiles %+v", s.Profiles)
	}
	cached, cold := s.Profiles[0], s.Profiles[1]
	// The figures of internal/cost's hand-computed examples, rounded to cents.
	if cached.Profile != "cached-report" || cached.Requests != 10 || cached.CostPerMillionUSD != 14.31 || cached.Route != "GET /vehicles/{vin}" ||
		cold.Profile != "cold-report" || cold.Requests != 10 || cold.CostPerMillionUSD != 46.07 || cold.PricesDate != "2026-12-06" {
		t.Errorf("profiles %+v", s.Profiles)
	}
	if cold.P50Ms < 20 || cached.P50Ms >= cold.P50Ms {
		t.Errorf("latency per profile: cached p50 %.2f, cold p50 %.2f; the cold URL sleeps 20 ms", cached.P50Ms, cold.P50Ms)
	}
	if !strings.Contains(out.String(), "USD/million") || !strings.Contains(out.String(), "list prices of 2026-12-06") {
		t.Errorf("text:\n%s", out.String())
	}
	for _, name := range []string{"lat-cached-report.png", "lat-cold-report.png"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		_, err = png.Decode(f)
		_ = f.Close()
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCostFlagsAreChecked(t *testing.T) {
	base := []string{"-url", "http://127.0.0.1:1/a,http://127.0.0.1:1/b", "-n", "1"}
	for _, extra := range [][]string{
		{"-profile", "nope"},
		{"-profile", "cached-report,cold-report,cached-report"},
		{"-profiles", "x.json"},
		{"-profile", "cached-report", "-region", "mars-north-1"},
		{"-profile", "cached-report", "-profiles", "/does/not/exist.json"},
		{"stray"},
	} {
		var errOut bytes.Buffer
		if err := run(t.Context(), append(slices.Clone(base), extra...), io.Discard, &errOut); err == nil {
			t.Errorf("%v accepted", extra)
		}
	}
}

func TestPNGWithoutProfiles(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "all.png")
	if err := run(t.Context(), []string{"-url", srv.URL, "-n", "5", "-png", path}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	if _, err := png.Decode(f); err != nil {
		t.Error(err)
	}
}

func TestMethodAndBody(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.Store(r.Method + " " + r.Header.Get("Content-Type") + " " + string(b))
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-url", srv.URL, "-n", "3", "-X", "POST", "-body", `{"method":"owner-code"}`,
		"-H", "Content-Type: application/json", "-profile", "ownership-challenge"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got.Load() != `POST application/json {"method":"owner-code"}` || !strings.Contains(out.String(), "201:3") {
		t.Errorf("server saw %v; output:\n%s", got.Load(), out.String())
	}
	for _, bad := range [][]string{{"-X", "TRACE"}, {"-body", "x"}} {
		if err := run(t.Context(), append([]string{"-url", srv.URL, "-n", "1"}, bad...), io.Discard, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// The stack's own estimate (X-Estimated-Cost-Usd) is averaged beside the profile's model.
func TestMeasuredCostFromTheHeader(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		// Alternately 10 and 20 USD per million; one answer without the header.
		switch n.Add(1) % 3 {
		case 0:
			w.Header().Set("X-Estimated-Cost-Usd", "0.000010000000")
		case 1:
			w.Header().Set("X-Estimated-Cost-Usd", "0.000020000000")
		}
	}))
	defer srv.Close()
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-url", srv.URL, "-c", "1", "-n", "3", "-profile", "cached-report"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var s Summary
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &s); err != nil {
		t.Fatal(err)
	}
	if s.MeasuredCostPerMillionUSD == nil || *s.MeasuredCostPerMillionUSD != 15 || s.Profiles[0].MeasuredCostPerMillionUSD == nil ||
		*s.Profiles[0].MeasuredCostPerMillionUSD != 15 {
		t.Errorf("measured cost %+v: want the mean of 10 and 20", s)
	}
	if !strings.Contains(out.String(), "15.00 USD per million requests, as the stack estimated them") {
		t.Errorf("text:\n%s", out.String())
	}
	// Without the header there is no measured figure.
	out.Reset()
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer plain.Close()
	if err := run(t.Context(), []string{"-url", plain.URL, "-n", "2"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "measuredCost") {
		t.Errorf("a measured cost without the header:\n%s", out.String())
	}
}

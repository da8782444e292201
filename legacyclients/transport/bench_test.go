package transport_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// BenchmarkOverheadVsBareClient interleaves a bare http.Client request and a
// transport.Do against the same loopback server, so both see the same noise,
// and reports the ratio (target: well under 1.5x on loopback, where the
// network cost is smallest and the overhead most visible).
func BenchmarkOverheadVsBareClient(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"vin":"redacted","model":"demo","year":2019,"fuel":"diesel"}`))
	}))
	defer srv.Close()
	bareTransport := &http.Transport{MaxIdleConnsPerHost: 32}
	defer bareTransport.CloseIdleConnections()
	bare := &http.Client{Transport: bareTransport}
	c, _ := newClient(b, srv.URL, nil)
	ctx := context.Background()

	var bareTotal, transportTotal time.Duration
	n := 0
	for b.Loop() {
		t0 := time.Now()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+vinPath, nil)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := bare.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		t1 := time.Now()
		if _, err := c.Do(ctx, getVIN()); err != nil {
			b.Fatal(err)
		}
		bareTotal += t1.Sub(t0)
		transportTotal += time.Since(t1)
		n++
	}
	b.ReportMetric(float64(bareTotal.Nanoseconds())/float64(n), "bare-ns/call")
	b.ReportMetric(float64(transportTotal.Nanoseconds())/float64(n), "transport-ns/call")
	b.ReportMetric(float64(transportTotal)/float64(bareTotal), "overhead-ratio")
}

// BenchmarkBreakerOpenFailFast measures how fast a call fails once the
// breaker is open (target: p99 well under 1 ms), and that it stays off the wire.
func BenchmarkBreakerOpenFailFast(b *testing.B) {
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		u.hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer u.Close()
	c, _ := newClient(b, u.URL, func(cfg *transport.Config) {
		cfg.Breaker = transport.BreakerConfig{ConsecutiveFailures: 1, OpenTimeout: time.Hour}
	})
	ctx := context.Background()
	if _, err := c.Do(ctx, getVIN()); !errors.Is(err, transport.ErrUnavailable) {
		b.Fatalf("opening call: %v", err)
	}
	durs := make([]time.Duration, 0, 1<<16)
	for b.Loop() {
		t0 := time.Now()
		_, err := c.Do(ctx, getVIN())
		durs = append(durs, time.Since(t0))
		if !errors.Is(err, transport.ErrUnavailable) {
			b.Fatalf("want ErrUnavailable, got %v", err)
		}
	}
	if h := u.hits.Load(); h != 1 {
		b.Fatalf("open breaker let %d requests through", h-1)
	}
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds()), "p99-ns")
}

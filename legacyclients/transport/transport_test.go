package transport_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/acme-oem/vehicle-data/legacyclients/transport"
	"github.com/acme-oem/vehicle-data/legacyclients/transport/transporttest"
)

// vin is a VIN-like canary. It only ever travels in the request path; every
// test that can checks it never shows up in logs, errors or trace segments.
const vin = "WVWZZZ1JZXW000001"

var vinPath = "/vehicles/" + vin

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// leakCheck must be the first call in a test: cleanups run last-in first-out,
// so the goroutine check runs after servers, proxies and clients are closed.
func leakCheck(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

// upstream is an httptest server that counts the requests reaching it.
type upstream struct {
	*httptest.Server
	hits atomic.Int64
}

func newUpstream(t *testing.T, h http.HandlerFunc) *upstream {
	t.Helper()
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(u.Close)
	return u
}

func newClient(t testing.TB, baseURL string, mod func(*transport.Config)) (*transport.Client, *transporttest.LogBuffer) {
	t.Helper()
	logs := &transporttest.LogBuffer{}
	cfg := transport.Config{
		System:         "vehicle-master",
		BaseURL:        baseURL,
		AttemptTimeout: 500 * time.Millisecond,
		RetryWaitMin:   5 * time.Millisecond,
		RetryWaitMax:   20 * time.Millisecond,
		// High by default so rows that are not about the breaker never trip it.
		Breaker: transport.BreakerConfig{ConsecutiveFailures: 50, OpenTimeout: time.Minute},
		Logger:  slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := transport.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.Close)
	return c, logs
}

func getVIN() *transport.Request {
	return &transport.Request{Method: http.MethodGet, Path: vinPath, Idempotent: true, Operation: "get-vehicle"}
}

// want is one row of the fault matrix.
type want struct {
	kind     error // nil: success
	reason   string
	attempts int
	hits     int64 // upstream requests; -1 when the fault hides them
	within   time.Duration
	states   map[string]uint64 // expected Metrics().Transitions
}

func run(t *testing.T, c *transport.Client, ctx context.Context, req *transport.Request) (*transport.Response, time.Duration, error) {
	t.Helper()
	start := time.Now()
	resp, err := c.Do(ctx, req)
	return resp, time.Since(start), err
}

func check(t *testing.T, c *transport.Client, u *upstream, resp *transport.Response, err error, elapsed time.Duration, w want) {
	t.Helper()
	attempts := 0
	if w.kind == nil {
		if err != nil {
			t.Fatalf("Do: unexpected error %v", err)
		}
		attempts = resp.Attempts
	} else {
		if !errors.Is(err, w.kind) {
			t.Fatalf("error = %v, want kind %v", err, w.kind)
		}
		var te *transport.Error
		if !errors.As(err, &te) {
			t.Fatalf("error %T is not a *transport.Error", err)
		}
		if te.Reason != w.reason {
			t.Errorf("reason = %q, want %q", te.Reason, w.reason)
		}
		if te.System != "vehicle-master" || te.Operation == "" {
			t.Errorf("error lacks system/operation: %+v", te)
		}
		attempts = te.Attempts
		assertNoURL(t, err)
	}
	if attempts != w.attempts {
		t.Errorf("attempts = %d, want %d", attempts, w.attempts)
	}
	if u != nil && w.hits >= 0 {
		if got := u.hits.Load(); got != w.hits {
			t.Errorf("upstream hits = %d, want %d", got, w.hits)
		}
	}
	if w.within > 0 && elapsed > w.within {
		t.Errorf("elapsed %v exceeds budget %v", elapsed, w.within)
	}
	states := w.states
	if states == nil {
		states = map[string]uint64{}
	}
	if got := c.Metrics().Transitions; !maps.Equal(got, states) {
		t.Errorf("breaker transitions = %v, want %v", got, states)
	}
	m := c.Metrics()
	if m.Attempts < uint64(attempts) {
		t.Errorf("metrics attempts %d < call attempts %d", m.Attempts, attempts)
	}
}

// assertNoURL walks the whole error chain: no message may contain the VIN
// or the path, and no *url.Error (which embeds the URL) may survive.
func assertNoURL(t *testing.T, err error) {
	t.Helper()
	var ue *url.Error
	if errors.As(err, &ue) {
		t.Errorf("error chain contains a *url.Error: %T", ue)
	}
	queue := []error{err}
	for len(queue) > 0 {
		e := queue[0]
		queue = queue[1:]
		if e == nil {
			continue
		}
		if msg := e.Error(); strings.Contains(msg, vin) || strings.Contains(msg, "/vehicles") {
			t.Errorf("error text leaks the URL: %q", msg)
		}
		switch x := e.(type) { //nolint:errorlint // walking the chain by hand is the point
		case interface{ Unwrap() []error }:
			queue = append(queue, x.Unwrap()...)
		case interface{ Unwrap() error }:
			queue = append(queue, x.Unwrap())
		}
	}
}

func deadline(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// newProxy starts an in-process toxiproxy on a loopback port in front of addr.
func newProxy(t *testing.T, addr string) *toxiproxy.Proxy {
	t.Helper()
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, "legacy", "127.0.0.1:0", addr)
	if err := p.Start(); err != nil {
		t.Fatalf("toxiproxy start: %v", err)
	}
	t.Cleanup(func() {
		// Interrupt toxics first: a latency toxic would otherwise keep its
		// goroutines alive until its delay elapses, after the test ends.
		p.Toxics.ResetToxics(context.Background())
		p.Stop()
	})
	return p
}

func addToxic(t *testing.T, p *toxiproxy.Proxy, js string) {
	t.Helper()
	if _, err := p.Toxics.AddToxicJson(strings.NewReader(js)); err != nil {
		t.Fatalf("add toxic: %v", err)
	}
}

func ok(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"ok":true}`)) }

func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

func TestLatencySpike(t *testing.T) {
	t.Run("slower than attempt timeout: retried then unavailable", func(t *testing.T) {
		leakCheck(t)
		u := newUpstream(t, ok)
		p := newProxy(t, u.Listener.Addr().String())
		addToxic(t, p, `{"name":"spike","type":"latency","stream":"downstream","attributes":{"latency":600}}`)
		c, _ := newClient(t, "http://"+p.Listen, func(cfg *transport.Config) { cfg.AttemptTimeout = 150 * time.Millisecond })
		resp, el, err := run(t, c, deadline(t, 3*time.Second), getVIN())
		check(t, c, u, resp, err, el, want{kind: transport.ErrUnavailable, reason: "timeout", attempts: 3, hits: 3, within: 3 * time.Second})
		if m := c.Metrics(); m.Retries != 2 || m.Failures["timeout"] != 1 {
			t.Errorf("metrics = %+v, want 2 retries and 1 timeout failure", m)
		}
	})
	t.Run("within budget: success", func(t *testing.T) {
		leakCheck(t)
		u := newUpstream(t, ok)
		p := newProxy(t, u.Listener.Addr().String())
		addToxic(t, p, `{"name":"spike","type":"latency","stream":"downstream","attributes":{"latency":80}}`)
		c, _ := newClient(t, "http://"+p.Listen, func(cfg *transport.Config) { cfg.AttemptTimeout = 2 * time.Second })
		resp, el, err := run(t, c, deadline(t, 3*time.Second), getVIN())
		check(t, c, u, resp, err, el, want{attempts: 1, hits: 1, within: 3 * time.Second})
		if string(resp.Body) != `{"ok":true}` || resp.Status != http.StatusOK {
			t.Errorf("response = %d %q", resp.Status, resp.Body)
		}
	})
}

// hang returns a handler that never answers until the client gives up or the
// test ends.
func hang(t *testing.T) http.HandlerFunc {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	return func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}
}

func TestHang(t *testing.T) {
	t.Run("per-attempt timeout, retried", func(t *testing.T) {
		leakCheck(t)
		u := newUpstream(t, hang(t))
		c, _ := newClient(t, u.URL, func(cfg *transport.Config) { cfg.AttemptTimeout = 100 * time.Millisecond })
		resp, el, err := run(t, c, deadline(t, 2*time.Second), getVIN())
		check(t, c, u, resp, err, el, want{kind: transport.ErrUnavailable, reason: "timeout", attempts: 3, hits: 3, within: 2 * time.Second})
	})
	t.Run("total bounded by the caller deadline", func(t *testing.T) {
		leakCheck(t)
		u := newUpstream(t, hang(t))
		// Attempts 1 and 2 time out (300 ms each); attempt 3 starts at about
		// 610 ms and is cut by the caller's deadline at 900 ms, which the
		// breaker must not count: with ConsecutiveFailures 3 it stays closed.
		// The margins (~290 ms either side) keep the count exact on a loaded
		// CI machine; the slack on elapsed stays far below a fourth attempt.
		c, _ := newClient(t, u.URL, func(cfg *transport.Config) {
			cfg.AttemptTimeout = 300 * time.Millisecond
			cfg.RetryWaitMin, cfg.RetryWaitMax = 5*time.Millisecond, 5*time.Millisecond
			cfg.Breaker.ConsecutiveFailures = 3
		})
		const budget = 900 * time.Millisecond
		resp, el, err := run(t, c, deadline(t, budget), getVIN())
		check(t, c, u, resp, err, el, want{kind: transport.ErrUnavailable, reason: "deadline", attempts: 3, hits: 3, within: budget + time.Second})
		if s := c.BreakerState(); s != "closed" {
			t.Errorf("breaker = %s, want closed", s)
		}
	})
	t.Run("caller deadline shorter than attempt timeout", func(t *testing.T) {
		leakCheck(t)
		u := newUpstream(t, hang(t))
		// ConsecutiveFailures 1: the caller's own deadline must not count
		// against the system, so the breaker has to stay closed.
		c, _ := newClient(t, u.URL, func(cfg *transport.Config) {
			cfg.AttemptTimeout = 5 * time.Second
			cfg.Breaker.ConsecutiveFailures = 1
		})
		// The slack is generous for a loaded machine yet far below the 5 s
		// attempt timeout, so passing proves the caller's deadline ended it.
		const budget = 200 * time.Millisecond
		resp, el, err := run(t, c, deadline(t, budget), getVIN())
		check(t, c, u, resp, err, el, want{kind: transport.ErrUnavailable, reason: "deadline", attempts: 1, hits: 1, within: budget + 2*time.Second})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v should wrap context.DeadlineExceeded", err)
		}
		if s := c.BreakerState(); s != "closed" {
			t.Errorf("breaker = %s, want closed", s)
		}
	})
}

func TestBurstOf5xxOpensBreaker(t *testing.T) {
	leakCheck(t)
	var failing atomic.Bool
	failing.Store(true)
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		ok(w, r)
	})
	const openFor = time.Minute
	clock := newFakeClock()
	c, logs := newClient(t, u.URL, func(cfg *transport.Config) {
		cfg.Breaker = transport.BreakerConfig{ConsecutiveFailures: 3, OpenTimeout: openFor, Now: clock.Now}
	})

	// Three attempts (1 + 2 retries) fail: the breaker counts each one and
	// opens on the third.
	resp, el, err := run(t, c, deadline(t, 2*time.Second), getVIN())
	check(t, c, u, resp, err, el, want{kind: transport.ErrUnavailable, reason: "server_unavailable", attempts: 3, hits: 3, within: 2 * time.Second,
		states: map[string]uint64{"closed->open": 1}})
	if s := c.BreakerState(); s != "open" {
		t.Fatalf("breaker = %s, want open", s)
	}

	// Open: short-circuited with zero upstream calls, no waiting.
	resp, el, err = run(t, c, deadline(t, 2*time.Second), getVIN())
	check(t, c, u, resp, err, el, want{kind: transport.ErrUnavailable, reason: "breaker_open", attempts: 0, hits: 3, within: time.Second,
		states: map[string]uint64{"closed->open": 1}})
	if m := c.Metrics(); m.ShortCircuited != 1 {
		t.Errorf("short-circuited = %d, want 1", m.ShortCircuited)
	}

	// After the open timeout one trial goes through; its success closes it.
	failing.Store(false)
	clock.Advance(openFor - time.Second)
	resp, el, err = run(t, c, deadline(t, 2*time.Second), getVIN())
	check(t, c, u, resp, err, el, want{kind: transport.ErrUnavailable, reason: "breaker_open", attempts: 0, hits: 3, within: time.Second,
		states: map[string]uint64{"closed->open": 1}})
	clock.Advance(2 * time.Second)
	resp, el, err = run(t, c, deadline(t, 2*time.Second), getVIN())
	check(t, c, u, resp, err, el, want{attempts: 1, hits: 4, within: 2 * time.Second,
		states: map[string]uint64{"closed->open": 1, "open->half-open": 1, "half-open->closed": 1}})
	if s := c.BreakerState(); s != "closed" {
		t.Errorf("breaker = %s, want closed", s)
	}
	for _, line := range []string{`"from":"closed","to":"open"`, `"from":"open","to":"half-open"`, `"from":"half-open","to":"closed"`} {
		if !strings.Contains(logs.String(), line) {
			t.Errorf("logs lack transition %s:\n%s", line, logs)
		}
	}
	if !strings.Contains(logs.String(), `"system":"vehicle-master"`) {
		t.Errorf("transition logs lack the system name:\n%s", logs)
	}
}

func TestNoRetryOnceBreakerOpens(t *testing.T) {
	leakCheck(t)
	u := newUpstream(t, status(http.StatusBadGateway))
	c, _ := newClient(t, u.URL, func(cfg *transport.Config) { cfg.Breaker.ConsecutiveFailures = 2 })
	resp, el, err := run(t, c, deadline(t, 2*time.Second), getVIN())
	// The second attempt opens the breaker; the third is never started.
	check(t, c, u, resp, err, el, want{kind: transport.ErrUnavailable, reason: "server_unavailable", attempts: 2, hits: 2, within: 2 * time.Second,
		states: map[string]uint64{"closed->open": 1}})
	if m := c.Metrics(); m.ShortCircuited != 0 {
		t.Errorf("short-circuited = %d: a retry was attempted on an open breaker", m.ShortCircuited)
	}
}

func TestHalfOpenFailureReopens(t *testing.T) {
	leakCheck(t)
	u := newUpstream(t, status(http.StatusServiceUnavailable))
	clock := newFakeClock()
	c, _ := newClient(t, u.URL, func(cfg *transport.Config) {
		cfg.Breaker = transport.BreakerConfig{ConsecutiveFailures: 1, OpenTimeout: time.Minute, Now: clock.Now}
	})
	_, _ = c.Do(deadline(t, time.Second), getVIN())
	clock.Advance(time.Minute + time.Second)
	resp, el, err := run(t, c, deadline(t, time.Second), getVIN())
	// The single half-open trial fails and reopens; no retry follows it.
	check(t, c, u, resp, err, el, want{kind: transport.ErrUnavailable, reason: "server_unavailable", attempts: 1, hits: 2, within: time.Second,
		states: map[string]uint64{"closed->open": 1, "open->half-open": 1, "half-open->open": 1}})
}

func TestRetryAfter(t *testing.T) {
	for name, value := range map[string]func() string{
		"seconds":   func() string { return "3600" },
		"http-date": func() string { return time.Now().Add(time.Hour).UTC().Format(http.TimeFormat) },
	} {
		t.Run("beyond deadline fails fast/"+name, func(t *testing.T) {
			leakCheck(t)
			u := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", value())
				w.WriteHeader(http.StatusServiceUnavailable)
			})
			c, _ := newClient(t, u.URL, nil)
			resp, el, err := run(t, c, deadline(t, 3*time.Second), getVIN())
			check(t, c, u, resp, err, el, want{kind: transport.ErrUnavailable, reason: "retry_after_exceeds_deadline", attempts: 1, hits: 1, within: time.Second})
		})
	}
	t.Run("within budget is waited once", func(t *testing.T) {
		leakCheck(t)
		var n atomic.Int32
		u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			ok(w, r)
		})
		c, _ := newClient(t, u.URL, nil)
		resp, el, err := run(t, c, deadline(t, 4*time.Second), getVIN())
		check(t, c, u, resp, err, el, want{attempts: 2, hits: 2, within: 4 * time.Second})
		if el < 900*time.Millisecond {
			t.Errorf("elapsed %v: Retry-After: 1 was not honoured", el)
		}
	})
}

func TestConnectionFaults(t *testing.T) {
	t.Run("reset by peer", func(t *testing.T) {
		leakCheck(t)
		u := newUpstream(t, ok)
		p := newProxy(t, u.Listener.Addr().String())
		addToxic(t, p, `{"name":"reset","type":"reset_peer","stream":"upstream","attributes":{"timeout":0}}`)
		c, _ := newClient(t, "http://"+p.Listen, nil)
		resp, el, err := run(t, c, deadline(t, 3*time.Second), getVIN())
		check(t, c, u, resp, err, el, want{kind: transport.ErrUnavailable, reason: "connection_reset", attempts: 3, hits: 0, within: 3 * time.Second})
	})
	t.Run("refused", func(t *testing.T) {
		leakCheck(t)
		l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close() // nothing listens there any more
		c, _ := newClient(t, "http://"+addr, func(cfg *transport.Config) { cfg.Breaker.ConsecutiveFailures = 3 })
		resp, el, err := run(t, c, deadline(t, 3*time.Second), getVIN())
		check(t, c, nil, resp, err, el, want{kind: transport.ErrUnavailable, reason: "connection_refused", attempts: 3, within: 3 * time.Second,
			states: map[string]uint64{"closed->open": 1}})
	})
}

func TestPayloadFaults(t *testing.T) {
	t.Run("truncated body", func(t *testing.T) {
		leakCheck(t)
		u := newUpstream(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "1000")
			_, _ = w.Write([]byte(`{"vin":"`))
		})
		c, _ := newClient(t, u.URL, nil)
		resp, el, err := run(t, c, deadline(t, 3*time.Second), getVIN())
		check(t, c, u, resp, err, el, want{kind: transport.ErrUnavailable, reason: "truncated", attempts: 3, hits: 3, within: 3 * time.Second})
	})
	for name, h := range map[string]http.HandlerFunc{
		"declared length": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "4096")
			_, _ = w.Write(make([]byte, 4096))
		},
		"chunked": func(w http.ResponseWriter, _ *http.Request) {
			for range 8 {
				_, _ = w.Write(make([]byte, 512))
				w.(http.Flusher).Flush()
			}
		},
	} {
		t.Run("oversized body/"+name, func(t *testing.T) {
			leakCheck(t)
			u := newUpstream(t, h)
			// ConsecutiveFailures 1: an oversized body is not a health problem.
			c, _ := newClient(t, u.URL, func(cfg *transport.Config) {
				cfg.MaxBodyBytes = 1024
				cfg.Breaker.ConsecutiveFailures = 1
			})
			resp, el, err := run(t, c, deadline(t, 3*time.Second), getVIN())
			check(t, c, u, resp, err, el, want{kind: transport.ErrBadPayload, reason: "oversized", attempts: 1, hits: 1, within: 3 * time.Second})
		})
	}
}

func TestStatusesNotRetried(t *testing.T) {
	cases := []struct {
		name   string
		code   int
		kind   error
		reason string
	}{
		{"404", http.StatusNotFound, transport.ErrNotFound, "not_found"},
		{"400", http.StatusBadRequest, transport.ErrBadRequest, "bad_request"},
		{"422", http.StatusUnprocessableEntity, transport.ErrBadRequest, "bad_request"},
		{"500", http.StatusInternalServerError, transport.ErrUnavailable, "server_error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			leakCheck(t)
			u := newUpstream(t, status(tc.code))
			c, _ := newClient(t, u.URL, nil)
			resp, el, err := run(t, c, deadline(t, 2*time.Second), getVIN())
			check(t, c, u, resp, err, el, want{kind: tc.kind, reason: tc.reason, attempts: 1, hits: 1, within: 2 * time.Second})
			var te *transport.Error
			if errors.As(err, &te) && te.Status != tc.code {
				t.Errorf("status = %d, want %d", te.Status, tc.code)
			}
			if tc.code != http.StatusInternalServerError && errors.Is(err, transport.ErrUnavailable) {
				t.Errorf("%d must not read as unavailable", tc.code)
			}
			if m := c.Metrics(); m.Failures[tc.reason] != 1 || len(m.FailuresByKind) != 1 || m.Retries != 0 {
				t.Errorf("metrics = %+v, want one %s failure and no retry", m, tc.reason)
			}
		})
	}
}

func TestNonIdempotentPostIsNotRetried(t *testing.T) {
	leakCheck(t)
	var gotBody atomic.Value
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 64)
		n, _ := r.Body.Read(b)
		gotBody.Store(string(b[:n]))
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c, _ := newClient(t, u.URL, nil)
	req := &transport.Request{Method: http.MethodPost, Path: "/challenges", Body: []byte(`{"x":1}`), Operation: "start-challenge"}
	resp, el, err := run(t, c, deadline(t, 2*time.Second), req)
	check(t, c, u, resp, err, el, want{kind: transport.ErrUnavailable, reason: "server_unavailable", attempts: 1, hits: 1, within: 2 * time.Second})
	if gotBody.Load() != `{"x":1}` {
		t.Errorf("server got body %q", gotBody.Load())
	}
}

func TestIdempotentPostBodyResentOnRetry(t *testing.T) {
	leakCheck(t)
	var bodies sync.Map
	var n atomic.Int32
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 64)
		k, _ := r.Body.Read(b)
		i := n.Add(1)
		bodies.Store(i, string(b[:k]))
		if i == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		ok(w, r)
	})
	c, _ := newClient(t, u.URL, nil)
	req := &transport.Request{Method: http.MethodPost, Path: "/soap", Body: []byte("<Envelope/>"), Idempotent: true, Operation: "soap-read"}
	resp, el, err := run(t, c, deadline(t, 2*time.Second), req)
	check(t, c, u, resp, err, el, want{attempts: 2, hits: 2, within: 2 * time.Second})
	if b, _ := bodies.Load(int32(2)); b != "<Envelope/>" {
		t.Errorf("retry body = %q, want the original body", b)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	leakCheck(t)
	var moved atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { moved.Add(1); ok(w, r) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/moved", http.StatusFound) })
	u := newUpstream(t, mux.ServeHTTP)
	c, _ := newClient(t, u.URL, func(cfg *transport.Config) { cfg.Breaker.ConsecutiveFailures = 1 })
	resp, el, err := run(t, c, deadline(t, 2*time.Second), getVIN())
	check(t, c, u, resp, err, el, want{kind: transport.ErrUnavailable, reason: "redirect", attempts: 1, hits: 1, within: 2 * time.Second})
	if moved.Load() != 0 {
		t.Errorf("redirect was followed")
	}
}

func TestQueryAndHeadersSent(t *testing.T) {
	leakCheck(t)
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != vinPath || r.URL.Query().Get("page") != "2" || r.Header.Get("Accept") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		ok(w, r)
	})
	c, _ := newClient(t, u.URL+"/", nil) // trailing slash is tolerated
	req := getVIN()
	req.Query = url.Values{"page": {"2"}}
	req.Header = http.Header{"Accept": {"application/json"}}
	resp, el, err := run(t, c, deadline(t, 2*time.Second), req)
	check(t, c, u, resp, err, el, want{attempts: 1, hits: 1, within: 2 * time.Second})
}

// TestNoPersonalDataInLogsErrorsOrSegments drives every kind of outcome with
// a VIN in the path, under a sampled trace, and searches all output for it.
func TestNoPersonalDataInLogsErrorsOrSegments(t *testing.T) {
	leakCheck(t)
	var mode atomic.Value
	mode.Store("ok")
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		switch mode.Load() {
		case "503":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "404":
			w.WriteHeader(http.StatusNotFound)
		case "big":
			_, _ = w.Write(make([]byte, 4096))
		case "slow":
			time.Sleep(150 * time.Millisecond)
		default:
			ok(w, r)
		}
	})
	var hookMu sync.Mutex
	hookOutcomes := map[string]int{}
	var hookChanges []string
	c, logs := newClient(t, u.URL, func(cfg *transport.Config) {
		cfg.AttemptTimeout = 100 * time.Millisecond
		cfg.MaxBodyBytes = 1024
		cfg.Breaker = transport.BreakerConfig{ConsecutiveFailures: 4, OpenTimeout: time.Minute}
		cfg.Hooks = transport.Hooks{
			Call: func(_ context.Context, c transport.CallInfo) {
				hookMu.Lock()
				defer hookMu.Unlock()
				hookOutcomes[c.Outcome]++
			},
			BreakerChange: func(_ context.Context, system, from, to string) {
				hookMu.Lock()
				defer hookMu.Unlock()
				hookChanges = append(hookChanges, system+" "+from+"->"+to)
			},
		}
	})
	ctx, rec, err := transporttest.TraceContext(deadline(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	for _, m := range []string{"ok", "404", "big", "slow", "503"} {
		mode.Store(m)
		resp, err := c.Do(ctx, getVIN())
		if m == "ok" {
			if err != nil {
				t.Fatalf("ok call: %v", err)
			}
			errs = append(errs, c.BadPayload("get-vehicle", resp, fmt.Errorf("parsing %q: bad", vin)))
			continue
		}
		errs = append(errs, err)
	}
	if _, err := c.Do(ctx, getVIN()); !errors.Is(err, transport.ErrUnavailable) { // breaker open now
		t.Fatalf("want breaker open, got %v", err)
	} else {
		errs = append(errs, err)
	}

	for _, err := range errs {
		if err == nil {
			t.Fatal("expected an error")
		}
		if strings.Contains(err.Error(), vin) || strings.Contains(err.Error(), "/vehicles") {
			t.Errorf("error text leaks the URL: %q", err)
		}
		if !errors.Is(err, transport.ErrBadPayload) { // BadPayload keeps its cause by design
			assertNoURL(t, err)
		}
	}
	if strings.Contains(logs.String(), vin) || !strings.Contains(logs.String(), `"to":"open"`) {
		t.Errorf("logs leak the VIN or miss the open transition:\n%s", logs)
	}
	docs := rec.Documents()
	if len(docs) != 6 {
		t.Fatalf("got %d segments, want one per call (6)", len(docs))
	}
	for _, d := range docs {
		if strings.Contains(string(d), vin) || strings.Contains(string(d), "/vehicles") {
			t.Errorf("segment leaks the VIN: %s", d)
		}
	}
	segs, err := rec.Segments()
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]bool{}
	for _, s := range segs {
		if s.Name != "vehicle-master" || s.Annotations["legacy.operation"] != "get-vehicle" {
			t.Errorf("segment %+v: want name vehicle-master, operation get-vehicle", s)
		}
		for _, k := range []string{"legacy.outcome", "legacy.attempts", "legacy.breaker_state", "http.response.status_code"} {
			if _, ok := s.Annotations[k]; !ok {
				t.Errorf("segment lacks annotation %s: %+v", k, s.Annotations)
			}
		}
		outcomes[fmt.Sprint(s.Annotations["legacy.outcome"])] = true
	}
	for _, o := range []string{"ok", "not_found", "oversized", "timeout", "server_unavailable", "breaker_open"} {
		if !outcomes[o] {
			t.Errorf("no segment with outcome %s (got %v)", o, outcomes)
		}
	}
	hookMu.Lock()
	defer hookMu.Unlock()
	// ok twice (the "ok" call and the bad-payload one share it), then 404, big, slow, 503, open.
	wantHooks := map[string]int{"ok": 1, "not_found": 1, "bad_payload": 1, "unavailable": 3}
	if fmt.Sprint(hookOutcomes) != fmt.Sprint(wantHooks) {
		t.Errorf("Call hook outcomes = %v, want %v", hookOutcomes, wantHooks)
	}
	if !slices.Contains(hookChanges, "vehicle-master closed->open") {
		t.Errorf("BreakerChange hook missed the opening: %v", hookChanges)
	}
}

// TestWithoutParentSpan: local runs and unit tests without a trace trace nothing and need no
// tracer: the call still works.
func TestWithoutParentSpan(t *testing.T) {
	leakCheck(t)
	u := newUpstream(t, ok)
	c, _ := newClient(t, u.URL, nil)
	resp, el, err := run(t, c, deadline(t, time.Second), getVIN())
	check(t, c, u, resp, err, el, want{attempts: 1, hits: 1, within: time.Second})
}

func TestCanceledContextStaysOffTheWire(t *testing.T) {
	leakCheck(t)
	u := newUpstream(t, ok)
	c, _ := newClient(t, u.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	resp, el, err := run(t, c, ctx, getVIN())
	check(t, c, u, resp, err, el, want{kind: transport.ErrUnavailable, reason: "canceled", attempts: 0, hits: 0, within: time.Second})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v should wrap context.Canceled", err)
	}
}

func TestNilRequest(t *testing.T) {
	c, _ := newClient(t, "http://127.0.0.1:1", nil)
	if _, err := c.Do(context.Background(), nil); !errors.Is(err, transport.ErrBadRequest) {
		t.Errorf("nil request: got %v, want ErrBadRequest", err)
	}
}

func TestConcurrentCallsWhileBreakerTrips(t *testing.T) {
	leakCheck(t)
	u := newUpstream(t, status(http.StatusServiceUnavailable))
	c, _ := newClient(t, u.URL, func(cfg *transport.Config) { cfg.Breaker.ConsecutiveFailures = 5 })
	ctx := deadline(t, 5*time.Second)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := c.Do(ctx, getVIN()); !errors.Is(err, transport.ErrUnavailable) {
				t.Errorf("want ErrUnavailable, got %v", err)
			}
		})
	}
	wg.Wait()
	m := c.Metrics()
	if m.Calls != 16 || m.Transitions["closed->open"] != 1 || c.BreakerState() != "open" {
		t.Errorf("metrics = %+v, breaker %s", m, c.BreakerState())
	}
	if uint64(u.hits.Load()) != m.Attempts {
		t.Errorf("upstream saw %d requests, metrics counted %d attempts", u.hits.Load(), m.Attempts)
	}
}

func TestConfigValidation(t *testing.T) {
	for name, cfg := range map[string]transport.Config{
		"no system":   {BaseURL: "http://127.0.0.1"},
		"relative":    {System: "x", BaseURL: "/relative"},
		"bad scheme":  {System: "x", BaseURL: "ftp://host"},
		"unparseable": {System: "x", BaseURL: "http://[::1"},
	} {
		if _, err := transport.New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}

// fakeClock is the breaker's injected clock: tests move it past the open timeout instead of
// sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

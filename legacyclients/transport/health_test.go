package transport_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// Health is what the client already knows about its system (breaker state, the class of the last
// outcome and when it happened), read without a call: a health probe must not add load to a
// legacy system, least of all to one that is struggling.
func TestHealthIsASnapshotWithoutCalls(t *testing.T) {
	leakCheck(t)
	var failing atomic.Bool
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		ok(w, r)
	})
	c, _ := newClient(t, u.URL, func(cfg *transport.Config) {
		cfg.MaxRetries = -1
		cfg.Breaker = transport.BreakerConfig{ConsecutiveFailures: 2, OpenTimeout: time.Minute}
	})

	h := c.Health()
	if h.System != "vehicle-master" || h.Breaker != "closed" || h.LastOutcome != transport.OutcomeNone || !h.LastAt.IsZero() {
		t.Fatalf("before any call: %+v", h)
	}
	if _, err := c.Do(context.Background(), getVIN()); err != nil {
		t.Fatal(err)
	}
	h = c.Health()
	if h.LastOutcome != transport.OutcomeSuccess || h.LastReason != "" || time.Since(h.LastAt) > time.Minute {
		t.Fatalf("after a success: %+v", h)
	}

	failing.Store(true)
	for range 3 {
		_, _ = c.Do(context.Background(), getVIN())
	}
	h = c.Health()
	if h.Breaker != "open" || h.LastOutcome != transport.OutcomeUnavailable || h.LastReason != "breaker_open" || h.Opened != 1 {
		t.Fatalf("after failures: %+v", h)
	}
	hits := u.hits.Load()
	for range 10 {
		_ = c.Health()
	}
	if n := u.hits.Load() - hits; n != 0 {
		t.Fatalf("Health called the system %d times", n)
	}

	// A caller that gives up says nothing about the system: the last outcome stays.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _ = c.Do(ctx, getVIN())
	if got := c.Health(); got.LastReason != "breaker_open" {
		t.Fatalf("a canceled call changed the outcome: %+v", got)
	}
}

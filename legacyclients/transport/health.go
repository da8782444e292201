package transport

import (
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
)

// Outcome classes of the last finished call, for Health.
const (
	OutcomeNone        = "none"    // no call has finished yet
	OutcomeSuccess     = "success" // a 2xx
	OutcomeNotFound    = "not_found"
	OutcomeBadRequest  = "bad_request"
	OutcomeBadPayload  = "bad_payload"
	OutcomeUnavailable = "unavailable" // timeouts, connection errors, 5xx, breaker open
)

// Health is a read-only snapshot of what the client knows about its system from the calls it
// made: reading it never calls the system, so a health probe adds no load to a legacy system
// that is struggling already.
type Health struct {
	System  string
	Breaker string // closed, open or half-open
	// LastOutcome is the class of the last finished call (Outcome*); LastReason its detail
	// ("timeout", "breaker_open", ...; empty on success); LastAt when it finished (zero for
	// OutcomeNone). Calls the caller canceled say nothing about the system and are not recorded.
	LastOutcome string
	LastReason  string
	LastAt      time.Time
	// Opened counts how often the breaker opened since the client was built.
	Opened uint64
}

// lastOutcome is swapped whole, so a reader never sees the class of one call with the time of
// another.
type lastOutcome struct {
	class, reason string
	at            time.Time
}

type outcomeRecorder struct{ p atomic.Pointer[lastOutcome] }

func (o *outcomeRecorder) record(rs reason) {
	switch rs {
	case reasonCanceled:
		return
	case reasonOK:
		o.p.Store(&lastOutcome{class: OutcomeSuccess, at: time.Now()})
	default:
		o.p.Store(&lastOutcome{class: rs.kindName(), reason: rs.String(), at: time.Now()})
	}
}

// Health returns the snapshot; safe for concurrent use.
func (c *Client) Health() Health {
	h := Health{System: c.cfg.System, Breaker: c.BreakerState(), LastOutcome: OutcomeNone}
	if last := c.outcome.p.Load(); last != nil {
		h.LastOutcome, h.LastReason, h.LastAt = last.class, last.reason, last.at
	}
	for _, from := range []gobreaker.State{gobreaker.StateClosed, gobreaker.StateHalfOpen} {
		h.Opened += c.metrics.transitions[from][gobreaker.StateOpen].Load()
	}
	return h
}

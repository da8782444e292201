package transport

import (
	"sync/atomic"
)

// Metrics is a point-in-time snapshot of a Client's counters. Counters only
// grow; take two snapshots and subtract to get a rate.
type Metrics struct {
	Calls          uint64 // Do invocations
	Successes      uint64 // calls that returned a 2xx
	Attempts       uint64 // requests that reached the wire
	Retries        uint64 // attempts after the first, per call summed
	ShortCircuited uint64 // calls (or retries) refused by an open breaker, zero upstream traffic
	// Failures counts failed calls by reason ("timeout", "breaker_open",
	// "not_found", ...). Only reasons seen at least once are present.
	Failures map[string]uint64
	// FailuresByKind sums Failures by error kind: "not_found",
	// "unavailable", "bad_payload", "bad_request".
	FailuresByKind map[string]uint64
	// Transitions counts breaker state changes keyed "from->to", e.g.
	// "closed->open", "open->half-open", "half-open->closed".
	Transitions map[string]uint64
}

// counters is lock-free so it may be touched from the breaker's onStateChange,
// which runs while the breaker holds its mutex.
type counters struct {
	calls, successes, attempts, retries, shortCircuited atomic.Uint64
	failures                                            [numReasons]atomic.Uint64
	transitions                                         [3][3]atomic.Uint64 // [from][to], breakerState values 0..2
}

func (m *counters) snapshot() Metrics {
	out := Metrics{
		Calls:          m.calls.Load(),
		Successes:      m.successes.Load(),
		Attempts:       m.attempts.Load(),
		Retries:        m.retries.Load(),
		ShortCircuited: m.shortCircuited.Load(),
		Failures:       map[string]uint64{},
		FailuresByKind: map[string]uint64{},
		Transitions:    map[string]uint64{},
	}
	for r := range m.failures {
		if n := m.failures[r].Load(); n > 0 {
			out.Failures[reason(r).String()] = n
			out.FailuresByKind[reason(r).kindName()] += n
		}
	}
	for from := range m.transitions {
		for to := range m.transitions[from] {
			if n := m.transitions[from][to].Load(); n > 0 {
				out.Transitions[transitionKey(breakerState(from), breakerState(to))] = n
			}
		}
	}
	return out
}

func transitionKey(from, to breakerState) string {
	return from.String() + "->" + to.String()
}

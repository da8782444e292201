package transport

import (
	"errors"
	"sync"
	"time"
)

// The breaker is gobreaker's state machine (closed -> open after ConsecutiveFailures failed
// attempts, open -> half-open after OpenTimeout, half-open -> closed after HalfOpenMaxRequests
// successes or back to open on one failure), kept here so that it reads the time from
// Config.Clock: the tests move an injected clock past the open timeout instead of sleeping.

// breakerState is the breaker's state; the values index counters.transitions.
type breakerState int

const (
	stateClosed breakerState = iota
	stateHalfOpen
	stateOpen
)

func (s breakerState) String() string {
	switch s {
	case stateClosed:
		return "closed"
	case stateHalfOpen:
		return "half-open"
	case stateOpen:
		return "open"
	}
	return "unknown"
}

var (
	// errBreakerOpen: the breaker is open; nothing was sent.
	errBreakerOpen = errors.New("circuit breaker is open")
	// errHalfOpenFull: the breaker is half-open and its trial requests are all in flight.
	errHalfOpenFull = errors.New("circuit breaker is half-open and busy")
)

// breakerSettings are the breaker's rules; zero fields are filled by Config.withDefaults.
type breakerSettings struct {
	trip         uint32        // consecutive failures that open it
	openTimeout  time.Duration // how long it stays open
	halfOpenMax  uint32        // trial requests while half-open
	interval     time.Duration // clears closed-state counts periodically when > 0
	now          func() time.Time
	isSuccessful func(error) bool
	isExcluded   func(error) bool // neither success nor failure (the caller's own cancellation)
	onChange     func(from, to breakerState)
}

// breaker counts attempts; safe for concurrent use. onChange runs under its mutex.
type breaker struct {
	s breakerSettings

	mu         sync.Mutex
	state      breakerState
	generation uint64
	expiry     time.Time // closed: when counts clear (zero: never); open: when it half-opens
	requests   uint32
	consecFail uint32
	consecSucc uint32
}

func newBreaker(s breakerSettings) *breaker {
	b := &breaker{s: s}
	b.newGeneration(s.now())
	return b
}

// State returns the current state, moving open -> half-open when the timeout has passed.
func (b *breaker) State() breakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	st, _ := b.current(b.s.now())
	return st
}

// execute runs req unless the breaker refuses it, and counts its outcome.
func (b *breaker) execute(req func() (attemptResult, error)) (attemptResult, error) {
	gen, err := b.before()
	if err != nil {
		return attemptResult{}, err
	}
	defer func() {
		if p := recover(); p != nil {
			b.after(gen, errors.New("panic"))
			panic(p)
		}
	}()
	res, err := req()
	b.after(gen, err)
	return res, err
}

func (b *breaker) before() (uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st, gen := b.current(b.s.now())
	switch {
	case st == stateOpen:
		return gen, errBreakerOpen
	case st == stateHalfOpen && b.requests >= b.s.halfOpenMax:
		return gen, errHalfOpenFull
	}
	b.requests++
	return gen, nil
}

func (b *breaker) after(gen uint64, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.s.now()
	st, cur := b.current(now)
	if cur != gen {
		return // counted for a state that has since ended
	}
	switch {
	case b.s.isExcluded(err):
		b.requests--
	case b.s.isSuccessful(err):
		b.consecFail = 0
		b.consecSucc++
		if st == stateHalfOpen && b.consecSucc >= b.s.halfOpenMax {
			b.set(stateClosed, now)
		}
	default:
		b.consecSucc = 0
		b.consecFail++
		if st == stateHalfOpen || (st == stateClosed && b.consecFail >= b.s.trip) {
			b.set(stateOpen, now)
		}
	}
}

func (b *breaker) current(now time.Time) (breakerState, uint64) {
	switch b.state {
	case stateClosed:
		if !b.expiry.IsZero() && b.expiry.Before(now) {
			b.newGeneration(now)
		}
	case stateOpen:
		if b.expiry.Before(now) {
			b.set(stateHalfOpen, now)
		}
	}
	return b.state, b.generation
}

func (b *breaker) set(to breakerState, now time.Time) {
	if b.state == to {
		return
	}
	from := b.state
	b.state = to
	b.newGeneration(now)
	b.s.onChange(from, to)
}

func (b *breaker) newGeneration(now time.Time) {
	b.generation++
	b.requests, b.consecFail, b.consecSucc = 0, 0, 0
	switch b.state {
	case stateClosed:
		b.expiry = time.Time{}
		if b.s.interval > 0 {
			b.expiry = now.Add(b.s.interval)
		}
	case stateOpen:
		b.expiry = now.Add(b.s.openTimeout)
	default:
		b.expiry = time.Time{}
	}
}

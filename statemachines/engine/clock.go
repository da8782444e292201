package engine

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Clock is the engine's source of time. Wait states, Retry intervals and the state machine's
// TimeoutSeconds go through it, so tests can swap in a FakeClock and pay no real time for them.
type Clock interface {
	Now() time.Time
	// Sleep blocks for d or until ctx ends (returning a wrapped ctx.Err()).
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock; the zero value is ready to use.
type RealClock struct{}

// Now returns time.Now.
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits for d in real time.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sleep interrupted: %w", ctx.Err())
	}
}

// FakeClock is a virtual clock: Sleep returns at once after moving the clock forward. It is safe
// for concurrent use; concurrent sleepers each advance it (time is shared, not per goroutine).
type FakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFakeClock starts a virtual clock at start.
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{now: start} }

// Now returns the virtual time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep advances the virtual time by d without blocking.
func (c *FakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sleep interrupted: %w", err)
	}
	if d > 0 {
		c.Advance(d)
	}
	return nil
}

// Advance moves the virtual time forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

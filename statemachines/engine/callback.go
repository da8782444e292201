package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// waitSuffix marks the callback pattern: the task runs, then the state waits until someone
// calls SendTaskSuccess or SendTaskFailure with the token from $$.Task.Token.
const waitSuffix = ".waitForTaskToken"

// ErrTaskDoesNotExist is returned (wrapped) for a token no waiting task holds.
var ErrTaskDoesNotExist = errors.New("TaskDoesNotExist")

// callbackOutcome is what a SendTask* call delivers to the waiting state.
type callbackOutcome struct {
	output any
	err    *value.Error
}

// callbacks tracks the tasks waiting for a token; heartbeats reset their heartbeat timer.
type callbacks struct {
	mu      sync.Mutex
	waiting map[string]*waiter
}

type waiter struct {
	done      chan callbackOutcome // buffered: the first outcome wins
	heartbeat chan struct{}
}

func (c *callbacks) register(token string) *waiter {
	w := &waiter{done: make(chan callbackOutcome, 1), heartbeat: make(chan struct{}, 1)}
	c.mu.Lock()
	if c.waiting == nil {
		c.waiting = map[string]*waiter{}
	}
	c.waiting[token] = w
	c.mu.Unlock()
	return w
}

func (c *callbacks) release(token string) {
	c.mu.Lock()
	delete(c.waiting, token)
	c.mu.Unlock()
}

func (c *callbacks) get(token string) (*waiter, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w, ok := c.waiting[token]
	if !ok {
		return nil, fmt.Errorf("task token is not waiting (finished, timed out or never issued): %w", ErrTaskDoesNotExist)
	}
	return w, nil
}

// SendTaskSuccess completes the waiting task holding token with output (a JSON document).
func (e *Engine) SendTaskSuccess(token string, output []byte) error {
	v, err := decodeJSON(output)
	if err != nil {
		return fmt.Errorf("send task success: output is not valid JSON: %w", err)
	}
	return e.deliver(token, callbackOutcome{output: v})
}

// SendTaskFailure fails the waiting task holding token with the given error name and cause.
func (e *Engine) SendTaskFailure(token, errorName, cause string) error {
	return e.deliver(token, callbackOutcome{err: &value.Error{Name: errorName, Cause: cause}})
}

// SendTaskHeartbeat restarts the HeartbeatSeconds timer of the waiting task holding token.
func (e *Engine) SendTaskHeartbeat(token string) error {
	w, err := e.callbacks.get(token)
	if err != nil {
		return fmt.Errorf("send task heartbeat: %w", err)
	}
	select {
	case w.heartbeat <- struct{}{}:
	default: // a heartbeat is already pending
	}
	return nil
}

func (e *Engine) deliver(token string, o callbackOutcome) error {
	w, err := e.callbacks.get(token)
	if err != nil {
		return fmt.Errorf("send task result: %w", err)
	}
	select {
	case w.done <- o:
		return nil
	default:
		return fmt.Errorf("send task result: the task already has a result: %w", ErrTaskDoesNotExist)
	}
}

// newTaskToken issues the token a callback task exposes as $$.Task.Token.
func newTaskToken() string {
	return strings.ReplaceAll(uuid.NewString()+uuid.NewString(), "-", "")
}

// awaitCallback waits for the token's outcome, a missed heartbeat or the end of ctx (which
// carries the task's TimeoutSeconds and the execution's deadline).
func (r *stateRun) awaitCallback(ctx context.Context, w *waiter, heartbeat time.Duration) (any, *value.Error) {
	var beat <-chan time.Time
	var timer *time.Timer
	if heartbeat > 0 {
		timer = time.NewTimer(heartbeat)
		defer timer.Stop()
		beat = timer.C
	}
	for {
		select {
		case o := <-w.done:
			return o.output, o.err
		case <-w.heartbeat:
			if timer != nil {
				timer.Reset(heartbeat)
			}
		case <-beat:
			return nil, &value.Error{Name: "States.HeartbeatTimeout", Cause: ""}
		case <-ctx.Done():
			if r.f.ctx.Err() != nil {
				return nil, errExecTimedOut
			}
			return nil, &value.Error{Name: errTimeout, Cause: ""}
		}
	}
}

package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// StatusRunning and StatusAborted are the statuses of an execution started with Start that has
// not finished, or that StopExecution ended.
const (
	StatusRunning = "RUNNING"
	StatusAborted = "ABORTED"
)

// errAborted is the cause of an execution's context when Stop ends it.
var errAborted = errors.New("execution aborted")

// abort carries StopExecution's error and cause.
type abort struct{ name, cause string }

func (a *abort) Error() string { return "execution aborted" }
func (a *abort) Is(target error) bool {
	return target == errAborted
}

// RunOptions tune Start.
type RunOptions struct {
	// Name is the execution name; a UUID when empty.
	Name string
	// History records the execution's events for Execution.History (GetExecutionHistory).
	History bool
}

// Execution is an execution started with Start: it runs on its own goroutine until it ends,
// Stop ends it, or the Engine's machine deadline does.
type Execution struct {
	ARN, Name, StateMachineArn string
	Input                      string

	ex     *execution
	cancel context.CancelCauseFunc
	done   chan struct{}
	mu     sync.Mutex
	res    Result
}

// Start starts an execution asynchronously, like StartExecution (and the building block of a
// StartSyncExecution that records history). ctx bounds the execution, not the call: pass a
// context that outlives the request that started it.
func (e *Engine) Start(ctx context.Context, arnOrName string, input []byte, ro RunOptions) (*Execution, error) {
	m, ok := e.lookup(arnOrName)
	if !ok {
		return nil, fmt.Errorf("start execution: state machine %q: %w", arnOrName, ErrStateMachineDoesNotExist)
	}
	if len(input) > MaxPayloadBytes {
		return nil, fmt.Errorf("start execution: input of %d bytes exceeds the %d byte limit: %w", len(input), MaxPayloadBytes, ErrInvalidExecutionInput)
	}
	if len(strings.TrimSpace(string(input))) == 0 {
		input = []byte("{}")
	}
	in, err := decodeJSON(input)
	if err != nil {
		return nil, fmt.Errorf("start execution: input is not valid JSON (%w): %w", err, ErrInvalidExecutionInput)
	}
	id := uuid.NewString()
	name := ro.Name
	if name == "" {
		name = id
	}
	ex := e.newExecution(m, name, id)
	ex.events.record = ro.History
	x := &Execution{ARN: ex.arn, Name: name, StateMachineArn: m.arn, Input: string(input), ex: ex, done: make(chan struct{})}
	x.res = Result{ExecutionArn: ex.arn, StateMachineArn: m.arn, Name: name, Status: StatusRunning, StartDate: ex.start}
	runCtx, cancel := context.WithCancelCause(ctx)
	x.cancel = cancel
	go func() {
		defer close(x.done)
		defer cancel(nil)
		res := ex.execute(runCtx, in)
		x.mu.Lock()
		x.res = res
		x.mu.Unlock()
	}()
	return x, nil
}

// Done is closed when the execution has ended.
func (x *Execution) Done() <-chan struct{} { return x.done }

// StartDate is when the execution started.
func (x *Execution) StartDate() time.Time { return x.ex.start }

// Result is the execution's outcome so far: Status RUNNING until it ends.
func (x *Execution) Result() Result {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.res
}

// Wait blocks until the execution ends or ctx does.
func (x *Execution) Wait(ctx context.Context) (Result, error) {
	select {
	case <-x.done:
		return x.Result(), nil
	case <-ctx.Done():
		return Result{}, fmt.Errorf("wait for execution %s: %w", x.ARN, ctx.Err())
	}
}

// Stop ends a running execution as ABORTED with the given error and cause (StopExecution);
// it returns when the execution has ended. Stopping an ended execution changes nothing.
func (x *Execution) Stop(errorName, cause string) Result {
	x.cancel(&abort{name: errorName, cause: cause})
	<-x.done
	return x.Result()
}

// History returns the events recorded so far (RunOptions.History), in order.
func (x *Execution) History() []HistoryEvent { return x.ex.events.snapshot() }

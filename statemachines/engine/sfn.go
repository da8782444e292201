package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/google/uuid"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

func (e *Engine) registerBuiltins() {
	e.integrations.add("arn:aws:states:::lambda:invoke", IntegrationFunc(e.lambdaInvoke))
	e.integrations.add("arn:aws:lambda:*:*:function:*", IntegrationFunc(e.lambdaFunction))
	for _, op := range []string{"getItem", "putItem", "updateItem", "deleteItem", "query"} {
		e.integrations.add("arn:aws:states:::dynamodb:"+op, e.dynamo(op))
	}
	e.integrations.add("arn:aws:states:::aws-sdk:sfn:startSyncExecution", IntegrationFunc(e.sfnStartSync))
	e.integrations.add("arn:aws:states:::states:startExecution", IntegrationFunc(e.sfnStartAsync))
}

// executionInput is the Input parameter of a StartExecution-like task as the child's input
// document: a string is passed as it is (the SDK form), anything else is encoded (the optimized
// integration accepts a JSON value).
func executionInput(params *value.Object) ([]byte, error) {
	switch in := params.Value("Input").(type) {
	case nil:
		return []byte("{}"), nil
	case string:
		return []byte(in), nil
	default:
		b, err := value.Marshal(in)
		if err != nil {
			return nil, &value.Error{Name: "Sfn.InvalidExecutionInputException", Cause: err.Error()}
		}
		return b, nil
	}
}

// startError maps the engine's start errors to the error names Step Functions gives a task.
func startError(arn string, err error) error {
	reqID := uuid.NewString()
	switch {
	case errors.Is(err, ErrStateMachineDoesNotExist):
		return &value.Error{Name: "Sfn.StateMachineDoesNotExistException", Cause: "State Machine Does Not Exist: '" + arn + "' (Service: Sfn, Status Code: 400, Request ID: " + reqID + ")"}
	case errors.Is(err, ErrInvalidExecutionInput):
		return &value.Error{Name: "Sfn.InvalidExecutionInputException", Cause: "Invalid State Machine Execution Input: '" + err.Error() + "' (Service: Sfn, Status Code: 400, Request ID: " + reqID + ")"}
	default:
		return err
	}
}

// sfnStartAsync implements the optimized arn:aws:states:::states:startExecution (request and
// response, no .sync) against the machines loaded in this engine: the child starts and the task
// succeeds at once with {ExecutionArn, StartDate}, whatever the child does later. The child is
// not bound to the parent's task or execution (it outlives both, as in AWS); its own
// TimeoutSeconds bounds it, and Engine.Drain waits for it.
func (e *Engine) sfnStartAsync(ctx context.Context, req TaskRequest) (any, error) {
	params, _ := req.Parameters.(*value.Object)
	arn, _ := params.Value("StateMachineArn").(string)
	name, _ := params.Value("Name").(string)
	input, err := executionInput(params)
	if err != nil {
		return nil, err
	}
	e.background.add()
	x, err := e.Start(context.WithoutCancel(ctx), arn, input, RunOptions{Name: name})
	if err != nil {
		e.background.done()
		return nil, startError(arn, err)
	}
	go func() {
		<-x.Done()
		e.background.done()
	}()
	return value.ObjectOf(
		"ExecutionArn", x.ARN,
		"StartDate", x.StartDate().UTC().Format(timeFormat),
	), nil
}

// Drain waits until every execution started by a startExecution task (fire-and-forget) has
// ended, or ctx ends. A process that shuts down calls it before closing what those executions
// use.
func (e *Engine) Drain(ctx context.Context) error {
	idle := e.background.idle()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("drain background executions: %w", ctx.Err())
	}
}

// running counts executions in the background. Unlike a sync.WaitGroup it may gain executions
// while someone waits (a refresh may start one at any time).
type running struct {
	mu   sync.Mutex
	n    int
	zero chan struct{} // closed when n drops to 0
}

func (r *running) add() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == 0 {
		r.zero = make(chan struct{})
	}
	r.n++
}

func (r *running) done() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n--
	if r.n == 0 {
		close(r.zero)
	}
}

// idle returns a channel closed once nothing runs, or nil when nothing runs now.
func (r *running) idle() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == 0 {
		return nil
	}
	return r.zero
}

// sfnStartSync implements arn:aws:states:::aws-sdk:sfn:startSyncExecution against the machines
// loaded in this engine. Like the SDK call, a failed child execution is not a task failure: the
// response carries Status FAILED with Error and Cause, and Output is a JSON string.
func (e *Engine) sfnStartSync(ctx context.Context, req TaskRequest) (any, error) {
	params, _ := req.Parameters.(*value.Object)
	arn, _ := params.Value("StateMachineArn").(string)
	name, _ := params.Value("Name").(string)
	input, err := executionInput(params)
	if err != nil {
		return nil, err
	}
	res, err := e.startSync(ctx, arn, name, input)
	if err != nil {
		return nil, startError(arn, err)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err() // the parent's own deadline or timeout, not the child's outcome
	}
	billed := math.Ceil(float64(res.StopDate.Sub(res.StartDate).Milliseconds())/100) * 100
	out := map[string]any{
		"BillingDetails":  map[string]any{"BilledDurationInMilliseconds": value.Number(max(billed, 100)), "BilledMemoryUsedInMB": value.Int(64)},
		"ExecutionArn":    res.ExecutionArn,
		"Input":           string(input),
		"InputDetails":    map[string]any{"Included": true},
		"Name":            res.Name,
		"StartDate":       res.StartDate.UTC().Format(timeFormat),
		"StateMachineArn": res.StateMachineArn,
		"Status":          res.Status,
		"StopDate":        res.StopDate.UTC().Format(timeFormat),
	}
	if res.Status == StatusSucceeded {
		out["Output"] = res.Output
		out["OutputDetails"] = map[string]any{"Included": true}
	} else {
		if res.Error != "" {
			out["Error"] = res.Error
		}
		if res.Cause != "" {
			out["Cause"] = res.Cause
		}
	}
	return value.FromMap(out), nil
}

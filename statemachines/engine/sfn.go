package engine

import (
	"context"
	"errors"
	"math"

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
}

// sfnStartSync implements arn:aws:states:::aws-sdk:sfn:startSyncExecution against the machines
// loaded in this engine. Like the SDK call, a failed child execution is not a task failure: the
// response carries Status FAILED with Error and Cause, and Output is a JSON string.
func (e *Engine) sfnStartSync(ctx context.Context, req TaskRequest) (any, error) {
	params, _ := req.Parameters.(map[string]any)
	arn, _ := params["StateMachineArn"].(string)
	name, _ := params["Name"].(string)
	var input []byte
	switch in := params["Input"].(type) {
	case nil:
		input = []byte("{}")
	case string:
		input = []byte(in)
	default:
		b, err := value.Marshal(in)
		if err != nil {
			return nil, &value.Error{Name: "Sfn.InvalidExecutionInputException", Cause: err.Error()}
		}
		input = b
	}
	reqID := uuid.NewString()
	res, err := e.startSync(ctx, arn, name, input)
	switch {
	case errors.Is(err, ErrStateMachineDoesNotExist):
		return nil, &value.Error{Name: "Sfn.StateMachineDoesNotExistException", Cause: "State Machine Does Not Exist: '" + arn + "' (Service: Sfn, Status Code: 400, Request ID: " + reqID + ")"}
	case errors.Is(err, ErrInvalidExecutionInput):
		return nil, &value.Error{Name: "Sfn.InvalidExecutionInputException", Cause: "Invalid State Machine Execution Input: '" + err.Error() + "' (Service: Sfn, Status Code: 400, Request ID: " + reqID + ")"}
	case err != nil:
		return nil, err
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
	return out, nil
}

package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// TestStateResult is TestState's answer: Status SUCCEEDED (with Output and NextState, empty at
// the end of a workflow) or FAILED (with Error and Cause).
type TestStateResult struct {
	Status    string
	Output    string
	Error     string
	Cause     string
	NextState string
}

// testStateName names the state under test in the one-state workflow TestState builds.
const testStateName = "TestState"

// TestState runs one state definition (a JSON object such as {"Type":"Pass",...}) on input,
// as the TestState API does: its transitions are not followed, they are reported. A definition
// CreateStateMachine would reject yields a *ValidationError.
func (e *Engine) TestState(ctx context.Context, definition, input []byte) (TestStateResult, error) {
	var st map[string]any
	if err := json.Unmarshal(definition, &st); err != nil {
		return TestStateResult{}, &ValidationError{Problems: []Problem{{Code: "INVALID_JSON_DESCRIPTION", Message: err.Error()}}}
	}
	states := map[string]any{testStateName: st}
	for _, t := range transitionTargets(st) {
		if t != testStateName {
			states[t] = map[string]any{"Type": "Succeed"} // stands for the state it would go to
		}
	}
	def, err := json.Marshal(map[string]any{"StartAt": testStateName, "States": states})
	if err != nil {
		return TestStateResult{}, fmt.Errorf("test state: %w", err)
	}
	m, err := e.compile(testStateName, def, nil)
	if err != nil {
		return TestStateResult{}, err
	}
	if len(strings.TrimSpace(string(input))) == 0 {
		input = []byte("{}")
	}
	in, err := decodeJSON(input)
	if err != nil {
		return TestStateResult{}, fmt.Errorf("test state: input is not valid JSON (%w): %w", err, ErrInvalidExecutionInput)
	}
	id := uuid.NewString()
	ex := e.newExecution(m, id, id)
	if m.readsCtx {
		ex.smCtx = map[string]any{"Id": m.arn, "Name": m.name}
		ex.execCtx = ex.executionContext(in)
	}
	ex.events.skip(1) // ExecutionStarted
	f := newFrame(ex, ctx, &ex.events, nil, ex.execCtx)
	out, next, serr := f.runStateGuarded(m.prog.start, in)
	if serr != nil {
		return TestStateResult{Status: StatusFailed, Error: serr.Name, Cause: serr.Cause}, nil
	}
	res := TestStateResult{Status: StatusSucceeded, Output: jsonText(out)}
	if next != nil {
		res.NextState = next.name
	}
	return res, nil
}

// runStateGuarded is runState with runGuarded's last line of defence.
func (f *frame) runStateGuarded(st *state, input any) (out any, next *state, err *value.Error) {
	defer func() {
		if v := recover(); v != nil {
			out, next, err = nil, nil, internalError(v)
		}
	}()
	return f.runState(st, input)
}

// transitionTargets lists the states a state definition may go to.
func transitionTargets(st map[string]any) []string {
	var out []string
	add := func(v any) {
		if s, ok := v.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	add(st["Next"])
	add(st["Default"])
	for _, list := range []string{"Choices", "Catch"} {
		items, _ := st[list].([]any)
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				add(m["Next"])
			}
		}
	}
	return out
}

package engine

import (
	"context"
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
	raw, err := value.Decode(definition)
	if err != nil {
		return TestStateResult{}, &ValidationError{Problems: []Problem{{Code: "INVALID_JSON_DESCRIPTION", Message: err.Error()}}}
	}
	st, ok := raw.(*value.Object)
	if !ok {
		return TestStateResult{}, &ValidationError{Problems: []Problem{{Code: "INVALID_JSON_DESCRIPTION",
			Message: "the state definition must be a JSON object, got " + value.TypeName(raw)}}}
	}
	states := value.ObjectOf(testStateName, st)
	for _, t := range transitionTargets(st) {
		if t != testStateName {
			states.Set(t, value.ObjectOf("Type", "Succeed")) // stands for the state it would go to
		}
	}
	def, err := value.Marshal(value.ObjectOf("StartAt", testStateName, "States", states))
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
		ex.smCtx = value.ObjectOf("Id", m.arn, "Name", m.name)
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
func transitionTargets(st *value.Object) []string {
	var out []string
	add := func(v any) {
		if s, ok := v.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	add(st.Value("Next"))
	add(st.Value("Default"))
	for _, list := range []string{"Choices", "Catch"} {
		items, _ := st.Value(list).([]any)
		for _, it := range items {
			if m, ok := it.(*value.Object); ok {
				add(m.Value("Next"))
			}
		}
	}
	return out
}

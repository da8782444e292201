package engine

import (
	"math"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine/jsonpath"
	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// The interpreter has one core (exec.go): every state runs the same pipeline (effective input,
// the kind's action, Assign and the result shaping, then the output), and Task, Parallel and Map
// run it under the one Retry and Catch loop. What differs by query language sits behind
// dataFlow and the field functions the parser compiles (jsonpath_flow.go, jsonata_flow.go);
// what differs by kind is a small action type per state kind (actions.go).

type kind uint8

const (
	kPass kind = iota
	kTask
	kChoice
	kWait
	kSucceed
	kFail
	kParallel
	kMap
)

var kinds = map[string]kind{
	"Pass": kPass, "Task": kTask, "Choice": kChoice, "Wait": kWait,
	"Succeed": kSucceed, "Fail": kFail, "Parallel": kParallel, "Map": kMap,
}

// program is one workflow: the machine itself, a Parallel branch or a Map item processor.
type program struct {
	start  *state
	states map[string]*state
}

// state is one compiled state: what every kind shares, its query language's data flow and its
// kind's action.
type state struct {
	name     string
	kind     kind
	typeName string
	next     *state
	nextName string
	end      bool
	needsCtx bool // whether any field reads "$$": the context object is built only then
	// History event types ("PassStateEntered", ...), built once.
	entered, exited, aborted string

	flow   dataFlow
	assign valueFn // Assign, nil when absent
	output valueFn // JSONata's Output, nil when absent (JSONPath has OutputPath in flow)
	retry  []*retrier
	catch  []*catcher
	act    action
}

// retryable reports whether the state runs under Retry and Catch.
func (st *state) retryable() bool {
	return st.kind == kTask || st.kind == kParallel || st.kind == kMap
}

type retrier struct {
	errorEquals []string
	interval    float64
	maxAttempts int
	backoff     float64
	maxDelay    float64 // 0: no cap
	jitterFull  bool
}

// delay is the wait before retry number n (0-based) as AWS computes it, before jitter.
func (rt *retrier) delay(n int) float64 {
	d := rt.interval * math.Pow(rt.backoff, float64(n))
	if rt.maxDelay > 0 && d > rt.maxDelay {
		d = rt.maxDelay
	}
	return d
}

type catcher struct {
	errorEquals []string
	next        *state
	nextName    string
	assign      valueFn
	// JSONPath: where the error output goes in the state input.
	resultPath *jsonpath.Path
	discard    bool
	// JSONata: the catcher's Output (the error output when nil).
	output valueFn
}

// action is what a state kind does with its effective input.
type action interface {
	run(r *stateRun, b bindings) (outcome, *value.Error)
}

// outcome is an action's answer.
type outcome struct {
	result    any
	hasResult bool   // Task, Parallel, Map and a JSONPath Pass produce a result
	next      *state // Choice: the state it chose
	// chosen: a Choice rule matched, so its Assign and Output replace the state's.
	chosen         bool
	assign, output valueFn
}

// bindings is what fields evaluate against: the state's input, its effective input (after
// JSONPath's InputPath), and the result or error output once there is one.
type bindings struct {
	input, eff  any
	result      any
	hasResult   bool
	errorOutput *value.Object // set in a catcher
	ctx         *value.Object // replaces the state's context object (a Map item's $$.Map)
}

// current is what JSONPath's "$" means at this point: the error output in a catcher, the
// result after the action, the effective input before it.
func (b bindings) current() any {
	switch {
	case b.errorOutput != nil:
		return b.errorOutput
	case b.hasResult:
		return b.result
	}
	return b.eff
}

// Field functions are compiled by the parser from either query language.
type (
	valueFn     func(r *stateRun, b bindings) (any, *value.Error)
	intFn       func(r *stateRun, b bindings) (int64, *value.Error)
	floatFn     func(r *stateRun, b bindings) (float64, *value.Error)
	stringFn    func(r *stateRun, b bindings) (string, *value.Error)
	durationFn  func(r *stateRun, b bindings) (time.Duration, *value.Error)
	conditionFn func(r *stateRun, b bindings) (bool, *value.Error)
)

// dataFlow is the query language's part of the pipeline.
type dataFlow interface {
	// effective is the input the action sees (JSONPath: InputPath; JSONata: the input).
	effective(r *stateRun, input any) (any, *value.Error)
	// arguments is what a Task or Parallel hands on (Parameters or Arguments; else the
	// effective input).
	arguments(r *stateRun, b bindings) (any, *value.Error)
	// shape makes the state's output from its result or input (JSONPath: ResultSelector and
	// ResultPath; JSONata: output, by default the result or the input) and checks the payload
	// limit.
	shape(r *stateRun, b bindings, output valueFn) (any, *value.Error)
	// caught makes a catcher's output from the error output (ResultPath or Output).
	caught(r *stateRun, c *catcher, b bindings) (any, *value.Error)
	// final applies OutputPath (JSONata: nothing); a catcher's output skips it.
	final(r *stateRun, out any) (any, *value.Error)
}

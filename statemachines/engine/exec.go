package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine/jsonpath"
	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// Error names the engine raises itself.
const (
	errAll               = "States.ALL"
	errRuntime           = "States.Runtime"
	errTimeout           = "States.Timeout"
	errTaskFailed        = "States.TaskFailed"
	errDataLimitExceeded = "States.DataLimitExceeded"
	errNoChoiceMatched   = "States.NoChoiceMatched"
	errToleratedFailure  = "States.ExceedToleratedFailureThreshold"
)

// errExecTimedOut ends an execution as TIMED_OUT (context deadline or the machine's
// TimeoutSeconds). It is compared by identity and never matched by Retry or Catch.
var errExecTimedOut = &value.Error{Name: errTimeout, Cause: "The execution timed out."}

const timeFormat = "2006-01-02T15:04:05.000Z"

// expressMaxDuration is AWS's hard limit on an Express execution; it also keeps a looping
// definition from running forever.
const expressMaxDuration = 5 * time.Minute

// execution is one run of a machine; frames (main workflow, branches, iterations) share it.
type execution struct {
	eng      *Engine
	m        *machine
	arn      string
	name     string
	start    time.Time
	events   history   // the main workflow's history
	deadline time.Time // from TimeoutSeconds in clock time; zero when none
	execCtx  *value.Object
	smCtx    *value.Object
}

// scope holds variables; a Parallel branch or Map iteration reads its parents' variables but
// assigns into its own scope, so nothing it assigns is visible outside it (as in AWS).
type scope struct {
	parent *scope
	vars   map[string]any
}

func (s *scope) get(name string) (any, bool) {
	for ; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// frame runs one workflow (the machine, a branch or an iteration).
type frame struct {
	ex      *execution
	ctx     context.Context
	events  *history // the history the frame adds to; a distributed Map child has its own
	scope   scope
	vars    func(string) (any, bool)
	execCtx *value.Object // $$.Execution for this frame (a distributed child has its own input)
	// run is the state running now: a frame runs one state at a time, and keeping it here
	// spares a heap allocation per state (the pipeline hands it to interface methods).
	run stateRun
}

func newFrame(ex *execution, ctx context.Context, events *history, parent *scope, execCtx *value.Object) *frame {
	f := &frame{ex: ex, ctx: ctx, events: events, scope: scope{parent: parent}, execCtx: execCtx}
	f.vars = f.scope.get
	return f
}

func (e *Engine) run(ctx context.Context, m *machine, execName, execID string, input any) Result {
	return e.newExecution(m, execName, execID).execute(ctx, input)
}

func (e *Engine) newExecution(m *machine, execName, execID string) *execution {
	arn := "arn:aws:states:" + e.opts.Region + ":" + e.opts.Account + ":express:" + m.name + ":" + execName + ":" + execID
	if m.standard {
		arn = "arn:aws:states:" + e.opts.Region + ":" + e.opts.Account + ":execution:" + m.name + ":" + execName
	}
	ex := &execution{eng: e, m: m, arn: arn, name: execName, start: e.clock.Now()}
	ex.events.clock = e.clock
	return ex
}

func (ex *execution) execute(ctx context.Context, input any) Result {
	e, m, start, execName := ex.eng, ex.m, ex.start, ex.name
	if m.timeout > 0 {
		d := time.Duration(m.timeout) * time.Second
		ex.deadline = start.Add(d)
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d) // real-time guard; the virtual clock is checked in sleep
		defer cancel()
	}
	if !m.standard && (m.timeout == 0 || time.Duration(m.timeout)*time.Second > expressMaxDuration) {
		// No timer for the implicit Express limit: sleeps check it, and runProgram looks at
		// the clock every few hundred states, which is all a looping definition needs.
		ex.deadline = start.Add(expressMaxDuration)
	}
	if m.readsCtx {
		ex.smCtx = value.ObjectOf("Id", m.arn, "Name", m.name)
		ex.execCtx = ex.executionContext(input)
	}
	ex.events.note("ExecutionStarted", "executionStartedEventDetails", djson("input", input), dstr("roleArn", e.opts.RoleArn))
	f := newFrame(ex, ctx, &ex.events, nil, ex.execCtx)
	out, serr := f.runGuarded(m.prog, input)

	res := Result{ExecutionArn: ex.arn, StateMachineArn: m.arn, Name: execName, StartDate: start, StopDate: e.clock.Now()}
	switch {
	case serr != nil && errors.Is(context.Cause(ctx), errAborted):
		res.Status = StatusAborted
		var ab *abort
		if errors.As(context.Cause(ctx), &ab) {
			res.Error, res.Cause = ab.name, ab.cause
		}
	case serr == errExecTimedOut || (serr != nil && ctx.Err() != nil):
		res.Status, res.Error, res.Cause = StatusTimedOut, errTimeout, serr.Cause
		if serr != errExecTimedOut {
			res.Cause = errExecTimedOut.Cause
		}
	case serr != nil:
		res.Status, res.Error, res.Cause = StatusFailed, serr.Name, serr.Cause
	default:
		b, err := encodeJSON(out)
		if err != nil {
			res.Status, res.Error, res.Cause = StatusFailed, errRuntime, "The execution output could not be serialized: "+err.Error()
			break
		}
		res.Status, res.Output = StatusSucceeded, string(b)
	}
	ex.closeHistory(res)
	return res
}

// closeHistory records the event ending a recorded execution, unless its last state already
// closed it (ExecutionFailed or ExecutionTimedOut).
func (ex *execution) closeHistory(res Result) {
	if !ex.events.record {
		return
	}
	switch last := ex.events.lastType(); {
	case last == "ExecutionFailed" || last == "ExecutionTimedOut":
	case res.Status == StatusSucceeded:
		ex.events.note("ExecutionSucceeded", "executionSucceededEventDetails", dstr("output", res.Output))
	case res.Status == StatusAborted:
		ex.events.note("ExecutionAborted", "executionAbortedEventDetails", dstr("error", res.Error), dstr("cause", res.Cause))
	case res.Status == StatusTimedOut:
		ex.events.note("ExecutionTimedOut", "executionTimedOutEventDetails", dstr("error", res.Error), dstr("cause", res.Cause))
	default:
		ex.events.note("ExecutionFailed", "executionFailedEventDetails", dstr("error", res.Error), dstr("cause", res.Cause))
	}
}

// executionContext is $$.Execution, its members in the order AWS gives them.
func (ex *execution) executionContext(input any) *value.Object {
	return value.ObjectOf(
		"Id", ex.arn,
		"Input", input,
		"StartTime", ex.start.UTC().Format(timeFormat),
		"Name", ex.name,
		"RoleArn", ex.eng.opts.RoleArn,
		"RedriveCount", json0,
	)
}

var json0 = value.Int(0)

// runGuarded is runProgram with a last line of defence: a bug that panics below the engine
// (an expression package, an integration) fails this execution instead of the process.
func (f *frame) runGuarded(p *program, input any) (out any, err *value.Error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, internalError(v)
		}
	}()
	return f.runProgram(p, input)
}

func internalError(v any) *value.Error {
	return &value.Error{Name: errRuntime, Cause: fmt.Sprintf("Internal error in the local engine: %v", v)}
}

func (f *frame) runProgram(p *program, input any) (any, *value.Error) {
	st := p.start
	for steps := 1; ; steps++ {
		if f.ctx.Err() != nil {
			return nil, errExecTimedOut
		}
		if steps%256 == 0 && !f.ex.deadline.IsZero() && !f.ex.eng.clock.Now().Before(f.ex.deadline) {
			return nil, errExecTimedOut
		}
		out, next, err := f.runState(st, input)
		if err != nil {
			return nil, err
		}
		if next == nil {
			return out, nil
		}
		st, input = next, out
	}
}

// stateRun is the per-state evaluation context.
type stateRun struct {
	f       *frame
	st      *state
	id      int64 // the StateEntered event id, cited in runtime error causes
	entered time.Time
	ctxObj  *value.Object  // built only when the state reads "$$"
	pending map[string]any // Assign results, applied after OutputPath (AWS evaluates both on old values)
	retries int
}

func (f *frame) runState(st *state, input any) (any, *state, *value.Error) {
	// Field by field rather than one struct assignment: r lives in the (heap) frame, and
	// zeroing the whole struct there costs write barriers on every state.
	r := &f.run
	if r.f != f {
		r.f = f
	}
	r.st, r.id, r.retries = st, f.events.note(st.entered, "stateEnteredEventDetails", dstr("name", st.name), djson("input", input)), 0
	if r.ctxObj != nil {
		r.ctxObj = nil
	}
	if r.pending != nil {
		r.pending = nil
	}
	trace := f.ex.eng.opts.Trace
	if trace != nil || st.needsCtx {
		r.entered = f.ex.eng.clock.Now()
	}
	if trace != nil {
		ev := Event{Kind: EventStateEntered, ExecutionArn: f.ex.arn, StateMachine: f.ex.m.name, Context: f.ctx, ID: r.id, State: st.name, StateType: st.typeName, Time: r.entered}
		if f.ex.eng.opts.TraceData {
			ev.Input, _ = value.Marshal(input)
		}
		trace(ev)
	}
	if st.needsCtx {
		r.buildContext()
	}
	out, next, err := r.eval(input)
	if err == nil && r.pending != nil {
		for k, v := range r.pending {
			if f.scope.vars == nil {
				f.scope.vars = make(map[string]any, len(r.pending))
			}
			f.scope.vars[k] = v
		}
	}
	switch {
	case err == nil:
		f.events.note(st.exited, "stateExitedEventDetails", dstr("name", st.name), djson("output", out))
	case st.kind != kFail:
		f.closeFailed(st, err) // the failure event closing the state
	}
	if trace != nil {
		now := f.ex.eng.clock.Now()
		ev := Event{Kind: EventStateExited, ExecutionArn: f.ex.arn, StateMachine: f.ex.m.name, Context: f.ctx, ID: f.events.n.Load(), State: st.name, StateType: st.typeName, Time: now, Duration: now.Sub(r.entered)}
		if err != nil {
			ev.Error = err.Name
		} else if f.ex.eng.opts.TraceData {
			ev.Output, _ = value.Marshal(out)
		}
		trace(ev)
	}
	return out, next, err
}

// closeFailed records the event closing a failed state: at the top of the execution it is
// ExecutionFailed (or ExecutionTimedOut), inside a branch or iteration the state's abort.
func (f *frame) closeFailed(st *state, err *value.Error) {
	switch {
	case f.events != &f.ex.events || f.scope.parent != nil:
		f.events.note(st.aborted, "")
	case err == errExecTimedOut:
		f.events.noteError("ExecutionTimedOut", "executionTimedOutEventDetails", err)
	default:
		f.events.noteError("ExecutionFailed", "executionFailedEventDetails", err)
	}
}

func (r *stateRun) buildContext() {
	stCtx := value.ObjectOf("Name", r.st.name, "EnteredTime", r.entered.UTC().Format(timeFormat))
	switch r.st.kind {
	case kTask, kMap, kParallel:
		stCtx.Set("RetryCount", value.Int(int64(r.retries)))
	}
	r.ctxObj = value.ObjectOf("Execution", r.f.execCtx, "StateMachine", r.f.ex.smCtx, "State", stCtx)
}

func (r *stateRun) env(input any) jsonpath.Env {
	return jsonpath.Env{Input: input, Context: r.ctxObj, Vars: r.f.vars}
}

// envFor is the JSONPath environment of a field: "$" is the current value of b.
func (r *stateRun) envFor(b bindings) jsonpath.Env {
	ctx := r.ctxObj
	if b.ctx != nil {
		ctx = b.ctx
	}
	return jsonpath.Env{Input: b.current(), Context: ctx, Vars: r.f.vars}
}

// runtimeErr prefixes a cause with the state and its entered event id, as AWS words runtime
// errors; err may be a *value.Error from a lower package (keeping its name) or any error.
func (r *stateRun) runtimeErr(err error) *value.Error {
	var ve *value.Error
	if errors.As(err, &ve) {
		if ve == errExecTimedOut {
			return ve
		}
		return &value.Error{Name: ve.Name, Cause: r.prefix() + ve.Cause}
	}
	return &value.Error{Name: errRuntime, Cause: r.prefix() + err.Error()}
}

func (r *stateRun) runtimeCause(format string, args ...any) *value.Error {
	return &value.Error{Name: errRuntime, Cause: r.prefix() + fmt.Sprintf(format, args...)}
}

func (r *stateRun) prefix() string {
	return "An error occurred while executing the state '" + r.st.name + "' (entered at the event id #" + strconv.FormatInt(r.id, 10) + "). "
}

// pathErr words a failed InputPath/OutputPath like AWS: "Invalid path '$.x' : No results for path: $['x']".
func (r *stateRun) pathErr(p *jsonpath.Path, err error) *value.Error {
	var ve *value.Error
	if errors.As(err, &ve) {
		return r.runtimeErr(ve)
	}
	if errors.Is(err, jsonpath.ErrNotFound) {
		return r.runtimeCause("Invalid path '%s' : %s", p.String(), err.Error())
	}
	return r.runtimeErr(err)
}

// eval is the one pipeline every state runs: effective input, the kind's action (under Retry
// and Catch for Task, Parallel and Map), Assign and the result shaping, then the output.
func (r *stateRun) eval(input any) (any, *state, *value.Error) {
	st := r.st
	eff, err := st.flow.effective(r, input)
	if err != nil {
		return nil, nil, err
	}
	b := bindings{input: input, eff: eff}
	var out any
	next := st.next
	if st.retryable() {
		o, caughtNext, err := r.withRetry(b)
		if err != nil {
			return nil, nil, err
		}
		if caughtNext != nil {
			return o, caughtNext, nil // a catcher's output skips OutputPath
		}
		out = o
	} else {
		oc, err := st.act.run(r, b)
		if err != nil {
			return nil, nil, err
		}
		if oc.next != nil {
			next = oc.next
		}
		assign, output := st.assign, st.output
		if oc.chosen {
			assign, output = oc.assign, oc.output
		}
		b.result, b.hasResult = oc.result, oc.hasResult
		if out, err = r.finish(b, assign, output); err != nil {
			return nil, nil, err
		}
	}
	out, err = st.flow.final(r, out)
	if err != nil {
		return nil, nil, err
	}
	if st.end || st.kind == kSucceed {
		next = nil
	}
	return out, next, nil
}

// finish runs Assign, then shapes the output (ResultSelector and ResultPath, or Output) and
// checks the payload limit.
func (r *stateRun) finish(b bindings, assign, output valueFn) (any, *value.Error) {
	if err := r.assignVars(assign, b); err != nil {
		return nil, err
	}
	return r.st.flow.shape(r, b, output)
}

// arguments evaluates Parameters or Arguments for a Task or Parallel attempt; a failure closes
// the attempt with its failure event.
func (r *stateRun) arguments(b bindings) (any, *value.Error) {
	v, err := r.st.flow.arguments(r, b)
	if err != nil {
		r.f.events.note(r.st.aborted, "") // the failure event
		return nil, err
	}
	return v, nil
}

// assignVars evaluates an Assign field into the pending variables (applied when the state
// exits, so every field of the state reads the old values, as in AWS).
func (r *stateRun) assignVars(f valueFn, b bindings) *value.Error {
	if f == nil {
		return nil
	}
	v, err := f(r, b)
	if err != nil {
		return err
	}
	m, ok := v.(*value.Object)
	if !ok {
		return r.runtimeCause("The Assign field must evaluate to an object")
	}
	if r.pending == nil {
		r.pending = make(map[string]any, m.Len())
	}
	for k, x := range m.All() {
		r.pending[k] = x
	}
	return nil
}

func (r *stateRun) dataLimit() *value.Error {
	return &value.Error{Name: errDataLimitExceeded, Cause: "The state/task '" + r.st.name + "' returned a result with a size exceeding the maximum number of bytes service limit."}
}

// renderRaw shows a value in a cause: strings as they are, anything else as JSON.
func renderRaw(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return value.MustString(v)
}

// sleep waits on the engine clock, ending the execution when it would outlive the deadline.
func (f *frame) sleep(d time.Duration) *value.Error {
	if d <= 0 {
		return nil
	}
	clk := f.ex.eng.clock
	if !f.ex.deadline.IsZero() {
		if remaining := f.ex.deadline.Sub(clk.Now()); d >= remaining {
			_ = clk.Sleep(f.ctx, max(remaining, 0)) // the execution ends either way
			return errExecTimedOut
		}
	}
	if err := clk.Sleep(f.ctx, d); err != nil {
		return errExecTimedOut
	}
	return nil
}

// withRetry runs a Task, Parallel or Map state's attempts with its Retry and Catch policies.
// It returns the state output, or the catcher's Next with the catcher's output.
func (r *stateRun) withRetry(b bindings) (any, *state, *value.Error) {
	st := r.st
	var counts []int
	for {
		out, err := r.attempt(b)
		if err == nil {
			return out, nil, nil
		}
		if err == errExecTimedOut || r.f.ctx.Err() != nil {
			return nil, nil, errExecTimedOut
		}
		retried, serr := r.retry(err, &counts)
		if serr != nil {
			return nil, nil, serr
		}
		if retried {
			continue
		}
		for _, c := range st.catch {
			if errorMatches(c.errorEquals, err.Name) {
				return r.caught(c, b, err)
			}
		}
		return nil, nil, err
	}
}

// retry waits before the next attempt when a retrier matches err and has attempts left
// (counts holds each retrier's attempts so far).
func (r *stateRun) retry(err *value.Error, counts *[]int) (bool, *value.Error) {
	st := r.st
	i := matchRetrier(st.retry, err.Name)
	if i < 0 {
		return false, nil
	}
	if *counts == nil {
		*counts = make([]int, len(st.retry))
	}
	rt := st.retry[i]
	n := (*counts)[i]
	if n >= rt.maxAttempts {
		return false, nil
	}
	delay := rt.delay(n)
	if rt.jitterFull {
		delay *= r.f.ex.eng.opts.Jitter()
	}
	(*counts)[i]++
	r.retries++
	if r.ctxObj != nil {
		r.buildContext() // $$.State.RetryCount
	}
	if serr := r.f.sleep(time.Duration(delay * float64(time.Second))); serr != nil {
		return false, serr
	}
	r.pending = nil
	return true, nil
}

// caught turns an error into the catcher's output: its Assign, then ResultPath or Output over
// the error output.
func (r *stateRun) caught(c *catcher, b bindings, err *value.Error) (any, *state, *value.Error) {
	cb := bindings{input: b.input, eff: b.eff, errorOutput: value.ObjectOf("Error", err.Name, "Cause", err.Cause)}
	r.pending = nil
	if aerr := r.assignVars(c.assign, cb); aerr != nil {
		return nil, nil, aerr
	}
	out, oerr := r.st.flow.caught(r, c, cb)
	if oerr != nil {
		return nil, nil, oerr
	}
	return out, c.next, nil
}

// attempt runs the action once and finishes its result.
func (r *stateRun) attempt(b bindings) (any, *value.Error) {
	oc, err := r.st.act.run(r, b)
	if err != nil {
		return nil, err
	}
	b.result, b.hasResult = oc.result, true
	return r.finish(b, r.st.assign, r.st.output)
}

func matchRetrier(rs []*retrier, name string) int {
	for i, rt := range rs {
		if errorMatches(rt.errorEquals, name) {
			return i
		}
	}
	return -1
}

// errorMatches applies ErrorEquals as AWS documents it: States.Runtime is terminal (no
// retrier or catcher ever handles it); States.ALL matches everything else except
// States.DataLimitExceeded (which only an explicit name catches); States.TaskFailed matches
// everything States.ALL does except States.Timeout.
func errorMatches(list []string, name string) bool {
	if name == errRuntime {
		return false
	}
	for _, e := range list {
		switch {
		case e == name:
			return true
		case e == errAll && name != errDataLimitExceeded:
			return true
		case e == errTaskFailed && name != errDataLimitExceeded && name != errTimeout:
			return true
		}
	}
	return false
}

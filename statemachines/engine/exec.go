package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine/jsonpath"
	"github.com/acme-oem/vehicle-data/statemachines/engine/payload"
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
	events   atomic.Int64 // the main workflow's history event ids
	deadline time.Time    // from TimeoutSeconds in clock time; zero when none
	execCtx  map[string]any
	smCtx    map[string]any
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
	events  *atomic.Int64 // history event ids; a distributed Map child has its own
	scope   scope
	vars    func(string) (any, bool)
	execCtx map[string]any // $$.Execution for this frame (a distributed child has its own input)
}

func newFrame(ex *execution, ctx context.Context, events *atomic.Int64, parent *scope, execCtx map[string]any) *frame {
	f := &frame{ex: ex, ctx: ctx, events: events, scope: scope{parent: parent}, execCtx: execCtx}
	f.vars = f.scope.get
	return f
}

func (e *Engine) run(ctx context.Context, m *machine, execName, execID string, input any) Result {
	start := e.clock.Now()
	arn := "arn:aws:states:" + e.opts.Region + ":" + e.opts.Account + ":express:" + m.name + ":" + execName + ":" + execID
	if m.standard {
		arn = "arn:aws:states:" + e.opts.Region + ":" + e.opts.Account + ":execution:" + m.name + ":" + execName
	}
	ex := &execution{
		eng:   e,
		m:     m,
		arn:   arn,
		name:  execName,
		start: start,
	}
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
		ex.smCtx = map[string]any{"Id": m.arn, "Name": m.name}
		ex.execCtx = ex.executionContext(input)
	}
	ex.events.Store(1) // ExecutionStarted
	f := newFrame(ex, ctx, &ex.events, nil, ex.execCtx)
	out, serr := f.runGuarded(m.prog, input)

	res := Result{ExecutionArn: ex.arn, StateMachineArn: m.arn, Name: execName, StartDate: start, StopDate: e.clock.Now()}
	switch {
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
	return res
}

func (ex *execution) executionContext(input any) map[string]any {
	return map[string]any{
		"Id":           ex.arn,
		"Input":        input,
		"Name":         ex.name,
		"RoleArn":      ex.eng.opts.RoleArn,
		"StartTime":    ex.start.UTC().Format(timeFormat),
		"RedriveCount": json0,
	}
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
	ctxObj  map[string]any // built only when the state reads "$$"
	pending map[string]any // Assign results, applied after OutputPath (AWS evaluates both on old values)
	retries int
}

func (f *frame) runState(st *state, input any) (any, *state, *value.Error) {
	r := stateRun{f: f, st: st, id: f.events.Add(1)}
	trace := f.ex.eng.opts.Trace
	if trace != nil || st.needsCtx {
		r.entered = f.ex.eng.clock.Now()
	}
	if trace != nil {
		ev := Event{Kind: EventStateEntered, ExecutionArn: f.ex.arn, ID: r.id, State: st.name, StateType: st.typeName, Time: r.entered}
		if f.ex.eng.opts.TraceData {
			ev.Input, _ = value.Marshal(input)
		}
		trace(ev)
	}
	if st.needsCtx {
		r.buildContext()
	}
	var out any
	var next *state
	var err *value.Error
	if st.jsonata {
		out, next, err = r.evalJSONata(input)
	} else {
		out, next, err = r.eval(input)
	}
	if err == nil && r.pending != nil {
		for k, v := range r.pending {
			if f.scope.vars == nil {
				f.scope.vars = make(map[string]any, len(r.pending))
			}
			f.scope.vars[k] = v
		}
	}
	if err == nil || st.kind != kFail {
		f.events.Add(1) // StateExited (or the failure event closing the state)
	}
	if trace != nil {
		now := f.ex.eng.clock.Now()
		ev := Event{Kind: EventStateExited, ExecutionArn: f.ex.arn, ID: f.events.Load(), State: st.name, StateType: st.typeName, Time: now, Duration: now.Sub(r.entered)}
		if err != nil {
			ev.Error = err.Name
		} else if f.ex.eng.opts.TraceData {
			ev.Output, _ = value.Marshal(out)
		}
		trace(ev)
	}
	return out, next, err
}

func (r *stateRun) buildContext() {
	stCtx := map[string]any{"Name": r.st.name, "EnteredTime": r.entered.UTC().Format(timeFormat)}
	switch r.st.kind {
	case kTask, kMap, kParallel:
		stCtx["RetryCount"] = value.Int(int64(r.retries))
	}
	r.ctxObj = map[string]any{"Execution": r.f.execCtx, "StateMachine": r.f.ex.smCtx, "State": stCtx}
}

func (r *stateRun) env(input any) jsonpath.Env {
	return jsonpath.Env{Input: input, Context: r.ctxObj, Vars: r.f.vars}
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

func (r *stateRun) eval(input any) (any, *state, *value.Error) {
	st := r.st
	if st.kind == kFail {
		return nil, nil, r.fail(input)
	}
	eff := input
	switch {
	case st.inputNull:
		eff = map[string]any{}
	case st.inputPath != nil:
		v, err := st.inputPath.Resolve(r.env(input))
		if err != nil {
			return nil, nil, r.pathErr(st.inputPath, err)
		}
		eff = v
	}

	var out any
	next := st.next
	switch st.kind {
	case kSucceed:
		out = eff
	case kChoice:
		n, err := r.choice(eff)
		if err != nil {
			return nil, nil, err
		}
		out, next = eff, n
	case kWait:
		if err := r.wait(eff); err != nil {
			return nil, nil, err
		}
		if err := r.evalAssign(st.assign, eff); err != nil {
			return nil, nil, err
		}
		out = eff
	case kPass:
		result := eff
		if st.parameters != nil {
			v, err := st.parameters.Eval(r.env(eff))
			if err != nil {
				return nil, nil, r.runtimeErr(err)
			}
			result = v
		}
		if st.hasResult {
			result = st.result
		}
		o, err := r.finishResult(input, result)
		if err != nil {
			return nil, nil, err
		}
		out = o
	default: // Task, Parallel, Map: retried and caught
		o, caughtNext, err := r.withRetry(input, eff)
		if err != nil {
			return nil, nil, err
		}
		if caughtNext != nil {
			return o, caughtNext, nil // a catcher's output skips OutputPath
		}
		out = o
	}

	switch {
	case st.outputNull:
		out = map[string]any{}
	case st.outputPath != nil:
		v, err := st.outputPath.Resolve(r.env(out))
		if err != nil {
			return nil, nil, r.pathErr(st.outputPath, err)
		}
		out = v
	}
	if st.end || st.kind == kSucceed {
		next = nil
	}
	return out, next, nil
}

// finishResult runs Assign, ResultSelector and ResultPath on a state's result and checks the
// payload limit. raw is the state's original input (ResultPath merges into it).
func (r *stateRun) finishResult(raw, result any) (any, *value.Error) {
	st := r.st
	if err := r.evalAssign(st.assign, result); err != nil {
		return nil, err
	}
	if st.resultSelector != nil {
		v, err := st.resultSelector.Eval(r.env(result))
		if err != nil {
			return nil, r.runtimeErr(err)
		}
		result = v
	}
	out, err := r.applyResultPath(raw, st.resultPath, st.resultDiscard, result)
	if err != nil {
		return nil, err
	}
	if st.kind != kPass || st.hasResult || st.parameters != nil || st.inputPath != nil || st.resultPath != nil {
		// Only a state that produced a new value can exceed the limit; a plain Pass forwards
		// its (already checked) input, so the hot path of Pass chains measures nothing.
		if !withinLimit(out, MaxPayloadBytes) {
			return nil, &value.Error{Name: errDataLimitExceeded, Cause: "The state/task '" + st.name + "' returned a result with a size exceeding the maximum number of bytes service limit."}
		}
	}
	return out, nil
}

func (r *stateRun) applyResultPath(raw any, p *jsonpath.Path, discard bool, result any) (any, *value.Error) {
	switch {
	case discard:
		return raw, nil
	case p == nil:
		return result, nil
	}
	out, err := jsonpath.Set(raw, p, result)
	if err != nil {
		return nil, r.runtimeErr(err)
	}
	return out, nil
}

func (r *stateRun) evalAssign(t *payload.Template, input any) *value.Error {
	if t == nil {
		return nil
	}
	v, err := t.Eval(r.env(input))
	if err != nil {
		return r.runtimeErr(err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return r.runtimeCause("The Assign field must evaluate to an object")
	}
	if r.pending == nil {
		r.pending = m
		return nil
	}
	for k, x := range m {
		r.pending[k] = x
	}
	return nil
}

func (r *stateRun) fail(input any) *value.Error {
	st := r.st
	name, cause := st.errorName, st.cause
	resolve := func(x *expr, field string) (string, *value.Error) {
		v, err := x.eval(r.env(input))
		if err != nil {
			if errors.Is(err, jsonpath.ErrNotFound) && x.path != nil {
				return "", r.runtimeCause("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", x.src, field, value.MustString(input))
			}
			return "", r.runtimeErr(err)
		}
		if s, ok := v.(string); ok {
			return s, nil
		}
		return value.MustString(v), nil
	}
	if st.errorExpr != nil {
		s, err := resolve(st.errorExpr, "ErrorPath")
		if err != nil {
			return err
		}
		name = s
	}
	if st.causeExpr != nil {
		s, err := resolve(st.causeExpr, "CausePath")
		if err != nil {
			return err
		}
		cause = s
	}
	return &value.Error{Name: name, Cause: cause}
}

func (r *stateRun) choice(eff any) (*state, *value.Error) {
	st := r.st
	env := r.env(eff)
	for _, b := range st.choices {
		ok, err := b.rule.Eval(env)
		if err != nil {
			return nil, r.runtimeErr(err)
		}
		if ok {
			if b.assign != nil {
				if err := r.evalAssign(b.assign, eff); err != nil {
					return nil, err
				}
			}
			return b.next, nil
		}
	}
	if st.defaultNext == nil {
		return nil, &value.Error{Name: errNoChoiceMatched, Cause: r.prefix() + "No Choice Rule matched and no Default state was specified."}
	}
	if err := r.evalAssign(st.assign, eff); err != nil {
		return nil, err
	}
	return st.defaultNext, nil
}

func (r *stateRun) wait(eff any) *value.Error {
	st := r.st
	clk := r.f.ex.eng.clock
	var d time.Duration
	switch {
	case st.hasSeconds:
		d = time.Duration(st.seconds) * time.Second
	case st.hasTimestamp:
		d = st.timestamp.Sub(clk.Now())
	case st.secondsPath != nil:
		v, err := st.secondsPath.Resolve(r.env(eff))
		if err != nil {
			if errors.Is(err, jsonpath.ErrNotFound) {
				return r.runtimeCause("The SecondsPath parameter does not reference an input value: %s", st.secondsPath)
			}
			return r.runtimeErr(err)
		}
		f, isNum := value.Float(v)
		switch {
		case !isNum || f != math.Trunc(f) || math.Abs(f) > math.MaxInt64/2:
			return r.runtimeCause("The SecondsPath parameter cannot be parsed as a long value: %s == %s", st.secondsPath, renderRaw(v))
		case f < 0:
			return r.runtimeCause("The SecondsPath parameter references a negative value: %s == %s", st.secondsPath, renderRaw(v))
		}
		d = time.Duration(f) * time.Second
	case st.timestampPath != nil:
		v, err := st.timestampPath.Resolve(r.env(eff))
		if err != nil {
			if errors.Is(err, jsonpath.ErrNotFound) {
				return r.runtimeCause("The TimestampPath parameter does not reference an input value: %s", st.timestampPath)
			}
			return r.runtimeErr(err)
		}
		s, _ := v.(string)
		ts, perr := parseTimestamp(s)
		if perr != nil {
			return r.runtimeCause("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", st.timestampPath, renderRaw(v))
		}
		d = ts.Sub(clk.Now())
	}
	return r.f.sleep(d)
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

// withRetry runs a Task, Parallel or Map state's work with its Retry and Catch policies.
// It returns the state output, or the catcher's Next with the catcher's output.
func (r *stateRun) withRetry(raw, eff any) (any, *state, *value.Error) {
	st := r.st
	var counts []int
	for {
		out, err := r.attempt(raw, eff)
		if err == nil {
			return out, nil, nil
		}
		if err == errExecTimedOut || r.f.ctx.Err() != nil {
			return nil, nil, errExecTimedOut
		}
		if i := matchRetrier(st.retry, err.Name); i >= 0 {
			if counts == nil {
				counts = make([]int, len(st.retry))
			}
			rt := st.retry[i]
			if counts[i] < rt.maxAttempts {
				delay := rt.interval * math.Pow(rt.backoff, float64(counts[i]))
				if rt.maxDelay > 0 && delay > rt.maxDelay {
					delay = rt.maxDelay
				}
				if rt.jitterFull {
					delay *= r.f.ex.eng.opts.Jitter()
				}
				counts[i]++
				r.retries++
				if r.ctxObj != nil {
					r.buildContext()
				}
				if serr := r.f.sleep(time.Duration(delay * float64(time.Second))); serr != nil {
					return nil, nil, serr
				}
				r.pending = nil
				continue
			}
		}
		for _, c := range st.catch {
			if !errorMatches(c.errorEquals, err.Name) {
				continue
			}
			errObj := map[string]any{"Error": err.Name, "Cause": err.Cause}
			r.pending = nil
			if err := r.evalAssign(c.assign, errObj); err != nil {
				return nil, nil, err
			}
			out, perr := r.applyResultPath(raw, c.resultPath, c.discard, errObj)
			if perr != nil {
				return nil, nil, perr
			}
			return out, c.next, nil
		}
		return nil, nil, err
	}
}

func (r *stateRun) attempt(raw, eff any) (any, *value.Error) {
	st := r.st
	in := eff
	token := ""
	if st.waitForToken {
		token = newTaskToken()
		r.ctxObj["Task"] = map[string]any{"Token": token}
	}
	if st.parameters != nil {
		v, err := st.parameters.Eval(r.env(eff))
		if err != nil {
			r.f.events.Add(1) // the failure event
			return nil, r.runtimeErr(err)
		}
		in = v
	}
	var result any
	var err *value.Error
	switch st.kind {
	case kTask:
		result, err = r.task(eff, in, token)
	case kParallel:
		result, err = r.parallel(in)
	case kMap:
		result, err = r.mapState(eff)
	}
	if err != nil {
		return nil, err
	}
	return r.finishResult(raw, result)
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

func (r *stateRun) task(eff, in any, token string) (any, *value.Error) {
	st := r.st
	ctx := r.f.ctx
	timeout := st.timeoutSeconds
	if st.timeoutPath != nil {
		v, err := st.timeoutPath.Resolve(r.env(eff))
		if err != nil {
			return nil, r.pathErr(st.timeoutPath, err)
		}
		f, ok := value.Float(v)
		if !ok || f <= 0 || f != math.Trunc(f) {
			return nil, r.runtimeCause("The TimeoutSecondsPath parameter must reference a positive integer: %s == %s", st.timeoutPath, renderRaw(v))
		}
		timeout = int64(f)
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(timeout)*time.Second)
		defer cancel()
	}
	heartbeat := st.heartbeatSeconds
	if st.heartbeatPath != nil {
		v, err := st.heartbeatPath.Resolve(r.env(eff))
		if err != nil {
			return nil, r.pathErr(st.heartbeatPath, err)
		}
		f, ok := value.Float(v)
		if !ok || f <= 0 || f != math.Trunc(f) {
			return nil, r.runtimeCause("The HeartbeatSecondsPath parameter must reference a positive integer: %s == %s", st.heartbeatPath, renderRaw(v))
		}
		heartbeat = int64(f)
	}
	var w *waiter
	if token != "" {
		w = r.f.ex.eng.callbacks.register(token)
		defer r.f.ex.eng.callbacks.release(token)
	}
	r.f.events.Add(2) // TaskScheduled, TaskStarted
	res, err := st.integ.Invoke(ctx, TaskRequest{Resource: st.resource, Parameters: in, StateName: st.name, TaskToken: token})
	if err == nil && w != nil {
		var cerr *value.Error
		if res, cerr = r.awaitCallback(ctx, w, time.Duration(heartbeat)*time.Second); cerr != nil {
			err = cerr
		}
	}
	r.f.events.Add(1) // TaskSucceeded / TaskFailed / TaskTimedOut
	if err != nil {
		if r.f.ctx.Err() != nil {
			return nil, errExecTimedOut
		}
		if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, &value.Error{Name: errTimeout, Cause: ""}
		}
		var ve *value.Error
		if errors.As(err, &ve) {
			return nil, ve
		}
		return nil, &value.Error{Name: errTaskFailed, Cause: err.Error()}
	}
	if ctx.Err() != nil && r.f.ctx.Err() == nil {
		return nil, &value.Error{Name: errTimeout, Cause: ""}
	}
	return res, nil
}

package engine

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// One action type per state kind. Fields whose meaning depends on the query language are
// compiled functions, so an action reads the same under JSONPath and JSONata.

// passState: a JSONPath Pass produces a result (Parameters, or Result); a JSONata Pass only
// assigns and shapes its output.
type passState struct {
	produces  bool
	result    any
	hasResult bool
}

func (p *passState) run(r *stateRun, b bindings) (outcome, *value.Error) {
	if !p.produces {
		return outcome{}, nil
	}
	v, err := r.st.flow.arguments(r, b)
	if err != nil {
		return outcome{}, err
	}
	if p.hasResult {
		v = p.result
	}
	return outcome{result: v, hasResult: true}, nil
}

type succeedState struct{}

func (succeedState) run(*stateRun, bindings) (outcome, *value.Error) { return outcome{}, nil }

// failState ends the execution with an error name and a cause (literals or expressions).
type failState struct {
	errorName, cause stringFn // nil: empty
}

func (f *failState) run(r *stateRun, b bindings) (outcome, *value.Error) {
	name, cause := "", ""
	var err *value.Error
	if f.errorName != nil {
		if name, err = f.errorName(r, b); err != nil {
			return outcome{}, err
		}
	}
	if f.cause != nil {
		if cause, err = f.cause(r, b); err != nil {
			return outcome{}, err
		}
	}
	return outcome{}, &value.Error{Name: name, Cause: cause}
}

type waitState struct {
	duration durationFn
}

func (w *waitState) run(r *stateRun, b bindings) (outcome, *value.Error) {
	d, err := w.duration(r, b)
	if err != nil {
		return outcome{}, err
	}
	return outcome{}, r.f.sleep(d)
}

type choiceState struct {
	rules       []*choiceRule
	defaultName string
	defaultNext *state
}

type choiceRule struct {
	test           conditionFn
	next           *state
	nextName       string
	assign, output valueFn
}

func (c *choiceState) run(r *stateRun, b bindings) (outcome, *value.Error) {
	for _, rule := range c.rules {
		ok, err := rule.test(r, b)
		if err != nil {
			return outcome{}, err
		}
		if ok {
			return outcome{next: rule.next, chosen: true, assign: rule.assign, output: rule.output}, nil
		}
	}
	if c.defaultNext == nil {
		return outcome{}, &value.Error{Name: errNoChoiceMatched, Cause: r.prefix() + "No Choice Rule matched and no Default state was specified."}
	}
	return outcome{next: c.defaultNext}, nil
}

type taskState struct {
	resource     string
	integ        Integration
	resourceType string // the service, as history events name it
	waitForToken bool   // Resource ends in .waitForTaskToken
	timeout      intFn  // TimeoutSeconds(Path); nil when absent
	heartbeat    intFn  // HeartbeatSeconds(Path); nil when absent
}

func (t *taskState) run(r *stateRun, b bindings) (outcome, *value.Error) {
	token := ""
	if t.waitForToken {
		// Parameters or Arguments may pass $$.Task.Token to the callee.
		token = newTaskToken()
		if r.ctxObj != nil {
			r.ctxObj.Set("Task", value.ObjectOf("Token", token))
		}
	}
	args, err := r.arguments(b)
	if err != nil {
		return outcome{}, err
	}
	res, err := t.invoke(r, b, args, token)
	if err != nil {
		return outcome{}, err
	}
	return outcome{result: res, hasResult: true}, nil
}

// seconds evaluates an optional seconds field.
func seconds(f intFn, r *stateRun, b bindings) (int64, *value.Error) {
	if f == nil {
		return 0, nil
	}
	return f(r, b)
}

func (t *taskState) invoke(r *stateRun, b bindings, args any, token string) (any, *value.Error) {
	ctx := r.f.ctx
	timeout, err := seconds(t.timeout, r, b)
	if err != nil {
		return nil, err
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(timeout)*time.Second)
		defer cancel()
	}
	heartbeat, err := seconds(t.heartbeat, r, b)
	if err != nil {
		return nil, err
	}
	var w *waiter
	if token != "" {
		w = r.f.ex.eng.callbacks.register(token)
		defer r.f.ex.eng.callbacks.release(token)
	}
	r.f.events.note("TaskScheduled", "taskScheduledEventDetails", dstr("resource", t.resource), dstr("resourceType", t.resourceType),
		dstr("region", r.f.ex.eng.opts.Region), djson("parameters", args))
	r.f.events.note("TaskStarted", "taskStartedEventDetails", dstr("resource", t.resource), dstr("resourceType", t.resourceType))
	res, ierr := t.integ.Invoke(ctx, TaskRequest{Resource: t.resource, Parameters: args, StateName: r.st.name, TaskToken: token})
	res = value.Normalize(res) // an integration may answer with Go maps
	if ierr == nil && w != nil {
		var cerr *value.Error
		if res, cerr = r.awaitCallback(ctx, w, time.Duration(heartbeat)*time.Second); cerr != nil {
			ierr = cerr
		}
	}
	var terr *value.Error
	switch {
	case ierr != nil:
		terr = r.taskError(ctx, ierr)
	case ctx.Err() != nil && r.f.ctx.Err() == nil:
		terr = &value.Error{Name: errTimeout, Cause: ""}
	}
	switch {
	case terr == nil:
		r.f.events.note("TaskSucceeded", "taskSucceededEventDetails", dstr("resource", t.resource), dstr("resourceType", t.resourceType), djson("output", res))
		return res, nil
	case terr.Name == errTimeout:
		r.f.events.noteError("TaskTimedOut", "taskTimedOutEventDetails", terr)
	default:
		r.f.events.noteError("TaskFailed", "taskFailedEventDetails", terr)
	}
	return nil, terr
}

// resourceType is the service a Task resource calls ("lambda", "dynamodb", ...), as history
// events name it.
func resourceType(resource string) string {
	rest, ok := strings.CutPrefix(resource, "arn:aws:states:::")
	if !ok {
		if parts := strings.Split(resource, ":"); len(parts) > 2 {
			return parts[2]
		}
		return ""
	}
	if svc, _, ok := strings.Cut(rest, ":"); ok {
		return svc
	}
	return rest
}

// taskError names an integration's failure: the execution's end, the task's timeout, the
// integration's own Step Functions error, or States.TaskFailed.
func (r *stateRun) taskError(ctx context.Context, err error) *value.Error {
	if r.f.ctx.Err() != nil {
		return errExecTimedOut
	}
	if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
		return &value.Error{Name: errTimeout, Cause: ""}
	}
	var ve *value.Error
	if errors.As(err, &ve) {
		return ve
	}
	return &value.Error{Name: errTaskFailed, Cause: err.Error()}
}

type parallelState struct {
	branches []*program
}

func (p *parallelState) run(r *stateRun, b bindings) (outcome, *value.Error) {
	args, err := r.arguments(b)
	if err != nil {
		return outcome{}, err
	}
	res, err := r.parallel(p.branches, args)
	if err != nil {
		return outcome{}, err
	}
	return outcome{result: res, hasResult: true}, nil
}

// mapState runs its item processor over an array, inline or as a distributed map's child
// executions.
type mapState struct {
	processor    *program
	distributed  bool
	label        string
	items        valueFn // ItemsPath or Items; nil: the effective input
	notArray     string  // the error name when the items are not an array
	itemSelector valueFn // nil: the item itself
	// MaxConcurrency(Path); nil: 0 (as many as possible).
	maxConcurrency intFn
	// ToleratedFailureCount(Path) and ToleratedFailurePercentage(Path); nil when absent.
	tolCount intFn
	tolPct   floatFn
}

// mapRun is one evaluation of a Map state's fields.
type mapRun struct {
	arr                  []any
	maxC                 int
	tolCount             int64
	tolPct               float64
	limitCount, limitPct bool
}

func (m *mapState) run(r *stateRun, b bindings) (outcome, *value.Error) {
	// The iteration closures run on worker goroutines: they capture a heap copy of the
	// stateRun, so the caller's stays on the stack for every other kind.
	return m.runOn(r.heapCopy(), b)
}

func (m *mapState) runOn(r *stateRun, b bindings) (outcome, *value.Error) {
	mr, err := m.evalFields(r, b)
	if err != nil {
		return outcome{}, err
	}
	var sel func(i int, item any) (any, *value.Error)
	if m.itemSelector != nil {
		sel = func(i int, item any) (any, *value.Error) {
			ib := bindings{input: b.input, eff: b.eff}
			if r.ctxObj != nil {
				ib.ctx = r.ctxObj.CloneWithRoom(1)
				ib.ctx.Set("Map", value.ObjectOf("Item", value.ObjectOf("Index", value.Int(int64(i)), "Value", item)))
			}
			return m.itemSelector(r, ib)
		}
	}
	r.f.events.note("MapStateStarted", "mapStateStartedEventDetails", dnum("length", int64(len(mr.arr))))
	res, err := r.runMapItems(m, mr, sel)
	if err != nil {
		return outcome{}, err
	}
	return outcome{result: res, hasResult: true}, nil
}

func (m *mapState) evalFields(r *stateRun, b bindings) (mapRun, *value.Error) {
	var mr mapRun
	items := b.eff
	if m.items != nil {
		v, err := m.items(r, b)
		if err != nil {
			return mr, err
		}
		items = v
	}
	arr, ok := items.([]any)
	if !ok {
		return mr, &value.Error{Name: m.notArray, Cause: r.prefix() + "Map state input must be an array but was: " + value.MustString(items)}
	}
	mr.arr = arr
	if m.maxConcurrency != nil {
		n, err := m.maxConcurrency(r, b)
		if err != nil {
			return mr, err
		}
		mr.maxC = int(n)
	}
	if m.tolCount != nil {
		n, err := m.tolCount(r, b)
		if err != nil {
			return mr, err
		}
		mr.tolCount, mr.limitCount = n, true
	}
	if m.tolPct != nil {
		p, err := m.tolPct(r, b)
		if err != nil {
			return mr, err
		}
		mr.tolPct, mr.limitPct = p, true
	}
	return mr, nil
}

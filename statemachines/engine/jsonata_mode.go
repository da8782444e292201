package engine

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine/jsonata"
	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// JSONata states replace the JSONPath fields (InputPath, Parameters, ResultSelector,
// ResultPath, OutputPath and every *Path) with Arguments, Output, Assign and "{% %}"
// expressions that read $states.input, $states.result, $states.errorOutput and
// $states.context.
var jsonataFields = map[kind][]string{
	kPass:     {"Next", "End", "Output", "Assign"},
	kTask:     {"Next", "End", "Resource", "Arguments", "Output", "Assign", "TimeoutSeconds", "HeartbeatSeconds", "Retry", "Catch", "Credentials"},
	kChoice:   {"Choices", "Default", "Output", "Assign"},
	kWait:     {"Next", "End", "Seconds", "Timestamp", "Output", "Assign"},
	kSucceed:  {"Output"},
	kFail:     {"Error", "Cause"},
	kParallel: {"Next", "End", "Branches", "Arguments", "Output", "Assign", "Retry", "Catch"},
	kMap:      {"Next", "End", "Items", "ItemSelector", "ItemProcessor", "Iterator", "ItemReader", "ResultWriter", "ItemBatcher", "MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage", "Label", "Output", "Assign", "Retry", "Catch"},
}

// jstate holds a JSONata state's compiled fields (nil when absent).
type jstate struct {
	output, assign, args                  *jsonata.Template
	items, itemSelector                   *jsonata.Template
	seconds, timestamp                    *jsonata.Template
	errorT, causeT                        *jsonata.Template
	maxConcurrency, tolCount, tolPct      *jsonata.Template
	timeoutSeconds, heartbeatSeconds      *jsonata.Template
	choices                               []*jchoice
	catchOutput, catchAssign              []*jsonata.Template // per catcher
	hasTolCount, hasTolPct, hasTimeout    bool
	hasHeartbeat, hasMaxConcurrency       bool
	hasItems, hasSeconds, hasTimestampFld bool
}

type jchoice struct {
	cond           *jsonata.Template
	output, assign *jsonata.Template
}

func (p *parser) jtemplate(raw map[string]any, field, loc string) *jsonata.Template {
	v, ok := raw[field]
	if !ok {
		return nil
	}
	t, err := jsonata.CompileTemplate(v)
	if err != nil {
		var te *jsonata.TemplateError
		if errors.As(err, &te) {
			// AWS reports the parser's message without its code, at the expression's pointer.
			p.fail("INVALID_JSONATA_EXPRESSION", loc+"/"+field+te.Pointer, "%s", te.Err.Message)
		} else {
			p.schema(loc+"/"+field, "Invalid JSONata in field '%s': %v", field, err)
		}
		return nil
	}
	// Expressions run without a context item (data comes from $states and variables): a
	// top-level field name, "$" or "$$" can only be a mistake, and AWS refuses it.
	t.Expressions(func(pointer string, x *jsonata.Expr) {
		for _, ref := range x.TopLevelReferences() {
			p.fail("UNSUPPORTED_JSONATA_EXPRESSION", loc+"/"+field+pointer, "Reference to '%s' at the top level is not supported.", ref)
		}
	})
	return t
}

// jsonataState compiles a JSONata state's fields; transitions are already parsed.
func (p *parser) jsonataState(st *state, raw map[string]any, loc string) {
	j := &jstate{}
	st.js = j
	j.output = p.jtemplate(raw, "Output", loc)
	j.assign = p.jtemplate(raw, "Assign", loc)
	if a, ok := raw["Assign"]; ok {
		if _, isObj := a.(map[string]any); !isObj {
			p.schema(loc+"/Assign", "The value for the field 'Assign' must be an OBJECT")
		}
	}
	j.args = p.jtemplate(raw, "Arguments", loc)
	st.retry = p.retriers(raw["Retry"], loc+"/Retry")
	if c, ok := raw["Catch"]; ok {
		st.catch = p.jsonataCatchers(j, c, loc+"/Catch")
	}
	switch st.kind {
	case kTask:
		p.task(st, withoutKeys(raw, "TimeoutSeconds", "HeartbeatSeconds"), loc)
		j.timeoutSeconds, j.hasTimeout = p.jtemplate(raw, "TimeoutSeconds", loc), raw["TimeoutSeconds"] != nil
		j.heartbeatSeconds, j.hasHeartbeat = p.jtemplate(raw, "HeartbeatSeconds", loc), raw["HeartbeatSeconds"] != nil
	case kChoice:
		cs, ok := raw["Choices"].([]any)
		if !ok || len(cs) == 0 {
			p.schema(loc+"/Choices", "The field 'Choices' is required and must be a non-empty array")
		}
		for i, c := range cs {
			cloc := fmt.Sprintf("%s/Choices/%d", loc, i)
			cm, ok := c.(map[string]any)
			if !ok {
				p.schema(cloc, "A choice rule must be an object")
				continue
			}
			for k := range cm {
				switch k {
				case "Condition", "Next", "Assign", "Output", "Comment":
				default:
					p.schema(cloc+"/"+k, "Field '%s' is not supported in a JSONata choice rule", k)
				}
			}
			if _, ok := cm["Condition"]; !ok {
				p.schema(cloc+"/Condition", "The field 'Condition' is required in a JSONata choice rule")
			}
			next, _ := cm["Next"].(string)
			if next == "" {
				p.schema(cloc+"/Next", "The field 'Next' is required in a choice rule")
			}
			st.choices = append(st.choices, &choiceBranch{nextName: next})
			j.choices = append(j.choices, &jchoice{
				cond:   p.jtemplate(cm, "Condition", cloc),
				output: p.jtemplate(cm, "Output", cloc),
				assign: p.jtemplate(cm, "Assign", cloc),
			})
		}
		if d, ok := raw["Default"]; ok {
			s, ok := d.(string)
			if !ok || s == "" {
				p.schema(loc+"/Default", "The value for the field 'Default' must be a non-empty STRING")
			}
			st.defaultName = s
		}
	case kWait:
		j.seconds, j.hasSeconds = p.jtemplate(raw, "Seconds", loc), raw["Seconds"] != nil
		j.timestamp, j.hasTimestampFld = p.jtemplate(raw, "Timestamp", loc), raw["Timestamp"] != nil
		if j.hasSeconds == j.hasTimestampFld {
			p.schema(loc, "A JSONata Wait state must contain exactly one of 'Seconds' or 'Timestamp'")
		}
	case kFail:
		j.errorT = p.jtemplate(raw, "Error", loc)
		j.causeT = p.jtemplate(raw, "Cause", loc)
	case kParallel:
		br, ok := raw["Branches"].([]any)
		if !ok || len(br) == 0 {
			p.schema(loc+"/Branches", "The field 'Branches' is required and must be a non-empty array")
		}
		for i, b := range br {
			bloc := fmt.Sprintf("%s/Branches/%d", loc, i)
			bm, ok := b.(map[string]any)
			if !ok {
				p.schema(bloc, "A branch must be an object")
				continue
			}
			p.subProgramChecks(bm, bloc)
			st.branches = append(st.branches, p.program(bm, bloc))
		}
	case kMap:
		p.mapState(st, withoutKeys(raw, "MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage", "ItemSelector"), loc)
		j.items, j.hasItems = p.jtemplate(raw, "Items", loc), raw["Items"] != nil
		j.itemSelector = p.jtemplate(raw, "ItemSelector", loc)
		j.maxConcurrency, j.hasMaxConcurrency = p.jtemplate(raw, "MaxConcurrency", loc), raw["MaxConcurrency"] != nil
		j.tolCount, j.hasTolCount = p.jtemplate(raw, "ToleratedFailureCount", loc), raw["ToleratedFailureCount"] != nil
		j.tolPct, j.hasTolPct = p.jtemplate(raw, "ToleratedFailurePercentage", loc), raw["ToleratedFailurePercentage"] != nil
		st.hasTolCount, st.hasTolPct = j.hasTolCount, j.hasTolPct
	}
}

var jsonataCatcherFields = map[string]bool{"ErrorEquals": true, "Next": true, "Output": true, "Assign": true, "Comment": true}

func (p *parser) jsonataCatchers(j *jstate, v any, loc string) []*catcher {
	var out []*catcher
	for _, it := range p.objectList(v, loc, "Catch", "catcher") {
		p.onlyFields(it, jsonataCatcherFields, "JSONata catcher")
		c := p.catcher(it)
		p.allLast(c.errorEquals, it, "catcher")
		out = append(out, c)
		j.catchOutput = append(j.catchOutput, p.jtemplate(it.m, "Output", it.loc))
		j.catchAssign = append(j.catchAssign, p.jtemplate(it.m, "Assign", it.loc))
	}
	return out
}

// jbindings builds the variables a JSONata field sees: $states plus the workflow variables
// (through Options.Vars, so scopes are not copied).
func (r *stateRun) jbindings(states map[string]any) (map[string]any, jsonata.Options) {
	return map[string]any{"states": states}, jsonata.Options{Now: r.f.ex.eng.clock.Now(), Vars: r.f.vars, Context: r.f.ctx}
}

func (r *stateRun) jstates(input any) map[string]any {
	return map[string]any{"input": input, "context": r.ctxObj}
}

func (r *stateRun) jeval(t *jsonata.Template, states map[string]any, field string) (any, *value.Error) {
	b, opts := r.jbindings(states)
	v, err := t.Eval(b, field, opts)
	if err != nil {
		return nil, r.runtimeErr(err)
	}
	return v, nil
}

// jassign evaluates an Assign template into the pending variables.
func (r *stateRun) jassign(t *jsonata.Template, states map[string]any) *value.Error {
	return r.jassignAt(t, states, "Assign")
}

// jassignAt is jassign for an Assign nested in a choice rule or catcher ("Choices[0]/Assign").
func (r *stateRun) jassignAt(t *jsonata.Template, states map[string]any, field string) *value.Error {
	if t == nil {
		return nil
	}
	v, err := r.jeval(t, states, field)
	if err != nil {
		return err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return r.runtimeCause("The Assign field must evaluate to an object")
	}
	if r.pending == nil {
		r.pending = make(map[string]any, len(m))
	}
	for k, x := range m {
		r.pending[k] = x
	}
	return nil
}

// joutput computes a state's output: the Output template, or def when there is none.
func (r *stateRun) joutput(t *jsonata.Template, states map[string]any, def any) (any, *value.Error) {
	return r.joutputAt(t, states, def, "Output")
}

// joutputAt is joutput for an Output nested in a choice rule or catcher ("Catch[1]/Output").
func (r *stateRun) joutputAt(t *jsonata.Template, states map[string]any, def any, field string) (any, *value.Error) {
	if t == nil {
		return def, nil
	}
	return r.jeval(t, states, field)
}

// jnumber evaluates a numeric field (a literal or an expression) as an integer.
func (r *stateRun) jinteger(t *jsonata.Template, states map[string]any, field string) (int64, *value.Error) {
	v, err := r.jeval(t, states, field)
	if err != nil {
		return 0, err
	}
	f, ok := value.Float(v)
	if !ok || f != math.Trunc(f) {
		return 0, r.jtypeErr(t, field, "integer", v)
	}
	return int64(f), nil
}

func (r *stateRun) jtypeErr(t *jsonata.Template, field, want string, got any) *value.Error {
	if x, ok := t.IsExpression(); ok {
		return r.runtimeErr(jsonata.TypeError(x, field, want, got))
	}
	return &value.Error{Name: jsonata.ErrQueryEvaluation, Cause: r.prefix() + fmt.Sprintf("The field '%s' must be of type %s, got %s", field, want, value.MustString(got))}
}

func (r *stateRun) evalJSONata(input any) (any, *state, *value.Error) {
	st := r.st
	j := st.js
	states := r.jstates(input)
	switch st.kind {
	case kFail:
		name, cause := "", ""
		if j.errorT != nil {
			v, err := r.jeval(j.errorT, states, "Error")
			if err != nil {
				return nil, nil, err
			}
			name = renderRaw(v)
		}
		if j.causeT != nil {
			v, err := r.jeval(j.causeT, states, "Cause")
			if err != nil {
				return nil, nil, err
			}
			cause = renderRaw(v)
		}
		return nil, nil, &value.Error{Name: name, Cause: cause}
	case kSucceed:
		out, err := r.joutput(j.output, states, input)
		return out, nil, err
	case kChoice:
		for i, b := range j.choices {
			v, err := r.jeval(b.cond, states, fmt.Sprintf("Choices[%d]/Condition", i))
			if err != nil {
				return nil, nil, err
			}
			ok, isBool := v.(bool)
			if !isBool {
				return nil, nil, r.jtypeErr(b.cond, fmt.Sprintf("Choices[%d]/Condition", i), "boolean", v)
			}
			if ok {
				if err := r.jassignAt(b.assign, states, fmt.Sprintf("Choices[%d]/Assign", i)); err != nil {
					return nil, nil, err
				}
				out, err := r.joutputAt(b.output, states, input, fmt.Sprintf("Choices[%d]/Output", i))
				return out, st.choices[i].next, err
			}
		}
		if st.defaultNext == nil {
			return nil, nil, &value.Error{Name: errNoChoiceMatched, Cause: r.prefix() + "No Choice Rule matched and no Default state was specified."}
		}
		if err := r.jassign(j.assign, states); err != nil {
			return nil, nil, err
		}
		out, err := r.joutput(j.output, states, input)
		return out, st.defaultNext, err
	case kWait:
		if err := r.jwait(states); err != nil {
			return nil, nil, err
		}
		if err := r.jassign(j.assign, states); err != nil {
			return nil, nil, err
		}
		out, err := r.joutput(j.output, states, input)
		return r.jnext(out, err)
	case kPass:
		if err := r.jassign(j.assign, states); err != nil {
			return nil, nil, err
		}
		out, err := r.joutput(j.output, states, input)
		if err == nil && j.output != nil && !withinLimit(out, MaxPayloadBytes) {
			err = r.dataLimit()
		}
		return r.jnext(out, err)
	}
	// Task, Parallel, Map: retried and caught.
	out, caughtNext, err := r.jwithRetry(input, states)
	if err != nil {
		return nil, nil, err
	}
	if caughtNext != nil {
		return out, caughtNext, nil
	}
	return r.jnext(out, nil)
}

func (r *stateRun) jnext(out any, err *value.Error) (any, *state, *value.Error) {
	if err != nil {
		return nil, nil, err
	}
	if r.st.end {
		return out, nil, nil
	}
	return out, r.st.next, nil
}

func (r *stateRun) dataLimit() *value.Error {
	return &value.Error{Name: errDataLimitExceeded, Cause: "The state/task '" + r.st.name + "' returned a result with a size exceeding the maximum number of bytes service limit."}
}

func (r *stateRun) jwait(states map[string]any) *value.Error {
	j := r.st.js
	clk := r.f.ex.eng.clock
	var d time.Duration
	if j.hasSeconds {
		n, err := r.jinteger(j.seconds, states, "Seconds")
		if err != nil {
			return err
		}
		if n < 0 {
			return &value.Error{Name: jsonata.ErrQueryEvaluation, Cause: r.prefix() + fmt.Sprintf("The Seconds field must be a non-negative integer, got %d", n)}
		}
		d = time.Duration(n) * time.Second
	} else {
		v, err := r.jeval(j.timestamp, states, "Timestamp")
		if err != nil {
			return err
		}
		s, _ := v.(string)
		ts, perr := parseTimestamp(s)
		if perr != nil {
			return &value.Error{Name: jsonata.ErrQueryEvaluation, Cause: r.prefix() + "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: " + renderRaw(v)}
		}
		d = ts.Sub(clk.Now())
	}
	return r.f.sleep(d)
}

// jwithRetry is withRetry for JSONata states: a catcher's Output (default: the error output)
// becomes the state output and its Assign sees $states.errorOutput.
func (r *stateRun) jwithRetry(input any, states map[string]any) (any, *state, *value.Error) {
	st := r.st
	j := st.js
	var counts []int
	for {
		out, err := r.jattempt(input, states)
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
			if rt := st.retry[i]; counts[i] < rt.maxAttempts {
				delay := rt.interval * math.Pow(rt.backoff, float64(counts[i]))
				if rt.maxDelay > 0 && delay > rt.maxDelay {
					delay = rt.maxDelay
				}
				if rt.jitterFull {
					delay *= r.f.ex.eng.opts.Jitter()
				}
				counts[i]++
				r.retries++
				r.buildContext()
				states["context"] = r.ctxObj
				if serr := r.f.sleep(time.Duration(delay * float64(time.Second))); serr != nil {
					return nil, nil, serr
				}
				r.pending = nil
				continue
			}
		}
		for ci, c := range st.catch {
			if !errorMatches(c.errorEquals, err.Name) {
				continue
			}
			errObj := map[string]any{"Error": err.Name, "Cause": err.Cause}
			cstates := map[string]any{"input": input, "context": r.ctxObj, "errorOutput": errObj}
			r.pending = nil
			if aerr := r.jassignAt(j.catchAssign[ci], cstates, fmt.Sprintf("Catch[%d]/Assign", ci)); aerr != nil {
				return nil, nil, aerr
			}
			out, oerr := r.joutputAt(j.catchOutput[ci], cstates, errObj, fmt.Sprintf("Catch[%d]/Output", ci))
			if oerr != nil {
				return nil, nil, oerr
			}
			return out, c.next, nil
		}
		return nil, nil, err
	}
}

func (r *stateRun) jattempt(input any, states map[string]any) (any, *value.Error) {
	st := r.st
	j := st.js
	var result any
	var err *value.Error
	switch st.kind {
	case kTask, kParallel:
		token := ""
		if st.waitForToken {
			// Arguments may pass $states.context.Task.Token to the callee.
			token = newTaskToken()
			r.ctxObj["Task"] = map[string]any{"Token": token}
		}
		args := input
		if j.args != nil {
			v, aerr := r.jeval(j.args, states, "Arguments")
			if aerr != nil {
				r.f.events.Add(1) // the failure event
				return nil, aerr
			}
			args = v
		}
		if st.kind == kParallel {
			result, err = r.parallel(args)
			break
		}
		result, err = r.jtask(input, args, states, token)
	case kMap:
		result, err = r.jmap(input, states)
	}
	if err != nil {
		return nil, err
	}
	rstates := map[string]any{"input": input, "context": r.ctxObj, "result": result}
	if err := r.jassign(j.assign, rstates); err != nil {
		return nil, err
	}
	out, err := r.joutput(j.output, rstates, result)
	if err != nil {
		return nil, err
	}
	if !withinLimit(out, MaxPayloadBytes) {
		return nil, r.dataLimit()
	}
	return out, nil
}

func (r *stateRun) jtask(input, args any, states map[string]any, token string) (any, *value.Error) {
	j := r.st.js
	saved := *r.st // the JSONPath task path reads the timeouts from the state
	st := &saved
	if j.hasTimeout {
		n, err := r.jinteger(j.timeoutSeconds, states, "TimeoutSeconds")
		if err != nil {
			return nil, err
		}
		st.timeoutSeconds = n
	}
	if j.hasHeartbeat {
		n, err := r.jinteger(j.heartbeatSeconds, states, "HeartbeatSeconds")
		if err != nil {
			return nil, err
		}
		st.heartbeatSeconds = n
	}
	tr := *r
	tr.st = st
	return tr.task(input, args, token)
}

// jmap runs on a heap copy for the same reason as mapState.
func (r *stateRun) jmap(input any, states map[string]any) (any, *value.Error) {
	return r.heapCopy().jmapOn(input, states)
}

func (r *stateRun) jmapOn(input any, states map[string]any) (any, *value.Error) {
	j := r.st.js
	items := input
	if j.hasItems {
		v, err := r.jeval(j.items, states, "Items")
		if err != nil {
			return nil, err
		}
		if _, ok := v.([]any); !ok {
			return nil, r.jtypeErr(j.items, "Items", "array", v)
		}
		items = v
	}
	arr, ok := items.([]any)
	if !ok {
		return nil, &value.Error{Name: jsonata.ErrQueryEvaluation, Cause: r.prefix() + "Map state input must be an array but was: " + value.MustString(items)}
	}
	saved := *r.st
	st := &saved
	st.itemSelector, st.itemsPath, st.maxConcurrencyPath, st.tolCountPath, st.tolPctPath = nil, nil, nil, nil, nil
	if j.hasMaxConcurrency {
		n, err := r.jinteger(j.maxConcurrency, states, "MaxConcurrency")
		if err != nil {
			return nil, err
		}
		st.maxConcurrency = int(max(n, 0))
	}
	if j.hasTolCount {
		n, err := r.jinteger(j.tolCount, states, "ToleratedFailureCount")
		if err != nil {
			return nil, err
		}
		st.tolCount = n
	}
	if j.hasTolPct {
		v, err := r.jeval(j.tolPct, states, "ToleratedFailurePercentage")
		if err != nil {
			return nil, err
		}
		f, ok := value.Float(v)
		if !ok {
			return nil, r.jtypeErr(j.tolPct, "ToleratedFailurePercentage", "number", v)
		}
		st.tolPct = f
	}
	mr := r.heapCopy()
	mr.st = st
	var sel func(i int, item any) (any, *value.Error)
	if j.itemSelector != nil {
		sel = func(i int, item any) (any, *value.Error) {
			ctxObj := make(map[string]any, len(r.ctxObj)+1)
			for k, v := range r.ctxObj {
				ctxObj[k] = v
			}
			ctxObj["Map"] = map[string]any{"Item": map[string]any{"Index": value.Int(int64(i)), "Value": item}}
			return mr.jeval(j.itemSelector, map[string]any{"input": input, "context": ctxObj}, "ItemSelector")
		}
	}
	r.f.events.Add(1) // MapStateStarted
	return mr.runMapItems(input, arr, sel, st.maxConcurrency, st.tolCount, st.tolPct)
}

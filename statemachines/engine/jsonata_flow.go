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

// jsonataFlow is the JSONata data flow: no input processing, Arguments, and Output over
// $states.input and $states.result.
type jsonataFlow struct {
	args valueFn
	// limitOutput: a Pass state's Output is checked against the payload limit (a result always
	// is).
	limitOutput bool
}

func (fl *jsonataFlow) effective(_ *stateRun, input any) (any, *value.Error) { return input, nil }

func (fl *jsonataFlow) arguments(r *stateRun, b bindings) (any, *value.Error) {
	if fl.args == nil {
		return b.input, nil
	}
	return fl.args(r, b)
}

func (fl *jsonataFlow) shape(r *stateRun, b bindings, output valueFn) (any, *value.Error) {
	if output == nil {
		if b.hasResult {
			return r.limited(b.result)
		}
		return b.input, nil
	}
	out, err := output(r, b)
	if err != nil {
		return nil, err
	}
	if b.hasResult || fl.limitOutput {
		return r.limited(out)
	}
	return out, nil
}

func (fl *jsonataFlow) caught(r *stateRun, c *catcher, b bindings) (any, *value.Error) {
	if c.output == nil {
		return b.errorOutput, nil
	}
	return c.output(r, b)
}

func (fl *jsonataFlow) final(_ *stateRun, out any) (any, *value.Error) { return out, nil }

// limited checks a state's output against the payload limit.
func (r *stateRun) limited(out any) (any, *value.Error) {
	if !withinLimit(out, MaxPayloadBytes) {
		return nil, r.dataLimit()
	}
	return out, nil
}

// states is the $states variable a JSONata field sees.
func (r *stateRun) states(b bindings) *value.Object {
	ctx := r.ctxObj
	if b.ctx != nil {
		ctx = b.ctx
	}
	s := value.NewObject(4)
	s.Set("input", b.input)
	if b.hasResult {
		s.Set("result", b.result)
	}
	if b.errorOutput != nil {
		s.Set("errorOutput", b.errorOutput)
	}
	s.Set("context", ctx)
	return s
}

// jeval evaluates a field's template with $states and the workflow variables (through
// Options.Vars, so scopes are not copied); field names it in error causes ("Catch[1]/Output").
func (r *stateRun) jeval(t *jsonata.Template, b bindings, field string) (any, *value.Error) {
	opts := jsonata.Options{Now: r.f.ex.eng.clock.Now(), Vars: r.f.vars, Context: r.f.ctx}
	v, err := t.Eval(map[string]any{"states": r.states(b)}, field, opts)
	if err != nil {
		return nil, r.runtimeErr(err)
	}
	return v, nil
}

func (r *stateRun) jtypeErr(t *jsonata.Template, field, want string, got any) *value.Error {
	if x, ok := t.IsExpression(); ok {
		return r.runtimeErr(jsonata.TypeError(x, field, want, got))
	}
	return &value.Error{Name: jsonata.ErrQueryEvaluation, Cause: r.prefix() + fmt.Sprintf("The field '%s' must be of type %s, got %s", field, want, value.MustString(got))}
}

func (r *stateRun) queryError(cause string) *value.Error {
	return &value.Error{Name: jsonata.ErrQueryEvaluation, Cause: r.prefix() + cause}
}

// Field functions compiled from JSONata templates.

func jsonataValue(t *jsonata.Template, field string) valueFn {
	if t == nil {
		return nil
	}
	return func(r *stateRun, b bindings) (any, *value.Error) { return r.jeval(t, b, field) }
}

// jsonataInt evaluates a numeric field (a literal or an expression) as an integer.
func jsonataInt(t *jsonata.Template, field string) intFn {
	if t == nil {
		return nil
	}
	return func(r *stateRun, b bindings) (int64, *value.Error) {
		v, err := r.jeval(t, b, field)
		if err != nil {
			return 0, err
		}
		f, ok := value.Float(v)
		if !ok || f != math.Trunc(f) {
			return 0, r.jtypeErr(t, field, "integer", v)
		}
		return int64(f), nil
	}
}

func jsonataString(t *jsonata.Template, field string) stringFn {
	if t == nil {
		return nil
	}
	return func(r *stateRun, b bindings) (string, *value.Error) {
		v, err := r.jeval(t, b, field)
		if err != nil {
			return "", err
		}
		return renderRaw(v), nil
	}
}

func (p *parser) jtemplate(raw *value.Object, field, loc string) *jsonata.Template {
	v, ok := raw.Get(field)
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

// jpresent is jtemplate for the fields a null value leaves out (numbers, Items, Seconds).
func (p *parser) jpresent(raw *value.Object, field, loc string) *jsonata.Template {
	if raw.Value(field) == nil {
		return nil
	}
	return p.jtemplate(raw, field, loc)
}

// jfield compiles a field to a value function named by the field in error causes.
func (p *parser) jfield(raw *value.Object, field, loc, name string) valueFn {
	return jsonataValue(p.jtemplate(raw, field, loc), name)
}

// jsonataState compiles a JSONata state's data flow and its kind's fields; transitions are
// already parsed.
func (p *parser) jsonataState(st *state, raw *value.Object, loc string) {
	fl := &jsonataFlow{limitOutput: st.kind == kPass}
	st.flow = fl
	st.output = p.jfield(raw, "Output", loc, "Output")
	st.assign = p.jfield(raw, "Assign", loc, "Assign")
	if a, ok := raw.Get("Assign"); ok {
		if _, isObj := a.(*value.Object); !isObj {
			p.schema(loc+"/Assign", "The value for the field 'Assign' must be an OBJECT")
		}
	}
	fl.args = p.jfield(raw, "Arguments", loc, "Arguments")
	st.retry = p.retriers(raw.Value("Retry"), loc+"/Retry")
	if c, ok := raw.Get("Catch"); ok {
		st.catch = p.jsonataCatchers(c, loc+"/Catch")
	}
	switch st.kind {
	case kPass:
		st.act = &passState{}
	case kSucceed:
		st.act = succeedState{}
	case kTask:
		t := p.task(st, raw, loc)
		t.timeout = jsonataInt(p.jpresent(raw, "TimeoutSeconds", loc), "TimeoutSeconds")
		t.heartbeat = jsonataInt(p.jpresent(raw, "HeartbeatSeconds", loc), "HeartbeatSeconds")
		st.act = t
	case kChoice:
		st.act = p.jsonataChoice(raw, loc)
	case kWait:
		st.act = p.jsonataWait(raw, loc)
	case kFail:
		st.act = &failState{
			errorName: jsonataString(p.jtemplate(raw, "Error", loc), "Error"),
			cause:     jsonataString(p.jtemplate(raw, "Cause", loc), "Cause"),
		}
	case kParallel:
		st.act = p.parallel(raw, loc)
	case kMap:
		st.act = p.jsonataMap(raw, loc)
	}
}

func (p *parser) jsonataChoice(raw *value.Object, loc string) *choiceState {
	ch := &choiceState{}
	cs, ok := raw.Value("Choices").([]any)
	if !ok || len(cs) == 0 {
		p.schema(loc+"/Choices", "The field 'Choices' is required and must be a non-empty array")
	}
	for i, c := range cs {
		cloc := fmt.Sprintf("%s/Choices/%d", loc, i)
		cm, ok := c.(*value.Object)
		if !ok {
			p.schema(cloc, "A choice rule must be an object")
			continue
		}
		for k := range cm.All() {
			switch k {
			case "Condition", "Next", "Assign", "Output", "Comment":
			default:
				p.schema(cloc+"/"+k, "Field '%s' is not supported in a JSONata choice rule", k)
			}
		}
		if _, ok := cm.Get("Condition"); !ok {
			p.schema(cloc+"/Condition", "The field 'Condition' is required in a JSONata choice rule")
		}
		next, _ := cm.Value("Next").(string)
		if next == "" {
			p.schema(cloc+"/Next", "The field 'Next' is required in a choice rule")
		}
		at := fmt.Sprintf("Choices[%d]/", i)
		ch.rules = append(ch.rules, &choiceRule{
			nextName: next,
			test:     jsonataCondition(p.jtemplate(cm, "Condition", cloc), at+"Condition"),
			assign:   p.jfield(cm, "Assign", cloc, at+"Assign"),
			output:   p.jfield(cm, "Output", cloc, at+"Output"),
		})
	}
	ch.defaultName = p.choiceDefault(raw, loc)
	return ch
}

func jsonataCondition(t *jsonata.Template, field string) conditionFn {
	return func(r *stateRun, b bindings) (bool, *value.Error) {
		if t == nil { // reported at load
			return false, nil
		}
		v, err := r.jeval(t, b, field)
		if err != nil {
			return false, err
		}
		ok, isBool := v.(bool)
		if !isBool {
			return false, r.jtypeErr(t, field, "boolean", v)
		}
		return ok, nil
	}
}

func (p *parser) jsonataWait(raw *value.Object, loc string) *waitState {
	hasSeconds, hasTimestamp := raw.Value("Seconds") != nil, raw.Value("Timestamp") != nil
	if hasSeconds == hasTimestamp {
		p.schema(loc, "A JSONata Wait state must contain exactly one of 'Seconds' or 'Timestamp'")
	}
	if hasSeconds {
		secs := jsonataInt(p.jpresent(raw, "Seconds", loc), "Seconds")
		return &waitState{duration: func(r *stateRun, b bindings) (time.Duration, *value.Error) {
			if secs == nil {
				return 0, nil
			}
			n, err := secs(r, b)
			if err != nil {
				return 0, err
			}
			if n < 0 {
				return 0, r.queryError(fmt.Sprintf("The Seconds field must be a non-negative integer, got %d", n))
			}
			return time.Duration(n) * time.Second, nil
		}}
	}
	ts := jsonataValue(p.jpresent(raw, "Timestamp", loc), "Timestamp")
	return &waitState{duration: func(r *stateRun, b bindings) (time.Duration, *value.Error) {
		if ts == nil {
			return 0, nil
		}
		v, err := ts(r, b)
		if err != nil {
			return 0, err
		}
		s, _ := v.(string)
		t, perr := parseTimestamp(s)
		if perr != nil {
			return 0, r.queryError("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: " + renderRaw(v))
		}
		return t.Sub(r.f.ex.eng.clock.Now()), nil
	}}
}

func (p *parser) jsonataMap(raw *value.Object, loc string) *mapState {
	m := p.mapState(raw, loc)
	m.notArray = jsonata.ErrQueryEvaluation
	if t := p.jpresent(raw, "Items", loc); t != nil {
		m.items = func(r *stateRun, b bindings) (any, *value.Error) {
			v, err := r.jeval(t, b, "Items")
			if err != nil {
				return nil, err
			}
			if _, ok := v.([]any); !ok {
				return nil, r.jtypeErr(t, "Items", "array", v)
			}
			return v, nil
		}
	}
	m.itemSelector = p.jfield(raw, "ItemSelector", loc, "ItemSelector")
	if mc := jsonataInt(p.jpresent(raw, "MaxConcurrency", loc), "MaxConcurrency"); mc != nil {
		m.maxConcurrency = func(r *stateRun, b bindings) (int64, *value.Error) {
			n, err := mc(r, b)
			return max(n, 0), err
		}
	}
	m.tolCount = jsonataInt(p.jpresent(raw, "ToleratedFailureCount", loc), "ToleratedFailureCount")
	if t := p.jpresent(raw, "ToleratedFailurePercentage", loc); t != nil {
		m.tolPct = func(r *stateRun, b bindings) (float64, *value.Error) {
			v, err := r.jeval(t, b, "ToleratedFailurePercentage")
			if err != nil {
				return 0, err
			}
			f, ok := value.Float(v)
			if !ok {
				return 0, r.jtypeErr(t, "ToleratedFailurePercentage", "number", v)
			}
			return f, nil
		}
	}
	return m
}

var jsonataCatcherFields = map[string]bool{"ErrorEquals": true, "Next": true, "Output": true, "Assign": true, "Comment": true}

func (p *parser) jsonataCatchers(v any, loc string) []*catcher {
	var out []*catcher
	for i, it := range p.objectList(v, loc, "Catch", "catcher") {
		p.onlyFields(it, jsonataCatcherFields, "JSONata catcher")
		c := p.catcher(it)
		p.allLast(c.errorEquals, it, "catcher")
		at := fmt.Sprintf("Catch[%d]/", i)
		c.output = p.jfield(it.m, "Output", it.loc, at+"Output")
		c.assign = p.jfield(it.m, "Assign", it.loc, at+"Assign")
		out = append(out, c)
	}
	return out
}

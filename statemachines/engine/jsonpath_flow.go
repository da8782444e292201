package engine

import (
	"errors"
	"math"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine/jsonpath"
	"github.com/acme-oem/vehicle-data/statemachines/engine/payload"
	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// jsonpathFlow is the JSONPath data flow: InputPath, Parameters, ResultSelector, ResultPath
// and OutputPath, with "$" the current value and "$$" the context object.
type jsonpathFlow struct {
	inputPath, outputPath *jsonpath.Path
	inputNull, outputNull bool
	resultPath            *jsonpath.Path // nil with resultDiscard false means "$"
	resultDiscard         bool
	parameters            *payload.Template
	resultSelector        *payload.Template
	// checkLimit: the result can exceed the payload limit. A plain Pass forwards its (already
	// checked) input, so the hot path of Pass chains measures nothing.
	checkLimit bool
}

func (fl *jsonpathFlow) effective(r *stateRun, input any) (any, *value.Error) {
	switch {
	case fl.inputNull:
		return value.NewObject(0), nil
	case fl.inputPath != nil:
		v, err := fl.inputPath.Resolve(r.env(input))
		if err != nil {
			return nil, r.pathErr(fl.inputPath, err)
		}
		return v, nil
	}
	return input, nil
}

func (fl *jsonpathFlow) arguments(r *stateRun, b bindings) (any, *value.Error) {
	if fl.parameters == nil {
		return b.eff, nil
	}
	v, err := fl.parameters.Eval(r.envFor(b))
	if err != nil {
		return nil, r.runtimeErr(err)
	}
	return v, nil
}

func (fl *jsonpathFlow) shape(r *stateRun, b bindings, _ valueFn) (any, *value.Error) {
	if !b.hasResult {
		return b.eff, nil
	}
	result := b.result
	if fl.resultSelector != nil {
		v, err := fl.resultSelector.Eval(r.envFor(b))
		if err != nil {
			return nil, r.runtimeErr(err)
		}
		result = v
	}
	out, err := r.applyResultPath(b.input, fl.resultPath, fl.resultDiscard, result)
	if err != nil {
		return nil, err
	}
	if fl.checkLimit && !withinLimit(out, MaxPayloadBytes) {
		return nil, r.dataLimit()
	}
	return out, nil
}

func (fl *jsonpathFlow) caught(r *stateRun, c *catcher, b bindings) (any, *value.Error) {
	return r.applyResultPath(b.input, c.resultPath, c.discard, b.errorOutput)
}

func (fl *jsonpathFlow) final(r *stateRun, out any) (any, *value.Error) {
	switch {
	case fl.outputNull:
		return value.NewObject(0), nil
	case fl.outputPath != nil:
		v, err := fl.outputPath.Resolve(r.env(out))
		if err != nil {
			return nil, r.pathErr(fl.outputPath, err)
		}
		return v, nil
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

// Field functions compiled from JSONPath definitions. Their messages are AWS's.

func pathTemplate(t *payload.Template) valueFn {
	if t == nil {
		return nil
	}
	return func(r *stateRun, b bindings) (any, *value.Error) {
		v, err := t.Eval(r.envFor(b))
		if err != nil {
			return nil, r.runtimeErr(err)
		}
		return v, nil
	}
}

func constInt(n int64) intFn {
	return func(*stateRun, bindings) (int64, *value.Error) { return n, nil }
}

// pathInt reads an integer through a reference path (TimeoutSecondsPath and the like);
// convert says whether the value qualifies and words the error when it does not.
func pathInt(p *jsonpath.Path, convert func(r *stateRun, v any) (int64, *value.Error)) intFn {
	return func(r *stateRun, b bindings) (int64, *value.Error) {
		v, err := p.Resolve(r.envFor(b))
		if err != nil {
			return 0, r.pathErr(p, err)
		}
		return convert(r, v)
	}
}

// positiveSeconds is the check of TimeoutSecondsPath and HeartbeatSecondsPath.
func positiveSeconds(field string, p *jsonpath.Path) func(r *stateRun, v any) (int64, *value.Error) {
	return func(r *stateRun, v any) (int64, *value.Error) {
		f, ok := value.Float(v)
		if !ok || f <= 0 || f != math.Trunc(f) {
			return 0, r.runtimeCause("The %s parameter must reference a positive integer: %s == %s", field, p, renderRaw(v))
		}
		return int64(f), nil
	}
}

func maxConcurrencyPath(p *jsonpath.Path) intFn {
	return pathInt(p, func(r *stateRun, v any) (int64, *value.Error) {
		n, ok := looseInt(v)
		if !ok {
			return 0, r.runtimeCause(`The MaxConcurrencyPath field refers to value "%s" which is not a valid integer: %s`, renderRaw(v), p)
		}
		if n < 0 {
			return 0, r.runtimeCause("Expected non-negative integer for MaxConcurrency, got '%d' instead.", n)
		}
		return min(n, math.MaxInt32), nil
	})
}

func toleratedCountPath(p *jsonpath.Path) intFn {
	return pathInt(p, func(r *stateRun, v any) (int64, *value.Error) {
		n, ok := strictInt(v)
		switch {
		case !ok:
			return 0, r.runtimeCause(`The ToleratedFailureCountPath field refers to value "%s" which is not a valid integer: %s`, renderRaw(v), p)
		case n < 0:
			return 0, r.runtimeCause("ToleratedFailureCount cannot be negative.")
		}
		return n, nil
	})
}

func toleratedPercentagePath(p *jsonpath.Path) floatFn {
	return func(r *stateRun, b bindings) (float64, *value.Error) {
		v, err := p.Resolve(r.envFor(b))
		if err != nil {
			return 0, r.pathErr(p, err)
		}
		pct, ok := percentage(v)
		switch {
		case !ok:
			return 0, r.runtimeCause(`The ToleratedFailurePercentagePath field refers to value "%s" which is not a valid float: %s`, renderRaw(v), p)
		case pct < 0 || pct > 100:
			return 0, r.runtimeCause("ToleratedFailurePercentage must be between 0 and 100.")
		}
		return pct, nil
	}
}

func secondsPath(p *jsonpath.Path) durationFn {
	return func(r *stateRun, b bindings) (time.Duration, *value.Error) {
		v, err := p.Resolve(r.envFor(b))
		if err != nil {
			if errors.Is(err, jsonpath.ErrNotFound) {
				return 0, r.runtimeCause("The SecondsPath parameter does not reference an input value: %s", p)
			}
			return 0, r.runtimeErr(err)
		}
		f, isNum := value.Float(v)
		switch {
		case !isNum || f != math.Trunc(f) || math.Abs(f) > math.MaxInt64/2:
			return 0, r.runtimeCause("The SecondsPath parameter cannot be parsed as a long value: %s == %s", p, renderRaw(v))
		case f < 0:
			return 0, r.runtimeCause("The SecondsPath parameter references a negative value: %s == %s", p, renderRaw(v))
		}
		return time.Duration(f) * time.Second, nil
	}
}

func timestampPath(p *jsonpath.Path) durationFn {
	return func(r *stateRun, b bindings) (time.Duration, *value.Error) {
		v, err := p.Resolve(r.envFor(b))
		if err != nil {
			if errors.Is(err, jsonpath.ErrNotFound) {
				return 0, r.runtimeCause("The TimestampPath parameter does not reference an input value: %s", p)
			}
			return 0, r.runtimeErr(err)
		}
		s, _ := v.(string)
		ts, perr := parseTimestamp(s)
		if perr != nil {
			return 0, r.runtimeCause("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", p, renderRaw(v))
		}
		return ts.Sub(r.f.ex.eng.clock.Now()), nil
	}
}

func constString(s string) stringFn {
	return func(*stateRun, bindings) (string, *value.Error) { return s, nil }
}

// exprString is a Fail state's ErrorPath or CausePath: a string as it is, anything else as JSON.
func exprString(x *expr, field string) stringFn {
	return func(r *stateRun, b bindings) (string, *value.Error) {
		env := r.envFor(b)
		v, err := x.eval(env)
		if err != nil {
			if errors.Is(err, jsonpath.ErrNotFound) && x.path != nil {
				return "", r.runtimeCause("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", x.src, field, value.MustString(env.Input))
			}
			return "", r.runtimeErr(err)
		}
		if s, ok := v.(string); ok {
			return s, nil
		}
		return value.MustString(v), nil
	}
}

// jsonpathState compiles a JSONPath state's data flow and its kind's fields; transitions are
// already parsed.
func (p *parser) jsonpathState(st *state, raw *value.Object, loc string) {
	fl := &jsonpathFlow{}
	st.flow = fl
	fl.inputPath, fl.inputNull = p.nullablePath(raw, "InputPath", loc)
	fl.outputPath, fl.outputNull = p.nullablePath(raw, "OutputPath", loc)
	fl.resultPath, fl.resultDiscard = p.nullablePath(raw, "ResultPath", loc)
	if fl.resultPath != nil && fl.resultPath.String() == "$" {
		fl.resultPath = nil
	}
	if fl.resultPath != nil && (!fl.resultPath.Definite() || strings.HasPrefix(fl.resultPath.String(), "$$")) {
		p.schema(loc+"/ResultPath", "The value for the field 'ResultPath' must be a valid ReferencePath")
	}
	fl.parameters = p.template(raw, "Parameters", loc)
	fl.resultSelector = p.template(raw, "ResultSelector", loc)
	st.assign = pathTemplate(p.template(raw, "Assign", loc))
	result, hasResult := raw.Get("Result")
	fl.checkLimit = st.kind != kPass || hasResult || fl.parameters != nil || fl.inputPath != nil || fl.resultPath != nil
	st.retry = p.retriers(raw.Value("Retry"), loc+"/Retry")
	st.catch = p.catchers(raw.Value("Catch"), loc+"/Catch")

	switch st.kind {
	case kPass:
		st.act = &passState{produces: true, result: result, hasResult: hasResult}
	case kSucceed:
		st.act = succeedState{}
	case kTask:
		st.act = p.pathTask(st, raw, loc)
	case kChoice:
		st.act = p.pathChoice(raw, loc)
	case kWait:
		st.act = p.pathWait(raw, loc)
	case kFail:
		st.act = p.pathFail(raw, loc)
	case kParallel:
		st.act = p.parallel(raw, loc)
	case kMap:
		m := p.mapState(raw, loc)
		m.notArray = errRuntime
		p.pathMapFields(m, fl, raw, loc)
		st.act = m
	}
}

func (p *parser) pathTask(st *state, raw *value.Object, loc string) *taskState {
	t := p.task(st, raw, loc)
	var timeout, heartbeat int64
	if v, ok := raw.Get("TimeoutSeconds"); ok {
		timeout = p.positiveInt(v, loc+"/TimeoutSeconds", "TimeoutSeconds")
		t.timeout = constInt(timeout)
	}
	if v, ok := raw.Get("HeartbeatSeconds"); ok {
		heartbeat = p.positiveInt(v, loc+"/HeartbeatSeconds", "HeartbeatSeconds")
		t.heartbeat = constInt(heartbeat)
	}
	if tp := p.refPath(raw, "TimeoutSecondsPath", loc); tp != nil {
		if timeout > 0 {
			p.schema(loc, "A Task state cannot include both TimeoutSeconds and TimeoutSecondsPath")
		}
		t.timeout = pathInt(tp, positiveSeconds("TimeoutSecondsPath", tp))
	}
	if hp := p.refPath(raw, "HeartbeatSecondsPath", loc); hp != nil {
		if heartbeat > 0 {
			p.schema(loc, "A Task state cannot include both HeartbeatSeconds and HeartbeatSecondsPath")
		}
		t.heartbeat = pathInt(hp, positiveSeconds("HeartbeatSecondsPath", hp))
	}
	if heartbeat > 0 && timeout > 0 && heartbeat >= timeout {
		p.schema(loc+"/HeartbeatSeconds", "HeartbeatSeconds must be smaller than TimeoutSeconds")
	}
	return t
}

func (p *parser) pathWait(raw *value.Object, loc string) *waitState {
	w := &waitState{}
	n := 0
	if v, ok := raw.Get("Seconds"); ok {
		n++
		f, isNum := value.Float(v)
		if !isNum || f < 0 || f != math.Trunc(f) {
			p.schema(loc+"/Seconds", "The value for the field 'Seconds' must be a non-negative integer")
		}
		d := time.Duration(int64(f)) * time.Second
		w.duration = func(*stateRun, bindings) (time.Duration, *value.Error) { return d, nil }
	}
	if v, ok := raw.Get("Timestamp"); ok {
		n++
		s, _ := v.(string)
		ts, err := parseTimestamp(s)
		if err != nil {
			p.schema(loc+"/Timestamp", "The value for the field 'Timestamp' must be a valid ISO-8601 timestamp")
		}
		w.duration = func(r *stateRun, _ bindings) (time.Duration, *value.Error) {
			return ts.Sub(r.f.ex.eng.clock.Now()), nil
		}
	}
	if sp := p.refPath(raw, "SecondsPath", loc); sp != nil {
		n++
		w.duration = secondsPath(sp)
	}
	if tp := p.refPath(raw, "TimestampPath", loc); tp != nil {
		n++
		w.duration = timestampPath(tp)
	}
	if n != 1 {
		p.schema(loc, "A Wait state must contain exactly one of 'Seconds', 'SecondsPath', 'Timestamp' or 'TimestampPath'")
	}
	return w
}

func (p *parser) pathFail(raw *value.Object, loc string) *failState {
	f := &failState{}
	for _, fld := range []struct {
		name, path string
		dst        *stringFn
	}{{"Error", "ErrorPath", &f.errorName}, {"Cause", "CausePath", &f.cause}} {
		v, hasLiteral := raw.Get(fld.name)
		if hasLiteral {
			s, ok := v.(string)
			if !ok {
				p.schema(loc+"/"+fld.name, "The value for the field '%s' must be a STRING", fld.name)
			}
			*fld.dst = constString(s)
		}
		if x := p.pathOrCall(raw, fld.path, loc); x != nil {
			if hasLiteral {
				p.schema(loc, "A Fail state cannot include both '%s' and '%s'", fld.name, fld.path)
			}
			*fld.dst = exprString(x, fld.path)
		}
	}
	return f
}

// pathMapFields compiles the JSONPath fields of a Map state; Parameters is the legacy name of
// ItemSelector.
func (p *parser) pathMapFields(m *mapState, fl *jsonpathFlow, raw *value.Object, loc string) {
	if ip := p.refPath(raw, "ItemsPath", loc); ip != nil {
		m.items = func(r *stateRun, b bindings) (any, *value.Error) {
			v, err := ip.Resolve(r.envFor(b))
			if err != nil {
				return nil, r.pathErr(ip, err)
			}
			return v, nil
		}
	}
	sel := p.template(raw, "ItemSelector", loc)
	if sel != nil && fl.parameters != nil {
		p.schema(loc, "A Map state cannot include both 'ItemSelector' and 'Parameters'")
	}
	if sel == nil {
		sel, fl.parameters = fl.parameters, nil
	}
	m.itemSelector = pathTemplate(sel)
	if v, ok := raw.Get("MaxConcurrency"); ok {
		m.maxConcurrency = constInt(p.nonNegativeInt(v, loc+"/MaxConcurrency", "MaxConcurrency"))
	}
	if mp := p.refPath(raw, "MaxConcurrencyPath", loc); mp != nil {
		m.maxConcurrency = maxConcurrencyPath(mp)
	}
	if v, ok := raw.Get("ToleratedFailureCount"); ok {
		m.tolCount = constInt(p.nonNegativeInt(v, loc+"/ToleratedFailureCount", "ToleratedFailureCount"))
	}
	if tp := p.refPath(raw, "ToleratedFailureCountPath", loc); tp != nil {
		m.tolCount = toleratedCountPath(tp)
	}
	if v, ok := raw.Get("ToleratedFailurePercentage"); ok {
		f, isNum := value.Float(v)
		if !isNum || f < 0 || f > 100 {
			p.schema(loc+"/ToleratedFailurePercentage", "The value for the field 'ToleratedFailurePercentage' must be a number between 0 and 100")
		}
		m.tolPct = func(*stateRun, bindings) (float64, *value.Error) { return f, nil }
	}
	if tp := p.refPath(raw, "ToleratedFailurePercentagePath", loc); tp != nil {
		m.tolPct = toleratedPercentagePath(tp)
	}
	for _, pair := range [][2]string{{"MaxConcurrency", "MaxConcurrencyPath"}, {"ToleratedFailureCount", "ToleratedFailureCountPath"}, {"ToleratedFailurePercentage", "ToleratedFailurePercentagePath"}} {
		a, b := raw.Has(pair[0]), raw.Has(pair[1])
		if a && b {
			p.schema(loc, "A Map state cannot include both '%s' and '%s'", pair[0], pair[1])
		}
	}
}

package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/acme-oem/vehicle-data/statemachines/engine/choice"
	"github.com/acme-oem/vehicle-data/statemachines/engine/intrinsic"
	"github.com/acme-oem/vehicle-data/statemachines/engine/jsonpath"
	"github.com/acme-oem/vehicle-data/statemachines/engine/payload"
	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// Problem is one reason a definition is invalid, in CreateStateMachine's terms: a code such as
// SCHEMA_VALIDATION_FAILED, a message, and the JSON pointer of the offending field
// ("/States/Lookup/Next").
type Problem struct {
	Code     string
	Message  string
	Location string
}

func (p Problem) String() string {
	if p.Location == "" {
		return p.Code + ": " + p.Message
	}
	return p.Code + ": " + p.Message + " at " + p.Location
}

// ValidationError is returned by Load for a definition CreateStateMachine would reject.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "Invalid State Machine Definition: '" + strings.Join(parts, ", ") + "'"
}

// Fields every state type accepts, then per type. Anything else is rejected, as AWS does.
var commonFields = []string{"Type", "Comment", "QueryLanguage"}

var typeFields = map[kind][]string{
	kPass:     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Assign"},
	kTask:     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Retry", "Catch", "Assign", "Credentials"},
	kChoice:   {"InputPath", "OutputPath", "Choices", "Default", "Assign"},
	kWait:     {"Next", "End", "InputPath", "OutputPath", "Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign"},
	kSucceed:  {"InputPath", "OutputPath"},
	kFail:     {"Error", "ErrorPath", "Cause", "CausePath"},
	kParallel: {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Branches", "Retry", "Catch", "Assign"},
	kMap:      {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "ItemsPath", "ItemSelector", "ItemReader", "ResultWriter", "Iterator", "ItemProcessor", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ItemBatcher", "Label", "Retry", "Catch", "Assign"},
}

// expr is a Fail state's ErrorPath/CausePath: a reference path or an intrinsic function.
type expr struct {
	src  string
	path *jsonpath.Path
	call *intrinsic.Call
}

func (x *expr) eval(env jsonpath.Env) (any, error) {
	if x.call != nil {
		return x.call.Eval(env)
	}
	return x.path.Resolve(env)
}

type parser struct {
	eng      *Engine
	problems []Problem
	readsCtx bool // some state reads "$$"; otherwise executions skip building the context object
	// jsonataDefault is the machine's QueryLanguage: states without their own use it.
	jsonataDefault bool
	// machineJSONata: the machine itself declares JSONata, so no state may declare JSONPath.
	machineJSONata bool
}

func (p *parser) fail(code, loc, format string, args ...any) {
	p.problems = append(p.problems, Problem{Code: code, Message: fmt.Sprintf(format, args...), Location: loc})
}

func (p *parser) schema(loc, format string, args ...any) {
	p.fail("SCHEMA_VALIDATION_FAILED", loc, format, args...)
}

// parseDefinition validates a decoded definition and builds the executable model.
func (p *parser) parseDefinition(raw any) (*program, int64) {
	top, ok := raw.(*value.Object)
	if !ok {
		p.schema("", "The state machine definition must be a JSON object")
		return nil, 0
	}
	var timeout int64
	for k, v := range top.All() {
		switch k {
		case "StartAt", "States", "Comment":
		case "Version":
			if s, ok := v.(string); !ok || s != "1.0" {
				p.schema("/Version", "The value for the field 'Version' must be \"1.0\"")
			}
		case "TimeoutSeconds":
			timeout = p.positiveInt(v, "/TimeoutSeconds", "TimeoutSeconds")
		case "QueryLanguage":
			p.jsonataDefault = p.queryLanguage(v, "/QueryLanguage")
			p.machineJSONata = p.jsonataDefault
		default:
			p.schema("/"+k, "Field '%s' is not supported", k)
		}
	}
	return p.program(top, ""), timeout
}

// queryLanguage reads a QueryLanguage field and reports whether it selects JSONata.
func (p *parser) queryLanguage(v any, loc string) bool {
	s, _ := v.(string)
	switch s {
	case "JSONPath":
		return false
	case "JSONata":
		if p.eng.opts.DisableJSONata {
			p.schema(loc, "QueryLanguage 'JSONata' is disabled in this engine (Options.DisableJSONata)")
		}
		return true
	default:
		p.schema(loc, "The value for the field 'QueryLanguage' must be 'JSONPath' or 'JSONata'")
		return false
	}
}

func (p *parser) program(raw *value.Object, loc string) *program {
	prog := &program{states: map[string]*state{}}
	if ql, ok := raw.Get("QueryLanguage"); ok && loc != "" {
		saved := p.jsonataDefault
		p.jsonataDefault = p.queryLanguage(ql, loc+"/QueryLanguage")
		defer func() { p.jsonataDefault = saved }()
	}
	startAt, ok := raw.Value("StartAt").(string)
	if !ok || startAt == "" {
		p.schema(loc+"/StartAt", "The field 'StartAt' is required and must be a non-empty string")
	}
	states, ok := raw.Value("States").(*value.Object)
	if !ok {
		p.schema(loc+"/States", "The field 'States' is required and must be an object")
		return prog
	}
	if states.Len() == 0 {
		p.schema(loc+"/States", "The field 'States' must contain at least one state")
	}
	names := make([]string, 0, states.Len())
	for name := range states.All() {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic problem order
	for _, name := range names {
		sloc := loc + "/States/" + name
		if name == "" || len(name) > 80 {
			p.schema(sloc, "State names must be 1 to 80 characters long, got '%s'", name)
		}
		sraw, ok := states.Value(name).(*value.Object)
		if !ok {
			p.schema(sloc, "The state '%s' must be a JSON object", name)
			continue
		}
		if st := p.state(name, sraw, sloc); st != nil {
			prog.states[name] = st
		}
	}
	if startAt != "" {
		if st, ok := prog.states[startAt]; ok {
			prog.start = st
		} else if _, exists := states.Get(startAt); !exists {
			p.fail("MISSING_TRANSITION_TARGET", loc+"/StartAt", "Missing 'StartAt' target: %s", startAt)
		}
	}
	if prog.start == nil && len(p.problems) == 0 {
		p.schema(loc+"/StartAt", "The field 'StartAt' must name a state")
	}
	for _, name := range names {
		if st := prog.states[name]; st != nil {
			p.link(prog, st, loc+"/States/"+name)
		}
	}
	p.reachability(prog, names, loc)
	return prog
}

// link resolves a state's transitions (Next, a Choice's rules and Default, the catchers' Next)
// to the states of its workflow.
func (p *parser) link(prog *program, st *state, sloc string) {
	target := func(name, where string) *state {
		t, ok := prog.states[name]
		if !ok {
			p.fail("MISSING_TRANSITION_TARGET", where, "Missing 'Next' target: %s", name)
		}
		return t
	}
	if st.nextName != "" {
		st.next = target(st.nextName, sloc+"/Next")
	}
	if ch, ok := st.act.(*choiceState); ok {
		for i, c := range ch.rules {
			c.next = target(c.nextName, fmt.Sprintf("%s/Choices/%d/Next", sloc, i))
		}
		if ch.defaultName != "" {
			ch.defaultNext = target(ch.defaultName, sloc+"/Default")
		}
	}
	for i, c := range st.catch {
		c.next = target(c.nextName, fmt.Sprintf("%s/Catch/%d/Next", sloc, i))
	}
}

// reachability rejects states no transition reaches and workflows that cannot end, as
// CreateStateMachine does.
func (p *parser) reachability(prog *program, names []string, loc string) {
	if prog.start == nil || len(p.problems) > 0 {
		return
	}
	seen := map[*state]bool{}
	stack := []*state{prog.start}
	terminal := false
	for len(stack) > 0 {
		st := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if st == nil || seen[st] {
			continue
		}
		seen[st] = true
		if st.end || st.kind == kSucceed || st.kind == kFail {
			terminal = true
		}
		stack = append(stack, st.next)
		if ch, ok := st.act.(*choiceState); ok {
			stack = append(stack, ch.defaultNext)
			for _, c := range ch.rules {
				stack = append(stack, c.next)
			}
		}
		for _, c := range st.catch {
			stack = append(stack, c.next)
		}
	}
	for _, name := range names {
		if st := prog.states[name]; st != nil && !seen[st] {
			p.fail("UNREACHABLE_STATE", loc+"/States/"+name, "State \"%s\" is not reachable.", name)
		}
	}
	if !terminal {
		p.fail("MISSING_TERMINAL_STATE", loc+"/States", "The workflow has no reachable terminal state (End, Succeed or Fail)")
	}
}

func (p *parser) state(name string, raw *value.Object, loc string) *state {
	typ, ok := raw.Value("Type").(string)
	if !ok {
		p.schema(loc+"/Type", "The field 'Type' is required and must be a string")
		return nil
	}
	k, ok := kinds[typ]
	if !ok {
		p.schema(loc+"/Type", "The value for the field 'Type' must be one of Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map")
		return nil
	}
	st := &state{name: name, kind: k, typeName: typ, entered: typ + "StateEntered", exited: typ + "StateExited", aborted: typ + "StateAborted"}
	jsonata := p.jsonataDefault
	if ql, ok := raw.Get("QueryLanguage"); ok {
		jsonata = p.queryLanguage(ql, loc+"/QueryLanguage")
		if p.machineJSONata && ql == "JSONPath" {
			p.schema(loc, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")
		}
	}
	fields := typeFields[k]
	if jsonata {
		fields = jsonataFields[k]
	}
	p.onlyStateFields(raw, fields, typ, loc)
	st.needsCtx = readsContext(raw) || jsonata // $states.context may be read anywhere
	p.readsCtx = p.readsCtx || st.needsCtx
	switch k {
	case kChoice, kSucceed, kFail:
	default:
		p.transition(st, raw, loc)
	}
	if jsonata {
		p.jsonataState(st, raw, loc)
	} else {
		p.jsonpathState(st, raw, loc)
	}
	return st
}

// onlyStateFields reports every field a state of type typ does not accept.
func (p *parser) onlyStateFields(raw *value.Object, fields []string, typ, loc string) {
	allowed := map[string]bool{}
	for _, f := range commonFields {
		allowed[f] = true
	}
	for _, f := range fields {
		allowed[f] = true
	}
	keys := make([]string, 0, raw.Len())
	for f := range raw.All() {
		keys = append(keys, f)
	}
	sort.Strings(keys)
	for _, f := range keys {
		if !allowed[f] {
			p.schema(loc+"/"+f, "Field '%s' is not supported by a %s state", f, typ)
		}
	}
}

// transition reads Next or End (exactly one) of a state that is not Choice, Succeed or Fail.
func (p *parser) transition(st *state, raw *value.Object, loc string) {
	next, hasNext := raw.Get("Next")
	end, hasEnd := raw.Get("End")
	if hasNext {
		s, ok := next.(string)
		if !ok || s == "" {
			p.schema(loc+"/Next", "The value for the field 'Next' must be a non-empty STRING")
		}
		st.nextName = s
	}
	if hasEnd {
		b, ok := end.(bool)
		if !ok {
			p.schema(loc+"/End", "The value for the field 'End' must be a BOOLEAN")
		}
		st.end = b
	}
	switch {
	case hasNext && hasEnd && st.end:
		p.schema(loc, "State '%s' must not have both 'Next' and 'End'", st.name)
	case !hasNext && !st.end:
		p.schema(loc, "State '%s' must have either 'Next' or 'End': true", st.name)
	}
}

func (p *parser) subProgramChecks(raw *value.Object, loc string) {
	for k := range raw.All() {
		switch k {
		case "StartAt", "States", "Comment", "ProcessorConfig":
		case "QueryLanguage": // read by program: a workflow's QueryLanguage is its states' default
		default:
			p.schema(loc+"/"+k, "Field '%s' is not supported", k)
		}
	}
}

// task reads a Task state's Resource; the timeouts depend on the query language.
func (p *parser) task(st *state, raw *value.Object, loc string) *taskState {
	t := &taskState{}
	res, ok := raw.Value("Resource").(string)
	if !ok || res == "" {
		p.schema(loc+"/Resource", "The field 'Resource' is required and must be a string")
		return t
	}
	t.resource, t.resourceType = res, resourceType(res)
	if base, ok := strings.CutSuffix(res, waitSuffix); ok {
		t.waitForToken = true
		st.needsCtx, p.readsCtx = true, true // $$.Task.Token
		res = base
	}
	t.integ = p.eng.integrations.lookup(res)
	if t.integ == nil {
		p.schema(loc+"/Resource", "The resource provided %s is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.", res)
	}
	return t
}

func (p *parser) pathChoice(raw *value.Object, loc string) *choiceState {
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
		rule, err := choice.Compile(withoutKeys(cm, "Assign", "Output"))
		if err != nil {
			p.schema(cloc, "%v", err)
			continue
		}
		cr := &choiceRule{test: ruleCondition(rule), nextName: rule.Next()}
		if a, ok := cm.Get("Assign"); ok {
			t, err := payload.Compile(a)
			if err != nil {
				p.schema(cloc+"/Assign", "%v", err)
			}
			cr.assign = pathTemplate(t)
		}
		if cr.nextName == "" {
			p.schema(cloc+"/Next", "The field 'Next' is required in a choice rule")
		}
		ch.rules = append(ch.rules, cr)
	}
	ch.defaultName = p.choiceDefault(raw, loc)
	return ch
}

func ruleCondition(rule *choice.Rule) conditionFn {
	return func(r *stateRun, b bindings) (bool, *value.Error) {
		ok, err := rule.Eval(r.envFor(b))
		if err != nil {
			return false, r.runtimeErr(err)
		}
		return ok, nil
	}
}

// choiceDefault reads a Choice state's Default in either query language.
func (p *parser) choiceDefault(raw *value.Object, loc string) string {
	d, ok := raw.Get("Default")
	if !ok {
		return ""
	}
	s, ok := d.(string)
	if !ok || s == "" {
		p.schema(loc+"/Default", "The value for the field 'Default' must be a non-empty STRING")
	}
	return s
}

// parallel compiles a Parallel state's branches.
func (p *parser) parallel(raw *value.Object, loc string) *parallelState {
	ps := &parallelState{}
	br, ok := raw.Value("Branches").([]any)
	if !ok || len(br) == 0 {
		p.schema(loc+"/Branches", "The field 'Branches' is required and must be a non-empty array")
	}
	for i, b := range br {
		bloc := fmt.Sprintf("%s/Branches/%d", loc, i)
		bm, ok := b.(*value.Object)
		if !ok {
			p.schema(bloc, "A branch must be an object")
			continue
		}
		p.subProgramChecks(bm, bloc)
		ps.branches = append(ps.branches, p.program(bm, bloc))
	}
	return ps
}

func withoutKeys(m *value.Object, keys ...string) *value.Object {
	out := m.Clone()
	for _, k := range keys {
		out.Delete(k)
	}
	return out
}

// mapState compiles what a Map state has in either query language: its item processor and
// Label; it refuses the item sources and sinks this engine does not implement.
func (p *parser) mapState(raw *value.Object, loc string) *mapState {
	m := &mapState{}
	it, hasIt := raw.Value("Iterator").(*value.Object)
	ip, hasIP := raw.Value("ItemProcessor").(*value.Object)
	switch {
	case hasIt && hasIP:
		p.schema(loc, "A Map state cannot include both 'Iterator' and 'ItemProcessor'")
	case !hasIt && !hasIP:
		p.schema(loc+"/ItemProcessor", "The field 'ItemProcessor' is required and must be an object")
		return m
	}
	proc, field := ip, "/ItemProcessor"
	if hasIt {
		proc, field = it, "/Iterator"
	}
	m.distributed = p.processorMode(proc, loc+field)
	p.subProgramChecks(proc, loc+field)
	m.processor = p.program(proc, loc+field)
	for _, u := range [][2]string{
		{"ItemReader", "ItemReader is not supported by this engine (items must come from the state input)"},
		{"ResultWriter", "ResultWriter is not supported by this engine"},
		{"ItemBatcher", "ItemBatcher is not supported by this engine"},
	} {
		if raw.Has(u[0]) {
			p.schema(loc+"/"+u[0], "%s", u[1])
		}
	}
	if v, ok := raw.Get("Label"); ok {
		s, ok := v.(string)
		if !ok || s == "" || utf8.RuneCountInString(s) > 40 || strings.ContainsAny(s, " \t\n\r<>{}[]?*\"#%\\^|~`$&,;:/") || strings.IndexFunc(s, unicode.IsControl) >= 0 {
			p.schema(loc+"/Label", "The value for the field 'Label' must be 1 to 40 characters without whitespace, brackets, wildcards or special characters")
		}
		m.label = s
	}
	return m
}

// processorMode reads ProcessorConfig.Mode and reports whether it is DISTRIBUTED.
func (p *parser) processorMode(proc *value.Object, loc string) bool {
	cfg, ok := proc.Get("ProcessorConfig")
	if !ok {
		return false
	}
	cm, ok := cfg.(*value.Object)
	if !ok {
		p.schema(loc+"/ProcessorConfig", "The value for the field 'ProcessorConfig' must be an object")
	}
	switch cm.Value("Mode") {
	case nil, "INLINE":
		return false
	case "DISTRIBUTED":
		return true
	default:
		p.schema(loc+"/ProcessorConfig/Mode", "The value for the field 'Mode' must be INLINE or DISTRIBUTED")
		return false
	}
}

func (p *parser) nonNegativeInt(v any, loc, field string) int64 {
	f, isNum := value.Float(v)
	if !isNum || f < 0 || f != math.Trunc(f) {
		p.schema(loc, "The value for the field '%s' must be a non-negative integer", field)
	}
	return int64(f)
}

func (p *parser) positiveInt(v any, loc, field string) int64 {
	f, ok := value.Float(v)
	if !ok || f <= 0 || f != math.Trunc(f) || f > 99999999 {
		p.schema(loc, "The value for the field '%s' must be a positive integer", field)
		return 0
	}
	return int64(f)
}

func (p *parser) nullablePath(raw *value.Object, field, loc string) (*jsonpath.Path, bool) {
	v, ok := raw.Get(field)
	if !ok {
		return nil, false
	}
	if v == nil {
		return nil, true
	}
	s, ok := v.(string)
	if !ok {
		p.schema(loc+"/"+field, "The value for the field '%s' must be a STRING or null", field)
		return nil, false
	}
	path, err := jsonpath.Parse(s)
	if err != nil {
		p.schema(loc+"/"+field, "The value for the field '%s' must be a valid JSONPath: %v", field, err)
		return nil, false
	}
	return path, false
}

func (p *parser) refPath(raw *value.Object, field, loc string) *jsonpath.Path {
	v, ok := raw.Get(field)
	if !ok {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		p.schema(loc+"/"+field, "The value for the field '%s' must be a STRING", field)
		return nil
	}
	path, err := jsonpath.Parse(s)
	if err != nil {
		p.schema(loc+"/"+field, "The value for the field '%s' must be a valid JSONPath: %v", field, err)
		return nil
	}
	return path
}

func (p *parser) pathOrCall(raw *value.Object, field, loc string) *expr {
	v, ok := raw.Get(field)
	if !ok {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		p.schema(loc+"/"+field, "The value for the field '%s' must be a STRING", field)
		return nil
	}
	if strings.HasPrefix(s, "States.") {
		call, err := intrinsic.Parse(s)
		if err != nil {
			p.schema(loc+"/"+field, "The value for the field '%s' must be a valid intrinsic function: %v", field, err)
			return nil
		}
		return &expr{src: s, call: call}
	}
	path, err := jsonpath.Parse(s)
	if err != nil {
		p.schema(loc+"/"+field, "The value for the field '%s' must be a valid JSONPath: %v", field, err)
		return nil
	}
	return &expr{src: s, path: path}
}

func (p *parser) template(raw *value.Object, field, loc string) *payload.Template {
	v, ok := raw.Get(field)
	if !ok {
		return nil
	}
	if field == "Assign" {
		if _, ok := v.(*value.Object); !ok {
			p.schema(loc+"/"+field, "The value for the field 'Assign' must be an OBJECT")
			return nil
		}
	}
	t, err := payload.Compile(v)
	if err != nil {
		p.schema(loc+"/"+field, "%v", err)
		return nil
	}
	return t
}

func (p *parser) errorEquals(v any, loc string) []string {
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		p.schema(loc+"/ErrorEquals", "The field 'ErrorEquals' is required and must be a non-empty array of strings")
		return nil
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		s, ok := e.(string)
		if !ok {
			p.schema(loc+"/ErrorEquals", "The field 'ErrorEquals' must contain strings only")
			continue
		}
		out = append(out, s)
	}
	for _, s := range out {
		if s == errAll && len(out) > 1 {
			p.schema(loc+"/ErrorEquals", "States.ALL must appear alone in the ErrorEquals array")
		}
	}
	return out
}

var retrierFields = map[string]bool{"ErrorEquals": true, "IntervalSeconds": true, "MaxAttempts": true, "BackoffRate": true, "MaxDelaySeconds": true, "JitterStrategy": true, "Comment": true}
var catcherFields = map[string]bool{"ErrorEquals": true, "Next": true, "ResultPath": true, "Assign": true, "Comment": true}

func (p *parser) retriers(v any, loc string) []*retrier {
	if v == nil {
		return nil
	}
	var out []*retrier
	for _, it := range p.objectList(v, loc, "Retry", "retrier") {
		m, rloc := it.m, it.loc
		p.onlyFields(it, retrierFields, "retrier")
		rt := &retrier{errorEquals: p.errorEquals(m.Value("ErrorEquals"), rloc), interval: 1, maxAttempts: 3, backoff: 2}
		if x, ok := m.Get("IntervalSeconds"); ok {
			rt.interval = float64(p.positiveInt(x, rloc+"/IntervalSeconds", "IntervalSeconds"))
		}
		if x, ok := m.Get("MaxAttempts"); ok {
			f, isNum := value.Float(x)
			if !isNum || f < 0 || f != math.Trunc(f) || f > 99999999 {
				p.schema(rloc+"/MaxAttempts", "The value for the field 'MaxAttempts' must be a non-negative integer")
			}
			rt.maxAttempts = int(f)
		}
		if x, ok := m.Get("BackoffRate"); ok {
			f, isNum := value.Float(x)
			if !isNum || f < 1 {
				p.schema(rloc+"/BackoffRate", "The value for the field 'BackoffRate' must be a number >= 1.0")
			}
			rt.backoff = f
		}
		if x, ok := m.Get("MaxDelaySeconds"); ok {
			rt.maxDelay = float64(p.positiveInt(x, rloc+"/MaxDelaySeconds", "MaxDelaySeconds"))
		}
		if x, ok := m.Get("JitterStrategy"); ok {
			switch x {
			case "FULL":
				rt.jitterFull = true
			case "NONE":
			default:
				p.schema(rloc+"/JitterStrategy", "The value for the field 'JitterStrategy' must be FULL or NONE")
			}
		}
		p.allLast(rt.errorEquals, it, "retrier")
		out = append(out, rt)
	}
	return out
}

func (p *parser) catchers(v any, loc string) []*catcher {
	if v == nil {
		return nil
	}
	var out []*catcher
	for _, it := range p.objectList(v, loc, "Catch", "catcher") {
		p.onlyFields(it, catcherFields, "catcher")
		c := p.catcher(it)
		c.resultPath, c.discard = p.nullablePath(it.m, "ResultPath", it.loc)
		if c.resultPath != nil && c.resultPath.String() == "$" {
			c.resultPath = nil
		}
		c.assign = pathTemplate(p.template(it.m, "Assign", it.loc))
		p.allLast(c.errorEquals, it, "catcher")
		out = append(out, c)
	}
	return out
}

// listItem is one object of a Retry, Catch or similar array, with its location for messages.
type listItem struct {
	m    *value.Object
	loc  string
	last bool // the last element of the array, objects or not
}

// objectList checks that v (the value of field at loc) is an array of objects; what names one
// element in messages ("retrier", "catcher"). Elements that are not objects are reported and
// skipped.
func (p *parser) objectList(v any, loc, field, what string) []listItem {
	arr, ok := v.([]any)
	if !ok {
		p.schema(loc, "The value for the field '%s' must be an array", field)
		return nil
	}
	out := make([]listItem, 0, len(arr))
	for i, e := range arr {
		eloc := fmt.Sprintf("%s/%d", loc, i)
		m, ok := e.(*value.Object)
		if !ok {
			p.schema(eloc, "A %s must be an object", what)
			continue
		}
		out = append(out, listItem{m: m, loc: eloc, last: i == len(arr)-1})
	}
	return out
}

// onlyFields reports every field of it that allowed does not list.
func (p *parser) onlyFields(it listItem, allowed map[string]bool, what string) {
	for k := range it.m.All() {
		if !allowed[k] {
			p.schema(it.loc+"/"+k, "Field '%s' is not supported in a %s", k, what)
		}
	}
}

// catcher reads what a catcher has in either query language: ErrorEquals and Next.
func (p *parser) catcher(it listItem) *catcher {
	c := &catcher{errorEquals: p.errorEquals(it.m.Value("ErrorEquals"), it.loc)}
	c.nextName, _ = it.m.Value("Next").(string)
	if c.nextName == "" {
		p.schema(it.loc+"/Next", "The field 'Next' is required in a catcher")
	}
	return c
}

// allLast enforces that States.ALL, which matches everything, stands only in the last element.
func (p *parser) allLast(errorEquals []string, it listItem, what string) {
	if !it.last && slices.Contains(errorEquals, errAll) {
		p.schema(it.loc+"/ErrorEquals", "States.ALL must appear in the last %s", what)
	}
}

// readsContext reports whether a state's own fields (not nested workflows) mention "$$".
func readsContext(raw *value.Object) bool {
	for k, v := range raw.All() {
		switch k {
		case "Iterator", "ItemProcessor", "Branches":
			continue
		}
		if mentions(v, "$$") || strings.Contains(k, "$$") {
			return true
		}
	}
	return false
}

func mentions(v any, s string) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(x, s)
	case []any:
		for _, e := range x {
			if mentions(e, s) {
				return true
			}
		}
	case *value.Object:
		for k, e := range x.All() {
			if strings.Contains(k, s) || mentions(e, s) {
				return true
			}
		}
	}
	return false
}

// parseTimestamp accepts the ISO-8601 extended offset date-time forms AWS accepts (RFC 3339,
// with up to nanosecond fractions).
func parseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse timestamp %q: %w", s, err)
	}
	return t, nil
}

// substitute replaces ${Name} placeholders in the definition text, JSON-escaping the values
// so a substitution can never break the document's structure.
func substitute(def []byte, subs map[string]string) []byte {
	if len(subs) == 0 {
		return def
	}
	pairs := make([]string, 0, 2*len(subs))
	for k, v := range subs {
		esc, _ := json.Marshal(v) // marshalling a string cannot fail
		pairs = append(pairs, "${"+k+"}", string(esc[1:len(esc)-1]))
	}
	return []byte(strings.NewReplacer(pairs...).Replace(string(def)))
}

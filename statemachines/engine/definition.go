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

// program is one workflow: the machine itself, a Parallel branch or a Map item processor.
type program struct {
	start  *state
	states map[string]*state
}

type retrier struct {
	errorEquals []string
	interval    float64
	maxAttempts int
	backoff     float64
	maxDelay    float64 // 0: no cap
	jitterFull  bool
}

type catcher struct {
	errorEquals []string
	resultPath  *jsonpath.Path
	discard     bool
	next        *state
	nextName    string
	assign      *payload.Template
}

type choiceBranch struct {
	rule     *choice.Rule
	next     *state
	nextName string
	assign   *payload.Template
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

type state struct {
	name     string
	kind     kind
	typeName string
	next     *state
	nextName string
	end      bool
	needsCtx bool // whether any field reads "$$": the context object is built only then
	jsonata  bool // QueryLanguage JSONata: js holds the compiled fields
	js       *jstate

	inputPath, outputPath *jsonpath.Path
	inputNull, outputNull bool
	resultPath            *jsonpath.Path // nil with resultDiscard false means "$"
	resultDiscard         bool
	parameters            *payload.Template
	resultSelector        *payload.Template
	assign                *payload.Template
	result                any
	hasResult             bool

	// Task
	resource         string
	integ            Integration
	waitForToken     bool // Resource ends in .waitForTaskToken
	timeoutSeconds   int64
	timeoutPath      *jsonpath.Path
	heartbeatSeconds int64
	heartbeatPath    *jsonpath.Path
	retry            []*retrier
	catch            []*catcher

	// Choice
	choices     []*choiceBranch
	defaultName string
	defaultNext *state

	// Wait
	seconds       int64
	hasSeconds    bool
	secondsPath   *jsonpath.Path
	timestamp     time.Time
	hasTimestamp  bool
	timestampPath *jsonpath.Path

	// Fail
	errorName, cause     string
	hasError, hasCause   bool
	errorExpr, causeExpr *expr

	// Parallel
	branches []*program

	// Map
	processor          *program
	distributed        bool
	itemsPath          *jsonpath.Path
	itemSelector       *payload.Template
	maxConcurrency     int
	maxConcurrencyPath *jsonpath.Path
	tolCount           int64
	hasTolCount        bool
	hasTolPct          bool
	tolCountPath       *jsonpath.Path
	tolPct             float64
	tolPctPath         *jsonpath.Path
	label              string
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
	top, ok := raw.(map[string]any)
	if !ok {
		p.schema("", "The state machine definition must be a JSON object")
		return nil, 0
	}
	var timeout int64
	for k, v := range top {
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

func (p *parser) program(raw map[string]any, loc string) *program {
	prog := &program{states: map[string]*state{}}
	if ql, ok := raw["QueryLanguage"]; ok && loc != "" {
		saved := p.jsonataDefault
		p.jsonataDefault = p.queryLanguage(ql, loc+"/QueryLanguage")
		defer func() { p.jsonataDefault = saved }()
	}
	startAt, ok := raw["StartAt"].(string)
	if !ok || startAt == "" {
		p.schema(loc+"/StartAt", "The field 'StartAt' is required and must be a non-empty string")
	}
	states, ok := raw["States"].(map[string]any)
	if !ok {
		p.schema(loc+"/States", "The field 'States' is required and must be an object")
		return prog
	}
	if len(states) == 0 {
		p.schema(loc+"/States", "The field 'States' must contain at least one state")
	}
	names := make([]string, 0, len(states))
	for name := range states {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic problem order
	for _, name := range names {
		sloc := loc + "/States/" + name
		if name == "" || len(name) > 80 {
			p.schema(sloc, "State names must be 1 to 80 characters long, got '%s'", name)
		}
		sraw, ok := states[name].(map[string]any)
		if !ok {
			p.schema(sloc, "The state '%s' must be a JSON object", name)
			continue
		}
		if st := p.state(name, sraw, sloc); st != nil {
			prog.states[name] = st
		}
	}
	link := func(target string, where string) *state {
		st, ok := prog.states[target]
		if !ok {
			p.fail("MISSING_TRANSITION_TARGET", where, "Missing 'Next' target: %s", target)
		}
		return st
	}
	if startAt != "" {
		if st, ok := prog.states[startAt]; ok {
			prog.start = st
		} else if _, exists := states[startAt]; !exists {
			p.fail("MISSING_TRANSITION_TARGET", loc+"/StartAt", "Missing 'StartAt' target: %s", startAt)
		}
	}
	if prog.start == nil && len(p.problems) == 0 {
		p.schema(loc+"/StartAt", "The field 'StartAt' must name a state")
	}
	for _, name := range names {
		st := prog.states[name]
		if st == nil {
			continue
		}
		sloc := loc + "/States/" + name
		if st.nextName != "" {
			st.next = link(st.nextName, sloc+"/Next")
		}
		for i, c := range st.choices {
			c.next = link(c.nextName, fmt.Sprintf("%s/Choices/%d/Next", sloc, i))
		}
		if st.defaultName != "" {
			st.defaultNext = link(st.defaultName, sloc+"/Default")
		}
		for i, c := range st.catch {
			c.next = link(c.nextName, fmt.Sprintf("%s/Catch/%d/Next", sloc, i))
		}
	}
	p.reachability(prog, names, loc)
	return prog
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
		stack = append(stack, st.next, st.defaultNext)
		for _, c := range st.choices {
			stack = append(stack, c.next)
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

func (p *parser) state(name string, raw map[string]any, loc string) *state {
	typ, ok := raw["Type"].(string)
	if !ok {
		p.schema(loc+"/Type", "The field 'Type' is required and must be a string")
		return nil
	}
	k, ok := kinds[typ]
	if !ok {
		p.schema(loc+"/Type", "The value for the field 'Type' must be one of Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map")
		return nil
	}
	st := &state{name: name, kind: k, typeName: typ, jsonata: p.jsonataDefault}
	if ql, ok := raw["QueryLanguage"]; ok {
		st.jsonata = p.queryLanguage(ql, loc+"/QueryLanguage")
		if p.machineJSONata && ql == "JSONPath" {
			p.schema(loc, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")
		}
	}
	fields := typeFields[k]
	if st.jsonata {
		fields = jsonataFields[k]
	}
	allowed := map[string]bool{}
	for _, f := range commonFields {
		allowed[f] = true
	}
	for _, f := range fields {
		allowed[f] = true
	}
	keys := make([]string, 0, len(raw))
	for f := range raw {
		keys = append(keys, f)
	}
	sort.Strings(keys)
	for _, f := range keys {
		if !allowed[f] {
			p.schema(loc+"/"+f, "Field '%s' is not supported by a %s state", f, typ)
		}
	}
	st.needsCtx = readsContext(raw) || st.jsonata // $states.context may be read anywhere
	p.readsCtx = p.readsCtx || st.needsCtx

	// Transitions.
	next, hasNext := raw["Next"]
	end, hasEnd := raw["End"]
	switch k {
	case kChoice, kSucceed, kFail:
	default:
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
			p.schema(loc, "State '%s' must not have both 'Next' and 'End'", name)
		case !hasNext && !st.end:
			p.schema(loc, "State '%s' must have either 'Next' or 'End': true", name)
		}
	}

	if st.jsonata {
		p.jsonataState(st, raw, loc)
		return st
	}

	// Paths and templates.
	st.inputPath, st.inputNull = p.nullablePath(raw, "InputPath", loc)
	st.outputPath, st.outputNull = p.nullablePath(raw, "OutputPath", loc)
	st.resultPath, st.resultDiscard = p.nullablePath(raw, "ResultPath", loc)
	if st.resultPath != nil && st.resultPath.String() == "$" {
		st.resultPath = nil
	}
	if st.resultPath != nil && (!st.resultPath.Definite() || strings.HasPrefix(st.resultPath.String(), "$$")) {
		p.schema(loc+"/ResultPath", "The value for the field 'ResultPath' must be a valid ReferencePath")
	}
	st.parameters = p.template(raw, "Parameters", loc)
	st.resultSelector = p.template(raw, "ResultSelector", loc)
	st.assign = p.template(raw, "Assign", loc)
	if r, ok := raw["Result"]; ok {
		st.result, st.hasResult = r, true
	}
	st.retry = p.retriers(raw["Retry"], loc+"/Retry")
	st.catch = p.catchers(raw["Catch"], loc+"/Catch")

	switch k {
	case kTask:
		p.task(st, raw, loc)
	case kChoice:
		p.choice(st, raw, loc)
	case kWait:
		p.wait(st, raw, loc)
	case kFail:
		p.failState(st, raw, loc)
	case kParallel:
		br, ok := raw["Branches"].([]any)
		if !ok || len(br) == 0 {
			p.schema(loc+"/Branches", "The field 'Branches' is required and must be a non-empty array")
		}
		for i, b := range br {
			bm, ok := b.(map[string]any)
			if !ok {
				p.schema(fmt.Sprintf("%s/Branches/%d", loc, i), "A branch must be an object")
				continue
			}
			p.subProgramChecks(bm, fmt.Sprintf("%s/Branches/%d", loc, i))
			st.branches = append(st.branches, p.program(bm, fmt.Sprintf("%s/Branches/%d", loc, i)))
		}
	case kMap:
		p.mapState(st, raw, loc)
	}
	return st
}

func (p *parser) subProgramChecks(raw map[string]any, loc string) {
	for k := range raw {
		switch k {
		case "StartAt", "States", "Comment", "ProcessorConfig":
		case "QueryLanguage": // read by program: a workflow's QueryLanguage is its states' default
		default:
			p.schema(loc+"/"+k, "Field '%s' is not supported", k)
		}
	}
}

func (p *parser) task(st *state, raw map[string]any, loc string) {
	res, ok := raw["Resource"].(string)
	if !ok || res == "" {
		p.schema(loc+"/Resource", "The field 'Resource' is required and must be a string")
	} else {
		st.resource = res
		if base, ok := strings.CutSuffix(res, waitSuffix); ok {
			st.waitForToken = true
			st.needsCtx, p.readsCtx = true, true // $$.Task.Token
			res = base
		}
		st.integ = p.eng.integrations.lookup(res)
		if st.integ == nil {
			p.schema(loc+"/Resource", "The resource provided %s is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.", res)
		}
	}
	if v, ok := raw["TimeoutSeconds"]; ok {
		st.timeoutSeconds = p.positiveInt(v, loc+"/TimeoutSeconds", "TimeoutSeconds")
	}
	st.timeoutPath = p.refPath(raw, "TimeoutSecondsPath", loc)
	if v, ok := raw["HeartbeatSeconds"]; ok {
		st.heartbeatSeconds = p.positiveInt(v, loc+"/HeartbeatSeconds", "HeartbeatSeconds")
	}
	st.heartbeatPath = p.refPath(raw, "HeartbeatSecondsPath", loc)
	if st.timeoutSeconds > 0 && st.timeoutPath != nil {
		p.schema(loc, "A Task state cannot include both TimeoutSeconds and TimeoutSecondsPath")
	}
	if st.heartbeatSeconds > 0 && st.heartbeatPath != nil {
		p.schema(loc, "A Task state cannot include both HeartbeatSeconds and HeartbeatSecondsPath")
	}
	if st.heartbeatSeconds > 0 && st.timeoutSeconds > 0 && st.heartbeatSeconds >= st.timeoutSeconds {
		p.schema(loc+"/HeartbeatSeconds", "HeartbeatSeconds must be smaller than TimeoutSeconds")
	}
}

func (p *parser) choice(st *state, raw map[string]any, loc string) {
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
		rule, err := choice.Compile(withoutKeys(cm, "Assign", "Output"))
		if err != nil {
			p.schema(cloc, "%v", err)
			continue
		}
		b := &choiceBranch{rule: rule, nextName: rule.Next()}
		if a, ok := cm["Assign"]; ok {
			t, err := payload.Compile(a)
			if err != nil {
				p.schema(cloc+"/Assign", "%v", err)
			}
			b.assign = t
		}
		if b.nextName == "" {
			p.schema(cloc+"/Next", "The field 'Next' is required in a choice rule")
		}
		st.choices = append(st.choices, b)
	}
	if d, ok := raw["Default"]; ok {
		s, ok := d.(string)
		if !ok || s == "" {
			p.schema(loc+"/Default", "The value for the field 'Default' must be a non-empty STRING")
		}
		st.defaultName = s
	}
}

func withoutKeys(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

func (p *parser) wait(st *state, raw map[string]any, loc string) {
	n := 0
	if v, ok := raw["Seconds"]; ok {
		n++
		f, isNum := value.Float(v)
		if !isNum || f < 0 || f != math.Trunc(f) {
			p.schema(loc+"/Seconds", "The value for the field 'Seconds' must be a non-negative integer")
		}
		st.seconds, st.hasSeconds = int64(f), true
	}
	if v, ok := raw["Timestamp"]; ok {
		n++
		s, _ := v.(string)
		ts, err := parseTimestamp(s)
		if err != nil {
			p.schema(loc+"/Timestamp", "The value for the field 'Timestamp' must be a valid ISO-8601 timestamp")
		}
		st.timestamp, st.hasTimestamp = ts, true
	}
	if st.secondsPath = p.refPath(raw, "SecondsPath", loc); st.secondsPath != nil {
		n++
	}
	if st.timestampPath = p.refPath(raw, "TimestampPath", loc); st.timestampPath != nil {
		n++
	}
	if n != 1 {
		p.schema(loc, "A Wait state must contain exactly one of 'Seconds', 'SecondsPath', 'Timestamp' or 'TimestampPath'")
	}
}

func (p *parser) failState(st *state, raw map[string]any, loc string) {
	if v, ok := raw["Error"]; ok {
		s, ok := v.(string)
		if !ok {
			p.schema(loc+"/Error", "The value for the field 'Error' must be a STRING")
		}
		st.errorName, st.hasError = s, true
	}
	if v, ok := raw["Cause"]; ok {
		s, ok := v.(string)
		if !ok {
			p.schema(loc+"/Cause", "The value for the field 'Cause' must be a STRING")
		}
		st.cause, st.hasCause = s, true
	}
	st.errorExpr = p.pathOrCall(raw, "ErrorPath", loc)
	st.causeExpr = p.pathOrCall(raw, "CausePath", loc)
	if st.hasError && st.errorExpr != nil {
		p.schema(loc, "A Fail state cannot include both 'Error' and 'ErrorPath'")
	}
	if st.hasCause && st.causeExpr != nil {
		p.schema(loc, "A Fail state cannot include both 'Cause' and 'CausePath'")
	}
}

func (p *parser) mapState(st *state, raw map[string]any, loc string) {
	it, hasIt := raw["Iterator"].(map[string]any)
	ip, hasIP := raw["ItemProcessor"].(map[string]any)
	switch {
	case hasIt && hasIP:
		p.schema(loc, "A Map state cannot include both 'Iterator' and 'ItemProcessor'")
	case !hasIt && !hasIP:
		p.schema(loc+"/ItemProcessor", "The field 'ItemProcessor' is required and must be an object")
		return
	}
	proc, field := ip, "/ItemProcessor"
	if hasIt {
		proc, field = it, "/Iterator"
	}
	if cfg, ok := proc["ProcessorConfig"]; ok {
		cm, ok := cfg.(map[string]any)
		if !ok {
			p.schema(loc+field+"/ProcessorConfig", "The value for the field 'ProcessorConfig' must be an object")
		}
		switch cm["Mode"] {
		case nil, "INLINE":
		case "DISTRIBUTED":
			st.distributed = true
		default:
			p.schema(loc+field+"/ProcessorConfig/Mode", "The value for the field 'Mode' must be INLINE or DISTRIBUTED")
		}
	}
	p.subProgramChecks(proc, loc+field)
	st.processor = p.program(proc, loc+field)
	if _, ok := raw["ItemReader"]; ok {
		p.schema(loc+"/ItemReader", "ItemReader is not supported by this engine (items must come from the state input)")
	}
	if _, ok := raw["ResultWriter"]; ok {
		p.schema(loc+"/ResultWriter", "ResultWriter is not supported by this engine")
	}
	if _, ok := raw["ItemBatcher"]; ok {
		p.schema(loc+"/ItemBatcher", "ItemBatcher is not supported by this engine")
	}
	st.itemsPath = p.refPath(raw, "ItemsPath", loc)
	st.itemSelector = p.template(raw, "ItemSelector", loc)
	if st.itemSelector != nil && st.parameters != nil {
		p.schema(loc, "A Map state cannot include both 'ItemSelector' and 'Parameters'")
	}
	if st.itemSelector == nil {
		// Parameters on a Map state is the legacy name of ItemSelector.
		st.itemSelector, st.parameters = st.parameters, nil
	}
	if v, ok := raw["MaxConcurrency"]; ok {
		f, isNum := value.Float(v)
		if !isNum || f < 0 || f != math.Trunc(f) {
			p.schema(loc+"/MaxConcurrency", "The value for the field 'MaxConcurrency' must be a non-negative integer")
		}
		st.maxConcurrency = int(f)
	}
	st.maxConcurrencyPath = p.refPath(raw, "MaxConcurrencyPath", loc)
	if v, ok := raw["ToleratedFailureCount"]; ok {
		f, isNum := value.Float(v)
		if !isNum || f < 0 || f != math.Trunc(f) {
			p.schema(loc+"/ToleratedFailureCount", "The value for the field 'ToleratedFailureCount' must be a non-negative integer")
		}
		st.tolCount, st.hasTolCount = int64(f), true
	}
	st.tolCountPath = p.refPath(raw, "ToleratedFailureCountPath", loc)
	if v, ok := raw["ToleratedFailurePercentage"]; ok {
		f, isNum := value.Float(v)
		if !isNum || f < 0 || f > 100 {
			p.schema(loc+"/ToleratedFailurePercentage", "The value for the field 'ToleratedFailurePercentage' must be a number between 0 and 100")
		}
		st.tolPct, st.hasTolPct = f, true
	}
	st.tolPctPath = p.refPath(raw, "ToleratedFailurePercentagePath", loc)
	for _, pair := range [][2]string{{"MaxConcurrency", "MaxConcurrencyPath"}, {"ToleratedFailureCount", "ToleratedFailureCountPath"}, {"ToleratedFailurePercentage", "ToleratedFailurePercentagePath"}} {
		_, a := raw[pair[0]]
		_, b := raw[pair[1]]
		if a && b {
			p.schema(loc, "A Map state cannot include both '%s' and '%s'", pair[0], pair[1])
		}
	}
	if v, ok := raw["Label"]; ok {
		s, ok := v.(string)
		if !ok || s == "" || utf8.RuneCountInString(s) > 40 || strings.ContainsAny(s, " \t\n\r<>{}[]?*\"#%\\^|~`$&,;:/") || strings.IndexFunc(s, unicode.IsControl) >= 0 {
			p.schema(loc+"/Label", "The value for the field 'Label' must be 1 to 40 characters without whitespace, brackets, wildcards or special characters")
		}
		st.label = s
	}
}

func (p *parser) positiveInt(v any, loc, field string) int64 {
	f, ok := value.Float(v)
	if !ok || f <= 0 || f != math.Trunc(f) || f > 99999999 {
		p.schema(loc, "The value for the field '%s' must be a positive integer", field)
		return 0
	}
	return int64(f)
}

func (p *parser) nullablePath(raw map[string]any, field, loc string) (*jsonpath.Path, bool) {
	v, ok := raw[field]
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

func (p *parser) refPath(raw map[string]any, field, loc string) *jsonpath.Path {
	v, ok := raw[field]
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

func (p *parser) pathOrCall(raw map[string]any, field, loc string) *expr {
	v, ok := raw[field]
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

func (p *parser) template(raw map[string]any, field, loc string) *payload.Template {
	v, ok := raw[field]
	if !ok {
		return nil
	}
	if field == "Assign" {
		if _, ok := v.(map[string]any); !ok {
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
		rt := &retrier{errorEquals: p.errorEquals(m["ErrorEquals"], rloc), interval: 1, maxAttempts: 3, backoff: 2}
		if x, ok := m["IntervalSeconds"]; ok {
			rt.interval = float64(p.positiveInt(x, rloc+"/IntervalSeconds", "IntervalSeconds"))
		}
		if x, ok := m["MaxAttempts"]; ok {
			f, isNum := value.Float(x)
			if !isNum || f < 0 || f != math.Trunc(f) || f > 99999999 {
				p.schema(rloc+"/MaxAttempts", "The value for the field 'MaxAttempts' must be a non-negative integer")
			}
			rt.maxAttempts = int(f)
		}
		if x, ok := m["BackoffRate"]; ok {
			f, isNum := value.Float(x)
			if !isNum || f < 1 {
				p.schema(rloc+"/BackoffRate", "The value for the field 'BackoffRate' must be a number >= 1.0")
			}
			rt.backoff = f
		}
		if x, ok := m["MaxDelaySeconds"]; ok {
			rt.maxDelay = float64(p.positiveInt(x, rloc+"/MaxDelaySeconds", "MaxDelaySeconds"))
		}
		if x, ok := m["JitterStrategy"]; ok {
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
		c.assign = p.template(it.m, "Assign", it.loc)
		p.allLast(c.errorEquals, it, "catcher")
		out = append(out, c)
	}
	return out
}

// listItem is one object of a Retry, Catch or similar array, with its location for messages.
type listItem struct {
	m    map[string]any
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
		m, ok := e.(map[string]any)
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
	for k := range it.m {
		if !allowed[k] {
			p.schema(it.loc+"/"+k, "Field '%s' is not supported in a %s", k, what)
		}
	}
}

// catcher reads what a catcher has in either query language: ErrorEquals and Next.
func (p *parser) catcher(it listItem) *catcher {
	c := &catcher{errorEquals: p.errorEquals(it.m["ErrorEquals"], it.loc)}
	c.nextName, _ = it.m["Next"].(string)
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
func readsContext(raw map[string]any) bool {
	for k, v := range raw {
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
	case map[string]any:
		for k, e := range x {
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

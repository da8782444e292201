package payload_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/statemachines/engine/choice"
	"github.com/acme-oem/vehicle-data/statemachines/engine/intrinsic"
	"github.com/acme-oem/vehicle-data/statemachines/engine/jsonpath"
	"github.com/acme-oem/vehicle-data/statemachines/engine/payload"
	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// This file runs the AWS-recorded conformance cases whose machines use only Pass, Choice,
// Succeed and Fail states in JSONPath mode, with a miniature interpreter built from this
// package, jsonpath, intrinsic and choice. It gives the expression layer feedback on the corpus
// before (and independently of) the engine.

type corpusCase struct {
	Name         string          `json:"name"`
	Features     []string        `json:"features"`
	Definition   json.RawMessage `json:"definition"`
	Input        json.RawMessage `json:"input"`
	Expected     json.RawMessage `json:"expected"`
	Placeholders []string        `json:"placeholders"`
}

type expectation struct {
	Status string          `json:"status"`
	Output json.RawMessage `json:"output"`
	Error  string          `json:"error"`
	Cause  string          `json:"cause"`
}

// corpusDir walks up from the package directory to the folder holding testdata/conformance/sfn.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for {
		cand := filepath.Join(dir, "testdata", "conformance", "sfn")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("the AWS-recorded corpus (testdata/conformance/sfn of the engine module) is missing")
		}
		dir = parent
	}
}

var placeholderJSONInput = regexp.MustCompile(`^<json-input:\d+>$`)

func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ran, passed int
	var failures []string
	perArea := map[string][2]int{} // area -> {ran, passed}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c corpusCase
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		def, err := value.Decode(c.Definition)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if !supported(c, def) {
			continue
		}
		input, err := value.Decode(c.Input)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		var exp expectation
		dec := json.NewDecoder(strings.NewReader(string(c.Expected)))
		dec.UseNumber()
		if err := dec.Decode(&exp); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if exp.Error == "States.DataLimitExceeded" {
			continue // payload size limits are the engine's business
		}
		ran++
		area := strings.SplitN(c.Name, "__", 2)[0]
		counts := perArea[area]
		counts[0]++
		perArea[area] = counts
		if msg := runCase(def.(*value.Object), input, exp); msg != "" {
			if len(msg) > 600 {
				msg = msg[:600] + "..."
			}
			failures = append(failures, c.Name+": "+msg)
			continue
		}
		passed++
		counts = perArea[area]
		counts[1]++
		perArea[area] = counts
	}
	sort.Strings(failures)
	for _, f := range failures {
		t.Error(f)
	}
	areas := make([]string, 0, len(perArea))
	for a := range perArea {
		areas = append(areas, a)
	}
	sort.Strings(areas)
	for _, a := range areas {
		t.Logf("corpus area %s: %d of %d pass", a, perArea[a][1], perArea[a][0])
	}
	t.Logf("corpus: %d of %d supported cases pass", passed, ran)
	if ran < 400 {
		t.Errorf("only %d corpus cases were runnable; expected the choice_operators and intrinsic_functions areas at least", ran)
	}
}

// supported picks JSONPath machines made of Pass/Choice/Succeed/Fail states whose expected
// values hold no placeholder other than <json-input:N> in causes.
func supported(c corpusCase, def any) bool {
	for _, f := range c.Features {
		if f == "jsonata" {
			return false
		}
	}
	for _, p := range c.Placeholders {
		if !placeholderJSONInput.MatchString(p) {
			return false
		}
	}
	m, ok := def.(*value.Object)
	if !ok {
		return false
	}
	if _, ok := m.Get("QueryLanguage"); ok {
		return false
	}
	states, _ := m.Value("States").(*value.Object)
	for _, s := range states.All() {
		st, _ := s.(*value.Object)
		switch st.Value("Type") {
		case "Pass", "Choice", "Succeed", "Fail":
		default:
			return false
		}
		for _, k := range []string{"QueryLanguage"} {
			if _, ok := st.Get(k); ok {
				return false
			}
		}
	}
	return true
}

type vars map[string]any

// failState is the error a Fail state ends the execution with.
type failState struct{ name, cause string }

func (f *failState) Error() string { return f.name + ": " + f.cause }

func runCase(def *value.Object, input any, exp expectation) string {
	states := def.Value("States").(*value.Object)
	name := def.Value("StartAt").(string)
	ctx := value.ObjectOf(
		"Execution", value.ObjectOf("Input", input, "Name", "exec", "Id", "arn:aws:states:us-east-1:111111111111:execution:sm:exec"),
		"StateMachine", value.ObjectOf("Name", "sm", "Id", "arn:aws:states:us-east-1:111111111111:stateMachine:sm"),
	)
	scope := vars{}
	cur := input
	for event := 2; ; event += 2 {
		st := states.Value(name).(*value.Object)
		ctx.Set("State", value.ObjectOf("Name", name, "EnteredTime", "2024-01-01T00:00:00Z"))
		env := jsonpath.Env{Input: cur, Context: ctx, Vars: func(n string) (any, bool) { v, ok := scope[n]; return v, ok }}
		next, out, err := runState(st, env, scope)
		if err != nil {
			prefix := fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). ", name, event)
			var ve *value.Error
			var fs *failState
			switch {
			case errors.As(err, &fs): // a Fail state's own error carries no prefix
				prefix = ""
				ve = &value.Error{Name: fs.name, Cause: fs.cause}
			case !errors.As(err, &ve):
				return fmt.Sprintf("state %s: non-AWS error: %v", name, err)
			}
			if exp.Status != "FAILED" {
				return fmt.Sprintf("failed with %s: %s%s; want %s", ve.Name, prefix, ve.Cause, exp.Status)
			}
			if ve.Name != exp.Error || !wildcardMatch(exp.Cause, prefix+ve.Cause) {
				return fmt.Sprintf("error %q cause %q; want %q %q", ve.Name, prefix+ve.Cause, exp.Error, exp.Cause)
			}
			return ""
		}
		cur = out
		if next == "" {
			break
		}
		name = next
	}
	if exp.Status != "SUCCEEDED" {
		return fmt.Sprintf("succeeded with %s; want %s %s: %s", value.MustString(cur), exp.Status, exp.Error, exp.Cause)
	}
	want, err := value.Decode(exp.Output)
	if err != nil {
		return "expected output: " + err.Error()
	}
	if !value.Equal(cur, want) {
		return fmt.Sprintf("output %s; want %s", value.MustString(cur), exp.Output)
	}
	return ""
}

// runState returns the next state ("" at the end) and the state output.
func runState(st *value.Object, env jsonpath.Env, scope vars) (string, any, error) {
	switch st.Value("Type") {
	case "Succeed":
		return "", env.Input, nil
	case "Fail":
		return runFail(st, env)
	case "Choice":
		return runChoice(st, env, scope)
	}
	return runPass(st, env, scope)
}

func runFail(st *value.Object, env jsonpath.Env) (string, any, error) {
	e, _ := st.Value("Error").(string)
	c, _ := st.Value("Cause").(string)
	for field, dst := range map[string]*string{"ErrorPath": &e, "CausePath": &c} {
		src, ok := st.Value(field).(string)
		if !ok {
			continue
		}
		v, err := evalExpr(src, field, env)
		if err != nil {
			return "", nil, err
		}
		*dst, _ = v.(string)
	}
	return "", nil, &failState{name: e, cause: c}
}

func runChoice(st *value.Object, env jsonpath.Env, scope vars) (string, any, error) {
	input := env.Input
	for _, raw := range st.Value("Choices").([]any) {
		rule, err := choice.Compile(raw.(*value.Object))
		if err != nil {
			return "", nil, fmt.Errorf("compile choice: %w", err)
		}
		ok, err := rule.Eval(env)
		if err != nil {
			return "", nil, err
		}
		if ok {
			if a, ok := raw.(*value.Object).Get("Assign"); ok {
				if err := assign(a, env, scope); err != nil {
					return "", nil, err
				}
			}
			return rule.Next(), input, nil
		}
	}
	if a, ok := st.Get("Assign"); ok {
		if err := assign(a, env, scope); err != nil {
			return "", nil, err
		}
	}
	d, ok := st.Value("Default").(string)
	if !ok {
		return "", nil, &value.Error{Name: "States.NoChoiceMatched", Cause: "No Matches!"}
	}
	return d, input, nil
}

func runPass(st *value.Object, env jsonpath.Env, scope vars) (string, any, error) {
	next, _ := st.Value("Next").(string)
	input := env.Input
	effective := input
	if p, ok := st.Get("InputPath"); ok {
		v, err := applyPath(p, env, "InputPath")
		if err != nil {
			return "", nil, err
		}
		effective = v
	}
	result := effective
	if r, ok := st.Get("Result"); ok {
		result = r
	} else if params, ok := st.Get("Parameters"); ok {
		t, err := payload.Compile(params)
		if err != nil {
			return "", nil, fmt.Errorf("compile Parameters: %w", err)
		}
		v, err := t.Eval(jsonpath.Env{Input: effective, Context: env.Context, Vars: env.Vars})
		if err != nil {
			return "", nil, err
		}
		result = v
	}
	// Assign sees the state's result as "$"; its variables become visible only after the state
	// (OutputPath below still reads the old values).
	var assigned vars
	if a, ok := st.Get("Assign"); ok {
		assigned = vars{}
		if err := assign(a, jsonpath.Env{Input: result, Context: env.Context, Vars: env.Vars}, assigned); err != nil {
			return "", nil, err
		}
	}
	out := result
	if rp, ok := st.Get("ResultPath"); ok {
		if rp == nil {
			out = input
		} else {
			p, err := jsonpath.Parse(rp.(string))
			if err != nil {
				return "", nil, fmt.Errorf("ResultPath: %w", err)
			}
			out, err = jsonpath.Set(input, p, result)
			if err != nil {
				return "", nil, err
			}
		}
	}
	if op, ok := st.Get("OutputPath"); ok {
		v, err := applyPath(op, jsonpath.Env{Input: out, Context: env.Context, Vars: env.Vars}, "OutputPath")
		if err != nil {
			return "", nil, err
		}
		out = v
	}
	for k, x := range assigned {
		scope[k] = x
	}
	return next, out, nil
}

func assign(a any, env jsonpath.Env, scope vars) error {
	t, err := payload.Compile(a)
	if err != nil {
		return fmt.Errorf("compile Assign: %w", err)
	}
	v, err := t.Eval(env)
	if err != nil {
		return err
	}
	for k, x := range v.(*value.Object).All() {
		scope[k] = x
	}
	return nil
}

// evalExpr evaluates a Fail state's ErrorPath/CausePath: a path or an intrinsic call.
func evalExpr(src, field string, env jsonpath.Env) (any, error) {
	if intrinsic.IsCall(src) {
		c, err := intrinsic.Parse(src)
		if err != nil {
			return nil, err
		}
		return c.Eval(env)
	}
	p, err := jsonpath.Parse(src)
	if err != nil {
		return nil, err
	}
	v, err := p.Resolve(env)
	if err != nil {
		return nil, payload.NotFound(src, field, env.Input, err)
	}
	return v, nil
}

// applyPath evaluates InputPath/OutputPath the way AWS words failures.
func applyPath(raw any, env jsonpath.Env, field string) (any, error) {
	if raw == nil {
		return value.NewObject(0), nil
	}
	s := raw.(string)
	if intrinsic.IsCall(s) {
		c, err := intrinsic.Parse(s)
		if err != nil {
			return nil, err
		}
		return c.Eval(env)
	}
	p, err := jsonpath.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	v, err := p.Resolve(env)
	if err != nil {
		if errors.Is(err, jsonpath.ErrNotFound) {
			return nil, &value.Error{Name: "States.Runtime", Cause: fmt.Sprintf("Invalid path '%s' : %s", s, err.Error())}
		}
		return nil, err
	}
	return v, nil
}

// wildcardMatch compares a cause with <json-input:N> placeholders standing for any text.
func wildcardMatch(pattern, s string) bool {
	parts := regexp.MustCompile(`<json-input:\d+>`).Split(pattern, -1)
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, part := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, part)
		}
		idx := strings.Index(s, part)
		if idx < 0 {
			return false
		}
		s = s[idx+len(part):]
	}
	return true
}

package payload

import (
	"errors"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/statemachines/engine/jsonpath"
	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

func decode(t testing.TB, s string) any {
	t.Helper()
	v, err := value.Decode([]byte(s))
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func testEnv(t testing.TB, input string) jsonpath.Env {
	return jsonpath.Env{
		Input:   decode(t, input),
		Context: decode(t, `{"Execution": {"Id": "arn:exec", "Input": {"orig": true}}, "Map": {"Item": {"Index": 2}}}`),
		Vars: func(name string) (any, bool) {
			if name == "cfg" {
				return decode(t, `{"region": "eu-west-1", "limits": [1, 2]}`), true
			}
			return nil, false
		},
	}
}

func TestEval(t *testing.T) {
	tests := []struct {
		tmpl, input, want string
	}{
		{`{"a": 1, "b": "$.x", "c": [1, {"d": null}]}`, `{}`, `{"a": 1, "b": "$.x", "c": [1, {"d": null}]}`},
		{`{"v.$": "$.x"}`, `{"x": {"y": 1}}`, `{"v": {"y": 1}}`},
		{`{"v.$": "$"}`, `[1, 2]`, `{"v": [1, 2]}`},
		{`{"id.$": "$$.Execution.Id", "idx.$": "$$.Map.Item.Index", "ctx.$": "$$.Execution.Input"}`, `{}`,
			`{"id": "arn:exec", "idx": 2, "ctx": {"orig": true}}`},
		{`{"r.$": "$cfg.region", "l.$": "$cfg.limits[1]"}`, `{}`, `{"r": "eu-west-1", "l": 2}`},
		{`{"f.$": "States.Format('{}-{}', $.a, $cfg.region)"}`, `{"a": "x"}`, `{"f": "x-eu-west-1"}`},
		{`{"outer": {"inner.$": "$.a", "lit": "v"}, "list": [{"x.$": "$.a"}, "plain"]}`, `{"a": 5}`,
			`{"outer": {"inner": 5, "lit": "v"}, "list": [{"x": 5}, "plain"]}`},
		{`{"items.$": "$.items[*].v"}`, `{"items": [{"v": 1}, {"w": 2}, {"v": 3}]}`, `{"items": [1, 3]}`},
		{`{"none.$": "$.nothing[*]"}`, `{}`, `{"none": []}`},
		{`{"FromInput.$": "$.users[?(@.status == 0)]"}`, `{"users": [{"year": 1997, "status": 0}, {"year": 1998, "status": 1}]}`,
			`{"FromInput": [{"year": 1997, "status": 0}]}`},
		{`"just a string"`, `{}`, `"just a string"`},
		{`{"k.$.x": "not dynamic"}`, `{}`, `{"k.$.x": "not dynamic"}`},
	}
	for _, tt := range tests {
		t.Run(tt.tmpl, func(t *testing.T) {
			tmpl, err := Compile(decode(t, tt.tmpl))
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := tmpl.Eval(testEnv(t, tt.input))
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if want := decode(t, tt.want); !value.Equal(got, want) {
				t.Errorf("got %s, want %s", value.MustString(got), tt.want)
			}
		})
	}
}

func TestStaticFastPath(t *testing.T) {
	lit := decode(t, `{"a": {"b": [1, 2]}, "c": "$.not.a.path"}`)
	tmpl, err := Compile(lit)
	if err != nil {
		t.Fatal(err)
	}
	if !tmpl.Static() {
		t.Fatal("a template without .$ keys should be static")
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := tmpl.Eval(jsonpath.Env{}); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("static Eval allocates %v times per run, want 0", allocs)
	}
	dyn, err := Compile(decode(t, `{"a": {"b.$": "$"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if dyn.Static() {
		t.Error("a template with a nested .$ key should not be static")
	}
}

// Runtime failures carry AWS's exact wording (corpus:
// scenarios__base_scenarios__invalid_jsonpath__INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH).
func TestEvalErrors(t *testing.T) {
	tests := []struct {
		tmpl, input, name, cause string
	}{
		{`{"value.$": "$.no_such_jsonpath"}`, `{"int-literal": 0}`, "States.Runtime",
			`The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{"int-literal":0}'`},
		{`{"value.$": "$$.Execution.Input.no_such_jsonpath"}`, `{"int-literal": 0}`, "States.Runtime",
			`The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{"int-literal":0}'`},
		{`{"nested": {"deep.$": "$.a.b"}}`, `{"a": {}}`, "States.Runtime",
			`The JSONPath '$.a.b' specified for the field 'deep.$' could not be found in the input '{"a":{}}'`},
		{`{"v.$": "$nope"}`, `{}`, "States.Runtime",
			`The JSONPath '$nope' specified for the field 'v.$' could not be found in the input '{}'`},
		{`{"f.$": "States.Format('{}', $.missing)"}`, `{"x": "<&>"}`, "States.Runtime",
			`The JSONPath '$.missing' specified for the field 'f.$' could not be found in the input '{"x":"<&>"}'`},
		{`{"f.$": "States.ArrayGetItem($.a, 9)"}`, `{"a": []}`, "States.IntrinsicFailure",
			`Invalid arguments in States.ArrayGetItem: index 9 is out of bounds for an array of length 0`},
	}
	for _, tt := range tests {
		tmpl, err := Compile(decode(t, tt.tmpl))
		if err != nil {
			t.Fatalf("Compile(%s): %v", tt.tmpl, err)
		}
		_, err = tmpl.Eval(testEnv(t, tt.input))
		var ve *value.Error
		if !errors.As(err, &ve) || ve.Name != tt.name || ve.Cause != tt.cause {
			t.Errorf("Eval(%s): err = %v\nwant %s: %s", tt.tmpl, err, tt.name, tt.cause)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		tmpl, msg string
	}{
		{`{"value.$": 1}`, "The value for the field 'value.$' must be a STRING"},
		{`{"value.$": "no.path"}`, "The value for the field 'value.$' must be a valid JSONPath or a valid intrinsic function call"},
		{`{"value.$": "$.a["}`, "The value for the field 'value.$' must be a valid JSONPath or a valid intrinsic function call: "},
		{`{"value.$": "States.Nope()"}`, "The value for the field 'value.$' must be a valid JSONPath or a valid intrinsic function call: "},
		{`{"outer": [{"in.$": "States.Format(1)"}]}`, "the field 'in.$'"},
		{`{"a": 1, "a.$": "$.x"}`, "The fields 'a' and 'a.$' cannot both be set"},
	}
	for _, tt := range tests {
		_, err := Compile(decode(t, tt.tmpl))
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Compile(%s): err = %v, want one containing %q", tt.tmpl, err, tt.msg)
		}
	}
}

func TestNotFoundPassesOtherErrors(t *testing.T) {
	other := errors.New("boom")
	err := NotFound("$.a", "CausePath", map[string]any{}, other)
	var ve *value.Error
	if errors.As(err, &ve) || !errors.Is(err, other) {
		t.Errorf("NotFound with an unrelated error = %v; want it wrapped, not reworded", err)
	}
}

// A typical Parameters block of the engine's hot path (a 20-state Pass chain).
func BenchmarkEvalParameters(b *testing.B) {
	tmpl, err := Compile(decode(b, `{
		"vin.$": "$.vin",
		"caller.$": "$.caller.sub",
		"executionId.$": "$$.Execution.Id",
		"source": "registry",
		"options": {"redact": true, "sections": ["owner", "service"]}
	}`))
	if err != nil {
		b.Fatal(err)
	}
	e := testEnv(b, `{"vin": "WVWZZZ1JZXW000001", "caller": {"sub": "user-1", "roles": ["owner"]}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Eval(e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalStatic(b *testing.B) {
	tmpl, err := Compile(decode(b, `{"source": "registry", "options": {"redact": true}}`))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Eval(jsonpath.Env{}); err != nil {
			b.Fatal(err)
		}
	}
}

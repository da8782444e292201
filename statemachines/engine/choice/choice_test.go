package choice

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

func compileJSON(t testing.TB, s string) (*Rule, error) {
	t.Helper()
	m, ok := decode(t, s).(*value.Object)
	if !ok {
		t.Fatalf("%s is not an object", s)
	}
	return Compile(m)
}

func env(t testing.TB, input string) jsonpath.Env {
	return jsonpath.Env{
		Input:   decode(t, input),
		Context: decode(t, `{"State": {"Name": "Check"}}`),
		Vars: func(name string) (any, bool) {
			if name == "limit" {
				return decode(t, `{"max": 10}`), true
			}
			return nil, false
		},
	}
}

func TestEval(t *testing.T) {
	tests := []struct {
		rule, input string
		want        bool
	}{
		// Type mismatches are false, as in the AWS-recorded choice_operators cases.
		{`{"Variable": "$.v", "BooleanEquals": false}`, `{"v": false}`, true},
		{`{"Variable": "$.v", "BooleanEquals": false}`, `{"v": 0}`, false},
		{`{"Variable": "$.v", "BooleanEqualsPath": "$.w"}`, `{"v": true, "w": true}`, true},
		{`{"Variable": "$.v", "BooleanEqualsPath": "$.w"}`, `{"v": true, "w": "true"}`, false},
		{`{"Variable": "$.v", "NumericEquals": 1.0}`, `{"v": 1}`, true},
		{`{"Variable": "$.v", "NumericEquals": 0}`, `{"v": "0"}`, false},
		{`{"Variable": "$.v", "NumericLessThan": 1}`, `{"v": 0.5}`, true},
		{`{"Variable": "$.v", "NumericGreaterThanEquals": 1}`, `{"v": 1}`, true},
		{`{"Variable": "$.v", "NumericLessThanEqualsPath": "$limit.max"}`, `{"v": 10}`, true},
		{`{"Variable": "$.v", "NumericGreaterThanPath": "$.w"}`, `{"v": 2, "w": "1"}`, false},
		{`{"Variable": "$.v", "StringEquals": "Hello"}`, `{"v": "Hello"}`, true},
		{`{"Variable": "$.v", "StringEquals": "\t\r\n"}`, `{"v": "\t\n"}`, false},
		{`{"Variable": "$.v", "StringLessThan": "AB"}`, `{"v": "A"}`, true},
		{`{"Variable": "$.v", "StringGreaterThanEqualsPath": "$.w"}`, `{"v": "AB", "w": "A"}`, true},
		{`{"Variable": "$$.State.Name", "StringEquals": "Check"}`, `{}`, true},
		{`{"Variable": "$", "StringEquals": "raw"}`, `"raw"`, true},
		{`{"Variable": "$.v", "StringMatches": "log-*.txt"}`, `{"v": "log-2024-01.txt"}`, true},
		{`{"Variable": "$.v", "StringMatches": "log-*.txt"}`, `{"v": "log-2024-01.txt.bak"}`, false},
		{`{"Variable": "$.v", "StringMatches": "*"}`, `{"v": ""}`, true},
		{`{"Variable": "$.v", "StringMatches": "a\\*b"}`, `{"v": "a*b"}`, true},
		{`{"Variable": "$.v", "StringMatches": "a\\*b"}`, `{"v": "axb"}`, false},
		{`{"Variable": "$.v", "StringMatches": "a\\\\b*"}`, `{"v": "a\\bc"}`, true},
		{`{"Variable": "$.v", "StringMatches": "a\\b"}`, `{"v": "ab"}`, true},
		{`{"Variable": "$.v", "StringMatches": "*a*a*a*b"}`, `{"v": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac"}`, false},
		{`{"Variable": "$.v", "TimestampEquals": "2012-10-09T19:00:55Z"}`, `{"v": "2012-10-09T20:00:55+01:00"}`, true},
		{`{"Variable": "$.v", "TimestampEquals": "2012-10-09T19:00:55Z"}`, `{"v": "2012-10-09T19:00:55"}`, false},
		{`{"Variable": "$.v", "TimestampLessThan": "2012-10-09T19:00:56Z"}`, `{"v": "2012-10-09T19:00:55.999Z"}`, true},
		{`{"Variable": "$.v", "TimestampGreaterThanPath": "$.w"}`, `{"v": "2012-10-09T19:00:56Z", "w": "2012-10-09T19:00:55Z"}`, true},
		{`{"Variable": "$.v", "TimestampGreaterThanPath": "$.w"}`, `{"v": "2012-10-09T19:00:56Z", "w": "yesterday"}`, false},
		{`{"Variable": "$.v", "IsNull": true}`, `{"v": null}`, true},
		{`{"Variable": "$.v", "IsNull": false}`, `{"v": null}`, false},
		{`{"Variable": "$.v", "IsNumeric": true}`, `{"v": 0.0}`, true},
		{`{"Variable": "$.v", "IsNumeric": false}`, `{"v": "1"}`, true},
		{`{"Variable": "$.v", "IsString": true}`, `{"v": ""}`, true},
		{`{"Variable": "$.v", "IsBoolean": false}`, `{"v": false}`, false},
		{`{"Variable": "$.v", "IsTimestamp": true}`, `{"v": "2012-10-09T19:00:55+01:00"}`, true},
		{`{"Variable": "$.v", "IsTimestamp": true}`, `{"v": "2023-02-24"}`, false},
		{`{"Variable": "$.v", "IsPresent": true}`, `{"v": null}`, true},
		{`{"Variable": "$.v", "IsPresent": true}`, `{}`, false},
		{`{"Variable": "$.v", "IsPresent": false}`, `{}`, true},
		{`{"Variable": "$.v.w", "IsPresent": false}`, `{"v": 3}`, true},
		{`{"Variable": "$.v[*].k", "IsPresent": true}`, `{"v": [{"j": 1}]}`, false},
		{`{"Variable": "$undefined", "IsPresent": false}`, `{}`, true},
		{`{"And": [{"Variable": "$.a", "IsPresent": true}, {"Variable": "$.a", "NumericGreaterThan": 1}]}`, `{"a": 2}`, true},
		{`{"And": [{"Variable": "$.a", "IsPresent": true}, {"Variable": "$.a", "NumericGreaterThan": 1}]}`, `{}`, false},
		{`{"Or": [{"Variable": "$.a", "IsPresent": false}, {"Variable": "$.a", "NumericGreaterThan": 1}]}`, `{}`, true},
		{`{"Or": [{"Variable": "$.a", "IsNull": true}, {"Variable": "$.a", "IsString": true}]}`, `{"a": 1}`, false},
		{`{"Not": {"Variable": "$.a", "StringEquals": "x"}, "Next": "N"}`, `{"a": "y"}`, true},
		{`{"Not": {"Not": {"Variable": "$.a", "IsBoolean": true}}}`, `{"a": true}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.rule+" "+tt.input, func(t *testing.T) {
			r, err := compileJSON(t, tt.rule)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := r.Eval(env(t, tt.input))
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// A Variable (or *Path operand) that matches nothing fails the state rather than comparing false.
func TestEvalInvalidPath(t *testing.T) {
	tests := []struct {
		rule, input, cause string
	}{
		{`{"Variable": "$.missing", "StringEquals": "x", "Next": "N"}`, `{}`,
			"Invalid path '$.missing': The choice state's condition path references an invalid value."},
		{`{"Variable": "$.v", "NumericEqualsPath": "$.nope"}`, `{"v": 1}`,
			"Invalid path '$.nope': The choice state's condition path references an invalid value."},
		{`{"Variable": "$undefined.x", "IsNull": true}`, `{}`,
			"Invalid path '$undefined.x': The choice state's condition path references an invalid value."},
		{`{"Or": [{"Variable": "$.a", "IsNull": false}, {"Variable": "$.b", "IsNull": false}]}`, `{"a": null}`,
			"Invalid path '$.b': The choice state's condition path references an invalid value."},
	}
	for _, tt := range tests {
		r, err := compileJSON(t, tt.rule)
		if err != nil {
			t.Fatalf("Compile(%s): %v", tt.rule, err)
		}
		_, err = r.Eval(env(t, tt.input))
		var ve *value.Error
		if !errors.As(err, &ve) || ve.Name != "States.Runtime" || ve.Cause != tt.cause {
			t.Errorf("Eval(%s): err = %v, want States.Runtime %q", tt.rule, err, tt.cause)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		rule, msg string
	}{
		{`{"Variable": "$.a", "Next": "N"}`, "found none"},
		{`{"Variable": "$.a", "StringEquals": "x", "IsNull": true}`, "found IsNull, StringEquals"},
		{`{"Variable": "$.a", "StringEqualz": "x"}`, "the field 'StringEqualz' is not supported"},
		{`{"StringEquals": "x"}`, "must have the field 'Variable'"},
		{`{"Variable": "a", "StringEquals": "x"}`, "the field 'Variable' must be a JSONPath"},
		{`{"Variable": "$.a[", "StringEquals": "x"}`, "the field 'Variable'"},
		{`{"Variable": "$.a", "StringEqualsPath": "x"}`, "the value of the field 'StringEqualsPath' must be a valid JSONPath"},
		{`{"Variable": "$.a", "NumericEqualsPath": 3}`, "must be a valid JSONPath"},
		{`{"Variable": "$.a", "StringEquals": 1}`, "'StringEquals' must be a string"},
		{`{"Variable": "$.a", "NumericLessThan": "1"}`, "'NumericLessThan' must be a number"},
		{`{"Variable": "$.a", "BooleanEquals": "true"}`, "'BooleanEquals' must be a boolean"},
		{`{"Variable": "$.a", "IsPresent": 1}`, "'IsPresent' must be a boolean"},
		{`{"Variable": "$.a", "TimestampEquals": "2016-12-05"}`, "ISO-8601"},
		{`{"Variable": "$.a", "StringMatches": "a\\"}`, "'StringMatches' is not a valid pattern"},
		{`{"And": []}`, "'And' must be a non-empty array"},
		{`{"Or": {"Variable": "$.a", "IsNull": true}}`, "'Or' must be a non-empty array"},
		{`{"And": [{"Variable": "$.a", "IsNull": true, "Next": "X"}]}`, "And[0]: the field 'Next' is only allowed"},
		{`{"Or": [1]}`, "Or[0] must be a choice rule object"},
		{`{"Not": [{"Variable": "$.a", "IsNull": true}]}`, "'Not' must be a choice rule object"},
		{`{"Not": {"Variable": "$.a"}}`, "in Not: a choice rule must have"},
		{`{"Variable": "$.a", "Not": {"Variable": "$.a", "IsNull": true}}`, "'Variable' cannot be used with 'Not'"},
		{`{"Variable": "$.a", "IsNull": true, "Next": 3}`, "'Next' of a choice rule must be a non-empty string"},
	}
	for _, tt := range tests {
		_, err := compileJSON(t, tt.rule)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Compile(%s): err = %v, want one containing %q", tt.rule, err, tt.msg)
		}
	}
}

func TestNext(t *testing.T) {
	r, err := compileJSON(t, `{"Variable": "$.a", "IsNull": true, "Next": "Done", "Comment": "c", "Assign": {"x": 1}}`)
	if err != nil {
		t.Fatal(err)
	}
	if r.Next() != "Done" {
		t.Errorf("Next() = %q, want Done", r.Next())
	}
}

func BenchmarkEval(b *testing.B) {
	r, err := compileJSON(b, `{"And": [{"Variable": "$.status", "StringEquals": "ok"}, {"Variable": "$.count", "NumericGreaterThan": 3}], "Next": "N"}`)
	if err != nil {
		b.Fatal(err)
	}
	e := env(b, `{"status": "ok", "count": 5}`)
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := r.Eval(e); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

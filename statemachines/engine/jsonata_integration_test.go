package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

func TestJSONataTaskArgumentsOutputAndResult(t *testing.T) {
	t.Parallel()
	var got []byte
	fns := engine.FunctionMap{"double": func(_ context.Context, p []byte) ([]byte, error) {
		got = p
		var in struct{ N int }
		if err := json.Unmarshal(p, &in); err != nil {
			return nil, err
		}
		return json.Marshal(map[string]int{"N": in.N * 2})
	}}
	e, _ := newEngine(t, engine.Options{Functions: fns})
	mustLoad(t, e, "m", `{"QueryLanguage":"JSONata","StartAt":"T","States":{
	  "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:double",
	       "Arguments":{"N":"{% $states.input.n + 1 %}"},
	       "Assign":{"doubled":"{% $states.result.N %}"},
	       "Output":{"in":"{% $states.input.n %}","out":"{% $states.result.N %}"},"Next":"U"},
	  "U":{"Type":"Pass","Output":"{% $doubled & '!' %}","End":true}}}`)
	res := run(t, e, "m", `{"n": 20}`)
	if res.Status != engine.StatusSucceeded {
		t.Fatalf("%s %s %s", res.Status, res.Error, res.Cause)
	}
	assertJSON(t, string(got), `{"N":21}`)
	assertJSON(t, res.Output, `"42!"`)
}

func TestJSONataCatchSeesErrorOutput(t *testing.T) {
	t.Parallel()
	fns := engine.FunctionMap{"boom": func(context.Context, []byte) ([]byte, error) { return nil, typedErr{} }}
	e, clk := newEngine(t, engine.Options{Functions: fns})
	mustLoad(t, e, "m", `{"QueryLanguage":"JSONata","StartAt":"T","States":{
	  "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:boom",
	       "Retry":[{"ErrorEquals":["VehicleNotFound"],"IntervalSeconds":2,"MaxAttempts":1}],
	       "Catch":[{"ErrorEquals":["States.ALL"],"Assign":{"err":"{% $states.errorOutput.Error %}"},
	                 "Output":{"caught":"{% $states.errorOutput.Error %}","input":"{% $states.input %}"},"Next":"P"}],"End":true},
	  "P":{"Type":"Pass","Output":{"prev":"{% $states.input %}","err":"{% $err %}"},"End":true}}}`)
	start := clk.Now()
	res := run(t, e, "m", `{"x":1}`)
	assertJSON(t, res.Output, `{"prev":{"caught":"VehicleNotFound","input":{"x":1}},"err":"VehicleNotFound"}`)
	if waited := clk.Now().Sub(start); waited != 2*time.Second {
		t.Errorf("retried after %v, want 2s", waited)
	}
}

func TestJSONataChoiceWaitParallelAndMap(t *testing.T) {
	t.Parallel()
	e, clk := newEngine(t, engine.Options{})
	mustLoad(t, e, "m", `{"QueryLanguage":"JSONata","StartAt":"C","States":{
	  "C":{"Type":"Choice","Choices":[
	        {"Condition":"{% $states.input.n > 10 %}","Next":"Big","Output":{"size":"big"}},
	        {"Condition":"{% $states.input.n > 1 %}","Next":"W","Assign":{"n":"{% $states.input.n %}"}}],
	      "Default":"Big","Output":{"size":"default"}},
	  "Big":{"Type":"Succeed"},
	  "W":{"Type":"Wait","Seconds":"{% $n * 10 %}","Next":"Par"},
	  "Par":{"Type":"Parallel","Arguments":{"v":"{% $n %}"},"Branches":[
	        {"StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $states.input.v + 1 %}","End":true}}},
	        {"StartAt":"B","States":{"B":{"Type":"Pass","Output":"{% $states.input.v * 2 %}","End":true}}}],
	      "Output":"{% $sum($states.result) %}","Next":"M"},
	  "M":{"Type":"Map","Items":"{% [1..$states.input] %}","MaxConcurrency":"{% 2 %}",
	      "ItemSelector":{"i":"{% $states.context.Map.Item.Index %}","v":"{% $states.context.Map.Item.Value %}"},
	      "ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","Output":"{% $states.input.i * 100 + $states.input.v %}","End":true}}},
	      "Output":"{% $states.result[[0, -1]] %}","End":true}}}`)
	start := clk.Now()
	res := run(t, e, "m", `{"n": 3}`)
	if res.Status != engine.StatusSucceeded {
		t.Fatalf("%s %s %s", res.Status, res.Error, res.Cause)
	}
	// n=3: waits 30s, Parallel gives 4 and 6 (sum 10), Map over 1..10 keeps the first and last.
	assertJSON(t, res.Output, `[1, 910]`)
	if waited := clk.Now().Sub(start); waited != 30*time.Second {
		t.Errorf("waited %v, want 30s", waited)
	}
	assertJSON(t, run(t, e, "m", `{"n": 50}`).Output, `{"size":"big"}`)
	assertJSON(t, run(t, e, "m", `{"n": 0}`).Output, `{"size":"default"}`)
}

func TestJSONataRuntimeErrors(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{})
	for _, tc := range []struct{ name, def, input, cause string }{
		{"type_error", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $states.input.s + 1 %}","End":true}}}`, `{"s":"x"}`,
			`An error occurred while executing the state 'P' (entered at the event id #2). The JSONata expression '$states.input.s + 1' specified for the field 'Output' threw an error during evaluation. T2001: The left side of the "+" operator must evaluate to a number`},
		{"condition_not_boolean", `{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.s %}","Next":"D"}]},"D":{"Type":"Succeed"}}}`, `{"s":"x"}`,
			`The JSONata expression '$states.input.s' specified for the field 'Choices[0]/Condition' returned an unexpected result type. Expected 'boolean', but was 'string' for value: "x"`},
		{"choice_field_names", `{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"{% false %}","Next":"D"},{"Condition":"{% $states.input.nope %}","Next":"D"}]},"D":{"Type":"Succeed"}}}`, `{}`,
			`The JSONata expression '$states.input.nope' specified for the field 'Choices[1]/Condition' returned nothing (undefined).`},
		{"catch_field_names", `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":"{% 1 %}","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"Catch":[{"ErrorEquals":["States.ALL"],"Output":{"l":["{% $states.errorOutput.Nope %}"]},"Next":"D"}],"End":true},"D":{"Type":"Succeed"}}}`, `{}`,
			`specified for the field 'Catch[0]/Output/l[0]' returned nothing (undefined).`},
		{"undefined_in_map_selector", `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":[1],"ItemSelector":{"v":"{% $states.input.nope %}"},"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`, `{}`,
			`The JSONata expression '$states.input.nope' specified for the field 'ItemSelector/v' returned nothing (undefined).`},
	} {
		mustLoad(t, e, tc.name, tc.def)
		res := run(t, e, tc.name, tc.input)
		if res.Status != engine.StatusFailed || res.Error != "States.QueryEvaluationError" || !strings.Contains(res.Cause, tc.cause) {
			t.Errorf("%s: got %s %s %q", tc.name, res.Status, res.Error, res.Cause)
		}
	}
}

func TestJSONataValidation(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{})
	for _, tc := range []struct{ name, def, want string }{
		{"jsonpath field", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.x","End":true}}}`, "/States/A/InputPath"},
		{"jsonata field in jsonpath", `{"StartAt":"A","States":{"A":{"Type":"Pass","Output":{},"End":true}}}`, "/States/A/Output"},
		{"bad expression", `{"StartAt":"A","States":{"A":{"Type":"Pass","QueryLanguage":"JSONata","Output":{"x":"{% 1 + %}"},"End":true}}}`, "/States/A/Output"},
		{"no downgrade", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}}}`,
			"'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine at /States/A"},
		{"unparseable", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":{"v":["{% 1 + %}"]},"End":true}}}`,
			"INVALID_JSONATA_EXPRESSION: Unexpected end of expression at /States/A/Output/v/0"},
		{"top-level reference", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":{"v":"{% phone.number %}"},"End":true}}}`,
			"UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported. at /States/A/Output/v"},
		{"root reference", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $$ %}","End":true}}}`,
			"Reference to '$$' at the top level is not supported."},
		{"bad language", `{"QueryLanguage":"XPath","StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`, "/QueryLanguage"},
		{"catch all not last", `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Catch":[{"ErrorEquals":["States.ALL"],"Next":"D"},{"ErrorEquals":["X"],"Next":"D"}],"End":true},"D":{"Type":"Succeed"}}}`,
			"States.ALL must appear in the last catcher at /States/T/Catch/0/ErrorEquals"},
		{"catch resultpath", `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.e","Next":"D"}],"End":true},"D":{"Type":"Succeed"}}}`, "/States/T/Catch/0/ResultPath"},
	} {
		_, err := e.Load("m", []byte(tc.def), nil)
		var ve *engine.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want a ValidationError mentioning %q", tc.name, err, tc.want)
		}
	}
}

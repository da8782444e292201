package engine_test

import (
	"testing"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

// The execution output is compared as text: these tests are about member order, which
// assertJSON ignores.
func assertOutputText(t *testing.T, res engine.Result, want string) {
	t.Helper()
	if res.Status != engine.StatusSucceeded {
		t.Fatalf("status %s: %s %s", res.Status, res.Error, res.Cause)
	}
	if res.Output != want {
		t.Fatalf("output\n got: %s\nwant: %s", res.Output, want)
	}
}

func TestObjectsKeepDocumentOrder(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{})
	mustLoad(t, e, "strings", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true,"Parameters":{
		"json.$":"States.JsonToString($.car)",
		"text.$":"States.Format('car {}', $.car)"}}}}`)
	assertOutputText(t, run(t, e, "strings", `{"car":{"vin":"X","make":"Audi","km":[3,{"z":1,"a":2}]}}`),
		`{"json":"{\"vin\":\"X\",\"make\":\"Audi\",\"km\":[3,{\"z\":1,\"a\":2}]}","text":"car {vin=X, make=Audi, km=[3, {z=1, a=2}]}"}`)

	// A Pass without Parameters passes its input on untouched, order included.
	mustLoad(t, e, "pass", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)
	assertOutputText(t, run(t, e, "pass", `{"z":1,"b":{"y":2,"x":3},"a":4}`), `{"z":1,"b":{"y":2,"x":3},"a":4}`)

	// A literal Result keeps the definition's order.
	mustLoad(t, e, "result", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true,"Result":{"zulu":1,"alpha":{"mike":2,"bravo":3}}}}}`)
	assertOutputText(t, run(t, e, "result", `{}`), `{"zulu":1,"alpha":{"mike":2,"bravo":3}}`)
}

// TestParametersOrderAsAWS pins the order AWS gives a JSONPath payload template's output, as the
// AWS-recorded corpus shows it: the literal fields in the template's order, then the computed
// ("key.$") ones in java.util.HashMap order.
func TestParametersOrderAsAWS(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{})
	mustLoad(t, e, "m", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true,"Parameters":{
		"zulu":1,"name.$":"$.n","id.$":"$.i","alpha":{"y":1,"x":2},"vin.$":"$.v"}}}}`)
	assertOutputText(t, run(t, e, "m", `{"n":"N","i":"I","v":"V"}`), `{"zulu":1,"alpha":{"y":1,"x":2},"name":"N","vin":"V","id":"I"}`)
}

func TestResultPathMergeOrder(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{})
	// An existing key keeps its place; a new one goes last.
	mustLoad(t, e, "m", `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Result":"new","ResultPath":"$.b","Next":"B"},
		"B":{"Type":"Pass","Result":{"k":1},"ResultPath":"$.added.deep","End":true}}}`)
	assertOutputText(t, run(t, e, "m", `{"z":1,"b":"old","a":2}`), `{"z":1,"b":"new","a":2,"added":{"deep":{"k":1}}}`)
}

func TestJsonMergeOrderAsAWS(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{})
	// The corpus case: {"a","b","d"} merged with {"a","c","d"} comes out a, b, c, d (HashMap
	// order), the second object's values winning.
	mustLoad(t, e, "m", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true,"Parameters":{
		"r.$":"States.JsonMerge($.f, $.s, false)"}}}}`)
	assertOutputText(t, run(t, e, "m", `{"f":{"d":3,"b":2,"a":{"a1":1}},"s":{"d":4,"c":3,"a":{"a3":1}}}`),
		`{"r":{"a":{"a3":1},"b":2,"c":3,"d":4}}`)
}

func TestJSONataKeepsOrder(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{})
	mustLoad(t, e, "m", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","End":true,"Output":{
		"zulu":"{% $string({'y': 1, 'x': $states.input.car}) %}",
		"keys":"{% $keys($states.input.car) %}",
		"alpha":"{% $states.input.car %}"}}}}`)
	assertOutputText(t, run(t, e, "m", `{"car":{"vin":"X","make":"Audi"}}`),
		`{"zulu":"{\"y\":1,\"x\":{\"vin\":\"X\",\"make\":\"Audi\"}}","keys":["vin","make"],"alpha":{"vin":"X","make":"Audi"}}`)
}

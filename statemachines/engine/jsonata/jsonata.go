// Package jsonata is a JSONata (https://docs.jsonata.org) parser and evaluator over the engine's
// value model (package value: JSON trees with json.Number numbers and ordered objects), with the functions AWS Step
// Functions adds ($partition, $range, $hash, $random with a seed, $uuid, $parse).
//
// The semantics follow the reference implementation, jsonata-js: result sequences, singleton
// unwrapping and array flattening in paths, "undefined" as a result distinct from null, the
// context ('@'), position ('#') and parent ('%') operators, the standard function library and
// its error codes. Objects keep their keys in order, creation order for those the expression
// builds and document order for the input's ($string, $keys, $each and wildcards follow it), as
// in jsonata-js and Step Functions. Picture strings ($formatNumber, $formatInteger,
// $now/$fromMillis/$toMillis) cover the common XPath components (picture.go). Regular
// expressions run on Go's RE2, so JavaScript lookarounds and backreferences do not compile.
// $eval is absent, as in Step Functions.
package jsonata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// Expr is a compiled expression; it is immutable and safe for concurrent use.
type Expr struct {
	src  string
	root *node
}

// Compile parses a JSONata expression.
func Compile(src string) (*Expr, error) {
	root, err := parse(src)
	if err != nil {
		return nil, fmt.Errorf("compile jsonata %q: %w", src, err)
	}
	return &Expr{src: src, root: root}, nil
}

// String returns the expression's source.
func (x *Expr) String() string { return x.src }

// Options are what an evaluation takes from its environment: the clock behind $now/$millis and
// the randomness behind $random/$uuid/$shuffle. Zero values mean the wall clock and a random
// seed.
type Options struct {
	Now  time.Time
	Rand *rand.Rand
	// Vars resolves variables the bindings map does not hold (Step Functions workflow
	// variables, looked up through their scopes without copying them into a map).
	Vars func(name string) (any, bool)
	// Context, when set, stops a long evaluation (a runaway $reduce over a large range) once
	// it is done, so the execution's deadline holds.
	Context context.Context
}

// Eval evaluates the expression against input ("$") with the given variable bindings (without
// the leading '$'). defined is false when the expression yields nothing (JSONata's undefined),
// which is distinct from a null result. The result is in the engine's value model.
func (x *Expr) Eval(input any, bindings map[string]any) (result any, defined bool, err error) {
	return x.EvalWith(input, bindings, Options{})
}

// EvalWith is Eval with an explicit clock and random source.
func (x *Expr) EvalWith(input any, bindings map[string]any, opts Options) (result any, defined bool, err error) {
	e := &evaluator{now: opts.Now, rng: opts.Rand, ctx: opts.Context}
	if e.now.IsZero() {
		e.now = time.Now()
	}
	env := newFrame(nil)
	env.ext = opts.Vars
	// Callers may bind Go maps; they become objects with sorted keys (values of the value model
	// pass unchanged at the cost of a type switch).
	input = value.Normalize(input)
	for k, v := range bindings {
		env.bind(k, value.Normalize(v))
	}
	env.bind("$", input) // $$: the root input
	if items, ok := input.([]any); ok {
		// A top-level array is one input value, not a sequence of them (jsonata-js wraps it).
		input = &jarray{items: []any{items}, sequence: true, outerWrapper: true}
	}
	res, err := e.eval(x.root, input, env)
	if err != nil {
		return nil, false, fmt.Errorf("evaluate jsonata %q: %w", x.src, err)
	}
	v, ok, err := toValue(res)
	if err != nil {
		return nil, false, fmt.Errorf("evaluate jsonata %q: %w", x.src, err)
	}
	return v, ok, nil
}

// Undefined returns the input meaning "no input at all" (JSONata's undefined), for Step
// Functions, where expressions read $states instead of a context value.
func Undefined() any { return undefined }

// Package payload compiles and evaluates JSONPath-mode payload templates: Parameters,
// ResultSelector, ItemSelector and Assign. In a template, a key ending in ".$" takes a path
// ("$.x", "$$.Execution.Id", "$var.field") or an intrinsic function call and is emitted without
// the suffix; every other value is a literal, walked through nested objects and arrays.
package payload

import (
	"errors"
	"fmt"
	"strings"

	"github.com/acme-oem/vehicle-data/statemachines/engine/intrinsic"
	"github.com/acme-oem/vehicle-data/statemachines/engine/jsonpath"
	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// Template is a compiled payload template; it is immutable and safe for concurrent use.
type Template struct {
	root node
}

// node is one value of the template. A static node (no ".$" key anywhere below it) is kept as
// its literal value and returned as is.
type node struct {
	static bool
	lit    any

	fields []field // dynamic objects
	elems  []node  // dynamic arrays
	isArr  bool
}

type field struct {
	key   string // output key (without ".$")
	src   string // template key, as error messages name it
	path  *jsonpath.Path
	call  *intrinsic.Call
	child node // used when path and call are nil
}

// Compile validates tmpl and compiles it. Errors name the offending field and the rule, as
// CreateStateMachine words them.
func Compile(tmpl any) (*Template, error) {
	n, err := compile(tmpl)
	if err != nil {
		return nil, err
	}
	return &Template{root: n}, nil
}

func compile(v any) (node, error) {
	switch x := v.(type) {
	case *value.Object:
		dynamic := false
		fields := make([]field, 0, x.Len())
		for k, xv := range x.All() { // the template's order is the output's, as in AWS
			f, err := compileField(k, xv)
			if err != nil {
				return node{}, err
			}
			if f.path != nil || f.call != nil || !f.child.static {
				dynamic = true
				// "a" and "a.$" would both write "a"; AWS rejects that rather than pick one.
				if x.Has(f.key) && f.key != k {
					return node{}, &CompileError{Field: k, Msg: fmt.Sprintf(
						"The fields '%s' and '%s' cannot both be set: they produce the same key", f.key, k)}
				}
			}
			fields = append(fields, f)
		}
		if !dynamic {
			return node{static: true, lit: x}, nil
		}
		return node{fields: awsFieldOrder(fields)}, nil
	case []any:
		dynamic := false
		elems := make([]node, len(x))
		for i, e := range x {
			n, err := compile(e)
			if err != nil {
				return node{}, err
			}
			if !n.static {
				dynamic = true
			}
			elems[i] = n
		}
		if !dynamic {
			return node{static: true, lit: x}, nil
		}
		return node{elems: elems, isArr: true}, nil
	default:
		return node{static: true, lit: v}, nil
	}
}

// awsFieldOrder puts the fields in the order AWS's output has them: the literal keys first, in
// the template's order, then the computed ("key.$") ones in java.util.HashMap order, which is
// how Step Functions assembles the object (package value explains the order). Evaluating in this
// order also makes the first failing field the one AWS reports.
func awsFieldOrder(fields []field) []field {
	out := make([]field, 0, len(fields))
	var computed []string
	byKey := map[string]field{}
	for _, f := range fields {
		if f.src == f.key {
			out = append(out, f)
			continue
		}
		computed = append(computed, f.key)
		byKey[f.key] = f
	}
	for _, k := range value.JavaHashOrder(computed) {
		out = append(out, byKey[k])
	}
	return out
}

func compileField(k string, v any) (field, error) {
	name, dynamic := strings.CutSuffix(k, ".$")
	if !dynamic {
		child, err := compile(v)
		if err != nil {
			return field{}, err
		}
		return field{key: k, src: k, child: child}, nil
	}
	f := field{key: name, src: k}
	s, ok := v.(string)
	if !ok {
		return field{}, &CompileError{Field: k, Msg: fmt.Sprintf("The value for the field '%s' must be a STRING", k)}
	}
	switch {
	case intrinsic.IsCall(s):
		call, err := intrinsic.Parse(s)
		if err != nil {
			return field{}, invalidExpr(k, err)
		}
		f.call = call
	case strings.HasPrefix(s, "$"):
		p, err := jsonpath.Parse(s)
		if err != nil {
			return field{}, invalidExpr(k, err)
		}
		f.path = p
	default:
		return field{}, invalidExpr(k, nil)
	}
	return f, nil
}

// CompileError is a template validation failure, worded as CreateStateMachine words it.
type CompileError struct {
	Field string // the template key, e.g. "value.$"
	Msg   string
	Err   error // the path or intrinsic parse error, if any
}

func (e *CompileError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *CompileError) Unwrap() error { return e.Err }

func invalidExpr(field string, err error) error {
	return &CompileError{
		Field: field,
		Msg:   fmt.Sprintf("The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call", field),
		Err:   err,
	}
}

// Static reports whether the template has no dynamic key, so Eval always returns the literal.
func (t *Template) Static() bool { return t.root.static }

// Eval builds the payload. The result shares unchanged parts with the template literal and with
// the documents env refers to: callers must copy before mutating it. Runtime errors are
// *value.Error (States.Runtime for paths that match nothing, States.IntrinsicFailure from
// intrinsic functions).
func (t *Template) Eval(env jsonpath.Env) (any, error) {
	if t.root.static {
		return t.root.lit, nil
	}
	return t.root.eval(env)
}

func (n *node) eval(env jsonpath.Env) (any, error) {
	if n.static {
		return n.lit, nil
	}
	if n.isArr {
		out := make([]any, len(n.elems))
		for i := range n.elems {
			v, err := n.elems[i].eval(env)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	out := value.NewObject(len(n.fields))
	for i := range n.fields {
		f := &n.fields[i]
		var v any
		var err error
		switch {
		case f.path != nil:
			v, err = f.path.Resolve(env)
			if err != nil {
				return nil, NotFound(f.path.String(), f.src, env.Input, err)
			}
		case f.call != nil:
			v, err = f.call.Eval(env)
			if err != nil {
				var pe *intrinsic.PathError
				if errors.As(err, &pe) {
					return nil, NotFound(pe.Path, f.src, env.Input, pe.Err)
				}
				return nil, err
			}
		default:
			v, err = f.child.eval(env)
			if err != nil {
				return nil, err
			}
		}
		out.Set(f.key, v)
	}
	return out, nil
}

// NotFound words the failure of path (read for fieldName, e.g. "value.$" or "CausePath") the
// way AWS does when err says the path matched nothing or names an unassigned variable:
// States.Runtime "The JSONPath '$.x' specified for the field 'value.$' could not be found in the
// input '{...}'". Other errors are wrapped unchanged.
func NotFound(path, fieldName string, input any, err error) error {
	if !errors.Is(err, jsonpath.ErrNotFound) && !errors.Is(err, jsonpath.ErrUndefinedVariable) {
		return fmt.Errorf("field %s: %w", fieldName, err)
	}
	return &value.Error{
		Name: "States.Runtime",
		Cause: fmt.Sprintf("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'",
			path, fieldName, value.MustString(input)),
	}
}

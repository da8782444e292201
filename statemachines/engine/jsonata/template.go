package jsonata

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// ErrQueryEvaluation is the Step Functions error name for JSONata failures at run time.
const ErrQueryEvaluation = "States.QueryEvaluationError"

// ExpressionText returns the JSONata source inside a Step Functions "{% ... %}" string. AWS
// only treats the whole string as an expression when it starts with "{%" and ends with "%}"
// exactly (" {% x %} " is a plain string).
func ExpressionText(s string) (string, bool) {
	if len(s) < 4 || !strings.HasPrefix(s, "{%") || !strings.HasSuffix(s, "%}") {
		return "", false
	}
	return strings.TrimSpace(s[2 : len(s)-2]), true
}

// Template is a JSONata-state field value (Arguments, Output, Assign, ItemSelector, ...):
// JSON whose strings may be "{% expression %}" at any depth; everything else is literal.
type Template struct {
	lit  any
	expr *Expr
	obj  []keyedTemplate // in the template's order, which is the output's, as in AWS
	arr  []*Template
	kind templateKind
}

type keyedTemplate struct {
	key string
	t   *Template
}

type templateKind uint8

const (
	tmplLiteral templateKind = iota
	tmplExpr
	tmplObject
	tmplArray
)

// TemplateError is a "{% %}" string of a template that does not compile. Pointer locates it
// inside the template as a JSON pointer suffix ("/items/2", "" for the template itself), the
// form CreateStateMachine's diagnostics use.
type TemplateError struct {
	Pointer string
	Err     *Error
}

func (e *TemplateError) Error() string {
	if e.Pointer == "" {
		return e.Err.Error()
	}
	return e.Pointer[1:] + ": " + e.Err.Error()
}

func (e *TemplateError) Unwrap() error { return e.Err }

// CompileTemplate compiles every "{% %}" string in v; a failure is a *TemplateError.
func CompileTemplate(v any) (*Template, error) {
	return compileTemplate(value.Normalize(v), "") // Go maps are accepted, with sorted keys
}

func compileTemplate(v any, pointer string) (*Template, error) {
	switch x := v.(type) {
	case string:
		src, ok := ExpressionText(x)
		if !ok {
			return &Template{lit: x}, nil
		}
		root, err := parse(src)
		if err != nil {
			var je *Error
			if !errors.As(err, &je) {
				je = &Error{Code: "S0201", Position: -1, Message: err.Error()}
			}
			return nil, &TemplateError{Pointer: pointer, Err: je}
		}
		return &Template{expr: &Expr{src: src, root: root}, kind: tmplExpr}, nil
	case *value.Object:
		t := &Template{obj: make([]keyedTemplate, 0, x.Len()), kind: tmplObject}
		dynamic := false
		for k, xv := range x.All() {
			ct, err := compileTemplate(xv, pointer+"/"+k)
			if err != nil {
				return nil, err
			}
			dynamic = dynamic || ct.kind != tmplLiteral
			t.obj = append(t.obj, keyedTemplate{k, ct})
		}
		if !dynamic {
			return &Template{lit: x}, nil
		}
		return t, nil
	case []any:
		t := &Template{arr: make([]*Template, len(x)), kind: tmplArray}
		dynamic := false
		for i, child := range x {
			ct, err := compileTemplate(child, pointer+"/"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			dynamic = dynamic || ct.kind != tmplLiteral
			t.arr[i] = ct
		}
		if !dynamic {
			return &Template{lit: x}, nil
		}
		return t, nil
	}
	return &Template{lit: v}, nil
}

// Expressions calls fn for every expression in the template with its JSON pointer suffix
// ("/items/2"), in a stable order: definition checks walk them.
func (t *Template) Expressions(fn func(pointer string, x *Expr)) {
	t.walk("", fn)
}

func (t *Template) walk(pointer string, fn func(string, *Expr)) {
	switch t.kind {
	case tmplExpr:
		fn(pointer, t.expr)
	case tmplObject:
		for _, kt := range t.obj {
			kt.t.walk(pointer+"/"+kt.key, fn)
		}
	case tmplArray:
		for i, ct := range t.arr {
			ct.walk(pointer+"/"+strconv.Itoa(i), fn)
		}
	}
}

// IsExpression reports whether the template is a single "{% %}" expression, and returns it.
func (t *Template) IsExpression() (*Expr, bool) {
	return t.expr, t.kind == tmplExpr
}

// Eval evaluates the template with the given bindings ("states" and the workflow variables).
// field names the template in messages ("Output", "Assign"); nested values extend it the way
// AWS words them: "Output/result", "Output/list[1]". Failures are *value.Error States.QueryEvaluationError with AWS's cause
// (without the "An error occurred while executing the state ..." prefix, which the engine adds).
func (t *Template) Eval(bindings map[string]any, field string, opts Options) (any, error) {
	switch t.kind {
	case tmplExpr:
		return EvalField(t.expr, bindings, field, opts)
	case tmplObject:
		out := value.NewObject(len(t.obj))
		for _, kt := range t.obj {
			v, err := kt.t.Eval(bindings, field+"/"+kt.key, opts)
			if err != nil {
				return nil, err
			}
			out.Set(kt.key, v)
		}
		return out, nil
	case tmplArray:
		out := make([]any, len(t.arr))
		for i, ct := range t.arr {
			// Array elements are named with an index, as AWS words it: 'Output/list[1]'.
			v, err := ct.Eval(bindings, field+"["+strconv.Itoa(i)+"]", opts)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return value.Copy(t.lit), nil
}

// EvalField evaluates one expression for a state field: no context value ("$" is not allowed
// at the top level in Step Functions), and an undefined result is an error.
func EvalField(x *Expr, bindings map[string]any, field string, opts Options) (any, error) {
	v, ok, err := x.EvalWith(undefined, bindings, opts)
	if err != nil {
		return nil, EvaluationError(x, field, err)
	}
	if !ok {
		return nil, &value.Error{Name: ErrQueryEvaluation, Cause: fmt.Sprintf(
			"The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", x.src, field)}
	}
	return v, nil
}

// EvaluationError wraps a JSONata run-time error as the Step Functions error for field.
func EvaluationError(x *Expr, field string, err error) error {
	var je *Error
	msg := err.Error()
	if errors.As(err, &je) {
		msg = je.Code + ": " + je.Message
	}
	return &value.Error{Name: ErrQueryEvaluation, Cause: fmt.Sprintf(
		"The JSONata expression '%s' specified for the field '%s' threw an error during evaluation. %s", x.src, field, msg)}
}

// TypeError is the failure for a field whose expression returned the wrong JSON type, as AWS
// words it: "... returned an unexpected result type. Expected 'array', but was 'number' for
// value: 1".
func TypeError(x *Expr, field, want string, got any) error {
	return &value.Error{Name: ErrQueryEvaluation, Cause: fmt.Sprintf(
		"The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected '%s', but was '%s' for value: %s",
		x.src, field, want, value.TypeName(got), value.MustString(got))}
}

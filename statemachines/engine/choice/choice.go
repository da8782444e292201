// Package choice compiles and evaluates the rules of JSONPath-mode Choice states.
//
// A rule is either a comparison ("Variable" plus one operator such as "NumericEquals") or a
// boolean combination ("And", "Or", "Not"). Comparisons whose Variable has the wrong type are
// false, never errors; a Variable that matches nothing fails the state with States.Runtime
// (except for IsPresent, which exists to test exactly that).
package choice

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine/jsonpath"
	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

type kind uint8

const (
	kindCompare kind = iota
	kindAnd
	kindOr
	kindNot
)

// family groups operators by the type they compare.
type family uint8

const (
	famString family = iota
	famNumeric
	famBoolean
	famTimestamp
	famMatches
	famIsNull
	famIsPresent
	famIsNumeric
	famIsString
	famIsBoolean
	famIsTimestamp
)

type relation uint8

const (
	relEq relation = iota
	relLt
	relGt
	relLe
	relGe
)

type operator struct {
	fam  family
	rel  relation
	path bool // the *Path variant: the operand is a path to the value to compare with
}

// operators is the immutable table of comparison operators by ASL name.
var operators = func() map[string]operator {
	m := map[string]operator{
		"StringMatches": {fam: famMatches},
		"IsNull":        {fam: famIsNull},
		"IsPresent":     {fam: famIsPresent},
		"IsNumeric":     {fam: famIsNumeric},
		"IsString":      {fam: famIsString},
		"IsBoolean":     {fam: famIsBoolean},
		"IsTimestamp":   {fam: famIsTimestamp},
		"BooleanEquals": {fam: famBoolean, rel: relEq},
	}
	m["BooleanEqualsPath"] = operator{fam: famBoolean, rel: relEq, path: true}
	rels := map[string]relation{"Equals": relEq, "LessThan": relLt, "GreaterThan": relGt,
		"LessThanEquals": relLe, "GreaterThanEquals": relGe}
	for prefix, fam := range map[string]family{"String": famString, "Numeric": famNumeric, "Timestamp": famTimestamp} {
		for suffix, rel := range rels {
			m[prefix+suffix] = operator{fam: fam, rel: rel}
			m[prefix+suffix+"Path"] = operator{fam: fam, rel: rel, path: true}
		}
	}
	return m
}()

// Rule is a compiled choice rule; it is immutable and safe for concurrent use.
type Rule struct {
	kind     kind
	next     string
	opName   string
	op       operator
	variable *jsonpath.Path
	operand  any // string, float64, bool, time.Time or []globToken, by family
	opPath   *jsonpath.Path
	children []*Rule
}

// Next is the state to go to when the rule matches ("" for nested rules).
func (r *Rule) Next() string { return r.next }

// Compile validates and compiles one Choices[] entry (with "Next") or a nested rule. Keys the
// engine handles itself ("Assign", "Output", "Comment") are ignored.
func Compile(rule *value.Object) (*Rule, error) {
	r, err := compile(rule)
	if err != nil {
		return nil, err
	}
	if n, ok := rule.Get("Next"); ok {
		s, isStr := n.(string)
		if !isStr || s == "" {
			return nil, errors.New("the field 'Next' of a choice rule must be a non-empty string")
		}
		r.next = s
	}
	return r, nil
}

func compile(rule *value.Object) (*Rule, error) {
	var ops []string
	for k := range rule.All() {
		switch k {
		case "Next", "Comment", "Assign", "Output", "Variable":
		case "And", "Or", "Not":
			ops = append(ops, k)
		default:
			if _, ok := operators[k]; !ok {
				return nil, fmt.Errorf("the field '%s' is not supported in a choice rule", k)
			}
			ops = append(ops, k)
		}
	}
	slices.Sort(ops)
	switch len(ops) {
	case 0:
		return nil, errors.New("a choice rule must have exactly one comparison operator or And, Or, Not; found none")
	case 1:
	default:
		return nil, fmt.Errorf("a choice rule must have exactly one comparison operator or And, Or, Not; found %s",
			strings.Join(ops, ", "))
	}
	name := ops[0]
	switch name {
	case "And", "Or":
		if _, ok := rule.Get("Variable"); ok {
			return nil, fmt.Errorf("the field 'Variable' cannot be used with '%s'", name)
		}
		list, ok := rule.Value(name).([]any)
		if !ok || len(list) == 0 {
			return nil, fmt.Errorf("the field '%s' must be a non-empty array of choice rules", name)
		}
		r := &Rule{kind: kindAnd}
		if name == "Or" {
			r.kind = kindOr
		}
		for i, item := range list {
			m, ok := item.(*value.Object)
			if !ok {
				return nil, fmt.Errorf("%s[%d] must be a choice rule object", name, i)
			}
			child, err := compileNested(m)
			if err != nil {
				return nil, fmt.Errorf("%s[%d]: %w", name, i, err)
			}
			r.children = append(r.children, child)
		}
		return r, nil
	case "Not":
		if _, ok := rule.Get("Variable"); ok {
			return nil, errors.New("the field 'Variable' cannot be used with 'Not'")
		}
		m, ok := rule.Value("Not").(*value.Object)
		if !ok {
			return nil, errors.New("the field 'Not' must be a choice rule object")
		}
		child, err := compileNested(m)
		if err != nil {
			return nil, fmt.Errorf("in Not: %w", err)
		}
		return &Rule{kind: kindNot, children: []*Rule{child}}, nil
	}
	return compileComparison(rule, name)
}

func compileNested(m *value.Object) (*Rule, error) {
	if m.Has("Next") {
		return nil, errors.New("the field 'Next' is only allowed in top-level choice rules")
	}
	return compile(m)
}

func compileComparison(rule *value.Object, name string) (*Rule, error) {
	op := operators[name]
	rawVar, ok := rule.Get("Variable")
	if !ok {
		return nil, fmt.Errorf("the choice rule with '%s' must have the field 'Variable'", name)
	}
	varStr, ok := rawVar.(string)
	if !ok || !strings.HasPrefix(varStr, "$") {
		return nil, fmt.Errorf("the field 'Variable' must be a JSONPath, got %s", value.MustString(rawVar))
	}
	variable, err := jsonpath.Parse(varStr)
	if err != nil {
		return nil, fmt.Errorf("the field 'Variable': %w", err)
	}
	r := &Rule{kind: kindCompare, opName: name, op: op, variable: variable}
	raw := rule.Value(name)
	if op.path {
		s, ok := raw.(string)
		if !ok || !strings.HasPrefix(s, "$") {
			return nil, fmt.Errorf("the value of the field '%s' must be a valid JSONPath, got %s", name, value.MustString(raw))
		}
		p, err := jsonpath.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("the value of the field '%s': %w", name, err)
		}
		r.opPath = p
		return r, nil
	}
	switch op.fam {
	case famString:
		s, ok := raw.(string)
		if !ok {
			return nil, fmt.Errorf("the value of the field '%s' must be a string, got %s", name, value.MustString(raw))
		}
		r.operand = s
	case famMatches:
		s, ok := raw.(string)
		if !ok {
			return nil, fmt.Errorf("the value of the field '%s' must be a string, got %s", name, value.MustString(raw))
		}
		g, err := compileGlob(s)
		if err != nil {
			return nil, fmt.Errorf("the value of the field '%s' is not a valid pattern: %w", name, err)
		}
		r.operand = g
	case famNumeric:
		f, ok := value.Float(raw)
		if !ok {
			return nil, fmt.Errorf("the value of the field '%s' must be a number, got %s", name, value.MustString(raw))
		}
		r.operand = f
	case famTimestamp:
		s, ok := raw.(string)
		t, okTime := parseTimestamp(s)
		if !ok || !okTime {
			return nil, fmt.Errorf("the value of the field '%s' must be an ISO-8601 extended offset date-time string, got %s",
				name, value.MustString(raw))
		}
		r.operand = t
	default: // BooleanEquals and the Is* operators
		b, ok := raw.(bool)
		if !ok {
			return nil, fmt.Errorf("the value of the field '%s' must be a boolean, got %s", name, value.MustString(raw))
		}
		r.operand = b
	}
	return r, nil
}

// Eval evaluates the rule against env.
func (r *Rule) Eval(env jsonpath.Env) (bool, error) {
	switch r.kind {
	case kindAnd:
		for _, c := range r.children {
			ok, err := c.Eval(env)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case kindOr:
		for _, c := range r.children {
			ok, err := c.Eval(env)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case kindNot:
		ok, err := r.children[0].Eval(env)
		return !ok && err == nil, err
	}
	v, err := r.variable.Resolve(env)
	if r.op.fam == famIsPresent {
		want := r.operand.(bool)
		present := err == nil
		if l, isList := v.([]any); present && isList && !r.variable.Definite() {
			present = len(l) > 0
		}
		return present == want, nil
	}
	if err != nil {
		return false, invalidPath(r.variable, err)
	}
	if r.op.path {
		ov, err := r.opPath.Resolve(env)
		if err != nil {
			return false, invalidPath(r.opPath, err)
		}
		operand, ok := pathOperand(r.op.fam, ov)
		if !ok {
			return false, nil
		}
		return compare(r.op, v, operand), nil
	}
	return compare(r.op, v, r.operand), nil
}

func invalidPath(p *jsonpath.Path, err error) error {
	if errors.Is(err, jsonpath.ErrNotFound) || errors.Is(err, jsonpath.ErrUndefinedVariable) {
		return &value.Error{
			Name:  "States.Runtime",
			Cause: fmt.Sprintf("Invalid path '%s': The choice state's condition path references an invalid value.", p.String()),
		}
	}
	return fmt.Errorf("choice rule path %s: %w", p.String(), err)
}

// pathOperand converts the value a *Path operator points at into the operand type of its
// family; a value of the wrong type makes the comparison false.
func pathOperand(fam family, v any) (any, bool) {
	switch fam {
	case famString:
		s, ok := v.(string)
		return s, ok
	case famNumeric:
		return value.Float(v)
	case famBoolean:
		b, ok := v.(bool)
		return b, ok
	case famTimestamp:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		return parseTimestamp(s)
	}
	return nil, false
}

func compare(op operator, v, operand any) bool {
	switch op.fam {
	case famIsNull:
		return (v == nil) == operand.(bool)
	case famIsNumeric:
		_, isNum := v.(json.Number)
		return isNum == operand.(bool)
	case famIsString:
		_, isStr := v.(string)
		return isStr == operand.(bool)
	case famIsBoolean:
		_, isBool := v.(bool)
		return isBool == operand.(bool)
	case famIsTimestamp:
		s, isStr := v.(string)
		isTS := false
		if isStr {
			_, isTS = parseTimestamp(s)
		}
		return isTS == operand.(bool)
	case famBoolean:
		b, ok := v.(bool)
		return ok && b == operand.(bool)
	case famMatches:
		s, ok := v.(string)
		return ok && matchGlob(operand.([]globToken), s)
	case famString:
		s, ok := v.(string)
		return ok && holds(op.rel, strings.Compare(s, operand.(string)))
	case famNumeric:
		f, ok := value.Float(v)
		if !ok {
			return false
		}
		o := operand.(float64)
		c := 0
		if f < o {
			c = -1
		} else if f > o {
			c = 1
		}
		return holds(op.rel, c)
	case famTimestamp:
		s, ok := v.(string)
		if !ok {
			return false
		}
		t, ok := parseTimestamp(s)
		if !ok {
			return false
		}
		return holds(op.rel, t.Compare(operand.(time.Time)))
	}
	return false
}

func holds(rel relation, c int) bool {
	switch rel {
	case relEq:
		return c == 0
	case relLt:
		return c < 0
	case relGt:
		return c > 0
	case relLe:
		return c <= 0
	default:
		return c >= 0
	}
}

// parseTimestamp accepts RFC 3339 date-times with a 'T' separator and a zone ('Z' or an
// offset), optionally with fractional seconds, as AWS does.
func parseTimestamp(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

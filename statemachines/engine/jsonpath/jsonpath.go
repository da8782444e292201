// Package jsonpath implements the JSONPath dialect Step Functions accepts in JSONPath-mode ASL.
//
// AWS evaluates paths with Jayway JsonPath (Java); this package follows Jayway's semantics and
// wording where they surface in execution causes: definite paths that match nothing fail with
// "No results for path: $['a']['b']" (Jayway's normalized path), indefinite paths (wildcards,
// slices, filters, unions, recursive descent) yield a possibly empty list of matches.
//
// Values are the trees of package value (nil, bool, json.Number, string, []any, *value.Object).
// A Path is immutable after Parse and safe for concurrent use.
package jsonpath

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// ErrNotFound reports that a definite path matched nothing; the wrapping error's message is
// Jayway's ("No results for path: $['NoSuchInputPath']").
var ErrNotFound = errors.New("jsonpath: no results")

// ErrUndefinedVariable reports a "$name" path whose variable was never assigned; errors wrapping
// it are *UndefinedVariableError.
var ErrUndefinedVariable = errors.New("jsonpath: undefined variable")

// UndefinedVariableError names the variable a path referenced but the scope lacks.
type UndefinedVariableError struct {
	Name string // without the leading '$'
}

func (e *UndefinedVariableError) Error() string {
	return "The variable '$" + e.Name + "' is not defined"
}

// Is makes errors.Is(err, ErrUndefinedVariable) hold.
func (e *UndefinedVariableError) Is(target error) bool { return target == ErrUndefinedVariable }

// notFoundError carries Jayway's message for a missing result and matches ErrNotFound.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string        { return e.msg }
func (e *notFoundError) Is(target error) bool { return target == ErrNotFound }

// Env is what a path may refer to: "$" is Input, "$$" is Context, "$name" a variable.
// Vars may be nil when no variables are in scope.
type Env struct {
	Input   any
	Context any
	Vars    func(name string) (any, bool)
}

// Root says which document a path starts from.
type Root uint8

// Roots of a path.
const (
	RootInput    Root = iota // "$"
	RootContext              // "$$"
	RootVariable             // "$name"
)

type segKind uint8

const (
	segChild    segKind = iota // one or more property names
	segIndex                   // one or more array indexes
	segWildcard                // * on objects and arrays
	segSlice                   // [from:to]
	segFilter                  // [?(...)]
)

type segment struct {
	kind    segKind
	deep    bool // preceded by "..": applies to the node and every descendant
	names   []string
	indexes []int
	from    int
	to      int
	hasFrom bool
	hasTo   bool
	filter  expr
}

// Path is a compiled JSONPath.
type Path struct {
	src      string
	root     Root
	varName  string
	segs     []segment
	definite bool
	length   bool   // ends in .length()
	norm     string // Jayway's normalized form, e.g. $['a'][0]
}

// String returns the source text of the path.
func (p *Path) String() string { return p.src }

// Normalized returns Jayway's normalized form of the path ("$['a']['b'][0]").
func (p *Path) Normalized() string { return p.norm }

// Definite reports whether the path selects at most one node (no wildcard, slice, filter,
// union or recursive descent).
func (p *Path) Definite() bool { return p.definite }

// Root reports which document the path starts from.
func (p *Path) Root() Root { return p.root }

// Variable returns the variable name of a "$name" path ("" for other roots).
func (p *Path) Variable() string { return p.varName }

// IsRoot reports whether the path is just its root ("$", "$$" or "$name").
func (p *Path) IsRoot() bool { return len(p.segs) == 0 && !p.length }

// Resolve evaluates the path against the root it names.
func (p *Path) Resolve(env Env) (any, error) {
	var doc any
	switch p.root {
	case RootInput:
		doc = env.Input
	case RootContext:
		doc = env.Context
	case RootVariable:
		var ok bool
		if env.Vars != nil {
			doc, ok = env.Vars(p.varName)
		}
		if !ok {
			return nil, &UndefinedVariableError{Name: p.varName}
		}
	}
	return p.Get(doc)
}

// Get evaluates the path against doc, whatever root the path names.
func (p *Path) Get(doc any) (any, error) {
	if p.definite {
		v, err := p.getDefinite(doc)
		if err != nil {
			return nil, err
		}
		if p.length {
			return lengthOf(v, p)
		}
		return v, nil
	}
	out := make([]any, 0, 4)
	out = p.collect(doc, doc, 0, out)
	if p.length {
		return lengthOf(out, p)
	}
	return out, nil
}

// getDefinite walks a path made only of single names and single indexes; it allocates nothing
// on success.
func (p *Path) getDefinite(doc any) (any, error) {
	cur := doc
	for i := range p.segs {
		s := &p.segs[i]
		leaf := i == len(p.segs)-1
		switch s.kind {
		case segChild:
			m, ok := cur.(*value.Object)
			if !ok {
				return nil, p.notObject(i, cur)
			}
			v, ok := m.Get(s.names[0])
			if !ok {
				if leaf {
					return nil, &notFoundError{"No results for path: " + p.norm}
				}
				return nil, &notFoundError{"Missing property in path " + p.prefix(i+1)}
			}
			cur = v
		case segIndex:
			a, ok := cur.([]any)
			if !ok {
				if cur == nil {
					return nil, &notFoundError{"The path " + p.prefix(i) + " is null"}
				}
				return nil, &notFoundError{fmt.Sprintf("Filter: %s can only be applied to arrays. Current context is: %s",
					segString(s), javaString(cur))}
			}
			idx := s.indexes[0]
			if idx < 0 {
				idx += len(a)
			}
			if idx < 0 || idx >= len(a) {
				return nil, &notFoundError{"No results for path: " + p.norm}
			}
			cur = a[idx]
		default:
			return nil, fmt.Errorf("jsonpath: internal: indefinite segment in definite path %s", p.src)
		}
	}
	return cur, nil
}

func (p *Path) notObject(i int, cur any) error {
	return &notFoundError{fmt.Sprintf(
		"Expected to find an object with property %s in path %s but found '%s'. "+
			"This is not a json object according to the JsonProvider: "+
			"'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
		segString(&p.segs[i]), p.prefix(i), javaClass(cur))}
}

// prefix renders the normalized path of the first n segments.
func (p *Path) prefix(n int) string {
	var b strings.Builder
	b.WriteString(rootString(p))
	for i := 0; i < n && i < len(p.segs); i++ {
		if p.segs[i].deep {
			b.WriteString("..")
		}
		b.WriteString(segString(&p.segs[i]))
	}
	return b.String()
}

// collect appends every match of segs[i:] applied to cur.
func (p *Path) collect(cur, root any, i int, out []any) []any {
	if i == len(p.segs) {
		return append(out, cur)
	}
	s := &p.segs[i]
	if s.deep {
		return p.collectDeep(cur, root, i, out)
	}
	return p.step(cur, root, s, i, out)
}

func (p *Path) collectDeep(cur, root any, i int, out []any) []any {
	out = p.step(cur, root, &p.segs[i], i, out)
	switch x := cur.(type) {
	case *value.Object:
		for _, v := range x.All() {
			out = p.collectDeep(v, root, i, out)
		}
	case []any:
		for _, v := range x {
			out = p.collectDeep(v, root, i, out)
		}
	}
	return out
}

// step applies one segment to cur and continues with the rest of the path.
func (p *Path) step(cur, root any, s *segment, i int, out []any) []any {
	switch s.kind {
	case segChild:
		return p.stepChild(cur, root, s, i, out)
	case segIndex:
		a, ok := cur.([]any)
		if !ok {
			return out
		}
		for _, idx := range s.indexes {
			if idx < 0 {
				idx += len(a)
			}
			if idx >= 0 && idx < len(a) {
				out = p.collect(a[idx], root, i+1, out)
			}
		}
	case segWildcard:
		return p.stepWildcard(cur, root, i, out)
	case segSlice:
		a, ok := cur.([]any)
		if !ok {
			return out
		}
		from, to := sliceBounds(s, len(a))
		for j := from; j < to; j++ {
			out = p.collect(a[j], root, i+1, out)
		}
	case segFilter:
		return p.stepFilter(cur, root, s, i, out)
	}
	return out
}

func (p *Path) stepChild(cur, root any, s *segment, i int, out []any) []any {
	m, ok := cur.(*value.Object)
	if !ok {
		return out
	}
	if len(s.names) > 1 && i == len(p.segs)-1 {
		// Jayway merges a multi-property leaf into one object of the properties present, in the
		// order the path names them.
		merged := value.NewObject(len(s.names))
		for _, n := range s.names {
			if v, ok := m.Get(n); ok {
				merged.Set(n, v)
			}
		}
		return append(out, merged)
	}
	for _, n := range s.names {
		if v, ok := m.Get(n); ok {
			out = p.collect(v, root, i+1, out)
		}
	}
	return out
}

func (p *Path) stepWildcard(cur, root any, i int, out []any) []any {
	switch x := cur.(type) {
	case *value.Object:
		for _, v := range x.All() {
			out = p.collect(v, root, i+1, out)
		}
	case []any:
		for _, v := range x {
			out = p.collect(v, root, i+1, out)
		}
	}
	return out
}

func (p *Path) stepFilter(cur, root any, s *segment, i int, out []any) []any {
	switch x := cur.(type) {
	case []any:
		for _, v := range x {
			if s.filter.test(v, root) {
				out = p.collect(v, root, i+1, out)
			}
		}
	case *value.Object:
		if s.filter.test(x, root) {
			out = p.collect(x, root, i+1, out)
		}
	}
	return out
}

func sliceBounds(s *segment, n int) (int, int) {
	from, to := 0, n
	if s.hasFrom {
		from = s.from
		if from < 0 {
			from += n
		}
	}
	if s.hasTo {
		to = s.to
		if to < 0 {
			to += n
		}
	}
	from = max(0, min(from, n))
	to = max(0, min(to, n))
	if to < from {
		to = from
	}
	return from, to
}

func lengthOf(v any, p *Path) (any, error) {
	switch x := v.(type) {
	case []any:
		return jsonInt(len(x)), nil
	case *value.Object:
		return jsonInt(x.Len()), nil
	case string:
		return jsonInt(len([]rune(x))), nil
	default:
		return nil, &notFoundError{"Invalid function call length() on " + p.prefix(len(p.segs))}
	}
}

func rootString(p *Path) string {
	switch p.root {
	case RootContext:
		return "$$"
	case RootVariable:
		return "$" + p.varName
	default:
		return "$"
	}
}

func segString(s *segment) string {
	var b strings.Builder
	switch s.kind {
	case segChild:
		b.WriteByte('[')
		for i, n := range s.names {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('\'')
			b.WriteString(n)
			b.WriteByte('\'')
		}
		b.WriteByte(']')
	case segIndex:
		b.WriteByte('[')
		for i, n := range s.indexes {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(n))
		}
		b.WriteByte(']')
	case segWildcard:
		b.WriteString("[*]")
	case segSlice:
		b.WriteByte('[')
		if s.hasFrom {
			b.WriteString(strconv.Itoa(s.from))
		}
		b.WriteByte(':')
		if s.hasTo {
			b.WriteString(strconv.Itoa(s.to))
		}
		b.WriteByte(']')
	case segFilter:
		b.WriteString("[?]")
	}
	return b.String()
}

package jsonata

import (
	"fmt"
	"math"
	"regexp"
	"strings"
)

// signature is a jsonata-js function signature such as "<s-nn?:s>": argument types are matched
// as a regular expression over one type letter per supplied argument, which also decides when
// the context value stands in for a missing first argument ("-") and when a single value is
// promoted to an array ("a").
type signature struct {
	src    string
	re     *regexp.Regexp
	params []sigParam
}

type sigParam struct {
	typ       byte   // a, b, n, s, l, o, f, j, x, u or '(' for a union
	subtype   byte   // element type of a<...>
	context   bool   // '-': use the context value when the argument is missing
	contextRe string // the parameter's pattern without modifiers
	re        string // the parameter's pattern with modifiers
	variadic  bool   // '+': one or more arguments
}

// parseSignature compiles a signature; the return type (after ':') is not checked, as in
// jsonata-js.
func parseSignature(sig string) (*signature, error) {
	if len(sig) < 2 || sig[0] != '<' {
		return nil, errorf("S0401", "Invalid function signature %q", sig)
	}
	body := sig[1:]
	var params []sigParam
	var cur *sigParam
	var curRe string
	flush := func(mod string) {
		if cur != nil {
			cur.re = curRe + mod
			params = append(params, *cur)
			cur = nil
		}
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch c {
		case '>', ':':
			flush("")
			return compileSignature(sig, params)
		case 's', 'n', 'b', 'l', 'o', 'a', 'x', 'j', 'u', 'f':
			flush("")
			cur = &sigParam{typ: c}
			curRe = paramPattern(c)
		case '(':
			flush("")
			end := strings.IndexByte(body[i:], ')')
			if end < 0 {
				return nil, errorf("S0402", "Invalid function signature %q", sig)
			}
			choice := body[i+1 : i+end]
			cur = &sigParam{typ: '('}
			curRe = "[" + choice + "m]"
			i += end
		case '<':
			// Subtype of an array or function parameter: a<n>, f<n:n>.
			end := matchAngle(body, i)
			if end < 0 {
				return nil, errorf("S0402", "Invalid function signature %q", sig)
			}
			if cur != nil && cur.typ == 'a' && end-i == 2 {
				cur.subtype = body[i+1]
			}
			i = end
		case '?', '+':
			if cur != nil {
				cur.variadic = c == '+'
				flush(string(c))
			}
		case '-':
			if cur != nil {
				cur.context = true
				cur.contextRe = curRe
				flush("?")
			}
		}
	}
	return nil, errorf("S0401", "Invalid function signature %q", sig)
}

// paramPattern is the pattern of argument type symbols a parameter type accepts ('m' is a
// missing argument).
func paramPattern(c byte) string {
	switch c {
	case 'a', 'x':
		return "[asnblfom]"
	case 'j':
		return "[asnblom]"
	case 'u':
		return "[snblm]"
	case 'f':
		return "f"
	}
	return "[" + string(c) + "m]"
}

// compileSignature builds the regular expression matching the type symbols of the supplied
// arguments, one group per parameter.
func compileSignature(sig string, params []sigParam) (*signature, error) {
	var pattern strings.Builder
	pattern.WriteString("^")
	for i, p := range params {
		re := p.re
		if strings.HasSuffix(re, "?") && i+1 < len(params) && params[i+1].context {
			// An optional argument before a context one gives way to it: with one
			// argument, <s?s-> binds it to the second parameter.
			re += "?"
		}
		pattern.WriteString("(" + re + ")")
	}
	pattern.WriteString("$")
	re, err := regexp.Compile(pattern.String())
	if err != nil {
		return nil, errorf("S0401", "Invalid function signature %q", sig)
	}
	return &signature{src: sig, re: re, params: params}, nil
}

func matchAngle(s string, i int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '<':
			depth++
		case '>':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

func typeSymbol(v any) byte {
	if isUndef(v) {
		return 'm'
	}
	switch v.(type) {
	case nil:
		return 'l'
	case bool:
		return 'b'
	case string:
		return 's'
	case *lambda, *builtin, *partialFn, *chainFn, *transformFn, *regexValue:
		return 'f'
	case *object:
		return 'o'
	}
	if _, ok := asArray(v); ok {
		return 'a'
	}
	if _, ok := toNumber(v); ok {
		return 'n'
	}
	return 'm'
}

// validate matches args against the signature, substituting the context value and promoting
// singletons to arrays where the signature says so. With group (a lambda's own signature), the
// arguments a "+" parameter takes are collected into one array for that parameter.
func (s *signature) validate(name string, args []any, context any, group bool) ([]any, error) {
	var sb strings.Builder
	for _, a := range args {
		sb.WriteByte(typeSymbol(a))
	}
	supplied := sb.String()
	m := s.re.FindStringSubmatch(supplied)
	if m == nil {
		return nil, s.mismatch(name, supplied)
	}
	out := make([]any, 0, len(s.params))
	argIndex := 0
	for i, p := range s.params {
		match := m[i+1]
		if match == "" {
			v, err := p.omitted(name, context, argIndex)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			continue
		}
		first := len(out)
		for k := range len(match) { // type symbols are ASCII letters
			arg, err := p.coerce(name, args[argIndex], match[k], argIndex)
			if err != nil {
				return nil, err
			}
			out = append(out, arg)
			argIndex++
		}
		if group && p.variadic && len(out)-first > 1 {
			collected := append([]any{}, out[first:]...)
			out = append(out[:first], collected)
		}
	}
	return out, nil
}

// omitted is the value of a parameter no argument matched: the context value for a context
// parameter ('-'), else undefined (an optional argument left out consumes nothing).
func (p *sigParam) omitted(name string, context any, argIndex int) (any, error) {
	if !p.context {
		return undefined, nil
	}
	ctxSym := string(typeSymbol(context))
	if ok, _ := regexp.MatchString("^"+p.contextRe+"$", ctxSym); ok {
		return context, nil
	}
	return nil, errorf("T0411", "Context value being used as argument %d of function %q does not match function signature", argIndex+1, name)
}

// coerce checks one argument (whose type symbol is single) against the parameter: an array
// parameter takes a single value as a one-element array and checks its subtype.
func (p *sigParam) coerce(name string, arg any, single byte, argIndex int) (any, error) {
	if p.typ == 'a' {
		if single == 'm' {
			return undefined, nil
		}
		if p.subtype != 0 && !p.subtypeMatches(arg, single) {
			return nil, errorf("T0412", "Argument %d of function %q must be an array of %q", argIndex+1, name, typeWord(p.subtype))
		}
		if single != 'a' {
			arg = []any{arg}
		}
	}
	if f, ok := arg.(float64); ok && p.typ == 'n' && (math.IsInf(f, 0) || math.IsNaN(f)) {
		// A number parameter never takes 1/0's Infinity (jsonata-js's isNumeric).
		return nil, errorf("D1001", "Number out of range: %s", formatNumber(f))
	}
	return arg, nil
}

func (p *sigParam) subtypeMatches(arg any, single byte) bool {
	if single != 'a' {
		return single == p.subtype
	}
	items, _ := asArray(arg)
	for _, it := range items {
		if typeSymbol(it) != p.subtype {
			return false
		}
	}
	return true
}

// mismatch reports the first argument that no longer fits, applying the parameters' patterns
// one by one as jsonata-js does.
func (s *signature) mismatch(name, supplied string) error {
	partial := "^"
	goodTo := 0
	for _, p := range s.params {
		partial += p.re
		loc := regexp.MustCompile(partial).FindStringIndex(supplied)
		if loc == nil {
			break
		}
		goodTo = loc[1]
	}
	return errorf("T0410", "Argument %d of function %q does not match function signature", goodTo+1, name)
}

func typeWord(b byte) string {
	switch b {
	case 's':
		return "strings"
	case 'n':
		return "numbers"
	case 'b':
		return "booleans"
	case 'o':
		return "objects"
	case 'a':
		return "arrays"
	case 'f':
		return "functions"
	}
	return fmt.Sprintf("%c", b)
}

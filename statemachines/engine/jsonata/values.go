package jsonata

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// undefType is JSONata's "undefined": no value at all, distinct from JSON null (Go nil).
type undefType struct{}

// undefined is the single value of undefType; an empty struct cannot be changed.
var undefined = undefType{}

func isUndef(v any) bool {
	_, ok := v.(undefType)
	return ok
}

// jarray is an array the evaluator built, with the jsonata-js flags that steer flattening:
// a sequence is a result stream (singletons unwrap, nested sequences flatten), cons marks an
// array written as [...] in the expression (never flattened into a path result). Arrays from
// the input stay plain []any.
type jarray struct {
	items         []any
	sequence      bool
	cons          bool
	keepSingleton bool
	outerWrapper  bool
	tupleStream   bool // items are tuples: map[string]any with the context under "@"
}

func newSeq(items ...any) *jarray { return &jarray{items: items, sequence: true} }

// object is the value model's object, for the input's objects and those an expression builds
// (object constructor, grouping, $merge, $sift) alike: its keys keep their order, which
// $string, $keys, $each and wildcards follow as in jsonata-js.
type object = value.Object

func newObject(capacity int) *object { return value.NewObject(capacity) }

func asObject(v any) (*object, bool) {
	o, ok := v.(*object)
	return o, ok
}

func asArray(v any) ([]any, bool) {
	switch a := v.(type) {
	case []any:
		return a, true
	case *jarray:
		return a.items, true
	}
	return nil, false
}

func isSequence(v any) bool {
	a, ok := v.(*jarray)
	return ok && a.sequence
}

func isCons(v any) bool {
	a, ok := v.(*jarray)
	return ok && a.cons
}

func toNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// isFunction reports whether v can be invoked. A regex is a function in jsonata-js: applied to a
// string it returns the first match ("name ~> /re/").
func isFunction(v any) bool {
	switch v.(type) {
	case *lambda, *builtin, *partialFn, *chainFn, *transformFn, *regexValue:
		return true
	}
	return false
}

// truthy is fn.boolean: JSONata's cast of any value to a boolean (undefined is false here).
func truthy(v any) bool {
	if isUndef(v) {
		return false
	}
	if items, ok := asArray(v); ok {
		if len(items) == 1 {
			return truthy(items[0])
		}
		for _, it := range items {
			if truthy(it) {
				return true
			}
		}
		return false
	}
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	}
	if m, ok := asObject(v); ok {
		return m.Len() > 0
	}
	if f, ok := toNumber(v); ok {
		return f != 0
	}
	return false
}

// deepEqual is JSONata's '=': numbers by value, arrays and objects structurally.
func deepEqual(a, b any) bool {
	if isUndef(a) || isUndef(b) {
		return isUndef(a) && isUndef(b)
	}
	if fa, ok := toNumber(a); ok {
		fb, ok := toNumber(b)
		return ok && fa == fb
	}
	if aa, ok := asArray(a); ok {
		bb, ok := asArray(b)
		if !ok || len(aa) != len(bb) {
			return false
		}
		for i := range aa {
			if !deepEqual(aa[i], bb[i]) {
				return false
			}
		}
		return true
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	}
	if x, ok := asObject(a); ok {
		y, ok := asObject(b)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for k, xv := range x.All() {
			yv, ok := y.Get(k)
			if !ok || !deepEqual(xv, yv) {
				return false
			}
		}
		return true
	}
	return a == b
}

// formatNumber renders a float64 as JavaScript's Number.prototype.toString does, which is what
// JSONata (and so Step Functions) prints: integers without ".0", exponents from 1e21 on.
func formatNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	if math.IsNaN(f) {
		return "NaN"
	}
	if math.IsInf(f, 0) {
		if f > 0 {
			return "Infinity"
		}
		return "-Infinity"
	}
	sign := ""
	if f < 0 {
		sign = "-"
		f = -f
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddddde±xx
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	k := len(digits)
	n := exp + 1 // position of the decimal point relative to the digits
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits
	}
	es := "+"
	if n-1 < 0 {
		es = "-"
	}
	ex := strconv.Itoa(absInt(n - 1))
	if k == 1 {
		return sign + digits + "e" + es + ex
	}
	return sign + digits[:1] + "." + digits[1:] + "e" + es + ex
}

func absInt(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// precision15 is Number(x.toPrecision(15)): $string and '&' round numbers to 15 significant
// digits so that 0.1+0.2 prints as 0.3.
func precision15(f float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err != nil {
		return f
	}
	return r
}

// stringify is JSON.stringify with JSONata's replacer: numbers to 15 significant digits,
// functions as "". Object keys are sorted: the value model does not keep insertion order.
func stringify(v any, pretty bool) (string, error) {
	var b strings.Builder
	if err := writeJSON(&b, v, pretty, "", true); err != nil {
		return "", err
	}
	return b.String(), nil
}

func writeJSON(b *strings.Builder, v any, pretty bool, indent string, round bool) error {
	if items, ok := asArray(v); ok {
		return writeJSONArray(b, items, pretty, indent, round)
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		writeQuoted(b, x)
	case *object:
		return writeJSONObject(b, x, pretty, indent, round)
	default:
		return writeJSONNumber(b, v, round)
	}
	return nil
}

func writeJSONArray(b *strings.Builder, items []any, pretty bool, indent string, round bool) error {
	if len(items) == 0 {
		b.WriteString("[]")
		return nil
	}
	b.WriteByte('[')
	inner := indent + "  "
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		if pretty {
			b.WriteString("\n" + inner)
		}
		if isUndef(it) {
			b.WriteString("null")
			continue
		}
		if err := writeJSON(b, it, pretty, inner, round); err != nil {
			return err
		}
	}
	if pretty {
		b.WriteString("\n" + indent)
	}
	b.WriteByte(']')
	return nil
}

func writeJSONObject(b *strings.Builder, fields *object, pretty bool, indent string, round bool) error {
	keys := make([]string, 0, fields.Len())
	for k, v := range fields.All() {
		if !isUndef(v) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		b.WriteString("{}")
		return nil
	}
	b.WriteByte('{')
	inner := indent + "  "
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		if pretty {
			b.WriteString("\n" + inner)
		}
		writeQuoted(b, k)
		b.WriteByte(':')
		if pretty {
			b.WriteByte(' ')
		}
		if err := writeJSON(b, fields.Value(k), pretty, inner, round); err != nil {
			return err
		}
	}
	if pretty {
		b.WriteString("\n" + indent)
	}
	b.WriteByte('}')
	return nil
}

// writeJSONNumber writes a number (functions as "", anything else as null).
func writeJSONNumber(b *strings.Builder, v any, round bool) error {
	if isFunction(v) {
		b.WriteString(`""`)
		return nil
	}
	if n, ok := v.(json.Number); ok && !round {
		b.WriteString(string(n))
		return nil
	}
	f, ok := toNumber(v)
	if !ok {
		b.WriteString("null")
		return nil
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return errorf("D3001", "Attempting to invoke string function on Infinity or NaN")
	}
	if round && f != math.Trunc(f) {
		// Integers print exactly ($string(5890840712243076)); fractions to 15 digits.
		f = precision15(f)
	}
	b.WriteString(formatNumber(f))
	return nil
}

// writeQuoted quotes s as JSON.stringify does: only '"', '\\' and control characters escaped.
func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte("0123456789abcdef"[r>>4])
				b.WriteByte("0123456789abcdef"[r&0xf])
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// toValue converts an evaluation result to the engine's value model (json.Number numbers,
// []any arrays, "Infinity"/"NaN" strings for non-finite numbers); ok is false for undefined. Functions have no JSON form: they vanish from
// objects and become null in arrays, as JSON.stringify treats them.
func toValue(v any) (any, bool, error) {
	if isUndef(v) || isFunction(v) {
		return nil, false, nil
	}
	if items, ok := asArray(v); ok {
		out := make([]any, 0, len(items))
		for _, it := range items {
			cv, ok, err := toValue(it)
			if err != nil {
				return nil, false, err
			}
			if !ok {
				cv = nil
			}
			out = append(out, cv)
		}
		return out, true, nil
	}
	if fields, ok := asObject(v); ok {
		out := newObject(fields.Len())
		for k, val := range fields.All() {
			cv, ok, err := toValue(val)
			if err != nil {
				return nil, false, err
			}
			if ok {
				out.Set(k, cv)
			}
		}
		return out, true, nil
	}
	return numberValue(v), true, nil
}

// numberValue renders numbers as Step Functions does after JSONata; other values pass.
func numberValue(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			// JSON has no such numbers; Step Functions writes them as JavaScript names them.
			return formatNumber(x)
		}
		return json.Number(formatNumber(x))
	case json.Number:
		// Step Functions re-renders numbers that pass through JSONata: integers stay exact,
		// anything with a fraction or exponent is a double ("1.0" -> 1, "1e2" -> 100).
		if x == "-0" {
			return json.Number("0")
		}
		if strings.ContainsAny(string(x), ".eE") {
			if f, err := strconv.ParseFloat(string(x), 64); err == nil {
				return json.Number(formatNumber(f))
			}
		}
		return x
	}
	return v
}

// typeName is $type's answer.
func typeName(v any) string {
	if isUndef(v) {
		return ""
	}
	if isFunction(v) {
		return "function"
	}
	if _, ok := asArray(v); ok {
		return "array"
	}
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case *object:
		return "object"
	}
	if _, ok := toNumber(v); ok {
		return "number"
	}
	return "object"
}

// appendValues is fn.append: concatenation where single values count as one-element arrays.
func appendValues(a, b any) any {
	if isUndef(a) {
		return b
	}
	if isUndef(b) {
		return a
	}
	var out []any
	if items, ok := asArray(a); ok {
		out = append(out, items...)
	} else {
		out = append(out, a)
	}
	if items, ok := asArray(b); ok {
		out = append(out, items...)
	} else {
		out = append(out, b)
	}
	return out
}

// cloneValue deep-copies arrays and objects (for the transform operator, which edits its copy).
func cloneValue(v any) any {
	if items, ok := asArray(v); ok {
		out := make([]any, len(items))
		for i, it := range items {
			out[i] = cloneValue(it)
		}
		return out
	}
	if o, ok := v.(*object); ok {
		out := newObject(o.Len())
		for k, val := range o.All() {
			out.Set(k, cloneValue(val))
		}
		return out
	}
	return v
}

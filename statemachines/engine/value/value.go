// Package value is the engine's JSON value model: the plain trees encoding/json produces when
// decoding with UseNumber (nil, bool, json.Number, string, []any, map[string]any).
//
// Numbers stay json.Number so that what AWS echoes back (1.0 versus 1, integers beyond 2^53)
// survives a round trip through the engine unchanged.
package value

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Decode parses one JSON document; trailing data is an error.
func Decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode json: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode json: unexpected data after the document")
	}
	return v, nil
}

// Marshal renders v compactly, without HTML escaping (AWS does not escape <, > or &).
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode json: %w", err)
	}
	b := buf.Bytes()
	return b[:len(b)-1], nil // Encoder appends a newline
}

// MustString renders v for messages; values built by this package always marshal.
func MustString(v any) string {
	b, err := Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// FromGo converts a Go value (structs, float64, ...) into the value model by a JSON round trip.
func FromGo(v any) (any, error) {
	b, err := Marshal(v)
	if err != nil {
		return nil, err
	}
	return Decode(b)
}

// Number builds a json.Number from a float64 the way AWS renders numbers: integral values
// without a fractional part.
func Number(f float64) json.Number {
	if f == math.Trunc(f) && math.Abs(f) < 1e18 {
		return json.Number(strconv.FormatInt(int64(f), 10))
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}

// Int builds a json.Number from an int64.
func Int(i int64) json.Number { return json.Number(strconv.FormatInt(i, 10)) }

// Float returns the numeric value of v and whether v is a number.
func Float(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	if err != nil {
		return 0, false
	}
	return f, true
}

// TypeName names the JSON type of v as AWS messages do.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// Equal compares two values as JSON: numbers numerically, objects regardless of key order.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		fx, ex := x.Float64()
		fy, ey := y.Float64()
		return ex == nil && ey == nil && fx == fy
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !Equal(xv, yv) {
				return false
			}
		}
		return true
	default:
		return false
	}
}

// Copy deep-copies v so that a state may change its copy without touching shared input.
func Copy(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = Copy(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, xv := range x {
			out[k] = Copy(xv)
		}
		return out
	default:
		return v
	}
}

// Error is a Step Functions error as an execution sees it: Name is the error name that Retry and
// Catch match ("States.Runtime", "States.TaskFailed", a Fail state's Error, a Lambda errorType)
// and Cause the message exactly as AWS words it. Packages below the engine return Cause without
// the "An error occurred while executing the state ..." prefix; the engine adds it.
type Error struct {
	Name  string
	Cause string
}

func (e *Error) Error() string { return e.Name + ": " + e.Cause }

// WriteJava renders v the way Java's toString renders the JSON values AWS holds ({a=1, b=[1, 2]}):
// strings bare, scalars as JSON, object keys in sorted order (Go maps keep no insertion order).
// States.Format and Jayway's error messages both print values this way.
func WriteJava(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		b.WriteString(x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			WriteJava(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			WriteJava(b, x[k])
		}
		b.WriteByte('}')
	default:
		b.WriteString(MustString(x))
	}
}

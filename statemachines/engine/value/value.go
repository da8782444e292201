// Package value is the engine's JSON value model: the trees encoding/json would produce when
// decoding with UseNumber, except that objects are *Object, which keeps members in document order (nil, bool, json.Number, string, []any, *Object).
//
// Numbers stay json.Number so that what AWS echoes back (1.0 versus 1, integers beyond 2^53)
// survives a round trip through the engine unchanged.
package value

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

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
	case *Object:
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
	case *Object:
		y, ok := b.(*Object)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for k, xv := range x.All() {
			yv, ok := y.Get(k)
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
	case *Object:
		out := x.Clone()
		for i := range out.ms {
			out.ms[i].val = Copy(out.ms[i].val)
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
// strings bare, scalars as JSON, object members in order.
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
	case *Object:
		b.WriteByte('{')
		for i, m := range x.ms {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(m.key)
			b.WriteByte('=')
			WriteJava(b, m.val)
		}
		b.WriteByte('}')
	default:
		b.WriteString(MustString(x))
	}
}

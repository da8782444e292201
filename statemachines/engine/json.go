package engine

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"
	"unsafe"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// Executions decode their input and encode their output once each; encoding/json's reflection
// dominated short executions, so these specialised codecs handle the value model directly and
// defer to package value (encoding/json) for anything unusual, which keeps the semantics and
// error messages identical (a differential fuzz test checks this).

const maxDepth = 10000 // encoding/json's nesting limit

// decodeJSON parses one document like value.Decode. Strings and numbers point into one private
// copy of the input instead of being allocated one by one (the copy is never written to, so the
// strings stay immutable; they keep it alive, which the 256 KiB payload limit bounds).
func decodeJSON(b []byte) (any, error) {
	d := decoder{b: bytes.Clone(b)}
	d.ws()
	v, ok := d.value(0)
	if ok {
		d.ws()
		if d.i == len(b) {
			return v, nil
		}
	}
	v, err := value.Decode(b)
	if err != nil {
		return nil, err // value.Decode already says "decode json"
	}
	return v, nil
}

type decoder struct {
	b []byte
	i int
}

func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) value(depth int) (any, bool) {
	if d.i >= len(d.b) || depth > maxDepth {
		return nil, false
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		return d.str()
	case c == 't':
		return true, d.lit("true")
	case c == 'f':
		return false, d.lit("false")
	case c == 'n':
		return nil, d.lit("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return d.num()
	}
	return nil, false
}

// open consumes an opening bracket and reports whether the container is empty (its closer,
// then consumed too).
func (d *decoder) open(closer byte) bool {
	d.i++
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == closer {
		d.i++
		return true
	}
	return false
}

// next consumes the ',' or the closer after a member: more says another member follows, ok
// that the text is well formed.
func (d *decoder) next(closer byte) (more, ok bool) {
	d.ws()
	if d.i >= len(d.b) {
		return false, false
	}
	switch d.b[d.i] {
	case ',':
		d.i++
		return true, true
	case closer:
		d.i++
		return false, true
	}
	return false, false
}

func (d *decoder) object(depth int) (any, bool) {
	m := map[string]any{}
	if d.open('}') {
		return m, true
	}
	for {
		d.ws()
		k, ok := d.str()
		if !ok {
			return nil, false
		}
		d.ws()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return nil, false
		}
		d.i++
		d.ws()
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		m[k] = v
		more, ok := d.next('}')
		if !ok {
			return nil, false
		}
		if !more {
			return m, true
		}
	}
}

func (d *decoder) array(depth int) (any, bool) {
	a := []any{}
	if d.open(']') {
		return a, true
	}
	for {
		d.ws()
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		more, ok := d.next(']')
		if !ok {
			return nil, false
		}
		if !more {
			return a, true
		}
	}
}

func (d *decoder) lit(s string) bool {
	if len(d.b)-d.i < len(s) || string(d.b[d.i:d.i+len(s)]) != s {
		return false
	}
	d.i += len(s)
	return true
}

func (d *decoder) str() (string, bool) {
	raw, ok := d.rawStr()
	return d.view(raw), ok
}

// view returns a string sharing raw's bytes in the decoder's private copy.
func (d *decoder) view(raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	return unsafe.String(&raw[0], len(raw)) //nolint:gosec // the decoder's private copy, never written again
}

// rawStr handles strings without escapes or control characters; anything else makes the caller
// fall back to encoding/json.
func (d *decoder) rawStr() ([]byte, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false
	}
	start := d.i + 1
	ascii := true
	for j := start; j < len(d.b); j++ {
		c := d.b[j]
		switch {
		case c == '"':
			s := d.b[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			d.i = j + 1
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

func (d *decoder) num() (any, bool) {
	start := d.i
	digits := func() int {
		n := 0
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.b[d.i] == '-' {
		d.i++
	}
	if d.i < len(d.b) && d.b[d.i] == '0' {
		d.i++
	} else if digits() == 0 {
		return nil, false
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return nil, false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	return json.Number(d.view(d.b[start:d.i])), true
}

// encodeJSON renders v like value.Marshal (compact, keys sorted, no HTML escaping).
func encodeJSON(v any) ([]byte, error) {
	if b, ok := appendJSON(make([]byte, 0, sizeHint(v)), v); ok {
		return b, nil
	}
	b, err := value.Marshal(v)
	if err != nil {
		return nil, err // value.Marshal already says "encode json"
	}
	return b, nil
}

// sizeHint estimates v's encoded size from string lengths and node counts (escapes not counted,
// so it is usually exact and otherwise a little short), so that encoding allocates its buffer
// once instead of doubling it from a small guess. It visits nodes, not bytes.
func sizeHint(v any) int {
	n := 0
	hintOf(v, &n)
	return max(n+n/16, 64)
}

func hintOf(v any, n *int) {
	switch x := v.(type) {
	case string:
		*n += len(x) + 2
	case json.Number:
		*n += len(x)
	case []any:
		*n += 2 + len(x)
		for _, e := range x {
			hintOf(e, n)
		}
	case map[string]any:
		*n += 2 + len(x)
		for k, e := range x {
			*n += len(k) + 3
			hintOf(e, n)
		}
	default:
		*n += 5
	}
}

func appendJSON(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), true
	case bool:
		if x {
			return append(b, "true"...), true
		}
		return append(b, "false"...), true
	case json.Number:
		if !validNumber(string(x)) {
			return b, false
		}
		return append(b, x...), true
	case string:
		return appendString(b, x), true
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendJSON(b, e); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	case map[string]any:
		var arr [16]string
		keys := arr[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			var ok bool
			if b, ok = appendJSON(b, x[k]); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	}
	return b, false
}

const hexDigits = "0123456789abcdef"

// appendString quotes s exactly as encoding/json does with HTML escaping off.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// validNumber checks the JSON number grammar, as encoding/json does before writing a json.Number.
func validNumber(s string) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

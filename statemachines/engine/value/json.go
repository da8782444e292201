package value

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"unicode/utf8"
	"unsafe"
)

// The value model's own JSON codecs: encoding/json's reflection dominated short executions, and it
// cannot keep object members in document order. They follow encoding/json's rules exactly (what
// is accepted, U+FFFD for invalid UTF-8, escaping with HTML escaping off) and defer to it for the
// error message of a malformed document and for Go values outside the model; a differential fuzz
// test checks this.

const maxDepth = 10000 // encoding/json's nesting limit

// Decode parses one JSON document into the value model; trailing data is an error. Strings and
// numbers point into one private copy of the input instead of being allocated one by one (the
// copy is never written to, so the strings stay immutable; they keep it alive, which the
// 256 KiB payload limit bounds).
func Decode(b []byte) (any, error) {
	d := decoder{b: bytes.Clone(b)}
	d.ws()
	v, ok := d.value(0)
	if ok {
		d.ws()
		if d.i == len(b) {
			return v, nil
		}
	}
	return nil, decodeError(b)
}

// decodeError words why b is not one JSON document as encoding/json does.
func decodeError(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("decode json: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("decode json: unexpected data after the document")
	}
	return errors.New("decode json: malformed document")
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
	m := &Object{}
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
		m.Set(k, v)
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
	start := d.i
	raw, ok := d.rawStr()
	if ok {
		return d.view(raw), true
	}
	return d.escaped(start)
}

// escaped decodes a string with escapes or invalid UTF-8 the way encoding/json does (it replaces
// invalid bytes with U+FFFD), by handing it the quoted string alone.
func (d *decoder) escaped(start int) (string, bool) {
	d.i = start
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return "", false
	}
	for j := start + 1; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '\\':
			j++
		case c < 0x20:
			return "", false
		case c == '"':
			var s string
			if err := json.Unmarshal(d.b[start:j+1], &s); err != nil {
				return "", false
			}
			d.i = j + 1
			return s, true
		}
	}
	return "", false
}

// view returns a string sharing raw's bytes in the decoder's private copy.
func (d *decoder) view(raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	return unsafe.String(&raw[0], len(raw)) //nolint:gosec // the decoder's private copy, never written again
}

// rawStr handles strings without escapes or control characters (nearly all of them) without
// copying; str hands the others to escaped.
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

// Marshal renders v compactly, objects in member order, without HTML escaping (AWS does not
// escape <, > or &).
func Marshal(v any) ([]byte, error) {
	if b, ok := appendJSON(make([]byte, 0, sizeHint(v)), v); ok {
		return b, nil
	}
	return marshalStd(v)
}

// marshalStd renders v with encoding/json, without HTML escaping.
func marshalStd(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode json: %w", err)
	}
	out := buf.Bytes()
	return out[:len(out)-1], nil // Encoder appends a newline
}

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
	case *Object:
		*n += 2 + x.Len()
		for k, e := range x.All() {
			*n += len(k) + 3
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
	case *Object:
		return appendObject(b, x)
	case map[string]any: // Go values outside the value model (API responses): sorted, as encoding/json
		return appendMap(b, x)
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

// ValidNumber reports whether s is a JSON number, as encoding/json checks a json.Number before
// writing it.
func ValidNumber(s string) bool { return validNumber(s) }

func appendObject(b []byte, x *Object) ([]byte, bool) {
	if x == nil {
		return append(b, "null"...), true
	}
	b = append(b, '{')
	for i := range x.ms {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, x.ms[i].key)
		b = append(b, ':')
		var ok bool
		if b, ok = appendJSON(b, x.ms[i].val); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

func appendMap(b []byte, x map[string]any) ([]byte, bool) {
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

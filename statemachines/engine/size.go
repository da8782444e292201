package engine

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// withinLimit reports whether v's compact JSON encoding fits in limit bytes. It walks the value
// without encoding it and stops as soon as the limit is passed, so checking a state's result
// costs a tree walk, not a serialization.
func withinLimit(v any, limit int) bool {
	n := 0
	if boundOf(v, &n, limit) {
		return true
	}
	n = 0
	return sizeOf(v, &n, limit)
}

// boundOf adds to *n an upper bound of v's encoded size that costs one step per node, not per
// byte (a string byte encodes to at most 6 bytes), and reports whether the bound stays within
// limit; false means "measure exactly". States carry mostly long strings far below the limit,
// so this settles nearly every check without reading them.
func boundOf(v any, n *int, limit int) bool {
	switch x := v.(type) {
	case nil:
		*n += 4
	case bool:
		*n += 5
	case json.Number:
		*n += len(x)
	case string:
		*n += 6*len(x) + 2
	case []any:
		*n += 2 + len(x)
		for _, e := range x {
			if !boundOf(e, n, limit) {
				return false
			}
		}
	case *value.Object:
		*n += 2 + x.Len()
		for k, e := range x.All() {
			*n += 6*len(k) + 3
			if !boundOf(e, n, limit) {
				return false
			}
		}
	default:
		return false
	}
	return *n <= limit
}

// encodedLen is len(encodeJSON(v)), or 0 when v cannot be encoded; for the value model's own
// types it is computed without encoding.
func encodedLen(v any) int {
	n := 0
	if exactSize(v, &n) {
		return n
	}
	b, err := encodeJSON(v)
	if err != nil {
		return 0
	}
	return len(b)
}

// exactSize adds v's encoded size to *n as appendJSON would write it, or reports false for
// anything appendJSON leaves to encoding/json.
func exactSize(v any, n *int) bool {
	switch x := v.(type) {
	case nil:
		*n += 4
	case bool:
		if x {
			*n += 4
		} else {
			*n += 5
		}
	case json.Number:
		if !value.ValidNumber(string(x)) {
			return false
		}
		*n += len(x)
	case string:
		*n += stringSize(x)
	case []any:
		*n += 2 + max(len(x)-1, 0)
		for _, e := range x {
			if !exactSize(e, n) {
				return false
			}
		}
	case *value.Object:
		*n += 2 + max(x.Len()-1, 0)
		for k, e := range x.All() {
			*n += stringSize(k) + 1
			if !exactSize(e, n) {
				return false
			}
		}
	default:
		return false
	}
	return true
}

func sizeOf(v any, n *int, limit int) bool {
	switch x := v.(type) {
	case nil:
		*n += 4
	case bool:
		if x {
			*n += 4
		} else {
			*n += 5
		}
	case json.Number:
		*n += len(x)
	case string:
		*n += stringSize(x)
	case []any:
		*n += 2 + max(len(x)-1, 0)
		for _, e := range x {
			if !sizeOf(e, n, limit) {
				return false
			}
		}
	case *value.Object:
		*n += 2 + max(x.Len()-1, 0)
		for k, e := range x.All() {
			*n += stringSize(k) + 1
			if !sizeOf(e, n, limit) {
				return false
			}
		}
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return false
		}
		*n += len(b)
	}
	return *n <= limit
}

// stringSize is the encoded length of s as a JSON string (quotes and escapes included).
func stringSize(s string) int {
	n := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
				n += 2
			case c < 0x20:
				n += 6
			default:
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			n += 6
		} else {
			n += size
		}
		i += size
	}
	return n
}

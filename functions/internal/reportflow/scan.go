package reportflow

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// scanCacheEvent decodes a plan step event ({"vin", "access", "items": [items], "cache":
// [getItem outputs]}, any other member skipped) in one pass over the bytes, without reflection. It handles exactly what
// the local engine and Step Functions produce for it; anything else (a duplicate or unknown
// attribute type, a malformed document, an invalid UTF-8 string) reports false, and the caller
// decodes the event with encoding/json instead, which stays the reference for every error.
func scanCacheEvent(b []byte) (vin, access string, items []map[string]types.AttributeValue, ok bool) {
	s := scanner{b: b}
	s.ws()
	if !s.consume('{') {
		return "", "", nil, false
	}
	seen := 0
	if s.ws(); s.peek() == '}' {
		s.i++
	} else {
		for {
			s.ws()
			key, ok := s.str()
			if !ok {
				return "", "", nil, false
			}
			s.ws()
			if !s.consume(':') {
				return "", "", nil, false
			}
			s.ws()
			// encoding/json matches member names case-insensitively and keeps the last one of
			// duplicates: leave anything but the exact names, once each, to it.
			switch key {
			case "vin", "access":
				v, ok := s.str()
				if !ok || seen&keyBit(key) != 0 {
					return "", "", nil, false
				}
				seen |= keyBit(key)
				if key == "vin" {
					vin = v
				} else {
					access = v
				}
			case "cache", "items":
				if seen&keyBit(key) != 0 {
					return "", "", nil, false
				}
				seen |= keyBit(key)
				var more []map[string]types.AttributeValue
				if key == "cache" {
					more, ok = s.cache()
				} else {
					more, ok = s.items()
				}
				if !ok {
					return "", "", nil, false
				}
				items = append(items, more...)
			default:
				if !otherKey(key, "vin", "access", "cache", "items") || !s.skip(0) {
					return "", "", nil, false
				}
			}
			s.ws()
			if s.consume(',') {
				continue
			}
			if !s.consume('}') {
				return "", "", nil, false
			}
			break
		}
	}
	s.ws()
	return vin, access, items, s.i == len(s.b)
}

func keyBit(k string) int {
	switch k {
	case "vin":
		return 1
	case "access":
		return 2
	case "cache":
		return 4
	}
	return 8
}

// otherKey reports whether a member the fast path skips is certainly not one that
// encoding/json, which matches names case-insensitively (Unicode folding included), would
// decode as one of names.
func otherKey(k string, names ...string) bool {
	for i := 0; i < len(k); i++ {
		if k[i] >= utf8.RuneSelf {
			return false
		}
	}
	for _, n := range names {
		if len(k) == len(n) && equalFoldASCII(k, n) {
			return false
		}
	}
	return true
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) consume(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

// cache decodes the array of getItem outputs: each an object whose "Item" member (if any) is an
// item; other members are skipped.
func (s *scanner) cache() ([]map[string]types.AttributeValue, bool) {
	if !s.consume('[') {
		return nil, false
	}
	var out []map[string]types.AttributeValue
	if s.ws(); s.consume(']') {
		return out, true
	}
	for {
		s.ws()
		if !s.consume('{') {
			return nil, false
		}
		var item map[string]types.AttributeValue
		hasItem := false
		if s.ws(); !s.consume('}') {
			for {
				s.ws()
				key, ok := s.str()
				if !ok {
					return nil, false
				}
				s.ws()
				if !s.consume(':') {
					return nil, false
				}
				s.ws()
				switch {
				case key == "Item":
					if hasItem {
						return nil, false
					}
					hasItem = true
					if item, ok = s.item(); !ok {
						return nil, false
					}
				case !otherKey(key, "item") || !s.skip(0):
					return nil, false
				}
				s.ws()
				if s.consume(',') {
					continue
				}
				if !s.consume('}') {
					return nil, false
				}
				break
			}
		}
		out = append(out, item)
		s.ws()
		if s.consume(',') {
			continue
		}
		if !s.consume(']') {
			return nil, false
		}
		return out, true
	}
}

// items decodes an array of items.
func (s *scanner) items() ([]map[string]types.AttributeValue, bool) {
	if !s.consume('[') {
		return nil, false
	}
	var out []map[string]types.AttributeValue
	if s.ws(); s.consume(']') {
		return out, true
	}
	for {
		s.ws()
		item, ok := s.item()
		if !ok {
			return nil, false
		}
		out = append(out, item)
		s.ws()
		if s.consume(',') {
			continue
		}
		return out, s.consume(']')
	}
}

// item decodes an item: an object of attribute values, or null (no item).
func (s *scanner) item() (map[string]types.AttributeValue, bool) {
	if s.lit("null") {
		return nil, true
	}
	if !s.consume('{') {
		return nil, false
	}
	item := make(map[string]types.AttributeValue, 12)
	if s.ws(); s.consume('}') {
		return nil, true // an empty item is no item
	}
	for {
		s.ws()
		name, ok := s.str()
		if !ok {
			return nil, false
		}
		if _, dup := item[name]; dup {
			return nil, false
		}
		s.ws()
		if !s.consume(':') {
			return nil, false
		}
		s.ws()
		av, ok := s.attr()
		if !ok {
			return nil, false
		}
		item[name] = av
		s.ws()
		if s.consume(',') {
			continue
		}
		if !s.consume('}') {
			return nil, false
		}
		return item, true
	}
}

// attr decodes {"S": string}, {"N": string} or {"BOOL": bool}; anything else reports false.
func (s *scanner) attr() (types.AttributeValue, bool) {
	if !s.consume('{') {
		return nil, false
	}
	s.ws()
	typ, ok := s.str()
	if !ok {
		return nil, false
	}
	s.ws()
	if !s.consume(':') {
		return nil, false
	}
	s.ws()
	var av types.AttributeValue
	switch typ {
	case "S", "N":
		v, ok := s.str()
		if !ok {
			return nil, false
		}
		if typ == "S" {
			av = &types.AttributeValueMemberS{Value: v}
		} else {
			av = &types.AttributeValueMemberN{Value: v}
		}
	case "BOOL":
		switch {
		case s.lit("true"):
			av = &types.AttributeValueMemberBOOL{Value: true}
		case s.lit("false"):
			av = &types.AttributeValueMemberBOOL{Value: false}
		default:
			return nil, false
		}
	default:
		return nil, false
	}
	s.ws()
	return av, s.consume('}')
}

func (s *scanner) lit(l string) bool {
	if len(s.b)-s.i >= len(l) && string(s.b[s.i:s.i+len(l)]) == l {
		s.i += len(l)
		return true
	}
	return false
}

// str decodes a JSON string. Invalid UTF-8 (which encoding/json replaces) and malformed
// escapes report false.
func (s *scanner) str() (string, bool) {
	if !s.consume('"') {
		return "", false
	}
	start := s.i
	ascii := true
	for j := start; j < len(s.b); j++ {
		c := s.b[j]
		switch {
		case c == '"':
			raw := s.b[start:j]
			if !ascii && !utf8.Valid(raw) {
				return "", false
			}
			s.i = j + 1
			return string(raw), true
		case c == '\\':
			s.i = start
			return s.unescape()
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// unescape decodes a string with escapes from s.i (just after the opening quote).
func (s *scanner) unescape() (string, bool) {
	out := make([]byte, 0, 64)
	runStart := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			run := s.b[runStart:s.i]
			if !utf8.Valid(run) {
				return "", false
			}
			out = append(out, run...)
			s.i++
			return string(out), true
		case c < 0x20:
			return "", false
		case c != '\\':
			s.i++
			continue
		}
		run := s.b[runStart:s.i]
		if !utf8.Valid(run) {
			return "", false
		}
		out = append(out, run...)
		if s.i+1 >= len(s.b) {
			return "", false
		}
		e := s.b[s.i+1]
		s.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(r) {
				// Only a valid pair; a lone surrogate is what encoding/json replaces.
				if !s.lit(`\u`) {
					return "", false
				}
				r2, ok := s.hex4()
				if !ok {
					return "", false
				}
				if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
					return "", false
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
		runStart = s.i
	}
	return "", false
}

func (s *scanner) hex4() (rune, bool) {
	if len(s.b)-s.i < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(s.b[s.i:s.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	s.i += 4
	return rune(v), true
}

const maxSkipDepth = 10000

// skip passes over one JSON value, checking its grammar.
func (s *scanner) skip(depth int) bool {
	if depth > maxSkipDepth {
		return false
	}
	switch c := s.peek(); {
	case c == '{':
		s.i++
		if s.ws(); s.consume('}') {
			return true
		}
		for {
			s.ws()
			if _, ok := s.str(); !ok {
				return false
			}
			s.ws()
			if !s.consume(':') {
				return false
			}
			s.ws()
			if !s.skip(depth + 1) {
				return false
			}
			s.ws()
			if s.consume(',') {
				continue
			}
			return s.consume('}')
		}
	case c == '[':
		s.i++
		if s.ws(); s.consume(']') {
			return true
		}
		for {
			s.ws()
			if !s.skip(depth + 1) {
				return false
			}
			s.ws()
			if s.consume(',') {
				continue
			}
			return s.consume(']')
		}
	case c == '"':
		_, ok := s.str()
		return ok
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == 'n':
		return s.lit("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return s.num()
	}
	return false
}

func (s *scanner) num() bool {
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	s.consume('-')
	if !s.consume('0') && digits() == 0 {
		return false
	}
	if s.consume('.') && digits() == 0 {
		return false
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}

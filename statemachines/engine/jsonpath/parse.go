package jsonpath

import (
	"fmt"
	"strconv"
	"strings"
)

// Parse compiles a JSONPath. Roots: "$" (input), "$$" (context object), "$name" (a variable).
func Parse(s string) (*Path, error) {
	p := &parser{src: s}
	path, err := p.parse()
	if err != nil {
		return nil, fmt.Errorf("invalid JSONPath %q: %w", s, err)
	}
	return path, nil
}

type parser struct {
	src string
	pos int
}

func (p *parser) errorf(format string, a ...any) error {
	return fmt.Errorf("at position %d: %s", p.pos, fmt.Sprintf(format, a...))
}

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) parse() (*Path, error) {
	path := &Path{src: p.src, definite: true}
	if !strings.HasPrefix(p.src, "$") {
		return nil, p.errorf("a path must start with '$'")
	}
	p.pos = 1
	switch {
	case p.peek() == '$':
		path.root = RootContext
		p.pos++
	case isIdentStart(p.peek()):
		start := p.pos
		for !p.eof() && isIdentChar(p.peek()) {
			p.pos++
		}
		path.root = RootVariable
		path.varName = p.src[start:p.pos]
	}
	for !p.eof() {
		seg, fn, err := p.segment()
		if err != nil {
			return nil, err
		}
		if fn != "" {
			if fn != "length" {
				return nil, p.errorf("unsupported function %s()", fn)
			}
			if !p.eof() {
				return nil, p.errorf("a function must end the path")
			}
			path.length = true
			break
		}
		path.segs = append(path.segs, seg)
	}
	for i := range path.segs {
		s := &path.segs[i]
		if s.deep || s.kind == segWildcard || s.kind == segSlice || s.kind == segFilter ||
			len(s.names) > 1 || len(s.indexes) > 1 {
			path.definite = false
		}
	}
	path.norm = path.prefix(len(path.segs))
	return path, nil
}

// segment parses one step; fn is set instead when the step is a function call such as length().
func (p *parser) segment() (segment, string, error) {
	var seg segment
	switch p.peek() {
	case '.':
		p.pos++
		if p.peek() == '.' {
			p.pos++
			seg.deep = true
			if p.peek() == '[' {
				s, err := p.bracket()
				s.deep = true
				return s, "", err
			}
		}
		// Jayway (and so AWS) reads "$.[0]" and "$.[?(...)]" as "$[0]" and "$[?(...)]".
		if !seg.deep && p.peek() == '[' {
			s, err := p.bracket()
			return s, "", err
		}
		if p.peek() == '*' {
			p.pos++
			seg.kind = segWildcard
			return seg, "", nil
		}
		start := p.pos
		for !p.eof() && p.peek() != '.' && p.peek() != '[' && p.peek() != '(' {
			p.pos++
		}
		name := p.src[start:p.pos]
		if name == "" {
			return seg, "", p.errorf("empty property name")
		}
		if p.peek() == '(' {
			if !strings.HasPrefix(p.src[p.pos:], "()") {
				return seg, "", p.errorf("functions take no arguments")
			}
			p.pos += 2
			return seg, name, nil
		}
		seg.kind = segChild
		seg.names = []string{name}
		return seg, "", nil
	case '[':
		s, err := p.bracket()
		return s, "", err
	default:
		return seg, "", p.errorf("unexpected character %q", p.peek())
	}
}

// bracket parses [...] at p.pos.
func (p *parser) bracket() (segment, error) {
	var seg segment
	p.pos++ // '['
	p.skipSpace()
	switch c := p.peek(); {
	case c == '*':
		p.pos++
		seg.kind = segWildcard
	case c == '\'' || c == '"':
		seg.kind = segChild
		for {
			name, err := p.quoted()
			if err != nil {
				return seg, err
			}
			seg.names = append(seg.names, name)
			p.skipSpace()
			if p.peek() != ',' {
				break
			}
			p.pos++
			p.skipSpace()
		}
	case c == '?':
		p.pos++
		p.skipSpace()
		if p.peek() != '(' {
			return seg, p.errorf("a filter must be written [?(...)]")
		}
		p.pos++
		e, err := p.filterOr()
		if err != nil {
			return seg, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return seg, p.errorf("unterminated filter")
		}
		p.pos++
		seg.kind = segFilter
		seg.filter = e
	case c == '-' || c == ':' || isDigit(c):
		if err := p.indexes(&seg); err != nil {
			return seg, err
		}
	default:
		return seg, p.errorf("unexpected character %q in brackets", c)
	}
	p.skipSpace()
	if p.peek() != ']' {
		return seg, p.errorf("expected ']'")
	}
	p.pos++
	return seg, nil
}

func (p *parser) indexes(seg *segment) error {
	first, hasFirst, err := p.optInt()
	if err != nil {
		return err
	}
	p.skipSpace()
	if p.peek() == ':' {
		p.pos++
		p.skipSpace()
		to, hasTo, err := p.optInt()
		if err != nil {
			return err
		}
		seg.kind = segSlice
		seg.from, seg.hasFrom = first, hasFirst
		seg.to, seg.hasTo = to, hasTo
		return nil
	}
	if !hasFirst {
		return p.errorf("expected an array index")
	}
	seg.kind = segIndex
	seg.indexes = append(seg.indexes, first)
	for {
		p.skipSpace()
		if p.peek() != ',' {
			return nil
		}
		p.pos++
		p.skipSpace()
		n, ok, err := p.optInt()
		if err != nil {
			return err
		}
		if !ok {
			return p.errorf("expected an array index")
		}
		seg.indexes = append(seg.indexes, n)
	}
}

func (p *parser) optInt() (int, bool, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	for !p.eof() && isDigit(p.peek()) {
		p.pos++
	}
	if p.pos == start {
		return 0, false, nil
	}
	n, err := strconv.Atoi(p.src[start:p.pos])
	if err != nil {
		return 0, false, p.errorf("bad array index %q", p.src[start:p.pos])
	}
	return n, true, nil
}

// quoted reads a '...' or "..." name. A backslash escapes the closing quote character only;
// other backslashes are kept, as AWS does ($['Test\""Name"'] names the key Test\""Name").
func (p *parser) quoted() (string, error) {
	q := p.peek()
	p.pos++
	var b strings.Builder
	for {
		if p.eof() {
			return "", p.errorf("unterminated quoted name")
		}
		c := p.src[p.pos]
		switch c {
		case '\\':
			if p.pos+1 < len(p.src) && p.src[p.pos+1] == q {
				b.WriteByte(q)
				p.pos += 2
				continue
			}
		case q:
			p.pos++
			return b.String(), nil
		}
		b.WriteByte(c)
		p.pos++
	}
}

func (p *parser) skipSpace() {
	for !p.eof() && (p.peek() == ' ' || p.peek() == '\t') {
		p.pos++
	}
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || isDigit(c) }

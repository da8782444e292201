package intrinsic

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/acme-oem/vehicle-data/statemachines/engine/jsonpath"
)

// Parse compiles an intrinsic function call such as
// "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)".
func Parse(s string) (*Call, error) {
	p := &parser{src: s}
	p.space()
	c, err := p.call()
	if err != nil {
		return nil, fmt.Errorf("invalid intrinsic function %q: %w", s, err)
	}
	p.space()
	if !p.eof() {
		return nil, fmt.Errorf("invalid intrinsic function %q: unexpected %q after the call", s, p.src[p.pos:])
	}
	return c, nil
}

type parser struct {
	src string
	pos int
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *parser) space() {
	for !p.eof() && (p.peek() == ' ' || p.peek() == '\t' || p.peek() == '\n' || p.peek() == '\r') {
		p.pos++
	}
}

func (p *parser) call() (*Call, error) {
	start := p.pos
	if !strings.HasPrefix(p.src[p.pos:], "States.") {
		return nil, fmt.Errorf("at position %d: expected States.<function>(...)", p.pos)
	}
	p.pos += len("States.")
	nameStart := p.pos
	for !p.eof() && isIdent(p.peek()) {
		p.pos++
	}
	name := p.src[nameStart:p.pos]
	fn, ok := functions[name]
	if !ok {
		return nil, fmt.Errorf("unknown intrinsic function States.%s", name)
	}
	p.space()
	if p.peek() != '(' {
		return nil, fmt.Errorf("at position %d: expected '(' after States.%s", p.pos, name)
	}
	p.pos++
	c := &Call{name: name, fn: fn}
	p.space()
	if p.peek() == ')' {
		p.pos++
	} else {
		for {
			a, err := p.arg()
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
			p.space()
			if p.peek() == ',' {
				p.pos++
				continue
			}
			if p.peek() == ')' {
				p.pos++
				break
			}
			return nil, fmt.Errorf("at position %d: expected ',' or ')' in States.%s", p.pos, name)
		}
	}
	c.src = p.src[start:p.pos]
	if len(c.args) < fn.minArgs || (fn.maxArgs >= 0 && len(c.args) > fn.maxArgs) {
		return nil, fmt.Errorf("the function States.%s takes %s, got %d", name, fn.arity(), len(c.args))
	}
	if fn.check != nil {
		if err := fn.check(c); err != nil {
			return nil, fmt.Errorf("the function States.%s: %w", name, err)
		}
	}
	return c, nil
}

func (p *parser) arg() (arg, error) {
	p.space()
	rest := p.src[p.pos:]
	switch c := p.peek(); {
	case c == '\'':
		raw, val, err := p.str()
		if err != nil {
			return arg{}, err
		}
		return arg{kind: argLiteral, lit: val, raw: raw}, nil
	case c == '$':
		end := pathEnd(rest)
		text := strings.TrimRight(rest[:end], " \t\r\n")
		path, err := jsonpath.Parse(text)
		if err != nil {
			return arg{}, err
		}
		p.pos += end
		return arg{kind: argPath, path: path}, nil
	case strings.HasPrefix(rest, "States."):
		call, err := p.call()
		if err != nil {
			return arg{}, err
		}
		return arg{kind: argCall, call: call}, nil
	case c == '-' || c == '+' || c >= '0' && c <= '9':
		start := p.pos
		p.pos++
		for !p.eof() && strings.IndexByte("0123456789.eE+-", p.peek()) >= 0 {
			p.pos++
		}
		text := p.src[start:p.pos]
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			return arg{}, fmt.Errorf("at position %d: bad number %q", start, text)
		}
		return arg{kind: argLiteral, lit: json.Number(strings.TrimPrefix(text, "+"))}, nil
	default:
		for _, kw := range []struct {
			text string
			val  any
		}{{"true", true}, {"false", false}, {"null", nil}} {
			if strings.HasPrefix(rest, kw.text) && (len(rest) == len(kw.text) || !isIdent(rest[len(kw.text)])) {
				p.pos += len(kw.text)
				return arg{kind: argLiteral, lit: kw.val}, nil
			}
		}
		return arg{}, fmt.Errorf("at position %d: unexpected %q in arguments", p.pos, c)
	}
}

// pathEnd finds where a path argument ends: at a ',' or ')' outside brackets and quotes.
func pathEnd(s string) int {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			switch c {
			case '\\':
				i++
			case quote:
				quote = 0
			}
			continue
		}
		switch c {
		case '\'', '"':
			quote = c
		case '[', '(':
			depth++
		case ']':
			depth--
		case ')':
			if depth == 0 {
				return i
			}
			depth--
		case ',':
			if depth == 0 {
				return i
			}
		}
	}
	return len(s)
}

// str reads a single-quoted literal. A backslash escapes a quote, a backslash or a brace; raw
// keeps the escapes so that Format can tell an escaped brace from a placeholder.
func (p *parser) str() (raw, val string, err error) {
	p.pos++ // opening quote
	start := p.pos
	var b strings.Builder
	for {
		if p.eof() {
			return "", "", fmt.Errorf("unterminated string literal starting at position %d", start-1)
		}
		c := p.src[p.pos]
		switch c {
		case '\\':
			if p.pos+1 >= len(p.src) {
				return "", "", fmt.Errorf("unterminated escape at position %d", p.pos)
			}
			// AWS reserves exactly these four characters; any other escape (\" included) makes
			// the definition invalid.
			if e := p.src[p.pos+1]; e != '\'' && e != '{' && e != '}' && e != '\\' {
				return "", "", fmt.Errorf("invalid escape sequence \\%c at position %d: only \\', \\{, \\} and \\\\ are allowed", e, p.pos)
			}
			b.WriteByte(p.src[p.pos+1])
			p.pos += 2
			continue
		case '\'':
			raw = p.src[start:p.pos]
			p.pos++
			return raw, b.String(), nil
		}
		b.WriteByte(c)
		p.pos++
	}
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

package jsonata

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEnd tokKind = iota
	tOp
	tName
	tVariable
	tString
	tNumber
	tValue // true, false, null
	tRegex
)

type token struct {
	kind tokKind
	s    string // operator, name, variable name or string literal
	num  float64
	val  any // tValue
	re   *regexValue
	pos  int
}

// id is what the parser dispatches on: the operator itself, or the token class.
func (t token) id() string {
	switch t.kind {
	case tOp:
		return t.s
	case tEnd:
		return "(end)"
	case tName:
		return "(name)"
	case tVariable:
		return "(variable)"
	case tString:
		return "(string)"
	case tNumber:
		return "(number)"
	case tValue:
		return "(literal)"
	default:
		return "(regex)"
	}
}

// operators holds JSONata's binding powers (jsonata-js parser.js); the set of keys also decides
// where a name ends.
var operators = map[string]int{
	".": 75, "[": 80, "]": 0, "{": 70, "}": 0, "(": 80, ")": 0, ",": 0, "@": 80, "#": 80, ";": 80,
	":": 80, "?": 20, "+": 50, "-": 50, "*": 60, "/": 60, "%": 60, "|": 20, "=": 40, "<": 40,
	">": 40, "^": 40, "**": 60, "..": 20, ":=": 10, "!=": 40, "<=": 40, ">=": 40, "~>": 40,
	"?:": 40, "??": 40, "and": 30, "or": 25, "in": 40, "&": 50, "!": 0, "~": 0,
}

var twoCharOps = []string{"..", ":=", "!=", ">=", "<=", "**", "~>", "?:", "??"}

type lexer struct {
	src string
	pos int
}

var numberRE = regexp.MustCompile(`^(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?`)

// next returns the next token. prefix says the parser expects an operand, where '/' opens a
// regular expression rather than dividing.
// skipSpace skips white space and /* comments */.
func (l *lexer) skipSpace() error {
	src := l.src
	for l.pos < len(src) {
		c := src[l.pos]
		if isSpace(c) {
			l.pos++
			continue
		}
		if c == '/' && l.pos+1 < len(src) && src[l.pos+1] == '*' {
			end := strings.Index(src[l.pos+2:], "*/")
			if end < 0 {
				return errAt("S0106", l.pos, "Comment has no closing tag")
			}
			l.pos += end + 4
			continue
		}
		return nil
	}
	return nil
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'
}

func (l *lexer) next(prefix bool) (token, error) {
	src := l.src
	if err := l.skipSpace(); err != nil {
		return token{}, err
	}
	if l.pos >= len(src) {
		return token{kind: tEnd, pos: l.pos}, nil
	}
	start := l.pos
	c := src[l.pos]
	if prefix && c == '/' {
		l.pos++
		return l.scanRegex()
	}
	if l.pos+1 < len(src) {
		two := src[l.pos : l.pos+2]
		for _, op := range twoCharOps {
			if two == op {
				l.pos += 2
				return token{kind: tOp, s: op, pos: start}, nil
			}
		}
	}
	if c == '!' {
		// '!' only exists in "!=", handled above.
		return token{}, errAt("S0204", start, "Unknown operator: \"!\"")
	}
	if _, ok := operators[string(c)]; ok {
		l.pos++
		return token{kind: tOp, s: string(c), pos: start}, nil
	}
	if c == '"' || c == '\'' {
		return l.scanString(c)
	}
	if m := numberRE.FindString(src[l.pos:]); m != "" {
		f, err := strconv.ParseFloat(m, 64)
		if err != nil {
			return token{}, errAt("S0102", start, "Number out of range: "+m)
		}
		l.pos += len(m)
		return token{kind: tNumber, num: f, pos: start}, nil
	}
	if c == '`' {
		end := strings.IndexByte(src[l.pos+1:], '`')
		if end < 0 {
			return token{}, errAt("S0105", start, "Quoted property name must be terminated with a backquote (`)")
		}
		name := src[l.pos+1 : l.pos+1+end]
		l.pos += end + 2
		return token{kind: tName, s: name, pos: start}, nil
	}
	return l.word(start), nil
}

// word reads a name, a variable or a keyword: everything up to white space or an operator.
func (l *lexer) word(start int) token {
	src := l.src
	i := l.pos
	for i < len(src) {
		ch := src[i]
		if isSpace(ch) {
			break
		}
		if _, ok := operators[string(ch)]; ok {
			break
		}
		i++
	}
	word := src[l.pos:i]
	l.pos = i
	if word[0] == '$' {
		return token{kind: tVariable, s: word[1:], pos: start}
	}
	switch word {
	case "and", "or", "in":
		return token{kind: tOp, s: word, pos: start}
	case "true":
		return token{kind: tValue, val: true, pos: start}
	case "false":
		return token{kind: tValue, val: false, pos: start}
	case "null":
		return token{kind: tValue, val: nil, pos: start}
	}
	return token{kind: tName, s: word, pos: start}
}

func (l *lexer) scanString(quote byte) (token, error) {
	start := l.pos
	l.pos++
	var b strings.Builder
	src := l.src
	for l.pos < len(src) {
		c := src[l.pos]
		if c == '\\' {
			l.pos++
			if l.pos >= len(src) {
				break
			}
			e := src[l.pos]
			switch e {
			case '"', '\\', '/', '\'':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if l.pos+4 >= len(src) {
					return token{}, errAt("S0104", l.pos, "The escape sequence \\u must be followed by 4 hex digits")
				}
				r, err := strconv.ParseUint(src[l.pos+1:l.pos+5], 16, 32)
				if err != nil {
					return token{}, errAt("S0104", l.pos, "The escape sequence \\u must be followed by 4 hex digits")
				}
				l.pos += 4
				// A surrogate pair arrives as two \u escapes: join them into one rune.
				if r >= 0xD800 && r < 0xDC00 && l.pos+6 < len(src) && src[l.pos+1] == '\\' && src[l.pos+2] == 'u' {
					if lo, err := strconv.ParseUint(src[l.pos+3:l.pos+7], 16, 32); err == nil && lo >= 0xDC00 && lo < 0xE000 {
						r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
						l.pos += 6
					}
				}
				b.WriteRune(rune(r)) //nolint:gosec // at most 0x10FFFF: four hex digits or a surrogate pair
			default:
				return token{}, errAt("S0103", l.pos, "Unsupported escape sequence: \\"+string(e))
			}
			l.pos++
			continue
		}
		if c == quote {
			l.pos++
			return token{kind: tString, s: b.String(), pos: start}, nil
		}
		_, size := utf8.DecodeRuneInString(src[l.pos:])
		b.WriteString(src[l.pos : l.pos+size])
		l.pos += size
	}
	return token{}, errAt("S0101", start, "String literal must be terminated by a matching quote")
}

// scanRegex reads /pattern/flags; the opening slash is consumed. Slashes inside brackets or
// escaped with an odd number of backslashes do not close the pattern (as jsonata-js).
// unescaped reports whether the character at l.pos follows an even number of backslashes
// (since start).
func (l *lexer) unescaped(start int) bool {
	bs := 0
	for l.pos-bs-1 >= start && l.src[l.pos-bs-1] == '\\' {
		bs++
	}
	return bs%2 == 0
}

// endRegex compiles the pattern from start to the closing '/' at l.pos and its flags.
func (l *lexer) endRegex(start int) (token, error) {
	src := l.src
	pattern := src[start:l.pos]
	if pattern == "" {
		return token{}, errAt("S0301", l.pos, "Empty regular expressions are not allowed")
	}
	l.pos++
	fs := l.pos
	for l.pos < len(src) && (src[l.pos] == 'i' || src[l.pos] == 'm') {
		l.pos++
	}
	re, err := compileRegex(pattern, src[fs:l.pos])
	if err != nil {
		return token{}, errAt("S0302", start, "Invalid regular expression: "+err.Error())
	}
	return token{kind: tRegex, re: re, pos: start - 1}, nil
}

func (l *lexer) scanRegex() (token, error) {
	src := l.src
	start := l.pos
	depth := 0
	for l.pos < len(src) {
		c := src[l.pos]
		if c == '/' && depth == 0 && l.unescaped(start) {
			return l.endRegex(start)
		}
		prevEscaped := l.pos > start && src[l.pos-1] == '\\'
		if (c == '(' || c == '[' || c == '{') && !prevEscaped {
			depth++
		}
		if (c == ')' || c == ']' || c == '}') && !prevEscaped {
			depth--
		}
		l.pos++
	}
	return token{}, errAt("S0302", start, "No terminating / in regular expression")
}

// regexValue is a JSONata regex literal: the Go translation of the JavaScript pattern.
type regexValue struct {
	src string
	re  *regexp.Regexp
}

// compileRegex translates a JavaScript pattern into RE2 syntax. The two differ mostly in escapes:
// JavaScript lets any character be escaped ("\ " is a space) and writes code points as \uXXXX,
// while RE2 only accepts escaped punctuation.
func compileRegex(pattern, flags string) (*regexValue, error) {
	var b strings.Builder
	if strings.ContainsAny(flags, "im") {
		b.WriteString("(?")
		if strings.Contains(flags, "i") {
			b.WriteString("i")
		}
		if strings.Contains(flags, "m") {
			b.WriteString("m")
		}
		b.WriteString(")")
	}
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c != '\\' || i+1 >= len(pattern) {
			b.WriteByte(c)
			continue
		}
		i++
		e := pattern[i]
		switch {
		case e == 'u' && i+4 < len(pattern):
			b.WriteString(`\x{` + pattern[i+1:i+5] + `}`)
			i += 4
		case e == 'd' || e == 'D' || e == 'w' || e == 'W' || e == 's' || e == 'S' || e == 'b' || e == 'B' ||
			e == 'n' || e == 'r' || e == 't' || e == 'f' || e == 'v' || e == 'x' || (e >= '0' && e <= '9'):
			b.WriteByte('\\')
			b.WriteByte(e)
		case e < 0x80 && !isAlnum(e):
			b.WriteString(regexp.QuoteMeta(string(e)))
		default:
			// An identity escape of a letter or non-ASCII character: the character itself.
			r, size := utf8.DecodeRuneInString(pattern[i:])
			b.WriteString(regexp.QuoteMeta(string(r)))
			i += size - 1
		}
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, err
	}
	return &regexValue{src: pattern, re: re}, nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

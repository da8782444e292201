package jsonpath

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// expr is a compiled filter predicate: [?(...)]. root is the document the whole path is
// evaluated against ("$" inside a filter), cur the candidate node ("@").
type expr interface {
	test(cur, root any) bool
}

type orExpr struct{ l, r expr }
type andExpr struct{ l, r expr }
type notExpr struct{ e expr }

// existsExpr is a bare operand: true when a path operand matches something (Jayway's
// existence check) or a literal is truthy.
type existsExpr struct{ o operand }

type cmpExpr struct {
	op   string
	l, r operand
}

func (e orExpr) test(cur, root any) bool  { return e.l.test(cur, root) || e.r.test(cur, root) }
func (e andExpr) test(cur, root any) bool { return e.l.test(cur, root) && e.r.test(cur, root) }
func (e notExpr) test(cur, root any) bool { return !e.e.test(cur, root) }

func (e existsExpr) test(cur, root any) bool {
	v, ok := e.o.eval(cur, root)
	if !ok {
		return false
	}
	if e.o.path != nil {
		return true
	}
	b, isBool := v.(bool)
	return !isBool || b
}

// operand is a literal, a relative (@) or absolute ($) path, or a regex.
type operand struct {
	lit      any
	path     *Path
	relative bool
	re       *regexp.Regexp
}

func (o operand) eval(cur, root any) (any, bool) {
	if o.path == nil {
		return o.lit, true
	}
	doc := root
	if o.relative {
		doc = cur
	}
	if o.path.definite {
		v, err := o.path.getDefinite(doc)
		if err != nil {
			return nil, false
		}
		if o.path.length {
			n, err := lengthOf(v, o.path)
			return n, err == nil
		}
		return v, true
	}
	v, err := o.path.Get(doc)
	if err != nil {
		return nil, false
	}
	if l, ok := v.([]any); ok && len(l) == 0 {
		return nil, false
	}
	return v, true
}

func (e cmpExpr) test(cur, root any) bool {
	l, ok := e.l.eval(cur, root)
	if !ok {
		return false
	}
	if e.op == "=~" {
		s, isStr := l.(string)
		return isStr && e.r.re != nil && e.r.re.MatchString(s)
	}
	r, ok := e.r.eval(cur, root)
	if !ok {
		return false
	}
	switch e.op {
	case "==":
		return looseEqual(l, r)
	case "!=":
		return !looseEqual(l, r)
	case "<", "<=", ">", ">=":
		return ordered(e.op, l, r)
	case "in", "nin":
		list, isList := r.([]any)
		return isList && contains(list, l) == (e.op == "in")
	case "subsetof", "anyof", "noneof":
		return setRelation(e.op, l, r)
	case "size":
		return sizeIs(l, r)
	case "empty":
		return emptyIs(l, r)
	}
	return false
}

func ordered(op string, l, r any) bool {
	c, ok := compare(l, r)
	if !ok {
		return false
	}
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	default:
		return c >= 0
	}
}

// setRelation is subsetof, anyof and noneof between two lists.
func setRelation(op string, l, r any) bool {
	ll, ok1 := l.([]any)
	rl, ok2 := r.([]any)
	if !ok1 || !ok2 {
		return false
	}
	hits := 0
	for _, x := range ll {
		if contains(rl, x) {
			hits++
		}
	}
	switch op {
	case "subsetof":
		return hits == len(ll)
	case "anyof":
		return hits > 0
	default:
		return hits == 0
	}
}

func sizeIs(l, r any) bool {
	n, ok := value.Float(r)
	if !ok {
		return false
	}
	switch x := l.(type) {
	case []any:
		return float64(len(x)) == n
	case string:
		return float64(len([]rune(x))) == n
	}
	return false
}

func emptyIs(l, r any) bool {
	want, ok := r.(bool)
	if !ok {
		return false
	}
	switch x := l.(type) {
	case []any:
		return (len(x) == 0) == want
	case string:
		return (x == "") == want
	}
	return false
}

func contains(list []any, v any) bool {
	for _, x := range list {
		if looseEqual(x, v) {
			return true
		}
	}
	return false
}

// looseEqual is Jayway's ==: a number equals a string holding the same number.
func looseEqual(a, b any) bool {
	if value.Equal(a, b) {
		return true
	}
	fa, okA := numberOf(a)
	fb, okB := numberOf(b)
	_, aNum := a.(json.Number)
	_, bNum := b.(json.Number)
	return okA && okB && (aNum || bNum) && fa == fb
}

func numberOf(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		return value.Float(x)
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// compare orders numbers numerically and strings lexically; other pairs do not compare.
func compare(a, b any) (int, bool) {
	if sa, ok := a.(string); ok {
		if sb, ok := b.(string); ok {
			return strings.Compare(sa, sb), true
		}
	}
	_, aNum := a.(json.Number)
	_, bNum := b.(json.Number)
	if !aNum && !bNum {
		return 0, false
	}
	fa, okA := numberOf(a)
	fb, okB := numberOf(b)
	if !okA || !okB {
		return 0, false
	}
	switch {
	case fa < fb:
		return -1, true
	case fa > fb:
		return 1, true
	}
	return 0, true
}

// --- parsing ---

func (p *parser) filterOr() (expr, error) {
	l, err := p.filterAnd()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.src[p.pos:], "||") {
			return l, nil
		}
		p.pos += 2
		r, err := p.filterAnd()
		if err != nil {
			return nil, err
		}
		l = orExpr{l, r}
	}
}

func (p *parser) filterAnd() (expr, error) {
	l, err := p.filterUnary()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.src[p.pos:], "&&") {
			return l, nil
		}
		p.pos += 2
		r, err := p.filterUnary()
		if err != nil {
			return nil, err
		}
		l = andExpr{l, r}
	}
}

func (p *parser) filterUnary() (expr, error) {
	p.skipSpace()
	switch p.peek() {
	case '!':
		if !strings.HasPrefix(p.src[p.pos:], "!=") {
			p.pos++
			e, err := p.filterUnary()
			if err != nil {
				return nil, err
			}
			return notExpr{e}, nil
		}
	case '(':
		p.pos++
		e, err := p.filterOr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return nil, p.errorf("expected ')' in filter")
		}
		p.pos++
		return e, nil
	}
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	op := p.operator()
	if op == "" {
		return existsExpr{l}, nil
	}
	p.skipSpace()
	r, err := p.operand()
	if err != nil {
		return nil, err
	}
	if op == "=~" && r.re == nil {
		return nil, p.errorf("=~ needs a /regex/")
	}
	return cmpExpr{op: op, l: l, r: r}, nil
}

var filterOps = []string{"==", "!=", "<=", ">=", "=~", "<", ">", "nin", "in", "subsetof", "anyof", "noneof", "size", "empty"}

func (p *parser) operator() string {
	rest := p.src[p.pos:]
	for _, op := range filterOps {
		if strings.HasPrefix(rest, op) {
			if isIdentStart(op[0]) && len(rest) > len(op) && isIdentChar(rest[len(op)]) {
				continue
			}
			p.pos += len(op)
			return op
		}
	}
	return ""
}

func (p *parser) operand() (operand, error) {
	p.skipSpace()
	rest := p.src[p.pos:]
	switch c := p.peek(); {
	case c == '@' || c == '$':
		return p.pathOperand(c)
	case c == '\'' || c == '"':
		s, err := p.quoted()
		if err != nil {
			return operand{}, err
		}
		return operand{lit: s}, nil
	case c == '/':
		return p.regexOperand(rest)
	case c == '[' || c == '{':
		return p.jsonOperand(rest)
	case strings.HasPrefix(rest, "true"):
		p.pos += 4
		return operand{lit: true}, nil
	case strings.HasPrefix(rest, "false"):
		p.pos += 5
		return operand{lit: false}, nil
	case strings.HasPrefix(rest, "null"):
		p.pos += 4
		return operand{lit: nil}, nil
	case c == '-' || isDigit(c):
		start := p.pos
		p.pos++
		for !p.eof() && (isDigit(p.peek()) || strings.IndexByte(".eE+-", p.peek()) >= 0) {
			p.pos++
		}
		num := p.src[start:p.pos]
		if _, err := strconv.ParseFloat(num, 64); err != nil {
			return operand{}, p.errorf("bad number %q", num)
		}
		return operand{lit: json.Number(num)}, nil
	default:
		return operand{}, p.errorf("unexpected %q in filter", c)
	}
}

// pathOperand reads "@.x" (relative to the item) or "$.x" (from the root), possibly ending
// in .length() or .size().
func (p *parser) pathOperand(c byte) (operand, error) {
	start := p.pos
	p.pos++
	sub := &Path{definite: true}
	if c == '$' && p.peek() == '$' {
		return operand{}, p.errorf("context paths are not allowed in filters")
	}
	for p.peek() == '.' || p.peek() == '[' {
		seg, fn, err := p.filterSegment()
		if err != nil {
			return operand{}, err
		}
		if fn != "" {
			if fn != "length" && fn != "size" {
				return operand{}, p.errorf("unsupported function %s()", fn)
			}
			sub.length = true
			break
		}
		sub.segs = append(sub.segs, seg)
	}
	for i := range sub.segs {
		s := &sub.segs[i]
		if s.deep || s.kind == segWildcard || s.kind == segSlice || s.kind == segFilter ||
			len(s.names) > 1 || len(s.indexes) > 1 {
			sub.definite = false
		}
	}
	sub.src = p.src[start:p.pos]
	sub.norm = sub.prefix(len(sub.segs))
	return operand{path: sub, relative: c == '@'}, nil
}

// regexOperand reads "/pattern/flags" (for =~).
func (p *parser) regexOperand(rest string) (operand, error) {
	end := strings.LastIndexByte(rest, '/')
	if end <= 0 {
		return operand{}, p.errorf("unterminated regex")
	}
	pat := rest[1:end]
	p.pos += end + 1
	flags := ""
	for !p.eof() && strings.IndexByte("imsx", p.peek()) >= 0 {
		flags += string(p.peek())
		p.pos++
	}
	if strings.Contains(flags, "i") {
		pat = "(?i)" + pat
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return operand{}, p.errorf("bad regex: %v", err)
	}
	return operand{re: re}, nil
}

// jsonOperand reads a JSON literal (lists for in/nin/subsetof ...), finding its end by
// bracket depth.
func (p *parser) jsonOperand(rest string) (operand, error) {
	end := literalEnd(rest)
	if end < 0 {
		return operand{}, p.errorf("unterminated literal")
	}
	lit := strings.ReplaceAll(rest[:end], "'", "\"")
	v, err := value.Decode([]byte(lit))
	if err != nil {
		return operand{}, p.errorf("bad literal %s", rest[:end])
	}
	p.pos += end
	return operand{lit: v}, nil
}

// literalEnd is the length of the bracketed literal at the start of s, or -1.
func literalEnd(s string) int {
	depth, inStr := 0, byte(0)
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if inStr != 0 {
			switch ch {
			case '\\':
				i++
			case inStr:
				inStr = 0
			}
			continue
		}
		switch ch {
		case '"', '\'':
			inStr = ch
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

// filterSegment is segment() with names ending where filter syntax begins.
func (p *parser) filterSegment() (segment, string, error) {
	if p.peek() == '[' {
		s, err := p.bracket()
		return s, "", err
	}
	var seg segment
	p.pos++ // '.'
	if p.peek() == '.' {
		p.pos++
		seg.deep = true
		if p.peek() == '[' {
			s, err := p.bracket()
			s.deep = true
			return s, "", err
		}
	}
	if p.peek() == '*' {
		p.pos++
		seg.kind = segWildcard
		return seg, "", nil
	}
	start := p.pos
	for !p.eof() && strings.IndexByte(".[]() \t=!<>&|,~", p.peek()) < 0 {
		p.pos++
	}
	name := p.src[start:p.pos]
	if name == "" {
		return seg, "", p.errorf("empty property name")
	}
	if strings.HasPrefix(p.src[p.pos:], "()") {
		p.pos += 2
		return seg, name, nil
	}
	seg.kind = segChild
	seg.names = []string{name}
	return seg, "", nil
}

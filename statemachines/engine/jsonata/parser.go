package jsonata

import (
	"fmt"
	"strconv"
)

type nodeType uint8

const (
	nPath nodeType = iota
	nBinary
	nUnary // "-" negation, "[" array constructor, "{" object constructor
	nName
	nString
	nNumber
	nValue // true, false, null
	nWildcard
	nDescendant
	nParent
	nCondition
	nBlock
	nBind
	nRegex
	nFunction
	nPartial
	nVariable
	nLambda
	nApply
	nSort
	nTransform
	nRange
	nPlaceholder
	nCoalesce
	nElvis
	nIndexStage // a '#$var' stage among a step's filters: binds the position so far
)

type sortTerm struct {
	descending bool
	expr       *node
}

// node is one AST node, first as the Pratt parser builds it and then rewritten by
// (*parser).process into the evaluable form (paths of steps with stages), as jsonata-js does.
type node struct {
	typ   nodeType
	op    string // binary/unary operator
	str   string // name, variable, string literal
	num   float64
	val   any
	re    *regexValue
	pos   int
	lhs   *node
	rhs   *node
	exprs []*node    // block items, array constructor items, function arguments
	pairs [][2]*node // object constructor / group-by
	steps []*node    // path steps

	procedure *node
	params    []string
	body      *node
	signature *signature

	cond, then, els *node

	predicate []*node // filters on a non-path node
	stages    []*node // filters on a path step, applied per input item
	group     [][2]*node
	hasGroup  bool
	terms     []sortTerm

	update, delete *node

	focus string // '@$var': the step binds its value to $var and keeps the context
	index string // '#$var': the step binds each item's position to $var
	tuple bool   // the step needs a tuple stream (focus, index or ancestor bindings); on a
	// path: return the tuple stream itself (an enclosing step reads the ancestors)

	slot          *slot   // nParent: the binding it reads
	ancestor      *slot   // a step some '%' refers to: binds its input context under the label
	seekingParent []*slot // '%' operators inside this node still looking for their step

	keepArray          bool // step[] : keep singleton arrays
	keepSingletonArray bool // on a path: some step asked to keep singleton arrays
	consArray          bool // array constructor as first/last path step: not flattened
}

type parser struct {
	lex lexer
	tok token

	ancestorLabel int // counter naming the parent operator's hidden bindings
}

// slot is a parent operator's binding: the step level ancestors are levels up; a path step that
// is that ancestor binds its input under label (jsonata-js "ancestry" slots).
type slot struct {
	label string
	level int
}

func parse(src string) (*node, error) {
	p := &parser{lex: lexer{src: src}}
	if err := p.advance("", false); err != nil {
		return nil, err
	}
	n, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEnd {
		return nil, errAt("S0201", p.tok.pos, "Syntax error: "+tokenText(p.tok))
	}
	root, err := p.process(n)
	if err != nil {
		return nil, err
	}
	if root.typ == nParent || root.seekingParent != nil {
		return nil, errAt("S0217", root.pos, "The object representing the 'parent' cannot be derived from this expression")
	}
	return root, nil
}

func tokenText(t token) string {
	switch t.kind {
	case tString:
		return fmt.Sprintf("%q", t.s)
	case tNumber:
		return formatNumber(t.num)
	case tVariable:
		return "$" + t.s
	case tEnd:
		return "(end)"
	case tValue:
		return fmt.Sprint(t.val)
	}
	return t.s
}

// advance checks that the current token is want (if given) and reads the next one. infix says
// the next token follows an operand, so '/' is division rather than a regex.
func (p *parser) advance(want string, infix bool) error {
	if want != "" && p.tok.id() != want {
		if p.tok.kind == tEnd {
			return errAt("S0203", p.tok.pos, fmt.Sprintf("Expected %q before end of expression", want))
		}
		return errAt("S0202", p.tok.pos, fmt.Sprintf("Expected %q, got %q", want, tokenText(p.tok)))
	}
	t, err := p.lex.next(!infix)
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func lbp(t token) int {
	if t.kind != tOp {
		return 0
	}
	switch t.s {
	case "..", ":", ";", ",", ")", "]", "}", "|":
		// Separators: declared as plain symbols in jsonata-js, so they never continue an
		// expression (".." is handled by the array constructor).
		return 0
	}
	return operators[t.s]
}

func (p *parser) expression(rbp int) (*node, error) {
	t := p.tok
	// After a terminal the next token is infix; after a prefix operator it is an operand.
	if err := p.advance("", isTerminal(t)); err != nil {
		return nil, err
	}
	left, err := p.nud(t)
	if err != nil {
		return nil, err
	}
	for rbp < lbp(p.tok) {
		t = p.tok
		if err := p.advance("", false); err != nil {
			return nil, err
		}
		left, err = p.led(t, left)
		if err != nil {
			return nil, err
		}
	}
	return left, nil
}

func isTerminal(t token) bool {
	switch t.kind {
	case tName, tVariable, tString, tNumber, tValue, tRegex:
		return true
	case tOp:
		return t.s == "and" || t.s == "or" || t.s == "in"
	}
	return false
}

func (p *parser) nud(t token) (*node, error) {
	switch t.kind {
	case tName:
		return &node{typ: nName, str: t.s, pos: t.pos}, nil
	case tVariable:
		return &node{typ: nVariable, str: t.s, pos: t.pos}, nil
	case tString:
		return &node{typ: nString, str: t.s, val: t.s, pos: t.pos}, nil
	case tNumber:
		return &node{typ: nNumber, num: t.num, val: t.num, pos: t.pos}, nil
	case tValue:
		return &node{typ: nValue, val: t.val, pos: t.pos}, nil
	case tRegex:
		return &node{typ: nRegex, re: t.re, pos: t.pos}, nil
	case tEnd:
		return nil, errAt("S0207", t.pos, "Unexpected end of expression")
	}
	switch t.s {
	case "and", "or", "in":
		// Operator words are also legal field names.
		return &node{typ: nName, str: t.s, pos: t.pos}, nil
	case "-":
		operand, err := p.expression(70)
		if err != nil {
			return nil, err
		}
		return &node{typ: nUnary, op: "-", lhs: operand, pos: t.pos}, nil
	case "*":
		return &node{typ: nWildcard, pos: t.pos}, p.fixInfix()
	case "**":
		return &node{typ: nDescendant, pos: t.pos}, p.fixInfix()
	case "%":
		return &node{typ: nParent, pos: t.pos}, p.fixInfix()
	case "(":
		return p.block(t)
	case "[":
		return p.arrayConstructor(t)
	case "{":
		pairs, err := p.objectPairs()
		if err != nil {
			return nil, err
		}
		return &node{typ: nUnary, op: "{", pairs: pairs, pos: t.pos}, nil
	case "|":
		return p.transform(t)
	}
	return nil, errAt("S0211", t.pos, fmt.Sprintf("The symbol %s cannot be used as a unary operator", t.s))
}

// commaList parses items until the token after one is not ','; the caller reads the closer.
func (p *parser) commaList(item func() error) error {
	for {
		if err := item(); err != nil {
			return err
		}
		if p.tok.id() != "," {
			return nil
		}
		if err := p.advance(",", false); err != nil {
			return err
		}
	}
}

// block parses "(e1; e2; ...)".
func (p *parser) block(t token) (*node, error) {
	var items []*node
	for p.tok.id() != ")" {
		e, err := p.expression(0)
		if err != nil {
			return nil, err
		}
		items = append(items, e)
		if p.tok.id() != ";" {
			break
		}
		if err := p.advance(";", false); err != nil {
			return nil, err
		}
	}
	if err := p.advance(")", true); err != nil {
		return nil, err
	}
	return &node{typ: nBlock, exprs: items, pos: t.pos}, nil
}

// arrayConstructor parses "[a, b..c, ...]".
func (p *parser) arrayConstructor(t token) (*node, error) {
	var items []*node
	if p.tok.id() != "]" {
		err := p.commaList(func() error {
			item, err := p.expression(0)
			if err != nil {
				return err
			}
			if p.tok.id() == ".." {
				pos := p.tok.pos
				if err := p.advance("..", false); err != nil {
					return err
				}
				hi, err := p.expression(0)
				if err != nil {
					return err
				}
				item = &node{typ: nRange, lhs: item, rhs: hi, pos: pos}
			}
			items = append(items, item)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if err := p.advance("]", true); err != nil {
		return nil, err
	}
	return &node{typ: nUnary, op: "[", exprs: items, pos: t.pos}, nil
}

// transform parses "|location|update[,delete]|".
func (p *parser) transform(t token) (*node, error) {
	loc, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	if err := p.advance("|", false); err != nil {
		return nil, err
	}
	upd, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	n := &node{typ: nTransform, lhs: loc, update: upd, pos: t.pos}
	if p.tok.id() == "," {
		if err := p.advance(",", false); err != nil {
			return nil, err
		}
		if n.delete, err = p.expression(0); err != nil {
			return nil, err
		}
	}
	if err := p.advance("|", true); err != nil {
		return nil, err
	}
	return n, nil
}

// fixInfix re-reads the current token as infix: '*', '**' and '%' were operands, so a '/'
// after them divides.
func (p *parser) fixInfix() error {
	if p.tok.kind == tRegex {
		p.lex.pos = p.tok.pos
		t, err := p.lex.next(false)
		if err != nil {
			return err
		}
		p.tok = t
	}
	return nil
}

func (p *parser) objectPairs() ([][2]*node, error) {
	var pairs [][2]*node
	if p.tok.id() != "}" {
		err := p.commaList(func() error {
			k, err := p.expression(0)
			if err != nil {
				return err
			}
			if err := p.advance(":", false); err != nil {
				return err
			}
			v, err := p.expression(0)
			if err != nil {
				return err
			}
			pairs = append(pairs, [2]*node{k, v})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return pairs, p.advance("}", true)
}

func (p *parser) led(t token, left *node) (*node, error) {
	op := t.s
	switch op {
	case ".", "+", "-", "*", "/", "%", "=", "<", ">", "!=", "<=", ">=", "&", "and", "or", "in", "~>":
		rhs, err := p.expression(operators[op])
		if err != nil {
			return nil, err
		}
		if op == "~>" {
			return &node{typ: nApply, op: op, lhs: left, rhs: rhs, pos: t.pos}, nil
		}
		return &node{typ: nBinary, op: op, lhs: left, rhs: rhs, pos: t.pos}, nil
	case "??", "?:":
		rhs, err := p.expression(operators[op])
		if err != nil {
			return nil, err
		}
		typ := nCoalesce
		if op == "?:" {
			typ = nElvis
		}
		return &node{typ: typ, lhs: left, rhs: rhs, pos: t.pos}, nil
	case ":=":
		if left.typ != nVariable {
			return nil, errAt("S0212", t.pos, "The left side of := must be a variable name (start with $)")
		}
		rhs, err := p.expression(operators[":="] - 1) // right associative
		if err != nil {
			return nil, err
		}
		return &node{typ: nBind, lhs: left, rhs: rhs, pos: t.pos}, nil
	case "?":
		return p.condition(t, left)
	case "(":
		return p.call(t, left)
	case "[":
		return p.predicate(t, left)
	case "{":
		pairs, err := p.objectPairs()
		if err != nil {
			return nil, err
		}
		return &node{typ: nBinary, op: "{", lhs: left, pairs: pairs, pos: t.pos}, nil
	case "^":
		return p.orderBy(t, left)
	case "@", "#":
		rhs, err := p.expression(operators[op])
		if err != nil {
			return nil, err
		}
		if rhs.typ != nVariable {
			return nil, errAt("S0214", rhs.pos, fmt.Sprintf("The right side of %s must be a variable name (start with $)", op))
		}
		return &node{typ: nBinary, op: op, lhs: left, rhs: rhs, pos: t.pos}, nil
	}
	return nil, errAt("S0201", t.pos, "Syntax error: "+tokenText(t))
}

// condition parses "cond ? then [: else]" after cond.
func (p *parser) condition(t token, left *node) (*node, error) {
	then, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	n := &node{typ: nCondition, cond: left, then: then, pos: t.pos}
	if p.tok.id() == ":" {
		if err := p.advance(":", false); err != nil {
			return nil, err
		}
		if n.els, err = p.expression(0); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// predicate parses "[expr]" after a step, or "[]" (keep the array).
func (p *parser) predicate(t token, left *node) (*node, error) {
	if p.tok.id() == "]" {
		step := left
		for step.typ == nBinary && step.op == "[" {
			step = step.lhs
		}
		step.keepArray = true
		return left, p.advance("]", true)
	}
	rhs, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	return &node{typ: nBinary, op: "[", lhs: left, rhs: rhs, pos: t.pos}, p.advance("]", true)
}

// orderBy parses "^(<a, >b)" after a step.
func (p *parser) orderBy(t token, left *node) (*node, error) {
	if err := p.advance("(", false); err != nil {
		return nil, err
	}
	var terms []sortTerm
	err := p.commaList(func() error {
		desc := false
		switch p.tok.id() {
		case "<":
			if err := p.advance("<", false); err != nil {
				return err
			}
		case ">":
			desc = true
			if err := p.advance(">", false); err != nil {
				return err
			}
		}
		e, err := p.expression(0)
		if err != nil {
			return err
		}
		terms = append(terms, sortTerm{descending: desc, expr: e})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := p.advance(")", true); err != nil {
		return nil, err
	}
	return &node{typ: nBinary, op: "^", lhs: left, terms: terms, pos: t.pos}, nil
}

// call parses an argument list: a function call, a partial application (some arguments '?') or,
// after the name "function"/"λ", a lambda definition.
func (p *parser) call(t token, left *node) (*node, error) {
	var args []*node
	partial := false
	if p.tok.id() != ")" {
		err := p.commaList(func() error {
			if p.tok.id() == "?" {
				partial = true
				args = append(args, &node{typ: nPlaceholder, pos: p.tok.pos})
				return p.advance("?", true)
			}
			a, err := p.expression(0)
			if err != nil {
				return err
			}
			args = append(args, a)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if err := p.advance(")", true); err != nil {
		return nil, err
	}
	if left.typ == nName && (left.str == "function" || left.str == "λ") {
		return p.lambda(t, args)
	}
	typ := nFunction
	if partial {
		typ = nPartial
	}
	return &node{typ: typ, procedure: left, exprs: args, pos: t.pos}, nil
}

// lambda parses the rest of "function($a, $b)<sig>{ body }" after the parameter list.
func (p *parser) lambda(t token, params []*node) (*node, error) {
	n := &node{typ: nLambda, pos: t.pos}
	for _, a := range params {
		if a.typ != nVariable {
			return nil, errAt("S0208", a.pos, "Parameter of function definition must be a variable name (start with $)")
		}
		n.params = append(n.params, a.str)
	}
	if p.tok.id() == "<" {
		s, err := p.lambdaSignature()
		if err != nil {
			return nil, err
		}
		n.signature = s
	}
	if err := p.advance("{", false); err != nil {
		return nil, err
	}
	body, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	n.body = body
	return n, p.advance("}", true)
}

// lambdaSignature reads a "<...>" signature token by token (the lexer has no signature token).
func (p *parser) lambdaSignature() (*signature, error) {
	sig := "<"
	depth := 1
	for depth > 0 && p.tok.id() != "{" && p.tok.kind != tEnd {
		if err := p.advance("", false); err != nil {
			return nil, err
		}
		switch p.tok.id() {
		case ">":
			depth--
		case "<":
			depth++
		}
		sig += tokenText(p.tok)
	}
	if err := p.advance(">", false); err != nil {
		return nil, err
	}
	return parseSignature(sig)
}

// process rewrites the raw tree: names become single-step paths, '.' chains become one path,
// predicates attach to the step they filter (jsonata-js processAST).
func (p *parser) process(n *node) (*node, error) {
	res, err := p.processNode(n)
	if err != nil {
		return nil, err
	}
	if n.keepArray {
		// "expr[]" keeps a singleton result an array, whatever expr was rewritten into.
		res.keepArray = true
	}
	return res, nil
}

func (p *parser) processNode(n *node) (*node, error) {
	switch n.typ {
	case nBinary:
		return p.processBinary(n)
	case nName:
		return &node{typ: nPath, steps: []*node{n}, keepSingletonArray: n.keepArray}, nil
	case nUnary:
		return p.processUnary(n)
	case nRange, nApply, nCoalesce, nElvis, nBind:
		return p.processOperands(n)
	case nFunction, nPartial:
		return p.processCall(n)
	case nLambda:
		var err error
		n.body, err = p.process(n.body)
		return n, err
	case nCondition:
		return p.processCondition(n)
	case nBlock:
		return n, p.processList(n)
	case nTransform:
		return p.processTransform(n)
	case nParent:
		n.slot = &slot{label: "!" + strconv.Itoa(p.ancestorLabel), level: 1}
		p.ancestorLabel++
		return n, nil
	}
	return n, nil
}

// processBinary handles the binary operators, of which the path operators ('.', '[', '{',
// '@', '#', '^') rebuild the tree into path steps.
func (p *parser) processBinary(n *node) (*node, error) {
	switch n.op {
	case ".":
		return p.processDot(n)
	case "[":
		return p.processPredicate(n)
	case "{":
		return p.processGroup(n)
	case "@":
		return p.processFocus(n)
	case "#":
		return p.processIndex(n)
	case "^":
		return p.processSort(n)
	}
	lhs, err := p.process(n.lhs)
	if err != nil {
		return nil, err
	}
	rhs, err := p.process(n.rhs)
	if err != nil {
		return nil, err
	}
	typ := nBinary
	if n.op == ".." {
		typ = nRange
	}
	res := &node{typ: typ, op: n.op, lhs: lhs, rhs: rhs, pos: n.pos, keepArray: n.keepArray}
	pushAncestry(res, lhs)
	pushAncestry(res, rhs)
	return res, nil
}

// lastStep is the step a postfix operator applies to: the last step of a path, or the
// expression itself.
func lastStep(res *node) (*node, bool) {
	if res.typ == nPath {
		return res.steps[len(res.steps)-1], true
	}
	return res, false
}

func (p *parser) processPredicate(n *node) (*node, error) {
	res, err := p.process(n.lhs)
	if err != nil {
		return nil, err
	}
	step, onPath := lastStep(res)
	if step.hasGroup {
		return nil, errAt("S0209", n.pos, "A predicate cannot follow a grouping expression in a step")
	}
	pred, err := p.process(n.rhs)
	if err != nil {
		return nil, err
	}
	if pred.seekingParent != nil {
		if err := p.seekParents(step, pred.seekingParent); err != nil {
			return nil, err
		}
		pushAncestry(step, pred)
	}
	if onPath {
		step.stages = append(step.stages, pred)
	} else {
		step.predicate = append(step.predicate, pred)
	}
	return res, nil
}

// seekParents resolves the '%' operators of a predicate that refer to step, and moves the
// others one level up.
func (p *parser) seekParents(step *node, slots []*slot) error {
	for _, sl := range slots {
		if sl.level != 1 {
			sl.level--
			continue
		}
		if _, err := p.seekParent(step, sl); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) processGroup(n *node) (*node, error) {
	res, err := p.process(n.lhs)
	if err != nil {
		return nil, err
	}
	if res.hasGroup {
		return nil, errAt("S0210", n.pos, "Each step can only have one grouping expression")
	}
	pairs, err := p.processPairs(n.pairs)
	if err != nil {
		return nil, err
	}
	res.group = pairs
	res.hasGroup = true
	return res, nil
}

func (p *parser) processFocus(n *node) (*node, error) {
	res, err := p.process(n.lhs)
	if err != nil {
		return nil, err
	}
	step, _ := lastStep(res)
	if step.stages != nil || step.predicate != nil {
		return nil, errAt("S0215", n.pos, "A context variable binding must precede any predicates on a step")
	}
	if step.typ == nSort {
		return nil, errAt("S0216", n.pos, "A context variable binding must precede the 'order-by' clause on a step")
	}
	if n.keepArray {
		step.keepArray = true
	}
	step.focus = n.rhs.str
	step.tuple = true
	return res, nil
}

func (p *parser) processIndex(n *node) (*node, error) {
	res, err := p.process(n.lhs)
	if err != nil {
		return nil, err
	}
	step, onPath := lastStep(res)
	if !onPath {
		res = &node{typ: nPath, steps: []*node{res}}
		if step.predicate != nil {
			step.stages, step.predicate = step.predicate, nil
		}
	}
	if step.stages == nil {
		step.index = n.rhs.str
	} else {
		step.stages = append(step.stages, &node{typ: nIndexStage, str: n.rhs.str, pos: n.pos})
	}
	step.tuple = true
	return res, nil
}

func (p *parser) processSort(n *node) (*node, error) {
	res, err := p.process(n.lhs)
	if err != nil {
		return nil, err
	}
	if res.typ != nPath {
		res = &node{typ: nPath, steps: []*node{res}}
	}
	sortStep := &node{typ: nSort, pos: n.pos}
	for _, t := range n.terms {
		e, err := p.process(t.expr)
		if err != nil {
			return nil, err
		}
		pushAncestry(sortStep, e)
		sortStep.terms = append(sortStep.terms, sortTerm{descending: t.descending, expr: e})
	}
	res.steps = append(res.steps, sortStep)
	return res, p.resolveAncestry(res)
}

func (p *parser) processUnary(n *node) (*node, error) {
	switch n.op {
	case "-":
		operand, err := p.process(n.lhs)
		if err != nil {
			return nil, err
		}
		if operand.typ == nNumber {
			operand.num = -operand.num
			operand.val = operand.num
			return operand, nil
		}
		n.lhs = operand
		pushAncestry(n, operand)
	case "[":
		if err := p.processList(n); err != nil {
			return nil, err
		}
	case "{":
		pairs, err := p.processPairs(n.pairs)
		if err != nil {
			return nil, err
		}
		for _, pr := range pairs {
			pushAncestry(n, pr[0])
			pushAncestry(n, pr[1])
		}
		n.pairs = pairs
	}
	return n, nil
}

// processList processes the expressions of an array constructor or a block in place.
func (p *parser) processList(n *node) error {
	for i, e := range n.exprs {
		pe, err := p.process(e)
		if err != nil {
			return err
		}
		pushAncestry(n, pe)
		n.exprs[i] = pe
	}
	return nil
}

// processOperands handles ranges, function application, '??', '?:' and ':=' (whose left side
// is a variable name, not an expression).
func (p *parser) processOperands(n *node) (*node, error) {
	var err error
	if n.typ != nBind {
		if n.lhs, err = p.process(n.lhs); err != nil {
			return nil, err
		}
	}
	if n.rhs, err = p.process(n.rhs); err != nil {
		return nil, err
	}
	if n.typ != nBind {
		pushAncestry(n, n.lhs)
	}
	pushAncestry(n, n.rhs)
	if n.typ == nApply && (n.lhs.keepArray || n.rhs.keepArray) {
		// "x ~> $f()[]": the array is kept for the application's result.
		n.keepArray = true
	}
	return n, nil
}

func (p *parser) processCall(n *node) (*node, error) {
	var err error
	if n.procedure, err = p.process(n.procedure); err != nil {
		return nil, err
	}
	for i, a := range n.exprs {
		if n.exprs[i], err = p.process(a); err != nil {
			return nil, err
		}
		pushAncestry(n, n.exprs[i])
	}
	return n, nil
}

func (p *parser) processCondition(n *node) (*node, error) {
	var err error
	if n.cond, err = p.process(n.cond); err != nil {
		return nil, err
	}
	if n.then, err = p.process(n.then); err != nil {
		return nil, err
	}
	if n.els != nil {
		if n.els, err = p.process(n.els); err != nil {
			return nil, err
		}
		pushAncestry(n, n.els)
	}
	pushAncestry(n, n.cond)
	pushAncestry(n, n.then)
	return n, nil
}

func (p *parser) processTransform(n *node) (*node, error) {
	var err error
	if n.lhs, err = p.process(n.lhs); err != nil {
		return nil, err
	}
	if n.update, err = p.process(n.update); err != nil {
		return nil, err
	}
	if n.delete != nil {
		if n.delete, err = p.process(n.delete); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// pushAncestry records that result contains '%' operators (in value) still looking for the step
// that is their parent.
func pushAncestry(result, value *node) {
	if value == nil {
		return
	}
	slots := append([]*slot{}, value.seekingParent...)
	if value.typ == nParent {
		slots = append(slots, value.slot)
	}
	if len(slots) > 0 {
		result.seekingParent = append(result.seekingParent, slots...)
	}
}

// resolveAncestry walks back from a path's last step to the steps its '%' operators refer to;
// slots reaching past the path's start stay on the path for an enclosing step.
func (p *parser) resolveAncestry(path *node) error {
	last := path.steps[len(path.steps)-1]
	slots := append([]*slot{}, last.seekingParent...)
	if last.typ == nParent {
		slots = append(slots, last.slot)
	}
	for _, sl := range slots {
		index := len(path.steps) - 2
		for sl.level > 0 {
			if index < 0 {
				path.seekingParent = append(path.seekingParent, sl)
				break
			}
			step := path.steps[index]
			index--
			// Contiguous steps binding the focus ('@') share one context.
			for index >= 0 && step.focus != "" && path.steps[index].focus != "" {
				step = path.steps[index]
				index--
			}
			var err error
			if sl, err = p.seekParent(step, sl); err != nil {
				return err
			}
		}
	}
	return nil
}

// seekParent moves slot one step back through node, binding it where its level runs out.
func (p *parser) seekParent(n *node, sl *slot) (*slot, error) {
	switch n.typ {
	case nName, nWildcard:
		sl.level--
		if sl.level == 0 {
			if n.ancestor != nil {
				sl.label = n.ancestor.label // reuse the step's existing binding
			}
			n.ancestor = sl
			n.tuple = true
		}
	case nParent:
		sl.level++
	case nBlock:
		if len(n.exprs) > 0 {
			n.tuple = true
			return p.seekParent(n.exprs[len(n.exprs)-1], sl)
		}
	case nPath:
		n.tuple = true
		index := len(n.steps) - 1
		var err error
		if sl, err = p.seekParent(n.steps[index], sl); err != nil {
			return nil, err
		}
		for index--; sl.level > 0 && index >= 0; index-- {
			if sl, err = p.seekParent(n.steps[index], sl); err != nil {
				return nil, err
			}
		}
	default:
		return nil, errAt("S0217", n.pos, "The object representing the 'parent' cannot be derived from this expression")
	}
	return sl, nil
}

func (p *parser) processPairs(pairs [][2]*node) ([][2]*node, error) {
	out := make([][2]*node, len(pairs))
	for i, pr := range pairs {
		k, err := p.process(pr[0])
		if err != nil {
			return nil, err
		}
		v, err := p.process(pr[1])
		if err != nil {
			return nil, err
		}
		out[i] = [2]*node{k, v}
	}
	return out, nil
}

func (p *parser) processDot(n *node) (*node, error) {
	lstep, err := p.process(n.lhs)
	if err != nil {
		return nil, err
	}
	res := lstep
	if lstep.typ != nPath {
		res = &node{typ: nPath, steps: []*node{lstep}}
	}
	if lstep.typ == nParent {
		res.seekingParent = []*slot{lstep.slot}
	}
	rest, err := p.process(n.rhs)
	if err != nil {
		return nil, err
	}
	if rest.typ == nPath {
		res.steps = append(res.steps, rest.steps...)
	} else {
		if rest.predicate != nil {
			rest.stages = rest.predicate
			rest.predicate = nil
		}
		res.steps = append(res.steps, rest)
	}
	for _, s := range res.steps {
		switch s.typ {
		case nNumber, nValue:
			return nil, errAt("S0213", s.pos, "The literal value cannot be used as a step within a path expression")
		case nString:
			s.typ = nName
		}
		if s.keepArray {
			res.keepSingletonArray = true
		}
	}
	if first := res.steps[0]; first.typ == nUnary && first.op == "[" {
		first.consArray = true
	}
	if last := res.steps[len(res.steps)-1]; last.typ == nUnary && last.op == "[" {
		last.consArray = true
	}
	return res, p.resolveAncestry(res)
}

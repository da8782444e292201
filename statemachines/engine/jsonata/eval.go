package jsonata

import (
	"context"
	"math"
	"math/rand/v2"
	"time"
)

// maxDepth bounds recursion (deeply recursive lambdas) so that a runaway expression fails with
// an error instead of exhausting the goroutine stack.
const maxDepth = 10000

type frame struct {
	vars   map[string]any
	parent *frame
	ext    func(string) (any, bool) // the root frame's caller-supplied variables
}

func newFrame(parent *frame) *frame { return &frame{vars: map[string]any{}, parent: parent} }

func (f *frame) lookup(name string) (any, bool) {
	for fr := f; fr != nil; fr = fr.parent {
		if v, ok := fr.vars[name]; ok {
			return v, true
		}
		if fr.ext != nil {
			if v, ok := fr.ext(name); ok {
				return v, true
			}
		}
	}
	if b, ok := builtins[name]; ok {
		return b, true
	}
	return nil, false
}

func (f *frame) bind(name string, v any) { f.vars[name] = v }

// evaluator carries what one evaluation shares: the instant $now/$millis report (fixed for the
// whole evaluation, as in jsonata-js), the random source and the recursion depth.
type evaluator struct {
	now   time.Time
	rng   *rand.Rand // Options.Rand, else seeded on first use
	depth int
	ctx   context.Context
	steps int // evaluation steps, to look at ctx every so often rather than at every step
}

func (e *evaluator) random() *rand.Rand {
	if e.rng == nil {
		e.rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())) //nolint:gosec // JSONata's $random is not for security
	}
	return e.rng
}

// lambda is a user function: its definition and the frame it closed over.
type lambda struct {
	def   *node
	env   *frame
	input any
}

// partialFn is a partial application f(?, x): holes marks the arguments still to be supplied.
type partialFn struct {
	proc  any
	args  []any
	holes []bool
	name  string
	arity int
}

// chainFn is f ~> g for two functions: g(f(x)).
type chainFn struct{ first, second any }

// transformFn is the |pattern|update,delete| operator: a function of the object to transform.
type transformFn struct {
	def *node
	env *frame
}

func (e *evaluator) eval(n *node, input any, env *frame) (any, error) {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxDepth {
		return nil, errorf("U1001", "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.")
	}
	if e.steps++; e.ctx != nil && e.steps%1024 == 0 {
		if err := e.ctx.Err(); err != nil {
			return nil, errorf("U1002", "Evaluation stopped: %v", err)
		}
	}
	res, err := e.evalNode(n, input, env)
	if err != nil {
		return nil, err
	}
	for _, pred := range n.predicate {
		if res, err = e.evalFilter(pred, res, env); err != nil {
			return nil, err
		}
	}
	if n.typ != nPath && n.hasGroup {
		if res, err = e.evalGroup(n.group, res, env); err != nil {
			return nil, err
		}
	}
	if s, ok := res.(*jarray); ok && s.sequence && !s.tupleStream {
		if n.keepArray {
			s.keepSingleton = true
		}
		switch {
		case len(s.items) == 0:
			return undefined, nil
		case len(s.items) == 1 && !s.keepSingleton:
			return s.items[0], nil
		}
	}
	return res, nil
}

func (e *evaluator) evalCondition(n *node, input any, env *frame) (any, error) {
	c, err := e.eval(n.cond, input, env)
	if err != nil {
		return nil, err
	}
	if truthy(c) {
		return e.eval(n.then, input, env)
	}
	if n.els != nil {
		return e.eval(n.els, input, env)
	}
	return undefined, nil
}

func (e *evaluator) evalBlock(n *node, input any, env *frame) (any, error) {
	fr := newFrame(env)
	var res any = undefined
	for _, x := range n.exprs {
		var err error
		if res, err = e.eval(x, input, fr); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// evalVariable: "$" is the context item, "$name" a binding.
func evalVariable(n *node, input any, env *frame) any {
	if n.str == "" {
		if a, ok := input.(*jarray); ok && a.outerWrapper && len(a.items) > 0 {
			return a.items[0]
		}
		return input
	}
	if v, ok := env.lookup(n.str); ok {
		return v
	}
	return undefined
}

// evalDefault is "a ?? b" (b when a is undefined) and "a ?: b" (b when a is falsy).
func (e *evaluator) evalDefault(n *node, input any, env *frame) (any, error) {
	l, err := e.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	if n.typ == nCoalesce && !isUndef(l) || n.typ == nElvis && truthy(l) {
		return l, nil
	}
	return e.eval(n.rhs, input, env)
}

func (e *evaluator) evalNode(n *node, input any, env *frame) (any, error) {
	switch n.typ {
	case nPath:
		return e.evalPath(n, input, env)
	case nBinary:
		return e.evalBinary(n, input, env)
	case nUnary:
		return e.evalUnary(n, input, env)
	case nName:
		return lookupField(input, n.str), nil
	case nString, nNumber, nValue:
		return n.val, nil
	case nWildcard:
		return evalWildcard(input), nil
	case nDescendant:
		return evalDescendants(input), nil
	case nCondition:
		return e.evalCondition(n, input, env)
	case nBlock:
		return e.evalBlock(n, input, env)
	case nBind:
		v, err := e.eval(n.rhs, input, env)
		if err != nil {
			return nil, err
		}
		env.bind(n.lhs.str, v)
		return v, nil
	case nRegex:
		return n.re, nil
	case nFunction:
		return e.evalFunction(n, input, env, nil)
	case nPartial:
		return e.evalPartial(n, input, env)
	case nVariable:
		return evalVariable(n, input, env), nil
	case nLambda:
		return &lambda{def: n, env: env, input: input}, nil
	case nApply:
		return e.evalApply(n, input, env)
	case nTransform:
		return &transformFn{def: n, env: env}, nil
	case nRange:
		return e.evalRange(n, input, env)
	case nCoalesce, nElvis:
		return e.evalDefault(n, input, env)
	case nSort:
		items, ok := asArray(input)
		if !ok {
			items = []any{input}
		}
		return e.evalSort(n, items, env)
	case nPlaceholder:
		return nil, errAt("T1008", n.pos, "The ? placeholder can only be used as a function argument")
	case nParent:
		if v, ok := env.lookup(n.slot.label); ok {
			return v, nil
		}
		return undefined, nil
	}
	return nil, errAt("S0201", n.pos, "Syntax error: unsupported expression")
}

// lookupField is fn.lookup: a field of an object, or of every object in an array (results
// flattened one level).
func lookupField(input any, key string) any {
	if items, ok := asArray(input); ok {
		out := newSeq()
		for _, it := range items {
			r := lookupField(it, key)
			if isUndef(r) {
				continue
			}
			if sub, ok := asArray(r); ok {
				out.items = append(out.items, sub...)
			} else {
				out.items = append(out.items, r)
			}
		}
		return out
	}
	if m, ok := asObject(input); ok {
		if v, ok := m.Get(key); ok {
			return v
		}
	}
	return undefined
}

func evalWildcard(input any) any {
	out := newSeq()
	if a, ok := input.(*jarray); ok && a.outerWrapper && len(a.items) > 0 {
		input = a.items[0]
	}
	m, ok := asObject(input)
	if !ok {
		return out
	}
	for _, v := range m.All() {
		if items, ok := asArray(v); ok {
			out.items = append(out.items, flatten(items)...)
		} else {
			out.items = append(out.items, v)
		}
	}
	return out
}

func flatten(items []any) []any {
	var out []any
	for _, it := range items {
		if sub, ok := asArray(it); ok {
			out = append(out, flatten(sub)...)
		} else {
			out = append(out, it)
		}
	}
	return out
}

func evalDescendants(input any) any {
	if isUndef(input) {
		return undefined
	}
	out := newSeq()
	var walk func(v any)
	walk = func(v any) {
		if items, ok := asArray(v); ok {
			for _, it := range items {
				walk(it)
			}
			return
		}
		out.items = append(out.items, v)
		if m, ok := asObject(v); ok {
			for _, mv := range m.All() {
				walk(mv)
			}
		}
	}
	walk(input)
	if len(out.items) == 1 {
		return out.items[0]
	}
	return out
}

// keepSingleton marks a path result "[]": a one-item result stays an array.
func keepSingleton(result any) any {
	if a, ok := result.(*jarray); ok && a.cons && !a.sequence {
		result = newSeq(a)
	}
	if r, ok := result.(*jarray); ok {
		r.keepSingleton = true
	}
	// An input array ([]any) is not a sequence: it is never unwrapped anyway.
	return result
}

func (e *evaluator) evalPath(n *node, input any, env *frame) (any, error) {
	var inputSeq []any
	if items, ok := asArray(input); ok && n.steps[0].typ != nVariable {
		inputSeq = items
	} else {
		inputSeq = []any{input}
	}
	var result any = undefined
	var tuples *jarray // the tuple stream, from the first step binding '@' or '#' on
	for i, step := range n.steps {
		var err error
		switch {
		case i == 0 && step.consArray:
			result, err = e.eval(step, newSeq(inputSeq...), env)
		case step.tuple || tuples != nil:
			tuples, err = e.evalTupleStep(step, inputSeq, tuples, env)
		default:
			result, err = e.evalStep(step, inputSeq, env, i == len(n.steps)-1)
		}
		if err != nil {
			return nil, err
		}
		if tuples != nil {
			continue
		}
		items, ok := asArray(result)
		if isUndef(result) || ok && len(items) == 0 {
			break
		}
		if !ok {
			items = []any{result}
		}
		if step.focus == "" {
			inputSeq = items
		}
	}
	if tuples != nil && n.tuple {
		// An enclosing step reads ancestors from these tuples: hand the stream itself back.
		return tuples, nil
	}
	if tuples != nil {
		out := newSeq()
		for _, t := range tuples.items {
			out.items = append(out.items, t.(map[string]any)["@"])
		}
		result = out
	}
	if n.keepSingletonArray {
		result = keepSingleton(result)
	}
	if n.hasGroup {
		if tuples != nil {
			return e.evalGroup(n.group, tuples, env)
		}
		return e.evalGroup(n.group, result, env)
	}
	return result, nil
}

func (e *evaluator) evalStep(step *node, input []any, env *frame, last bool) (any, error) {
	if step.typ == nSort {
		res, err := e.evalSort(step, input, env)
		if err != nil {
			return nil, err
		}
		for _, st := range step.stages {
			if res, err = e.evalFilter(st, res, env); err != nil {
				return nil, err
			}
		}
		return res, nil
	}
	collected := make([]any, 0, len(input))
	for _, item := range input {
		res, err := e.eval(step, item, env)
		if err != nil {
			return nil, err
		}
		for _, st := range step.stages {
			if res, err = e.evalFilter(st, res, env); err != nil {
				return nil, err
			}
		}
		if !isUndef(res) {
			collected = append(collected, res)
		}
	}
	if last && len(collected) == 1 {
		if _, ok := asArray(collected[0]); ok && !isSequence(collected[0]) {
			return collected[0], nil
		}
	}
	out := newSeq()
	for _, r := range collected {
		if items, ok := asArray(r); ok && !isCons(r) {
			out.items = append(out.items, items...)
		} else {
			out.items = append(out.items, r)
		}
	}
	return out, nil
}

func (e *evaluator) evalFilter(pred *node, input any, env *frame) (any, error) {
	items, ok := asArray(input)
	if !ok {
		items = []any{input}
	}
	out := newSeq()
	if a, ok := input.(*jarray); ok && a.tupleStream {
		out.tupleStream = true
	}
	if pred.typ == nNumber {
		return filterIndex(pred, items, out), nil
	}
	tupleStream := out.tupleStream
	for index, item := range items {
		ctx, fr := item, env
		if tupleStream {
			t := item.(map[string]any)
			ctx, fr = t["@"], tupleFrame(env, t)
		}
		res, err := e.eval(pred, ctx, fr)
		if err != nil {
			return nil, err
		}
		for range predicateHits(res, index, len(items)) {
			out.items = append(out.items, item)
		}
	}
	return out, nil
}

// filterIndex is a literal number predicate ("[0]", "[-1]").
func filterIndex(pred *node, items []any, out *jarray) any {
	idx := int(math.Floor(pred.num))
	if idx < 0 {
		idx += len(items)
	}
	if idx >= 0 && idx < len(items) && !isUndef(items[idx]) {
		item := items[idx]
		if _, ok := asArray(item); ok {
			return item
		}
		out.items = append(out.items, item)
	}
	return out
}

// predicateHits is how many times the item at index is selected by the predicate's value:
// numbers select by position (negative from the end), anything else by truthiness.
func predicateHits(res any, index, n int) int {
	if f, ok := toNumber(res); ok {
		res = []any{f}
	}
	nums, ok := numberArray(res)
	if !ok {
		if truthy(res) {
			return 1
		}
		return 0
	}
	hits := 0
	for _, f := range nums {
		ii := int(math.Floor(f))
		if ii < 0 {
			ii += n
		}
		if ii == index {
			hits++
		}
	}
	return hits
}

func numberArray(v any) ([]float64, bool) {
	items, ok := asArray(v)
	if !ok {
		return nil, false
	}
	out := make([]float64, 0, len(items))
	for _, it := range items {
		f, ok := toNumber(it)
		if !ok {
			return nil, false
		}
		out = append(out, f)
	}
	return out, true
}

// evalGroup builds an object from key/value pairs evaluated over each input item; items that
// produce the same key are grouped and the value evaluated once over the group.
// groupEntry collects the items of one key of a grouping expression.
type groupEntry struct {
	data      any
	exprIndex int
}

// groupKey evaluates a grouping key; false when it is undefined.
func (e *evaluator) groupKey(k *node, ctx any, fr *frame) (string, bool, error) {
	v, err := e.eval(k, ctx, fr)
	if err != nil || isUndef(v) {
		return "", false, err
	}
	key, ok := v.(string)
	if !ok {
		return "", false, errAt("T1003", k.pos, "Key in object structure must evaluate to a string; got: "+mustStringify(v))
	}
	return key, true, nil
}

func (e *evaluator) evalGroup(pairs [][2]*node, input any, env *frame) (any, error) {
	items, ok := asArray(input)
	if !ok {
		items = []any{input}
	}
	if len(items) == 0 {
		items = []any{undefined}
	}
	reduce := false
	if a, ok := input.(*jarray); ok && a.tupleStream {
		reduce = true
	}
	groups := map[string]*groupEntry{}
	var order []string
	for _, item := range items {
		ctx, fr := item, env
		if reduce {
			t := item.(map[string]any)
			ctx, fr = t["@"], tupleFrame(env, t)
		}
		for pi, pair := range pairs {
			key, ok, err := e.groupKey(pair[0], ctx, fr)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if g, ok := groups[key]; ok {
				if g.exprIndex != pi {
					return nil, errAt("D1009", pair[0].pos, "Multiple key definitions evaluate to same key: "+mustStringify(key))
				}
				g.data = appendValues(g.data, item)
				continue
			}
			groups[key] = &groupEntry{data: item, exprIndex: pi}
			order = append(order, key)
		}
	}
	out := newObject(len(order))
	for _, key := range order {
		g := groups[key]
		ctx, fr := g.data, env
		if reduce {
			t := reduceTuples(g.data)
			ctx = t["@"]
			delete(t, "@")
			fr = tupleFrame(env, t)
		}
		v, err := e.eval(pairs[g.exprIndex][1], ctx, fr)
		if err != nil {
			return nil, err
		}
		if !isUndef(v) {
			out.Set(key, v)
		}
	}
	return out, nil
}

func mustStringify(v any) string {
	if isUndef(v) {
		return "undefined"
	}
	s, err := stringify(v, false)
	if err != nil {
		return "?"
	}
	return s
}

func (e *evaluator) evalUnary(n *node, input any, env *frame) (any, error) {
	switch n.op {
	case "-":
		v, err := e.eval(n.lhs, input, env)
		if err != nil {
			return nil, err
		}
		if isUndef(v) {
			return undefined, nil
		}
		f, ok := toNumber(v)
		if !ok {
			return nil, errAt("D1002", n.pos, "Cannot negate a non-numeric value: "+mustStringify(v))
		}
		return -f, nil
	case "[":
		out := []any{}
		for _, item := range n.exprs {
			v, err := e.eval(item, input, env)
			if err != nil {
				return nil, err
			}
			if isUndef(v) {
				continue
			}
			if item.typ == nUnary && item.op == "[" {
				out = append(out, v)
			} else if items, ok := asArray(v); ok {
				out = append(out, items...)
			} else {
				out = append(out, v)
			}
		}
		if n.consArray {
			return &jarray{items: out, cons: true}, nil
		}
		return out, nil
	case "{":
		return e.evalGroup(n.pairs, input, env)
	}
	return nil, errAt("S0201", n.pos, "Syntax error: "+n.op)
}

func (e *evaluator) evalBinary(n *node, input any, env *frame) (any, error) {
	lhs, err := e.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	if n.op == "and" || n.op == "or" {
		// Short-circuit: the right side runs only when the left does not decide.
		if truthy(lhs) == (n.op == "or") {
			return n.op == "or", nil
		}
		rhs, err := e.eval(n.rhs, input, env)
		if err != nil {
			return nil, err
		}
		return truthy(rhs), nil
	}
	rhs, err := e.eval(n.rhs, input, env)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "+", "-", "*", "/", "%":
		return arithmetic(n, lhs, rhs)
	case "=", "!=":
		if isUndef(lhs) || isUndef(rhs) {
			return false, nil
		}
		eq := deepEqual(lhs, rhs)
		if n.op == "!=" {
			return !eq, nil
		}
		return eq, nil
	case "<", "<=", ">", ">=":
		return compare(n, lhs, rhs)
	case "&":
		ls, err := concatOperand(lhs)
		if err != nil {
			return nil, err
		}
		rs, err := concatOperand(rhs)
		if err != nil {
			return nil, err
		}
		return ls + rs, nil
	case "in":
		return memberOf(lhs, rhs), nil
	}
	return nil, errAt("S0201", n.pos, "Syntax error: "+n.op)
}

// memberOf is "lhs in rhs" for primitive values.
func memberOf(lhs, rhs any) bool {
	if isUndef(lhs) || isUndef(rhs) {
		return false
	}
	items, ok := asArray(rhs)
	if !ok {
		items = []any{rhs}
	}
	for _, it := range items {
		if isPrimitive(it) && isPrimitive(lhs) && deepEqual(it, lhs) {
			return true
		}
	}
	return false
}

func isPrimitive(v any) bool {
	switch v.(type) {
	case nil, bool, string:
		return true
	}
	_, ok := toNumber(v)
	return ok
}

func concatOperand(v any) (string, error) {
	if isUndef(v) {
		return "", nil
	}
	return castString(v)
}

func arithmetic(n *node, lhs, rhs any) (any, error) {
	lf, lok := toNumber(lhs)
	if !isUndef(lhs) && !lok {
		return nil, errAt("T2001", n.pos, "The left side of the "+quoteOp(n.op)+" operator must evaluate to a number")
	}
	rf, rok := toNumber(rhs)
	if !isUndef(rhs) && !rok {
		return nil, errAt("T2002", n.pos, "The right side of the "+quoteOp(n.op)+" operator must evaluate to a number")
	}
	if !lok || !rok {
		return undefined, nil
	}
	// jsonata-js's isNumeric: a non-finite operand (from 1/0 earlier) is out of range, while a
	// non-finite result is a value like any other until something uses it.
	for _, f := range []float64{lf, rf} {
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, errAt("D1001", n.pos, "Number out of range: "+formatNumber(f))
		}
	}
	var r float64
	switch n.op {
	case "+":
		r = lf + rf
	case "-":
		r = lf - rf
	case "*":
		r = lf * rf
	case "/":
		r = lf / rf
	case "%":
		r = math.Mod(lf, rf)
	}
	return r, nil
}

func quoteOp(op string) string { return `"` + op + `"` }

func compare(n *node, lhs, rhs any) (any, error) {
	comparable := func(v any) bool {
		if isUndef(v) {
			return true
		}
		if _, ok := v.(string); ok {
			return true
		}
		_, ok := toNumber(v)
		return ok
	}
	if !comparable(lhs) || !comparable(rhs) {
		return nil, errAt("T2010", n.pos, "The expressions either side of operator "+quoteOp(n.op)+" must evaluate to numeric or string values")
	}
	if isUndef(lhs) || isUndef(rhs) {
		return undefined, nil
	}
	ls, lstr := lhs.(string)
	rs, rstr := rhs.(string)
	var c int
	switch {
	case lstr && rstr:
		switch {
		case ls < rs:
			c = -1
		case ls > rs:
			c = 1
		}
	case !lstr && !rstr:
		lf, _ := toNumber(lhs)
		rf, _ := toNumber(rhs)
		switch {
		case lf < rf:
			c = -1
		case lf > rf:
			c = 1
		}
	default:
		return nil, errAt("T2009", n.pos, "The values "+mustStringify(lhs)+" and "+mustStringify(rhs)+" either side of operator "+quoteOp(n.op)+" must be of the same data type")
	}
	switch n.op {
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	}
	return c >= 0, nil
}

func (e *evaluator) evalRange(n *node, input any, env *frame) (any, error) {
	lhs, err := e.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	rhs, err := e.eval(n.rhs, input, env)
	if err != nil {
		return nil, err
	}
	lf, lok := toNumber(lhs)
	if !isUndef(lhs) && (!lok || lf != math.Trunc(lf)) {
		return nil, errAt("T2003", n.pos, "The left side of the range operator (..) must evaluate to an integer")
	}
	rf, rok := toNumber(rhs)
	if !isUndef(rhs) && (!rok || rf != math.Trunc(rf)) {
		return nil, errAt("T2004", n.pos, "The right side of the range operator (..) must evaluate to an integer")
	}
	if !lok || !rok || lf > rf {
		return undefined, nil
	}
	size := rf - lf + 1
	if size > 1e7 {
		return nil, errAt("D2014", n.pos, "The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to allocate "+formatNumber(size)+".")
	}
	out := make([]any, int(size))
	for i := range out {
		out[i] = lf + float64(i)
	}
	return out, nil
}

func (e *evaluator) evalSort(n *node, items []any, env *frame) (any, error) {
	out, err := e.evalSortItems(n, items, env, false)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// evalSortItems orders items by the sort terms; tuples are sorted by their context, with their
// variables bound.
func (e *evaluator) evalSortItems(n *node, items []any, env *frame, tuples bool) ([]any, error) {
	var sortErr error
	key := func(t *node, v any) (any, error) {
		if tuples {
			tm := v.(map[string]any)
			return e.eval(t, tm["@"], tupleFrame(env, tm))
		}
		return e.eval(t, v, env)
	}
	less := func(a, b any) bool {
		for _, t := range n.terms {
			aa, err := key(t.expr, a)
			if err != nil {
				sortErr = err
				return false
			}
			bb, err := key(t.expr, b)
			if err != nil {
				sortErr = err
				return false
			}
			c, err := compareSortKeys(aa, bb)
			if err != nil {
				sortErr = err
				return false
			}
			if t.descending {
				c = -c
			}
			if c != 0 {
				return c < 0
			}
		}
		return false
	}
	out := mergeSort(items, less)
	if sortErr != nil {
		return nil, sortErr
	}
	return out, nil
}

// compareSortKeys orders two order-by keys; undefined sorts last.
func compareSortKeys(a, b any) (int, error) {
	if isUndef(a) {
		if isUndef(b) {
			return 0, nil
		}
		return 1, nil
	}
	if isUndef(b) {
		return -1, nil
	}
	as, astr := a.(string)
	bs, bstr := b.(string)
	af, anum := toNumber(a)
	bf, bnum := toNumber(b)
	if !astr && !anum || !bstr && !bnum {
		return 0, errorf("T2008", "The expressions within an order-by clause must evaluate to numeric or string values")
	}
	switch {
	case astr && bstr:
		switch {
		case as < bs:
			return -1, nil
		case as > bs:
			return 1, nil
		}
		return 0, nil
	case anum && bnum:
		switch {
		case af < bf:
			return -1, nil
		case af > bf:
			return 1, nil
		}
		return 0, nil
	}
	return 0, errorf("T2007", "Type mismatch within order-by clause. All values must be of the same type")
}

// mergeSort is a stable sort that calls less only on elements (jsonata-js uses a merge sort,
// and user comparators need not be consistent, so the algorithm is kept).
func mergeSort(items []any, less func(a, b any) bool) []any {
	if len(items) <= 1 {
		return append([]any{}, items...)
	}
	mid := len(items) / 2
	l := mergeSort(items[:mid], less)
	r := mergeSort(items[mid:], less)
	out := make([]any, 0, len(items))
	i, j := 0, 0
	for i < len(l) && j < len(r) {
		if less(r[j], l[i]) {
			out = append(out, r[j])
			j++
		} else {
			out = append(out, l[i])
			i++
		}
	}
	out = append(out, l[i:]...)
	return append(out, r[j:]...)
}

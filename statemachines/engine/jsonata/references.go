package jsonata

// TopLevelReferences lists what the expression reads from the context item outside any path
// step, predicate or sort term: field names ("phone" in "phone.number"), "$" and "$$" (the
// latter anywhere, as it is always the root). Step Functions evaluates expressions with no
// context item (data comes from $states and variables), so CreateStateMachine refuses these
// with UNSUPPORTED_JSONATA_EXPRESSION; the engine reports each name once, in order of
// appearance.
func (x *Expr) TopLevelReferences() []string {
	w := &refWalker{seen: map[string]bool{}}
	w.walk(x.root, true)
	return w.out
}

// refWalker collects the top-level references of an expression, in order, once each.
type refWalker struct {
	seen map[string]bool
	out  []string
}

func (w *refWalker) add(name string) {
	if !w.seen[name] {
		w.seen[name] = true
		w.out = append(w.out, name)
	}
}

func (w *refWalker) walkAll(ns []*node, top bool) {
	for _, c := range ns {
		w.walk(c, top)
	}
}

func (w *refWalker) walkPairs(pairs [][2]*node, top bool) {
	for _, pr := range pairs {
		w.walk(pr[0], top)
		w.walk(pr[1], top)
	}
}

func (w *refWalker) walk(n *node, top bool) {
	if n == nil {
		return
	}
	w.walkNode(n, top)
	w.walkAll(n.predicate, false)
	w.walkPairs(n.group, false)
}

func (w *refWalker) walkNode(n *node, top bool) {
	switch n.typ {
	case nPath:
		w.walkPath(n, top)
	case nName:
		if top {
			w.add(n.str)
		}
	case nVariable:
		switch {
		case n.str == "" && top:
			w.add("$")
		case n.str == "$":
			w.add("$$")
		}
	case nBinary, nApply, nRange, nCoalesce, nElvis:
		w.walk(n.lhs, top)
		w.walk(n.rhs, top)
	case nBind:
		w.walk(n.rhs, top)
	case nUnary:
		w.walk(n.lhs, top)
		w.walkAll(n.exprs, top)
		w.walkPairs(n.pairs, top)
	case nCondition:
		w.walk(n.cond, top)
		w.walk(n.then, top)
		w.walk(n.els, top)
	case nBlock:
		w.walkAll(n.exprs, top)
	case nFunction, nPartial:
		w.walk(n.procedure, top)
		w.walkAll(n.exprs, top)
	case nLambda:
		// A lambda's body runs wherever it is called (often per item, in $map or $filter):
		// only a root reference there is certainly a mistake.
		w.walk(n.body, false)
	case nTransform:
		w.walk(n.lhs, false)
		w.walk(n.update, false)
		w.walk(n.delete, false)
	case nSort:
		for _, t := range n.terms {
			w.walk(t.expr, false)
		}
	}
}

func (w *refWalker) walkPath(n *node, top bool) {
	for i, st := range n.steps {
		// Only the first step reads the enclosing context; later steps read the previous
		// step's results.
		stepTop := top && i == 0
		switch {
		case st.typ != nName:
			w.walk(st, stepTop)
		case stepTop:
			w.add(st.str)
		}
		w.walkAll(st.stages, false)
	}
}

package jsonata

// TopLevelReferences lists what the expression reads from the context item outside any path
// step, predicate or sort term: field names ("phone" in "phone.number"), "$" and "$$" (the
// latter anywhere, as it is always the root). Step Functions evaluates expressions with no
// context item (data comes from $states and variables), so CreateStateMachine refuses these
// with UNSUPPORTED_JSONATA_EXPRESSION; the engine reports each name once, in order of
// appearance.
func (x *Expr) TopLevelReferences() []string {
	var out []string
	seen := map[string]bool{}
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	var walk func(n *node, top bool)
	walkAll := func(ns []*node, top bool) {
		for _, c := range ns {
			walk(c, top)
		}
	}
	walk = func(n *node, top bool) {
		if n == nil {
			return
		}
		switch n.typ {
		case nPath:
			for i, st := range n.steps {
				// Only the first step reads the enclosing context; later steps read the
				// previous step's results.
				stepTop := top && i == 0
				if st.typ == nName {
					if stepTop {
						add(st.str)
					}
				} else {
					walk(st, stepTop)
				}
				walkAll(st.stages, false)
			}
		case nName:
			if top {
				add(n.str)
			}
		case nVariable:
			switch {
			case n.str == "" && top:
				add("$")
			case n.str == "$":
				add("$$")
			}
		case nBinary, nApply, nRange, nCoalesce, nElvis:
			walk(n.lhs, top)
			walk(n.rhs, top)
		case nBind:
			walk(n.rhs, top)
		case nUnary:
			walk(n.lhs, top)
			walkAll(n.exprs, top)
			for _, pr := range n.pairs {
				walk(pr[0], top)
				walk(pr[1], top)
			}
		case nCondition:
			walk(n.cond, top)
			walk(n.then, top)
			walk(n.els, top)
		case nBlock:
			walkAll(n.exprs, top)
		case nFunction, nPartial:
			walk(n.procedure, top)
			walkAll(n.exprs, top)
		case nLambda:
			// A lambda's body runs wherever it is called (often per item, in $map or $filter):
			// only a root reference there is certainly a mistake.
			walk(n.body, false)
		case nTransform:
			walk(n.lhs, false)
			walk(n.update, false)
			walk(n.delete, false)
		case nSort:
			for _, t := range n.terms {
				walk(t.expr, false)
			}
		}
		walkAll(n.predicate, false)
		for _, pr := range n.group {
			walk(pr[0], false)
			walk(pr[1], false)
		}
	}
	walk(x.root, true)
	return out
}

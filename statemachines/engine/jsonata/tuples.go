package jsonata

// Tuple streams carry variable bindings along a path: once a step binds the context ('@$v'),
// the position ('#$i') or is the ancestor a '%' refers to, each item travels as a tuple
// (map[string]any with the context under "@") so later steps and predicates see the bindings.

// tupleFrame binds a tuple's variables (all keys but "@") for evaluating against it.
func tupleFrame(env *frame, t map[string]any) *frame {
	fr := newFrame(env)
	for k, v := range t {
		if k != "@" {
			fr.bind(k, v)
		}
	}
	return fr
}

// evalTupleStep is a path step once some step has bound '@' or '#': each tuple carries the
// context ("@") and the bound variables, which later steps and predicates see.
func (e *evaluator) evalTupleStep(step *node, input []any, tuples *jarray, env *frame) (*jarray, error) {
	if step.typ == nSort {
		return e.evalTupleSort(step, input, tuples, env)
	}
	out := &jarray{sequence: true, tupleStream: true}
	if tuples == nil {
		tuples = &jarray{sequence: true, tupleStream: true}
		for _, it := range input {
			tuples.items = append(tuples.items, map[string]any{"@": it})
		}
	}
	for _, ti := range tuples.items {
		t := ti.(map[string]any)
		res, err := e.eval(step, t["@"], tupleFrame(env, t))
		if err != nil {
			return nil, err
		}
		if isUndef(res) {
			continue
		}
		items, ok := asArray(res)
		if !ok {
			items = []any{res}
		}
		nested := false
		if a, ok := res.(*jarray); ok && a.tupleStream {
			nested = true
		}
		for bb, r := range items {
			out.items = append(out.items, extendTuple(step, t, r, bb, nested))
		}
	}
	return e.evalStages(step.stages, out, env)
}

// extendTuple is tuple t extended with the step's result r (its bb-th item): a nested tuple's
// bindings, or the value under the focus variable or "@" with its index and ancestor bindings.
func extendTuple(step *node, t map[string]any, r any, bb int, nested bool) map[string]any {
	nt := make(map[string]any, len(t)+2)
	for k, v := range t {
		nt[k] = v
	}
	if nested {
		for k, v := range r.(map[string]any) {
			nt[k] = v
		}
		return nt
	}
	if step.focus != "" {
		nt[step.focus] = r
	} else {
		nt["@"] = r
	}
	if step.index != "" {
		nt[step.index] = float64(bb)
	}
	if step.ancestor != nil {
		nt[step.ancestor.label] = t["@"]
	}
	return nt
}

// evalTupleSort runs an order-by step in a tuple stream.
func (e *evaluator) evalTupleSort(step *node, input []any, tuples *jarray, env *frame) (*jarray, error) {
	out := &jarray{sequence: true, tupleStream: true}
	if tuples != nil {
		sorted, err := e.evalSortItems(step, tuples.items, env, true)
		if err != nil {
			return nil, err
		}
		out.items = sorted
		return e.evalStages(step.stages, out, env)
	}
	sorted, err := e.evalSortItems(step, input, env, false)
	if err != nil {
		return nil, err
	}
	for i, v := range sorted {
		t := map[string]any{"@": v}
		if step.index != "" {
			t[step.index] = float64(i)
		}
		out.items = append(out.items, t)
	}
	return e.evalStages(step.stages, out, env)
}

// evalStages applies a tuple step's filters and '#' position bindings in order.
func (e *evaluator) evalStages(stages []*node, tuples *jarray, env *frame) (*jarray, error) {
	for _, st := range stages {
		if st.typ == nIndexStage {
			for i, t := range tuples.items {
				t.(map[string]any)[st.str] = float64(i)
			}
			continue
		}
		res, err := e.evalFilter(st, tuples, env)
		if err != nil {
			return nil, err
		}
		filtered := &jarray{sequence: true, tupleStream: true}
		if items, ok := asArray(res); ok {
			filtered.items = items
		}
		tuples = filtered
	}
	return tuples, nil
}

// reduceTuples merges the tuples of one group: each variable becomes the sequence of its values.
func reduceTuples(data any) map[string]any {
	items, ok := data.([]any)
	if !ok {
		t := data.(map[string]any)
		out := make(map[string]any, len(t))
		for k, v := range t {
			out[k] = v
		}
		return out
	}
	out := map[string]any{}
	for k, v := range items[0].(map[string]any) {
		out[k] = v
	}
	for _, it := range items[1:] {
		for k, v := range it.(map[string]any) {
			if prev, ok := out[k]; ok {
				out[k] = appendValues(prev, v)
			} else {
				out[k] = v
			}
		}
	}
	return out
}

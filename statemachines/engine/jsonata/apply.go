package jsonata

// Function invocation: builtins (with signature validation), lambdas, partial applications,
// function chains ('~>') and the transform operator.

func (e *evaluator) evalFunction(n *node, input any, env *frame, applyTo []any) (any, error) {
	proc, err := e.eval(n.procedure, input, env)
	if err != nil {
		return nil, err
	}
	name := procName(n.procedure)
	if isUndef(proc) && n.procedure.typ == nPath && len(n.procedure.steps) == 1 {
		if _, ok := env.lookup(name); ok {
			return nil, errAt("T1005", n.pos, "Attempted to invoke a non-function. Did you mean ${"+name+"}?")
		}
	}
	args := append([]any{}, applyTo...)
	for _, a := range n.exprs {
		v, err := e.eval(a, input, env)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	return e.apply(proc, args, input, name, n.pos)
}

func procName(n *node) string {
	switch n.typ {
	case nVariable:
		return n.str
	case nPath:
		if len(n.steps) > 0 {
			return n.steps[0].str
		}
	}
	return ""
}

func (e *evaluator) apply(proc any, args []any, input any, name string, pos int) (any, error) {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxDepth {
		return nil, errorf("U1001", "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.")
	}
	switch f := proc.(type) {
	case *builtin:
		return e.applyBuiltin(f, args, input)
	case *lambda:
		return e.applyLambda(f, args, input, name)
	case *partialFn:
		return e.apply(f.proc, f.fill(args), input, f.name, pos)
	case *chainFn:
		var x any = undefined
		if len(args) > 0 {
			x = args[0]
		}
		mid, err := e.apply(f.first, []any{x}, input, name, pos)
		if err != nil {
			return nil, err
		}
		return e.apply(f.second, []any{mid}, input, name, pos)
	case *transformFn:
		var x any = undefined
		if len(args) > 0 {
			x = args[0]
		}
		return e.transform(f, x)
	case *regexValue:
		str, ok := arg(args, 0).(string)
		if !ok {
			return undefined, nil
		}
		m := f.re.FindStringSubmatchIndex(str)
		if m == nil {
			return undefined, nil
		}
		return matchObject(str, m), nil
	}
	return nil, errAt("T1006", pos, "Attempted to invoke a non-function")
}

// arity is how many arguments a higher-order function passes to fn ($map passes value, index
// and array only to functions declaring that many parameters).
func arity(fn any) int {
	switch f := fn.(type) {
	case *lambda:
		return len(f.def.params)
	case *builtin:
		return f.arity
	case *partialFn:
		return f.arity
	case *chainFn, *transformFn, *regexValue:
		return 1
	}
	return 0
}

func (e *evaluator) callHOF(fn any, args ...any) (any, error) {
	n := arity(fn)
	if n < 1 {
		n = 1
	}
	if n < len(args) {
		args = args[:n]
	}
	return e.apply(fn, args, undefined, "", -1)
}

func (e *evaluator) evalPartial(n *node, input any, env *frame) (any, error) {
	proc, err := e.eval(n.procedure, input, env)
	if err != nil {
		return nil, err
	}
	if !isFunction(proc) {
		return nil, errAt("T1008", n.pos, "Attempted to partially apply a non-function")
	}
	p := &partialFn{proc: proc, name: procName(n.procedure)}
	for _, a := range n.exprs {
		if a.typ == nPlaceholder {
			p.args = append(p.args, nil)
			p.holes = append(p.holes, true)
			p.arity++
			continue
		}
		v, err := e.eval(a, input, env)
		if err != nil {
			return nil, err
		}
		p.args = append(p.args, v)
		p.holes = append(p.holes, false)
	}
	return p, nil
}

func (e *evaluator) evalApply(n *node, input any, env *frame) (any, error) {
	lhs, err := e.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	if n.rhs.typ == nFunction {
		return e.evalFunction(n.rhs, input, env, []any{lhs})
	}
	fn, err := e.eval(n.rhs, input, env)
	if err != nil {
		return nil, err
	}
	if !isFunction(fn) {
		return nil, errAt("T2006", n.pos, "The right side of the function application operator ~> must be a function")
	}
	if isFunction(lhs) {
		return &chainFn{first: lhs, second: fn}, nil
	}
	return e.apply(fn, []any{lhs}, input, "", n.pos)
}

func (e *evaluator) applyBuiltin(f *builtin, args []any, input any) (any, error) {
	if f.sig != nil {
		var err error
		if args, err = f.sig.validate(f.name, args, input, false); err != nil {
			return nil, err
		}
	}
	res, err := f.fn(e, args, input)
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (e *evaluator) applyLambda(f *lambda, args []any, input any, name string) (any, error) {
	if f.def.signature != nil {
		var err error
		if args, err = f.def.signature.validate(name, args, input, true); err != nil {
			return nil, err
		}
	}
	fr := newFrame(f.env)
	for i, p := range f.def.params {
		if i < len(args) {
			fr.bind(p, args[i])
		} else {
			fr.bind(p, undefined)
		}
	}
	return e.eval(f.def.body, f.input, fr)
}

// fill puts args into a partial application's holes, in order.
func (f *partialFn) fill(args []any) []any {
	full := make([]any, len(f.args))
	k := 0
	for i := range f.args {
		if !f.holes[i] {
			full[i] = f.args[i]
			continue
		}
		if k < len(args) {
			full[i] = args[k]
		} else {
			full[i] = undefined
		}
		k++
	}
	return full
}

func (e *evaluator) transform(f *transformFn, obj any) (any, error) {
	if isUndef(obj) {
		return undefined, nil
	}
	if _, ok := asObject(obj); !ok {
		if _, ok := asArray(obj); !ok {
			return nil, errAt("T0410", f.def.pos, "Argument 1 of function \"transform\" does not match function signature")
		}
	}
	result := cloneValue(obj)
	matches, err := e.eval(f.def.lhs, result, f.env)
	if err != nil {
		return nil, err
	}
	if isUndef(matches) {
		return result, nil
	}
	items, ok := asArray(matches)
	if !ok {
		items = []any{matches}
	}
	for _, m := range items {
		if _, ok := asObject(m); !ok {
			continue
		}
		// The matches are the clone's own objects: editing them edits the result.
		if err := e.transformUpdate(f, m); err != nil {
			return nil, err
		}
		if err := e.transformDelete(f, m); err != nil {
			return nil, err
		}
	}
	return result, nil
}

func (e *evaluator) transformUpdate(f *transformFn, m any) error {
	upd, err := e.eval(f.def.update, m, f.env)
	if err != nil || isUndef(upd) {
		return err
	}
	um, ok := asObject(upd)
	if !ok {
		return errAt("T2011", f.def.update.pos, "The insert/update clause of the transform expression must evaluate to an object: "+mustStringify(upd))
	}
	o, _ := asObject(m)
	for k, v := range um.All() {
		o.Set(k, v)
	}
	return nil
}

func (e *evaluator) transformDelete(f *transformFn, m any) error {
	if f.def.delete == nil {
		return nil
	}
	del, err := e.eval(f.def.delete, m, f.env)
	if err != nil || isUndef(del) {
		return err
	}
	keys, ok := asArray(del)
	if !ok {
		keys = []any{del}
	}
	for _, k := range keys {
		ks, ok := k.(string)
		if !ok {
			return errAt("T2012", f.def.delete.pos, "The delete clause of the transform expression must evaluate to a string or array of strings: "+mustStringify(del))
		}
		if o, ok := asObject(m); ok {
			o.Delete(ks)
		}
	}
	return nil
}

package engine

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/acme-oem/vehicle-data/statemachines/engine/jsonpath"
	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// Concurrency caps when MaxConcurrency is 0 ("as many as possible"): AWS runs at most 40 inline
// iterations at once; a distributed map runs up to thousands of child executions.
const (
	inlineMapWorkers      = 40
	distributedMapWorkers = 1000
)

// fanOut runs fn for indexes 0..n-1 on up to workers goroutines. With stopOnError the first
// error cancels the rest and is returned; otherwise every index runs and errs collects errors.
// It returns only after every goroutine it started has finished.
// fn also gets its worker's number (0..workers-1) so it can reuse per-worker state.
func (f *frame) fanOut(n, workers int, stopOnError bool, fn func(ctx context.Context, worker, i int) *value.Error) (first *value.Error, errs []*value.Error) {
	if !stopOnError {
		errs = make([]*value.Error, n)
	}
	if workers <= 0 || workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := range n {
			if f.ctx.Err() != nil {
				return errExecTimedOut, errs
			}
			if err := fn(f.ctx, 0, i); err != nil {
				if stopOnError {
					return err, errs
				}
				errs[i] = err
			}
		}
		return nil, errs
	}
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	var (
		next atomic.Int64
		mu   sync.Mutex
		wg   sync.WaitGroup
	)
	fail := func(err *value.Error) {
		mu.Lock()
		if first == nil {
			first = err
			cancel()
		}
		mu.Unlock()
	}
	wg.Add(workers)
	for w := range workers {
		go func() {
			defer wg.Done()
			// A panic on a worker goroutine would kill the process (nothing above can recover
			// it): it fails the fan-out instead. One deferred recover per worker, not per item.
			defer func() {
				if v := recover(); v != nil {
					fail(internalError(v))
				}
			}()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				err := fn(ctx, w, i)
				if err == nil {
					continue
				}
				if !stopOnError {
					errs[i] = err
					continue
				}
				fail(err)
				return
			}
		}()
	}
	wg.Wait()
	if first == nil && f.ctx.Err() != nil {
		first = errExecTimedOut
	}
	return first, errs
}

func (r *stateRun) parallel(in any) (any, *value.Error) {
	f := r.f
	branches := r.st.branches
	f.events.Add(1) // ParallelStateStarted
	outs := make([]any, len(branches))
	err, _ := f.fanOut(len(branches), len(branches), true, func(ctx context.Context, _, i int) *value.Error {
		cf := newFrame(f.ex, ctx, f.events, &f.scope, f.execCtx)
		out, err := cf.runProgram(branches[i], in)
		outs[i] = out
		return err
	})
	f.events.Add(1) // ParallelStateSucceeded / ParallelStateFailed
	if err != nil {
		return nil, err
	}
	return outs, nil
}

// mapState runs on a heap copy of the stateRun: the iteration closures run on worker
// goroutines, and capturing the caller's stateRun would move it to the heap for every state.
func (r *stateRun) mapState(eff any) (any, *value.Error) {
	return r.heapCopy().runMap(eff)
}

func (r *stateRun) runMap(eff any) (any, *value.Error) {
	st := r.st
	f := r.f
	maxC := st.maxConcurrency
	if st.maxConcurrencyPath != nil {
		v, err := st.maxConcurrencyPath.Resolve(r.env(eff))
		if err != nil {
			return nil, r.pathErr(st.maxConcurrencyPath, err)
		}
		n, ok := looseInt(v)
		if !ok {
			return nil, r.runtimeCause(`The MaxConcurrencyPath field refers to value "%s" which is not a valid integer: %s`, renderRaw(v), st.maxConcurrencyPath)
		}
		if n < 0 {
			return nil, r.runtimeCause("Expected non-negative integer for MaxConcurrency, got '%d' instead.", n)
		}
		maxC = int(min(n, math.MaxInt32))
	}
	items := eff
	if st.itemsPath != nil {
		v, err := st.itemsPath.Resolve(r.env(eff))
		if err != nil {
			return nil, r.pathErr(st.itemsPath, err)
		}
		items = v
	}
	arr, ok := items.([]any)
	if !ok {
		return nil, r.runtimeCause("Map state input must be an array but was: %s", value.MustString(items))
	}
	f.events.Add(1) // MapStateStarted

	tolCount, tolPct := st.tolCount, st.tolPct
	if st.tolCountPath != nil {
		v, err := st.tolCountPath.Resolve(r.env(eff))
		if err != nil {
			return nil, r.pathErr(st.tolCountPath, err)
		}
		n, ok := strictInt(v)
		switch {
		case !ok:
			return nil, r.runtimeCause(`The ToleratedFailureCountPath field refers to value "%s" which is not a valid integer: %s`, renderRaw(v), st.tolCountPath)
		case n < 0:
			return nil, r.runtimeCause("ToleratedFailureCount cannot be negative.")
		}
		tolCount = n
	}
	if st.tolPctPath != nil {
		v, err := st.tolPctPath.Resolve(r.env(eff))
		if err != nil {
			return nil, r.pathErr(st.tolPctPath, err)
		}
		p, ok := percentage(v)
		switch {
		case !ok:
			return nil, r.runtimeCause(`The ToleratedFailurePercentagePath field refers to value "%s" which is not a valid float: %s`, renderRaw(v), st.tolPctPath)
		case p < 0 || p > 100:
			return nil, r.runtimeCause("ToleratedFailurePercentage must be between 0 and 100.")
		}
		tolPct = p
	}

	var sel func(i int, item any) (any, *value.Error)
	if st.itemSelector != nil {
		sel = func(i int, item any) (any, *value.Error) {
			var ctxObj map[string]any
			if r.ctxObj != nil {
				ctxObj = make(map[string]any, len(r.ctxObj)+1)
				for k, v := range r.ctxObj {
					ctxObj[k] = v
				}
				ctxObj["Map"] = map[string]any{"Item": map[string]any{"Index": value.Int(int64(i)), "Value": item}}
			}
			v, err := st.itemSelector.Eval(jsonpath.Env{Input: eff, Context: ctxObj, Vars: f.vars})
			if err != nil {
				return nil, r.runtimeErr(err)
			}
			return v, nil
		}
	}
	return r.runMapItems(eff, arr, sel, maxC, tolCount, tolPct)
}

// runMapItems runs the item processor over arr (inline or distributed). sel, when set, builds
// each iteration's input (ItemSelector) from the item and its index.
func (r *stateRun) runMapItems(eff any, arr []any, sel func(i int, item any) (any, *value.Error), maxC int, tolCount int64, tolPct float64) (any, *value.Error) {
	st := r.st
	f := r.f
	outs := make([]any, len(arr))
	selectInput := func(i int) (any, *value.Error) {
		if sel == nil {
			return arr[i], nil
		}
		return sel(i, arr[i])
	}

	if !st.distributed {
		workers := maxC
		if workers == 0 {
			workers = inlineMapWorkers
		}
		// Each worker reuses one frame, with a fresh variable scope per iteration.
		frames := make([]*frame, min(workers, len(arr)))
		err, _ := f.fanOut(len(arr), workers, true, func(ctx context.Context, w, i int) *value.Error {
			f.events.Add(1) // MapIterationStarted
			in, err := selectInput(i)
			if err == nil {
				cf := frames[w]
				if cf == nil {
					cf = newFrame(f.ex, ctx, f.events, &f.scope, f.execCtx)
					frames[w] = cf
				}
				cf.scope.vars = nil
				outs[i], err = cf.runProgram(st.processor, in)
			}
			f.events.Add(1) // MapIterationSucceeded / MapIterationFailed
			return err
		})
		f.events.Add(1) // MapStateSucceeded / MapStateFailed
		if err != nil {
			return nil, err
		}
		return outs, nil
	}

	// Distributed: every item is a child execution with its own history, so event ids in its
	// causes restart at 1; failures up to the tolerated threshold do not fail the state.
	f.events.Add(1) // MapRunStarted
	workers := maxC
	if workers == 0 {
		workers = distributedMapWorkers
	}
	var failures atomic.Int64
	limitCount := st.hasTolCount || st.tolCountPath != nil
	limitPct := st.hasTolPct || st.tolPctPath != nil
	exceeded := func(n int64) bool {
		if !limitCount && !limitPct {
			return n > 0
		}
		pct := float64(n) * 100 / float64(len(arr))
		return (limitCount && n > tolCount) || (limitPct && pct > tolPct)
	}
	thresholdErr := &value.Error{Name: errToleratedFailure, Cause: "The specified tolerated failure threshold was exceeded"}
	first, _ := f.fanOut(len(arr), workers, true, func(ctx context.Context, _, i int) *value.Error {
		in, err := selectInput(i)
		if err != nil {
			return err
		}
		events := new(atomic.Int64)
		events.Store(1) // the child's ExecutionStarted
		var execCtx map[string]any
		if f.ex.m.readsCtx {
			execCtx = f.ex.executionContext(in)
		}
		cf := newFrame(f.ex, ctx, events, &f.scope, execCtx)
		out, err := cf.runProgram(st.processor, in)
		if err == errExecTimedOut {
			return err
		}
		if err != nil {
			outs[i] = map[string]any{"Error": err.Name, "Cause": err.Cause}
			if exceeded(failures.Add(1)) {
				return thresholdErr
			}
			return nil
		}
		outs[i] = out
		return nil
	})
	f.events.Add(2) // MapRunSucceeded / MapRunFailed, MapStateSucceeded / MapStateFailed
	if first != nil {
		return nil, first
	}
	return outs, nil
}

func (r *stateRun) heapCopy() *stateRun {
	c := new(stateRun)
	*c = *r
	return c
}

// looseInt converts like Python's int(): integral or fractional numbers (truncated), numeric
// strings; AWS accepts those for MaxConcurrencyPath.
func looseInt(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, true
		}
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return 0, false
		}
		return int64(f), true
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return i, err == nil
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// strictInt accepts integer numbers and integer strings (ToleratedFailureCountPath).
func strictInt(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return 0, false
		}
		i, err := x.Int64()
		return i, err == nil
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return i, err == nil
	}
	return 0, false
}

// percentage accepts numbers and integer strings (ToleratedFailurePercentagePath).
func percentage(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return float64(i), err == nil
	}
	return 0, false
}

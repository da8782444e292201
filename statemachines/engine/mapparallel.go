package engine

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// Concurrency caps when MaxConcurrency is 0 ("as many as possible"): AWS runs at most 40 inline
// iterations at once; a distributed map runs up to thousands of child executions.
const (
	inlineMapWorkers      = 40
	distributedMapWorkers = 1000
)

// fanOut runs fn for indexes 0..n-1 on up to workers goroutines; the first error cancels the
// rest and is returned. It returns only after every goroutine it started has finished. fn also
// gets its worker's number (0..workers-1) so it can reuse per-worker state.
func (f *frame) fanOut(n, workers int, fn func(ctx context.Context, worker, i int) *value.Error) *value.Error {
	if workers <= 0 || workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := range n {
			if f.ctx.Err() != nil {
				return errExecTimedOut
			}
			if err := fn(f.ctx, 0, i); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	var (
		next  atomic.Int64
		mu    sync.Mutex
		wg    sync.WaitGroup
		first *value.Error
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
			work(ctx, w, n, &next, fn, fail)
		}()
	}
	wg.Wait()
	if first == nil && f.ctx.Err() != nil {
		first = errExecTimedOut
	}
	return first
}

// work is one fan-out worker: it runs the indexes it takes from next until they run out, ctx
// ends or fn fails.
func work(ctx context.Context, w, n int, next *atomic.Int64, fn func(ctx context.Context, worker, i int) *value.Error, fail func(*value.Error)) {
	// A panic on a worker goroutine would kill the process (nothing above can recover it): it
	// fails the fan-out instead. One deferred recover per worker, not per item.
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
		if err := fn(ctx, w, i); err != nil {
			fail(err)
			return
		}
	}
}

func (r *stateRun) parallel(branches []*program, in any) (any, *value.Error) {
	f := r.f
	f.events.note("ParallelStateStarted", "")
	outs := make([]any, len(branches))
	err := f.fanOut(len(branches), len(branches), func(ctx context.Context, _, i int) *value.Error {
		cf := newFrame(f.ex, ctx, f.events, &f.scope, f.execCtx)
		out, err := cf.runProgram(branches[i], in)
		outs[i] = out
		return err
	})
	if err != nil {
		f.events.note("ParallelStateFailed", "")
		return nil, err
	}
	f.events.note("ParallelStateSucceeded", "")
	return outs, nil
}

// runMapItems runs the item processor over the items (inline or distributed). sel, when set,
// builds each iteration's input (ItemSelector) from the item and its index.
func (r *stateRun) runMapItems(m *mapState, mr mapRun, sel func(i int, item any) (any, *value.Error)) (any, *value.Error) {
	selectInput := func(i int) (any, *value.Error) {
		if sel == nil {
			return mr.arr[i], nil
		}
		return sel(i, mr.arr[i])
	}
	if m.distributed {
		return r.runDistributed(m, mr, selectInput)
	}
	return r.runInline(m, mr, selectInput)
}

func (r *stateRun) runInline(m *mapState, mr mapRun, selectInput func(int) (any, *value.Error)) (any, *value.Error) {
	f := r.f
	outs := make([]any, len(mr.arr))
	workers := mr.maxC
	if workers == 0 {
		workers = inlineMapWorkers
	}
	// Each worker reuses one frame, with a fresh variable scope per iteration.
	frames := make([]*frame, min(workers, len(mr.arr)))
	err := f.fanOut(len(mr.arr), workers, func(ctx context.Context, w, i int) *value.Error {
		f.events.note("MapIterationStarted", "mapIterationStartedEventDetails", dnum("index", int64(i)))
		in, err := selectInput(i)
		if err == nil {
			cf := frames[w]
			if cf == nil {
				cf = newFrame(f.ex, ctx, f.events, &f.scope, f.execCtx)
				frames[w] = cf
			}
			cf.scope.vars = nil
			outs[i], err = cf.runProgram(m.processor, in)
		}
		iterationType, key := "MapIterationSucceeded", "mapIterationSucceededEventDetails"
		if err != nil {
			iterationType, key = "MapIterationFailed", "mapIterationFailedEventDetails"
		}
		f.events.note(iterationType, key, dnum("index", int64(i)))
		return err
	})
	if err != nil {
		f.events.note("MapStateFailed", "")
		return nil, err
	}
	f.events.note("MapStateSucceeded", "")
	return outs, nil
}

// exceeded reports whether n failed items pass the tolerated failure threshold (any failure
// does when none is set).
func (mr *mapRun) exceeded(n int64) bool {
	if !mr.limitCount && !mr.limitPct {
		return n > 0
	}
	pct := float64(n) * 100 / float64(len(mr.arr))
	return (mr.limitCount && n > mr.tolCount) || (mr.limitPct && pct > mr.tolPct)
}

// runDistributed runs every item as a child execution with its own history, so event ids in
// its causes restart at 1; failures up to the tolerated threshold do not fail the state.
func (r *stateRun) runDistributed(m *mapState, mr mapRun, selectInput func(int) (any, *value.Error)) (any, *value.Error) {
	f := r.f
	outs := make([]any, len(mr.arr))
	f.events.note("MapRunStarted", "")
	workers := mr.maxC
	if workers == 0 {
		workers = distributedMapWorkers
	}
	var failures atomic.Int64
	thresholdErr := &value.Error{Name: errToleratedFailure, Cause: "The specified tolerated failure threshold was exceeded"}
	first := f.fanOut(len(mr.arr), workers, func(ctx context.Context, _, i int) *value.Error {
		in, err := selectInput(i)
		if err != nil {
			return err
		}
		events := &history{}
		events.skip(1) // the child's ExecutionStarted (its history is its own)
		var execCtx *value.Object
		if f.ex.m.readsCtx {
			execCtx = f.ex.executionContext(in)
		}
		cf := newFrame(f.ex, ctx, events, &f.scope, execCtx)
		out, err := cf.runProgram(m.processor, in)
		if err == errExecTimedOut {
			return err
		}
		if err != nil {
			outs[i] = value.ObjectOf("Error", err.Name, "Cause", err.Cause)
			if mr.exceeded(failures.Add(1)) {
				return thresholdErr
			}
			return nil
		}
		outs[i] = out
		return nil
	})
	if first != nil {
		f.events.note("MapRunFailed", "")
		f.events.note("MapStateFailed", "")
		return nil, first
	}
	f.events.note("MapRunSucceeded", "")
	f.events.note("MapStateSucceeded", "")
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

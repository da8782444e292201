package stack

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/acme-oem/vehicle-data/internal/cost"
	"github.com/acme-oem/vehicle-data/internal/local/gateway"
	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

// priceRegion is the price file the local cost header uses: the region the product deploys to.
const priceRegion = "eu-central-1"

// stateSpans is the engine's trace hook: each state that ends becomes a span of the request
// that started its execution (the hook gets the execution's context), with the state's own
// start and end. States are recorded when they end, so they are siblings of the step spans
// they contain, not their parents: the waterfall places them by time.
//
// A Task state that starts another machine (nested, per machine and state) also puts the
// nested execution on the request's cost meter, as one more Express request, and, when it
// waited for it, as a span "execution/<machine>" over the child's run, around the child's own
// states. A child started without waiting (report-refresh) outlives the request: it is counted
// at Express's minimum billed duration (100 ms), its own steps land on the meter as they run.
func stateSpans(tp trace.TracerProvider, nested map[string]map[string]nestedStart) func(engine.Event) {
	tracer := tp.Tracer("github.com/acme-oem/vehicle-data/statemachines/engine")
	return func(ev engine.Event) {
		if ev.Kind != engine.EventStateExited || ev.Context == nil {
			return
		}
		start := ev.Time.Add(-ev.Duration)
		if n, ok := nested[ev.StateMachine][ev.State]; ok && ev.Error == "" {
			d := 100 * time.Millisecond // Express's minimum billed duration
			if n.sync {
				d = ev.Duration
			}
			cost.MeterFrom(ev.Context).AddExpress(n.child, d, 0)
			if n.sync && trace.SpanContextFromContext(ev.Context).IsValid() {
				_, span := tracer.Start(ev.Context, "execution/"+n.child, trace.WithTimestamp(start),
					trace.WithAttributes(attribute.String("sfn.state_machine", n.child), attribute.String("sfn.state", ev.State)))
				span.End(trace.WithTimestamp(ev.Time))
			}
		}
		if !trace.SpanContextFromContext(ev.Context).IsValid() {
			return
		}
		_, span := tracer.Start(ev.Context, ev.StateMachine+"/"+ev.State,
			trace.WithTimestamp(start),
			trace.WithAttributes(
				attribute.String("sfn.state_machine", ev.StateMachine),
				attribute.String("sfn.state", ev.State),
				attribute.String("sfn.state_type", ev.StateType),
			))
		if ev.Error != "" {
			span.SetAttributes(attribute.String("error.type", ev.Error))
			span.SetStatus(codes.Error, "state_failed")
		}
		span.End(trace.WithTimestamp(ev.Time))
	}
}

// metered puts a cost.Meter in each API request's context (the engine executor adds the Express
// execution, each step its Lambda duration) and answers with the estimate in
// X-Estimated-Cost-Usd, priced from the repository's price file.
func metered(prices cost.Prices, usage func(cost.Usage), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := cost.NewMeter()
		m.AddAPIRequest()
		m.AddTrace(1) // every local request is traced
		mw := &meterWriter{ResponseWriter: w, meter: m, prices: prices, usage: usage}
		next.ServeHTTP(mw, r.WithContext(cost.WithMeter(r.Context(), m)))
	})
}

type meterWriter struct {
	http.ResponseWriter
	meter  *cost.Meter
	prices cost.Prices
	usage  func(cost.Usage)
	once   sync.Once
}

func (w *meterWriter) setCost() {
	w.once.Do(func() {
		u := w.meter.Usage()
		if w.usage != nil {
			w.usage(u)
		}
		if b, err := w.prices.Cost(u); err == nil {
			w.Header().Set(cost.HeaderName, cost.FormatUSD(b.Total))
		}
	})
}

func (w *meterWriter) WriteHeader(status int) { w.setCost(); w.ResponseWriter.WriteHeader(status) }

func (w *meterWriter) Write(b []byte) (int, error) {
	w.setCost()
	return w.ResponseWriter.Write(b) //nolint:wrapcheck // a ResponseWriter passes its writer's error on
}

// Unwrap lets http.ResponseController reach the underlying writer (flush, deadlines).
func (w *meterWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// meteredExecutor adds each execution's duration to the request's meter. The gateway reaches
// the machines over the Step Functions API, so the duration is that of the synchronous call.
type meteredExecutor struct{ next gateway.Executor }

func (x meteredExecutor) StartSyncExecution(ctx context.Context, sm string, input []byte) (gateway.Result, error) {
	start := time.Now()
	r, err := x.next.StartSyncExecution(ctx, sm, input)
	cost.MeterFrom(ctx).AddExpress(sm, time.Since(start), 0)
	return r, err //nolint:wrapcheck // a decorator passes the executor's error on as it is
}

// meteredLogs puts the size of every line logged under a request's context on its cost meter,
// measured as the JSON line CloudWatch Logs would ingest (the Lambda binary logs JSON), whatever
// format the local log prints in. Lines outside a request (start-up, the simulators) are not
// metered; neither are Lambda's own START/END/REPORT lines.
type meteredLogs struct {
	next slog.Handler
	// shape replays WithAttrs and WithGroup on the JSON handler each line is measured with.
	shape []func(slog.Handler) slog.Handler
}

func (h meteredLogs) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h meteredLogs) Handle(ctx context.Context, r slog.Record) error {
	if m := cost.MeterFrom(ctx); m != nil {
		var buf bytes.Buffer
		var j slog.Handler = slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})
		for _, f := range h.shape {
			j = f(j)
		}
		if j.Handle(ctx, r) == nil {
			m.AddLogBytes(buf.Len())
		}
	}
	return h.next.Handle(ctx, r) //nolint:wrapcheck // a decorator passes the handler's error on
}

func (h meteredLogs) WithAttrs(as []slog.Attr) slog.Handler {
	return meteredLogs{next: h.next.WithAttrs(as), shape: append(slices.Clip(h.shape), func(j slog.Handler) slog.Handler { return j.WithAttrs(as) })}
}

func (h meteredLogs) WithGroup(name string) slog.Handler {
	return meteredLogs{next: h.next.WithGroup(name), shape: append(slices.Clip(h.shape), func(j slog.Handler) slog.Handler { return j.WithGroup(name) })}
}

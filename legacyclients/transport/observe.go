package transport

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Hooks let the caller observe a Client (metrics, in internal/wiring); each may be nil. They run
// on the calling goroutine after the fact, never under the breaker's lock, and must be fast.
type Hooks struct {
	// Call runs once per logical call (retries included).
	Call func(ctx context.Context, c CallInfo)
	// BreakerChange runs once per breaker state change, with the states' names ("closed",
	// "half-open", "open").
	BreakerChange func(ctx context.Context, system, from, to string)
}

// CallInfo describes one finished call: low-cardinality facts only, never the URL.
type CallInfo struct {
	System    string
	Operation string
	// Outcome is the error kind: "ok", "not_found", "unavailable", "bad_payload" or
	// "bad_request".
	Outcome string
	// Reason is the finer cause ("ok", "timeout", "breaker_open", ...).
	Reason   string
	Attempts int
	Status   int // HTTP status of the final response, 0 if none
	Latency  time.Duration
}

// tracerName names the instrumentation scope of the call spans.
const tracerName = "github.com/acme-oem/vehicle-data/legacyclients/transport"

// observe runs fn as one logical call: a span named after the system when ctx carries a
// recording span (the tracer provider is the parent's, so without a trace nothing is traced and
// no global is read), then the Call hook. The span carries only low-cardinality facts:
// operation, outcome, attempts, breaker state, HTTP status. Never the URL, path or query. Each
// attempt's own span, with the X-Amzn-Trace-Id it sends, comes from Config.Transport
// (internal/telemetry.Transport).
func (c *Client) observe(ctx context.Context, cl *call, fn func(context.Context) error) error {
	start := time.Now()
	var span trace.Span
	if parent := trace.SpanFromContext(ctx); parent.IsRecording() {
		ctx, span = parent.TracerProvider().Tracer(tracerName).Start(ctx, c.cfg.System, trace.WithSpanKind(trace.SpanKindClient))
	}
	err := fn(ctx)
	info := CallInfo{
		System: c.cfg.System, Operation: operationName(cl.req), Outcome: "ok", Reason: reasonOK.String(),
		Attempts: cl.attempts, Status: cl.status, Latency: time.Since(start),
	}
	var te *Error
	if errors.As(err, &te) {
		info.Reason = te.Reason
		info.Outcome = kindOf(te.Kind)
	}
	if span != nil {
		span.SetAttributes(
			attribute.String("legacy.system", info.System),
			attribute.String("legacy.operation", info.Operation),
			attribute.String("legacy.outcome", info.Reason),
			attribute.Int("legacy.attempts", info.Attempts),
			attribute.Int("legacy.retries", max(cl.tries-1, 0)),
			attribute.String("legacy.breaker_state", c.breaker.State().String()),
			attribute.Int("http.response.status_code", info.Status),
		)
		switch {
		case err == nil, errors.Is(err, ErrNotFound):
			// An unknown VIN is a normal answer, not a fault.
		case errors.Is(err, ErrUnavailable):
			span.SetStatus(codes.Error, "unavailable")
		default:
			span.SetStatus(codes.Error, info.Outcome) // our request or their payload was wrong
		}
		span.End()
	}
	if c.cfg.Hooks.Call != nil {
		c.cfg.Hooks.Call(ctx, info)
	}
	return err
}

func kindOf(kind error) string {
	switch {
	case errors.Is(kind, ErrNotFound):
		return "not_found"
	case errors.Is(kind, ErrUnavailable):
		return "unavailable"
	case errors.Is(kind, ErrBadPayload):
		return "bad_payload"
	default:
		return "bad_request"
	}
}

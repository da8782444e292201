package telemetry

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

type requestIDKey struct{}

// WithRequestID returns ctx carrying the gateway's request id, which LogHandler adds to every
// record logged under it ("requestId"): the steps' lines join the gateway's access line.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// LogHandler adds the request id of WithRequestID ("requestId") and the trace id (X-Ray form, "traceId") and span id ("spanId") of the span in the
// record's context to every record, so a log line leads to its trace and back. Use the Context
// variants of slog (InfoContext, ...) for it to see the span.
func LogHandler(next slog.Handler) slog.Handler { return logHandler{next} }

type logHandler struct{ next slog.Handler }

func (h logHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		r = r.Clone()
		r.AddAttrs(slog.String("requestId", id))
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r = r.Clone()
		r.AddAttrs(slog.String("traceId", XRayTraceID(sc.TraceID())), slog.String("spanId", sc.SpanID().String()))
	}
	return h.next.Handle(ctx, r) //nolint:wrapcheck // a handler passes its successor's error on
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler { return logHandler{h.next.WithAttrs(as)} }
func (h logHandler) WithGroup(name string) slog.Handler    { return logHandler{h.next.WithGroup(name)} }

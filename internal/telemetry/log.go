package telemetry

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"go.opentelemetry.io/otel/trace"
)

type requestIDKey struct{}

// WithRequestID returns ctx carrying the gateway's request id, which LogHandler adds to every
// record logged under it ("requestId"): the steps' lines join the gateway's access line.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the request id of WithRequestID in ctx, "" without one.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// LogHandler adds the request id of WithRequestID ("requestId") and the trace id (X-Ray form, "traceId") and span id ("spanId") of the span in the
// record's context to every record, so a log line leads to its trace and back. Use the Context
// variants of slog (InfoContext, ...) for it to see the span.
// Wrapping a LogHandler again returns it as it is, so each id appears once.
func LogHandler(next slog.Handler) slog.Handler {
	if h, ok := next.(logHandler); ok {
		return h
	}
	return logHandler{next}
}

type logHandler struct{ next slog.Handler }

func (h logHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	// An id the record has already (another LogHandler further out, with a decorator between
	// that the unwrapping in LogHandler cannot see through, or the caller) is not added again.
	var hasRequest, hasTrace bool
	r.Attrs(func(a slog.Attr) bool {
		hasRequest = hasRequest || a.Key == "requestId"
		hasTrace = hasTrace || a.Key == "traceId"
		return !hasRequest || !hasTrace
	})
	if id, ok := ctx.Value(requestIDKey{}).(string); ok && !hasRequest {
		r = r.Clone()
		r.AddAttrs(slog.String("requestId", id))
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() && !hasTrace {
		r = r.Clone()
		r.AddAttrs(slog.String("traceId", XRayTraceID(sc.TraceID())), slog.String("spanId", sc.SpanID().String()))
	}
	return h.next.Handle(ctx, r) //nolint:wrapcheck // a handler passes its successor's error on
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler { return logHandler{h.next.WithAttrs(as)} }
func (h logHandler) WithGroup(name string) slog.Handler    { return logHandler{h.next.WithGroup(name)} }

// NewLogger returns the product's logger writing to w: format "json" (Lambda, CloudWatch Logs
// Insights, LOG_FORMAT=json locally) or "text" (the readable default of make run); level "debug",
// "info", "warn" or "error" ("" is info). Every record carries the request and trace ids of its
// context (LogHandler). A bad value is an error naming the setting and the values allowed.
func NewLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "", "info":
		l = slog.LevelInfo
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "json":
		return slog.New(LogHandler(slog.NewJSONHandler(w, opts))), nil
	case "", "text":
		return slog.New(LogHandler(slog.NewTextHandler(w, opts))), nil
	default:
		return nil, fmt.Errorf("log format %q: want text or json", format)
	}
}

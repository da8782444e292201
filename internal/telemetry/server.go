package telemetry

import (
	"context"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/acme-oem/vehicle-data/internal/metrics"
	"github.com/acme-oem/vehicle-data/internal/pii"
)

// Server wraps the local gateway: each request becomes a server span that continues the caller's
// X-Amzn-Trace-Id (or starts a trace), the response carries X-Amzn-Trace-Id so a client (and the
// site's "trace" link) can find the trace, and, once the handler has named the route with
// SetRoute, the span is named after the route template and the request is counted in the route's
// Requests, RequestLatency, ClientErrors and ServerErrors metrics. A request that matched no
// route keeps the method as its span name (OpenTelemetry's convention) and records no metric: a Route value is a template,
// never a raw path. rec may be nil.
//
// In AWS, API Gateway is the gateway: its own trace segment and its AWS/ApiGateway metrics (Count,
// Latency, 4XXError, 5XXError per Resource and Method) stand for these.
func Server(tp trace.TracerProvider, rec metrics.Recorder, next http.Handler) http.Handler {
	tracer := tp.Tracer("github.com/acme-oem/vehicle-data/internal/telemetry")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx := ContextWithHeader(r.Context(), r.Header.Get(HeaderName))
		ctx, span := tracer.Start(ctx, methodName(r.Method), trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", methodName(r.Method))))
		defer span.End()
		holder := &routeHolder{}
		ctx = context.WithValue(ctx, routeKey{}, holder)
		w.Header().Set(HeaderName, Header(ctx))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(ctx))

		span.SetAttributes(attribute.Int("http.response.status_code", sw.status))
		if sw.status >= 500 {
			span.SetStatus(codes.Error, "server_error")
		}
		route := holder.get()
		if route == "" {
			return
		}
		span.SetName(route)
		span.SetAttributes(attribute.String("http.route", route))
		if rec == nil {
			return
		}
		// The route passed SetRoute's check, so Record cannot refuse it.
		_ = rec.Record(metrics.Requests, 1, route)
		_ = rec.Record(metrics.RequestLatency, float64(time.Since(start).Microseconds())/1000, route)
		switch {
		case sw.status >= 500:
			_ = rec.Record(metrics.ServerErrors, 1, route)
		case sw.status >= 400:
			_ = rec.Record(metrics.ClientErrors, 1, route)
		}
	})
}

// SetRoute names the route template ("GET /vehicles/{vin}") of the request whose context ctx is,
// for Server's span and metrics. A value that is not a route template is ignored: it could be a
// raw path holding a VIN.
func SetRoute(ctx context.Context, route string) {
	h, ok := ctx.Value(routeKey{}).(*routeHolder)
	if !ok || !pii.IsRouteTemplate(route) {
		return
	}
	h.mu.Lock()
	h.route = route
	h.mu.Unlock()
}

type routeKey struct{}

type routeHolder struct {
	mu    sync.Mutex
	route string
}

func (h *routeHolder) get() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.route
}

// methodName keeps the span name low-cardinality: unknown methods become "OTHER".
func methodName(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(status int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = status, true
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b) //nolint:wrapcheck // the writer's error as it is
}

// Unwrap lets http.ResponseController reach the underlying writer (flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

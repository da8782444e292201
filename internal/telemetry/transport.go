package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Transport is an http.RoundTripper for a legacy system: each request (each attempt, when the
// resilient transport retries) is a client span named after the system, and carries the span's
// context in X-Amzn-Trace-Id, so the legacy system's logs and our trace share one id. The span
// records the method and the status code only: URLs hold VINs (legacyclients/transport never
// logs them either).
//
// Use it as legacyclients/transport's Config.Transport. That Client then no longer builds its own
// pooled http.Transport, so wrap a dedicated one per system (one slow system must not exhaust
// another's connections) and close its idle connections on shutdown.
type Transport struct {
	base   http.RoundTripper
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
	system string
}

// NewTransport traces requests through base with a tracer of tp. system names the legacy system
// ("workshop"); it names the spans, so it must pass CheckName.
func NewTransport(base http.RoundTripper, tp trace.TracerProvider, system string) (*Transport, error) {
	if base == nil || tp == nil {
		return nil, errors.New("telemetry: NewTransport needs a base RoundTripper and a TracerProvider")
	}
	if system == "" || CheckName(system) != nil {
		return nil, fmt.Errorf("telemetry: NewTransport: system must be a plain name")
	}
	return &Transport{
		base:   base,
		tracer: tp.Tracer("github.com/acme-oem/vehicle-data/internal/telemetry"),
		prop:   Propagator(),
		system: system,
	}, nil
}

// RoundTrip implements http.RoundTripper. It leaves r as it is (RoundTrippers must not change the
// request): the header goes on a copy.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx, span := t.tracer.Start(r.Context(), t.system,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(
			attribute.String("legacy.system", t.system),
			attribute.String("http.request.method", r.Method),
		))
	defer span.End()
	out := r.WithContext(ctx)
	out.Header = r.Header.Clone()
	if out.Header == nil {
		out.Header = http.Header{}
	}
	t.prop.Inject(ctx, propagation.HeaderCarrier(out.Header))

	resp, err := t.base.RoundTrip(out)
	if err != nil {
		// The error text may hold the URL (net/http wraps it in *url.Error): record a kind only.
		span.SetStatus(codes.Error, "transport_error")
		span.SetAttributes(attribute.String("error.type", errorType(err)))
		return nil, err //nolint:wrapcheck // a RoundTripper returns its base's error as it is
	}
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	if resp.StatusCode >= 500 {
		span.SetStatus(codes.Error, "server_error")
	}
	return resp, nil
}

// errorType is a low-cardinality kind of transport error.
func errorType(err error) string {
	var ne interface{ Timeout() bool }
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	default:
		return "connection"
	}
}

// Package telemetry is the tracing core: an OpenTelemetry tracer provider whose trace and span ids
// have X-Ray's format (the X-Ray ID generator) and whose context travels in X-Ray's
// X-Amzn-Trace-Id header (the X-Ray propagator), so traces show in the X-Ray console and legacy
// systems receive the header they log today. Around it:
//
//   - a guard (CheckName, CheckAttribute, Guarded) that refuses personal data in span names,
//     attributes, events and status messages before a span leaves the process;
//   - Recorder, a bounded in-memory span processor for the local stack and tests (the trace view,
//     internal/local/traceview, reads it);
//   - Transport, an http.RoundTripper that traces each legacy call as a client span and sends
//     X-Amzn-Trace-Id with it.
//
// Nothing here sets OpenTelemetry's globals: the provider and propagator are handed to whoever
// needs them (DESIGN.md: no global mutable state).
package telemetry

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/contrib/propagators/aws/xray"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdkresource "go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// HeaderName is the trace header X-Ray, API Gateway, Step Functions and Lambda use.
const HeaderName = "X-Amzn-Trace-Id"

// Options configures NewTracerProvider.
type Options struct {
	// Service names the process in the trace ("gateway", "lambda:fetch-workshop"). It must pass
	// CheckName.
	Service string
	// Exporter, when set, receives every ended span in batches, through Guarded (in Lambda: the
	// exporter to X-Ray).
	Exporter sdktrace.SpanExporter
	// Recorder, when set, keeps every ended span in memory (the local stack, tests). It applies
	// the guard itself.
	Recorder *Recorder
	// Sampler decides which traces are recorded; nil follows the parent's decision (the
	// X-Amzn-Trace-Id Sampled flag, set by API Gateway's or Lambda's sampling) and samples new
	// root traces.
	Sampler sdktrace.Sampler
}

// NewTracerProvider returns a provider with the X-Ray ID generator. Shut it down (Shutdown) to
// flush the exporter.
func NewTracerProvider(o Options) (*sdktrace.TracerProvider, error) {
	if o.Service == "" {
		return nil, errors.New("telemetry: Options.Service is required")
	}
	if err := CheckName(o.Service); err != nil {
		return nil, fmt.Errorf("telemetry: Options.Service: %w", err)
	}
	sampler := o.Sampler
	if sampler == nil {
		sampler = sdktrace.ParentBased(sdktrace.AlwaysSample())
	}
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithIDGenerator(xray.NewIDGenerator()),
		sdktrace.WithSampler(sampler),
		sdktrace.WithResource(sdkresource.NewSchemaless(attribute.String("service.name", o.Service))),
	}
	if o.Recorder != nil {
		opts = append(opts, sdktrace.WithSpanProcessor(o.Recorder))
	}
	if o.Exporter != nil {
		opts = append(opts, sdktrace.WithBatcher(Guarded(o.Exporter)))
	}
	return sdktrace.NewTracerProvider(opts...), nil
}

// Propagator is the X-Ray propagator: it reads and writes X-Amzn-Trace-Id
// ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1").
func Propagator() propagation.TextMapPropagator { return xray.Propagator{} }

// ContextWithHeader returns ctx carrying the remote span context of an X-Amzn-Trace-Id value (an
// incoming request's header, or in Lambda the _X_AMZN_TRACE_ID variable), so spans started under
// it join that trace. An empty or malformed value leaves ctx as it is.
func ContextWithHeader(ctx context.Context, value string) context.Context {
	if value == "" {
		return ctx
	}
	return Propagator().Extract(ctx, propagation.MapCarrier{HeaderName: value})
}

// Header renders the span context in ctx as an X-Amzn-Trace-Id value, "" without one: what the
// gateway answers with, so a client (and the site's trace link) can find the trace.
func Header(ctx context.Context) string {
	c := propagation.MapCarrier{}
	Propagator().Inject(ctx, c)
	return c[HeaderName]
}

// TraceID is the X-Ray form of the trace id in ctx ("1-5759e988-bd862e3fe1be46a994272793"), ""
// without one: the trace id log lines carry.
func TraceID(ctx context.Context) string {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.TraceID().IsValid() {
		return ""
	}
	return XRayTraceID(sc.TraceID())
}

// XRayTraceID formats id as X-Ray does: version 1, the first 8 hex digits (the start time in
// epoch seconds, by the X-Ray ID generator), the other 24.
func XRayTraceID(id trace.TraceID) string {
	h := id.String()
	return "1-" + h[:8] + "-" + h[8:]
}

// ParseTraceID accepts a trace id in X-Ray form or as 32 hex digits.
func ParseTraceID(s string) (trace.TraceID, error) {
	var id trace.TraceID
	h := s
	if strings.HasPrefix(s, "1-") && len(s) == 35 && s[10] == '-' {
		h = s[2:10] + s[11:]
	}
	if len(h) != 32 || strings.ToLower(h) != h {
		return id, errors.New("a trace id is 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx or 32 lowercase hex digits")
	}
	if _, err := hex.Decode(id[:], []byte(h)); err != nil || !id.IsValid() {
		return trace.TraceID{}, errors.New("a trace id is 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx or 32 lowercase hex digits")
	}
	return id, nil
}

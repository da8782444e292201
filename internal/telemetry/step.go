package telemetry

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// StepHandler is a Lambda step as the registry holds it: payload in, payload out.
type StepHandler = func(ctx context.Context, payload []byte) ([]byte, error)

// lambdaTraceKey is where aws-lambda-go puts the invocation's X-Amzn-Trace-Id in the context.
const lambdaTraceKey = "x-amzn-trace-id"

// WrapStep runs h inside a span named after the step. The span continues the trace in ctx: the
// caller's span locally (the engine calls steps in-process), or in Lambda the invocation's
// X-Amzn-Trace-Id, which aws-lambda-go puts in the context. A failed step marks the span as an
// error with its state error name (ErrorType, e.g. "VehicleData.Unavailable"), never the message.
// When tp can flush (the SDK provider) it is flushed before returning, because Lambda freezes the
// process between invocations.
func WrapStep(tp trace.TracerProvider, name string, h StepHandler) StepHandler {
	tracer := tp.Tracer("github.com/acme-oem/vehicle-data/internal/telemetry")
	flusher, _ := tp.(interface{ ForceFlush(context.Context) error })
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		if !trace.SpanContextFromContext(ctx).IsValid() {
			if v, ok := ctx.Value(lambdaTraceKey).(string); ok {
				ctx = ContextWithHeader(ctx, v)
			}
		}
		ctx, span := tracer.Start(ctx, name, trace.WithAttributes(attribute.String("faas.step", name)))
		out, err := h(ctx, payload)
		if err != nil {
			span.SetStatus(codes.Error, "step_failed")
			var typed interface{ ErrorType() string }
			if errors.As(err, &typed) {
				span.SetAttributes(attribute.String("error.type", typed.ErrorType()))
			} else {
				span.SetAttributes(attribute.String("error.type", "unhandled"))
			}
		}
		span.End()
		if flusher != nil {
			// A lost span must not fail the step; the exporter logs its own errors.
			_ = flusher.ForceFlush(context.WithoutCancel(ctx))
		}
		return out, err
	}
}

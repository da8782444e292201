package transport

import (
	"context"
	"errors"

	"github.com/aws/aws-xray-sdk-go/xray"
)

// trace wraps fn in an X-Ray subsegment named after the system.
//
// Without a parent (no segment in ctx and no Lambda trace header) it traces
// nothing: xray.BeginSubsegment would otherwise invoke the context-missing
// strategy, whose default logs an error, or panics when
// AWS_XRAY_CONTEXT_MISSING=RUNTIME_ERROR. Deciding here is per client and
// needs no change to xray's global configuration.
//
// The subsegment carries only low-cardinality facts: operation, outcome,
// attempts, breaker state, HTTP status. Never the URL, path or query.
func (c *Client) trace(ctx context.Context, cl *call, fn func(context.Context) error) error {
	if xray.GetSegment(ctx) == nil && ctx.Value(xray.LambdaTraceHeaderKey) == nil {
		return fn(ctx)
	}
	sctx, seg := xray.BeginSubsegment(ctx, c.cfg.System)
	if seg == nil {
		return fn(ctx)
	}
	err := fn(sctx)

	outcome := reasonOK.String()
	var te *Error
	if errors.As(err, &te) {
		outcome = te.Reason
	}
	// Errors from AddAnnotation only concern value types, which are fixed here.
	_ = seg.AddAnnotation("system", c.cfg.System)
	_ = seg.AddAnnotation("operation", operationName(cl.req))
	_ = seg.AddAnnotation("outcome", outcome)
	_ = seg.AddAnnotation("attempts", cl.attempts)
	_ = seg.AddAnnotation("breaker_state", c.breaker.State().String())
	_ = seg.AddAnnotation("http_status", cl.status)
	_ = seg.AddMetadata("retries", max(cl.tries-1, 0))

	switch {
	case err == nil, errors.Is(err, ErrNotFound):
		// An unknown VIN is a normal answer, not a fault.
		seg.Close(nil)
	case errors.Is(err, ErrUnavailable):
		seg.Close(err) // marks fault; the message holds no URL (see Error)
	default:
		seg.Lock()
		seg.Error = true // client-side problem: bad request or payload
		seg.Unlock()
		seg.Close(nil)
	}
	return err
}

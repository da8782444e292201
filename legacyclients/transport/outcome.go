package transport

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"
)

// backoff is capped exponential backoff with "equal jitter": half the step is
// fixed so retries never bunch at zero, half is random so concurrent callers
// spread out instead of hammering a recovering system in lockstep.
func (c *Client) backoff(retry int) time.Duration {
	step := c.cfg.RetryWaitMin
	for i := 1; i < retry && step < c.cfg.RetryWaitMax; i++ {
		step *= 2
	}
	step = min(step, c.cfg.RetryWaitMax)
	half := step / 2
	return half + rand.N(step-half+1) //nolint:gosec // G404: backoff jitter needs no cryptographic randomness
}

// finish turns retryablehttp's final (resp, err) into a Response or *Error.
func (c *Client) finish(ctx context.Context, cl *call, hresp *http.Response, err error) (*Response, error) {
	status := 0
	if hresp != nil {
		status = hresp.StatusCode
	}
	cl.status = status
	var (
		rs    reason
		cause error
	)
	switch {
	case cl.stop != reasonOK:
		rs = cl.stop
	case err != nil:
		var ae *attemptError
		switch {
		case errors.As(err, &ae):
			rs, cause = ae.reason, ae.cause
		case errors.Is(ctx.Err(), context.Canceled):
			rs, cause = reasonCanceled, ctx.Err()
		case ctx.Err() != nil:
			rs, cause = reasonDeadline, ctx.Err()
		default:
			rs, cause = reasonConnection, stripURL(err)
		}
	default:
		rs = statusReason(status)
	}
	if rs != reasonOK {
		return nil, c.fail(cl, rs, status, cause)
	}
	c.metrics.successes.Add(1)
	c.outcome.record(reasonOK)
	out := &Response{Status: status, Header: hresp.Header, Attempts: cl.attempts}
	if bb, ok := hresp.Body.(*bufferedBody); ok {
		out.Body = bb.buf
	}
	return out, nil
}

func (c *Client) fail(cl *call, rs reason, status int, cause error) *Error {
	c.metrics.failures[rs].Add(1)
	c.outcome.record(rs)
	return &Error{
		System:    c.cfg.System,
		Operation: operationName(cl.req),
		Kind:      rs.kind(),
		Reason:    rs.String(),
		Status:    status,
		Attempts:  cl.attempts,
		Err:       cause,
	}
}

func operationName(r *Request) string {
	if r == nil || r.Operation == "" {
		return "unnamed"
	}
	return r.Operation
}

package transport

import (
	"errors"
	"fmt"
)

// Sentinel kinds. Every error returned by Client.Do is an *Error whose Kind is
// one of these, so callers branch with errors.Is(err, transport.ErrNotFound).
var (
	// ErrNotFound: the legacy system answered 404. Not retried.
	ErrNotFound = errors.New("legacy system: not found")
	// ErrUnavailable: the system could not deliver an answer in time: breaker
	// open, timeouts (ours or the caller's deadline), connection errors
	// including bodies cut short, 5xx, 429 after retries, a Retry-After that
	// does not fit the deadline, redirects and other unexpected statuses.
	// A report section degrades to "unavailable" on this error.
	ErrUnavailable = errors.New("legacy system: unavailable")
	// ErrBadPayload: the system answered but the payload is unusable: larger
	// than Config.MaxBodyBytes, or (wrapped by clients via Client.BadPayload)
	// not decodable. Never retried: asking again yields the same bytes.
	ErrBadPayload = errors.New("legacy system: bad payload")
	// ErrBadRequest: the system rejected the request (400/422) or the request
	// could not be built. The caller's input was wrong; not retried.
	ErrBadRequest = errors.New("legacy system: bad request")
)

// Error describes a failed legacy call. It deliberately carries no URL, path,
// query or payload: URLs contain VINs, and errors end up in logs and traces.
type Error struct {
	System    string // Config.System
	Operation string // Request.Operation (low-cardinality)
	Kind      error  // one of ErrNotFound, ErrUnavailable, ErrBadPayload, ErrBadRequest
	Reason    string // low-cardinality detail, e.g. "timeout", "breaker_open", "oversized"
	Status    int    // HTTP status of the last attempt, 0 when none was received
	Attempts  int    // requests that actually reached the wire (short-circuits excluded)
	// Err is the underlying cause with any *url.Error unwrapped. Its text is
	// not part of Error() because decoder and parser errors may quote payload
	// content (a VIN in a strconv error, for example).
	Err error
}

// Error formats only fields known to be free of personal data.
func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %v: %s (status %d, %d attempts)",
		e.System, e.Operation, e.Kind, e.Reason, e.Status, e.Attempts)
}

// Unwrap exposes both the kind sentinel and the cause, so errors.Is works for
// ErrUnavailable as well as for context.DeadlineExceeded or syscall errors.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// reason is the closed set of outcomes. Keeping it closed keeps metric and
// trace cardinality bounded and lets metrics use fixed arrays of atomics.
type reason uint8

const (
	reasonOK reason = iota
	reasonTimeout
	reasonDeadline
	reasonCanceled
	reasonConnRefused
	reasonConnReset
	reasonConnection
	reasonTruncated
	reasonRateLimited
	reasonGateway // 502, 503, 504: retryable
	reasonServerError
	reasonRetryAfterTooLong
	reasonBreakerOpen
	reasonRedirect
	reasonUnexpectedStatus
	reasonNotFound
	reasonBadRequest
	reasonOversized
	reasonBadPayload
	reasonInvalidRequest
	numReasons
)

var reasonNames = [numReasons]string{
	reasonOK:                "ok",
	reasonTimeout:           "timeout",
	reasonDeadline:          "deadline",
	reasonCanceled:          "canceled",
	reasonConnRefused:       "connection_refused",
	reasonConnReset:         "connection_reset",
	reasonConnection:        "connection",
	reasonTruncated:         "truncated",
	reasonRateLimited:       "rate_limited",
	reasonGateway:           "server_unavailable",
	reasonServerError:       "server_error",
	reasonRetryAfterTooLong: "retry_after_exceeds_deadline",
	reasonBreakerOpen:       "breaker_open",
	reasonRedirect:          "redirect",
	reasonUnexpectedStatus:  "unexpected_status",
	reasonNotFound:          "not_found",
	reasonBadRequest:        "bad_request",
	reasonOversized:         "oversized",
	reasonBadPayload:        "bad_payload",
	reasonInvalidRequest:    "invalid_request",
}

func (r reason) String() string { return reasonNames[r] }

func (r reason) kind() error {
	switch r.kindName() {
	case "not_found":
		return ErrNotFound
	case "bad_request":
		return ErrBadRequest
	case "bad_payload":
		return ErrBadPayload
	default:
		return ErrUnavailable
	}
}

// kindName maps a reason to its error kind; kind() and the metrics both use
// this one table.
func (r reason) kindName() string {
	switch r {
	case reasonNotFound:
		return "not_found"
	case reasonBadRequest, reasonInvalidRequest:
		return "bad_request"
	case reasonOversized, reasonBadPayload:
		return "bad_payload"
	default:
		return "unavailable"
	}
}

// retryable: transient outcomes another attempt may fix. 500 is excluded on
// purpose (the issue lists 429/502/503/504): a legacy 500 is usually a
// deterministic crash on that record, and retrying it only adds load.
func (r reason) retryable() bool {
	switch r {
	case reasonTimeout, reasonConnRefused, reasonConnReset, reasonConnection,
		reasonTruncated, reasonRateLimited, reasonGateway:
		return true
	}
	return false
}

// breakerFailure: outcomes that say the system is unhealthy. 4xx, oversized
// bodies and redirects mean it answered promptly, so they do not trip the
// breaker; one malformed record must not cut off every other VIN.
func (r reason) breakerFailure() bool {
	switch r {
	case reasonTimeout, reasonConnRefused, reasonConnReset, reasonConnection,
		reasonTruncated, reasonRateLimited, reasonGateway, reasonServerError:
		return true
	}
	return false
}

// attemptError is what one attempt reports to the breaker and retry policy.
// It travels inside net/http's *url.Error, so it is found with errors.As.
type attemptError struct {
	reason reason
	cause  error
}

func (e *attemptError) Error() string { return "attempt failed: " + e.reason.String() }
func (e *attemptError) Unwrap() error { return e.cause }

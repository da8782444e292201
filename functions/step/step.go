// Package step adapts typed step functions to the Lambda runtime's byte-level handler signature
// and shapes their errors, in one place, the way the state machines and the gateway expect:
// errorType is the state error name (VehicleData.<Code>), errorMessage the JSON of the
// *apperr.Error {code, message, field, rule}. Steps return their errors as they are (domain
// errors or wrapped internal ones); Guard logs them and converts them once.
package step

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/acme-oem/vehicle-data/internal/apperr"
)

// Handler is a Lambda step: the invocation payload in, the result payload out.
type Handler = func(ctx context.Context, payload []byte) ([]byte, error)

// Typed builds a Handler from a typed function: decode the event (unknown fields are fine: steps
// receive slices of the execution state), call fn, encode the result.
func Typed[In, Out any](fn func(ctx context.Context, in In) (Out, error)) Handler {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var in In
		if err := json.NewDecoder(bytes.NewReader(payload)).Decode(&in); err != nil {
			// The state machine builds every event, so a malformed one is our bug, not the client's.
			return nil, fmt.Errorf("decode step event: %w: %w", err, apperr.New(apperr.Internal, "malformed step event"))
		}
		out, err := fn(ctx, in)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(out)
		if err != nil {
			return nil, fmt.Errorf("encode step result: %w", err)
		}
		return b, nil
	}
}

// Error is the error a step returns to its runtime: its ErrorType is the state error name the
// ASL catches (VehicleData.NotFound, ...), and its text is the JSON of the *apperr.Error, which
// the gateway turns into the response body (code, message, field, rule). It never carries the
// wrapped internal detail: that goes to the log.
type Error struct{ App *apperr.Error }

// ErrorType is the state machine error name; the local engine reads it and the Lambda binary
// reports it as errorType.
func (e *Error) ErrorType() string { return e.App.ErrorType() }

func (e *Error) Error() string {
	b, err := json.Marshal(e.App)
	if err != nil {
		return e.App.Error()
	}
	return string(b)
}

// Unwrap lets apperr.CodeOf and errors.As see the domain error.
func (e *Error) Unwrap() error { return e.App }

// Public converts any error to an *Error: domain errors keep code, message, field and rule;
// anything else becomes a generic Internal error.
func Public(err error) *Error { return &Error{App: apperr.As(err)} }

// Guard is the one place a step's error becomes what its runtime reports: it logs a failed step
// with its internal detail (Warn for domain errors, Error for our bugs) and hands the runtime
// only the public *Error. A nil log discards.
func Guard(name string, log *slog.Logger, h Handler) Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		out, err := h(ctx, payload)
		if err == nil {
			return out, nil
		}
		pub := Public(err)
		level := slog.LevelWarn
		if pub.App.Code == apperr.Internal {
			level = slog.LevelError
		}
		// Error texts in this code base carry no personal data (legacy client errors are built
		// so; DynamoDB errors name no key values).
		log.Log(ctx, level, "step failed", "function", name, "code", pub.App.Code, "error", err.Error())
		return nil, pub
	}
}

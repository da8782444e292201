// Package upstream holds what the six legacy clients do alike with an upstream system's answer:
// the error that satisfies both the ports contract (apperr codes) and the transport's typed
// errors, strict decoding, and the date and VIN checks every client applies to what it sends and
// receives.
package upstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// Error is the error every legacy client returns. It wraps both the domain error (so
// apperr.CodeOf works, as ports.go requires) and the transport's *Error (so errors.Is with
// transport.ErrNotFound and friends keeps working). Its text names the system and the outcome,
// never a VIN or any payload content.
type Error struct {
	App   *apperr.Error
	Cause error
}

func (e *Error) Error() string {
	if e.Cause == nil {
		return e.App.Error()
	}
	return e.App.Error() + ": " + e.Cause.Error()
}

// Unwrap exposes both chains.
func (e *Error) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.App}
	}
	return []error{e.App, e.Cause}
}

// Wrap classifies a transport error for the ports contract: ErrNotFound -> NotFound,
// ErrBadRequest -> Invalid (a bug on our side, not the caller's), anything else (ErrUnavailable,
// ErrBadPayload, unknown) -> Unavailable. label is a human system name ("vehicle master").
func Wrap(label string, err error) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		return err // already classified
	}
	switch {
	case errors.Is(err, transport.ErrNotFound):
		return &Error{App: apperr.New(apperr.NotFound, "the %s does not know this vehicle", label), Cause: err}
	case errors.Is(err, transport.ErrBadRequest):
		return &Error{App: apperr.New(apperr.Invalid, "the %s rejected the request", label), Cause: err}
	case errors.Is(err, transport.ErrBadPayload):
		return &Error{App: apperr.New(apperr.Unavailable, "the %s sent an unusable answer", label), Cause: err}
	default:
		return &Error{App: apperr.New(apperr.Unavailable, "the %s is unavailable", label), Cause: err}
	}
}

// Outcome builds a transport-typed error for an outcome the client read from a 2xx body (a SOAP
// Fault, a mainframe error record), so callers can use errors.Is(err, kind) as for HTTP-level
// outcomes. reason must be low-cardinality and free of personal data.
func Outcome(system, operation string, kind error, reason string, resp *transport.Response) *transport.Error {
	e := &transport.Error{System: system, Operation: operation, Kind: kind, Reason: reason}
	if resp != nil {
		e.Status, e.Attempts = resp.Status, resp.Attempts
	}
	return e
}

// CheckVIN re-validates a VIN before it goes anywhere near a legacy URL or body. The ports take a
// vehicle.VIN, which callers obtain from ParseVIN, but a conversion (vehicle.VIN(s)) bypasses
// that; this is the defence in depth. The error is Invalid and ErrBadRequest, and names no value.
func CheckVIN(system, operation, label string, vin vehicle.VIN) error {
	if _, err := vehicle.ParseVIN(string(vin)); err != nil || string(vin) != strings.ToUpper(string(vin)) {
		return &Error{
			App:   apperr.InvalidField("vin", "format", "the "+label+" needs a valid VIN"),
			Cause: Outcome(system, operation, transport.ErrBadRequest, "invalid_vin", nil),
		}
	}
	return nil
}

// Violations collects what is wrong with a payload, as field paths and rules only: never values,
// which may be personal data.
type Violations []string

// Addf records a violation.
func (v *Violations) Addf(format string, args ...any) { *v = append(*v, fmt.Sprintf(format, args...)) }

// Err returns nil when there are none, else an error listing at most the first ten.
func (v Violations) Err() error {
	if len(v) == 0 {
		return nil
	}
	shown := v
	if len(shown) > 10 {
		shown = shown[:10]
	}
	return &PayloadError{Count: len(v), Problems: append([]string(nil), shown...)}
}

// PayloadError describes why a payload was rejected: Count problems, the first few listed by
// field path and rule. It is safe to log (no values).
type PayloadError struct {
	Count    int
	Problems []string
}

func (e *PayloadError) Error() string {
	return fmt.Sprintf("%d payload problem(s): %s", e.Count, strings.Join(e.Problems, "; "))
}

// DecodeJSON decodes exactly one JSON value into v, rejecting unknown fields and trailing data:
// the legacy schemas are frozen, so either means a different version or a corrupt body. The error
// never quotes the payload (json's errors can; only the kind of failure is kept).
func DecodeJSON(body []byte, v any) error {
	// JSON is UTF-8 (RFC 8259); encoding/json would silently turn Latin-1 bytes into U+FFFD and
	// hand back garbled names, so a body in the wrong charset is a bad payload instead.
	if !utf8.Valid(body) {
		return errors.New("json: body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("json: trailing data after the value")
	}
	return nil
}

// jsonError keeps the kind of a decoding failure and its offset, but not the text, which for
// unknown fields and type errors quotes parts of the payload.
func jsonError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("json: truncated body")
	case errors.As(err, &syn):
		return fmt.Errorf("json: syntax error at offset %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("json: wrong type for field %s", typ.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return errors.New("json: unknown field")
	default:
		return errors.New("json: cannot decode")
	}
}

// Date layouts.
const (
	DayLayout   = "2006-01-02"
	MonthLayout = "2006-01"
)

// EarliestYear bounds dates from the legacy systems: nothing the OEM's systems hold predates it.
const EarliestYear = 1950

// Day parses a YYYY-MM-DD date that must be a real calendar day, not before EarliestYear and
// not after now (a day of slack absorbs time zones between the systems and us).
func Day(s string, now time.Time) (time.Time, bool) {
	t, err := time.Parse(DayLayout, s)
	if err != nil || t.Year() < EarliestYear || t.After(now.Add(24*time.Hour)) {
		return time.Time{}, false
	}
	return t, true
}

// Required reports whether s holds something besides spaces.
func Required(s string) bool { return strings.TrimSpace(s) != "" }

// NowFunc returns now, or time.Now when now is nil.
func NowFunc(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// GetJSON is the request of every REST read of the legacy systems: a GET that asks for JSON and
// is idempotent, so the transport may retry it.
func GetJSON(operation, path string, query url.Values) *transport.Request {
	return &transport.Request{
		Method:     http.MethodGet,
		Path:       path,
		Query:      query,
		Header:     http.Header{"Accept": {"application/json"}},
		Idempotent: true,
		Operation:  operation,
	}
}

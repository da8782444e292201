// Package apperr defines the product's error codes once, and the one table that maps each code to
// an HTTP status and to the error name a state machine fails with.
//
// Every layer speaks these codes: the domain returns *Error, Lambda steps surface Code.StateError()
// as their errorType so the ASL can Catch on it, the gateway (local) and API Gateway's response
// templates (CDK) both read the same table to pick the HTTP status. Messages are safe to show to
// the caller and never contain personal data.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error by what the caller can do about it.
type Code string

// The codes. Adding one means adding a row to table below; TestTableIsComplete enforces it.
const (
	Invalid         Code = "INVALID"           // the request is malformed; Field and Rule say why
	Unauthenticated Code = "UNAUTHENTICATED"   // missing or invalid credentials
	Forbidden       Code = "FORBIDDEN"         // authenticated but not allowed
	NotFound        Code = "NOT_FOUND"         // no such resource (or not visible to the caller)
	Conflict        Code = "CONFLICT"          // the resource's state forbids the change
	Gone            Code = "GONE"              // the resource existed and was withdrawn
	TooManyRequests Code = "TOO_MANY_REQUESTS" // throttled or locked out
	Unavailable     Code = "UNAVAILABLE"       // a dependency is down; retry later
	Timeout         Code = "TIMEOUT"           // the work did not finish within its budget
	Internal        Code = "INTERNAL"          // a bug; details are in the logs, not the response
)

type row struct {
	status    int
	stateName string
}

// table is the single mapping from codes to HTTP statuses and state machine error names.
var table = map[Code]row{
	Invalid:         {400, "VehicleData.Invalid"},
	Unauthenticated: {401, "VehicleData.Unauthenticated"},
	Forbidden:       {403, "VehicleData.Forbidden"},
	NotFound:        {404, "VehicleData.NotFound"},
	Conflict:        {409, "VehicleData.Conflict"},
	Gone:            {410, "VehicleData.Gone"},
	TooManyRequests: {429, "VehicleData.TooManyRequests"},
	Unavailable:     {503, "VehicleData.Unavailable"},
	Timeout:         {504, "VehicleData.Timeout"},
	Internal:        {500, "VehicleData.Internal"},
}

// Codes lists every code, for tests and for CDK's response templates.
func Codes() []Code {
	return []Code{Invalid, Unauthenticated, Forbidden, NotFound, Conflict, Gone, TooManyRequests, Unavailable, Timeout, Internal}
}

// HTTPStatus is the status a response with this code carries.
func (c Code) HTTPStatus() int {
	if r, ok := table[c]; ok {
		return r.status
	}
	return 500
}

// StateError is the error name a Lambda step fails with (its errorType) and the ASL Catches.
func (c Code) StateError() string {
	if r, ok := table[c]; ok {
		return r.stateName
	}
	return table[Internal].stateName
}

// FromStateError maps a failed execution's error name back to a code. Names that are not ours
// (States.Timeout, States.TaskFailed, a Lambda runtime error) are mapped by what they mean for
// the caller: a timeout is a Timeout, anything else is our bug.
func FromStateError(name string) Code {
	for c, r := range table {
		if r.stateName == name {
			return c
		}
	}
	if name == "States.Timeout" {
		return Timeout
	}
	return Internal
}

// Error is a domain error: safe to show to the caller.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"` // the request field at fault, for Invalid
	Rule    string `json:"rule,omitempty"`  // the rule the field broke, for Invalid
	// RetryAfter is when a retry may succeed, in seconds, when the domain knows it (a limit's
	// window); the gateway sends it as the Retry-After header.
	RetryAfter int `json:"retryAfter,omitempty"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (field %s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// ErrorType lets the Lambda runtime (and the local engine) report the state machine error name,
// so the ASL can Catch and the gateway can map without parsing messages.
func (e *Error) ErrorType() string { return e.Code.StateError() }

// New builds an error with a code and a message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidField builds an Invalid error naming the field and the rule it broke.
func InvalidField(field, rule, message string) *Error {
	return &Error{Code: Invalid, Field: field, Rule: rule, Message: message}
}

// CodeOf returns the code of err, Internal for errors that are not *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns err as *Error, wrapping unknown errors as Internal with a generic message so
// nothing internal leaks to the caller.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "internal error"}
}

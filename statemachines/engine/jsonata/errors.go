package jsonata

import "fmt"

// Error is a JSONata compile or evaluation error, with jsonata-js's code (S0xxx syntax, T0xxx
// type, D0xxx dynamic) so that callers and tests can tell failures apart by cause. Position is
// the byte offset in the expression where it is known, else -1.
type Error struct {
	Code     string
	Position int
	Message  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func errAt(code string, pos int, msg string) *Error {
	return &Error{Code: code, Position: pos, Message: msg}
}

func errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Position: -1, Message: fmt.Sprintf(format, args...)}
}

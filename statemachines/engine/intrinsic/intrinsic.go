// Package intrinsic implements the States.* intrinsic functions of JSONPath-mode ASL
// ("States.Format('Hello {}', $.name)").
//
// Parse checks syntax and arity (what CreateStateMachine rejects); Eval runs the call and fails
// with *value.Error named States.IntrinsicFailure when arguments are of the wrong type or out of
// range, or with *PathError when a path argument matches nothing (the payload layer words that
// one, since the message names the template field).
package intrinsic

import (
	"errors"
	"fmt"
	"strings"

	"github.com/acme-oem/vehicle-data/statemachines/engine/jsonpath"
	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// ErrorName is the Step Functions error raised for bad intrinsic arguments.
const ErrorName = "States.IntrinsicFailure"

// PathError reports a path argument that could not be resolved.
type PathError struct {
	Path string
	Err  error
}

func (e *PathError) Error() string { return "intrinsic argument " + e.Path + ": " + e.Err.Error() }
func (e *PathError) Unwrap() error { return e.Err }

// Call is a parsed intrinsic function call; it is immutable and safe for concurrent use.
type Call struct {
	src  string
	name string // without the "States." prefix
	fn   *function
	args []arg
	// pieces is a literal Format template cut at its placeholders, computed once at Parse.
	pieces []string
}

type argKind uint8

const (
	argLiteral argKind = iota
	argPath
	argCall
)

type arg struct {
	kind argKind
	lit  any
	raw  string // string literals: the text between the quotes, escapes kept (Format needs them)
	path *jsonpath.Path
	call *Call
}

// String returns the source text of the call.
func (c *Call) String() string { return c.src }

// Name returns the function name, e.g. "States.Format".
func (c *Call) Name() string { return "States." + c.name }

// IsCall reports whether s looks like an intrinsic function call rather than a path.
func IsCall(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "States.") && strings.HasSuffix(s, ")")
}

// Eval runs the call.
func (c *Call) Eval(env jsonpath.Env) (any, error) {
	args := make([]any, len(c.args))
	for i := range c.args {
		a := &c.args[i]
		switch a.kind {
		case argLiteral:
			args[i] = a.lit
		case argPath:
			v, err := a.path.Resolve(env)
			if err != nil {
				return nil, &PathError{Path: a.path.String(), Err: err}
			}
			args[i] = v
		case argCall:
			v, err := a.call.Eval(env)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
	}
	v, err := c.fn.eval(c, args)
	if err != nil {
		var ve *value.Error
		if errors.As(err, &ve) {
			return nil, err
		}
		return nil, &value.Error{Name: ErrorName, Cause: err.Error()}
	}
	return v, nil
}

func failf(format string, a ...any) error {
	return &value.Error{Name: ErrorName, Cause: fmt.Sprintf(format, a...)}
}

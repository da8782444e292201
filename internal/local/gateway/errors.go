package gateway

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/oidc"
)

// errorBody is the contract's error model: {"error": {"code", "message", "field", "rule"}}.
type errorBody struct {
	Error *apperr.Error `json:"error"`
}

// genericMessages are what the caller reads when the cause of a failure is not ours to show.
var genericMessages = map[apperr.Code]string{
	apperr.Invalid:         "the request is invalid",
	apperr.Unauthenticated: "authentication is required",
	apperr.Forbidden:       "this request is not allowed",
	apperr.NotFound:        "not found",
	apperr.Conflict:        "the resource's state does not allow this request",
	apperr.Gone:            "the resource is no longer available",
	apperr.TooManyRequests: "too many requests; retry later",
	apperr.Unavailable:     "a dependency is unavailable; retry later",
	apperr.Timeout:         "the request did not finish in time; retry later",
	apperr.Internal:        "internal error",
}

func genericError(code apperr.Code) *apperr.Error {
	msg, ok := genericMessages[code]
	if !ok {
		code, msg = apperr.Internal, genericMessages[apperr.Internal]
	}
	e := &apperr.Error{Code: code, Message: msg}
	if code == apperr.Invalid {
		// The contract requires field and rule on every 400; when the cause did not say, the
		// request as a whole is at fault.
		e.Field, e.Rule = "request", "invalid"
	}
	return e
}

// writeError writes e with status (normally e.Code.HTTPStatus(); 405 and 413 have no code of
// their own in apperr and pass their status explicitly).
func writeError(w http.ResponseWriter, status int, e *apperr.Error) {
	b, err := json.Marshal(errorBody{Error: e})
	if err != nil {
		// An *apperr.Error of strings always encodes; this is unreachable, but a body must go out.
		b = []byte(`{"error":{"code":"INTERNAL","message":"internal error"}}`)
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeAppError(w http.ResponseWriter, e *apperr.Error) {
	// Every 401 carries a challenge (RFC 9110 15.5.2), whoever decided it: the authorizer sets a
	// specific one first; a state machine's Unauthenticated gets the plain one here.
	if e.Code == apperr.Unauthenticated && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", oidc.WWWAuthenticate(nil))
	}
	// A limit's refusal says when its window closes (apperr.Error.RetryAfter).
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	writeError(w, e.Code.HTTPStatus(), e)
}

// stepFailure is the one form in which a failed execution reports our errors: the Cause is the
// Lambda error as JSON, errorType the state error name (VehicleData.<Code>) and errorMessage the
// JSON of the *apperr.Error. functions/internal/step produces it for every step; the state
// machines' Fail states write their Cause in the same form.
type stepFailure struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

// failureError turns a FAILED execution's error name and cause into the caller's error.
//
// Only a failure named with one of our state errors (VehicleData.*) was raised by an
// *apperr.Error, whose message is safe to show by construction, and only a cause in the one
// form (stepFailure) whose errorType and code agree with that name is shown. Everything else
// (States.*, Lambda runtime errors, causes in another shape or of another code) gets the generic
// message of its code: internal causes never reach the caller.
func failureError(name, cause string) *apperr.Error {
	code := apperr.FromStateError(name)
	if code == apperr.Internal || name != code.StateError() {
		return genericError(code)
	}
	var f stepFailure
	if json.Unmarshal([]byte(cause), &f) != nil || f.ErrorType != name {
		return genericError(code)
	}
	var e apperr.Error
	if json.Unmarshal([]byte(f.ErrorMessage), &e) != nil || e.Code != code || e.Message == "" {
		return genericError(code)
	}
	return completeInvalid(&e)
}

// completeInvalid keeps the contract's promise that a 400 names a field and a rule.
func completeInvalid(e *apperr.Error) *apperr.Error {
	if e.Code != apperr.Invalid {
		return e
	}
	if e.Field == "" {
		e.Field = "request"
	}
	if e.Rule == "" {
		e.Rule = "invalid"
	}
	return e
}

// keywordOrder ranks schema keywords by how directly they tell the caller what to fix: a value
// that is both too short and off-pattern is first of all too short.
var keywordOrder = []string{"required", "type", "minLength", "maxLength", "pattern", "format", "enum", "const", "minimum", "maximum"}

func keywordRank(k string) int {
	if i := slices.Index(keywordOrder, k); i >= 0 {
		return i
	}
	return len(keywordOrder)
}

// validationError turns an openapi3filter request validation failure into a 400 naming the field
// and the rule. The rule is the schema's x-rules name for the failing keyword when the contract
// gives one (so the gateway and the domain name a broken VIN rule alike), else the keyword.
// The message never echoes the value.
func validationError(err error) *apperr.Error {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return genericError(apperr.Invalid)
	}
	field, where := "body", "request body"
	var schema *openapi3.Schema
	switch {
	case re.Parameter != nil:
		field, where = re.Parameter.Name, re.Parameter.In+" parameter "+re.Parameter.Name
		if re.Parameter.Schema != nil {
			schema = re.Parameter.Schema.Value
		}
	case re.RequestBody != nil:
		if errors.Is(err, openapi3filter.ErrInvalidRequired) {
			return &apperr.Error{Code: apperr.Invalid, Field: "body", Rule: "required", Message: "a request body is required"}
		}
	}
	if errors.Is(err, openapi3filter.ErrInvalidRequired) {
		return &apperr.Error{Code: apperr.Invalid, Field: field, Rule: "required", Message: where + " is required"}
	}
	if errors.Is(err, openapi3filter.ErrInvalidEmptyValue) {
		return &apperr.Error{Code: apperr.Invalid, Field: field, Rule: "not-empty", Message: where + " must not be empty"}
	}
	best := mostDirectSchemaError(re.Err)
	if best == nil {
		return &apperr.Error{Code: apperr.Invalid, Field: field, Rule: "invalid", Message: where + " is invalid"}
	}
	// kin-openapi's 3.0 validator (see requestValidationSpec) reports a property that
	// additionalProperties: false forbids under the keyword "properties", the only error it raises
	// there; the 2020-12 validator names the keyword itself. The caller gets one name for one rule.
	if best.SchemaField == "properties" {
		best.SchemaField = "additionalProperties"
	}
	if re.RequestBody != nil {
		p := best.JSONPointer()
		// A missing property is reported at its parent object; the caller needs its own name.
		if ve, ok := errors.AsType[*jsonschema.ValidationError](best); ok && best.SchemaField == "required" {
			if req, ok := ve.ErrorKind.(*kind.Required); ok && len(req.Missing) > 0 {
				p = append(slices.Clone(p), req.Missing[0])
			}
		}
		if len(p) > 0 {
			field = "body." + strings.Join(p, ".")
		}
	}
	rule := best.SchemaField
	if schema != nil {
		if rules, ok := schema.Extensions["x-rules"].(map[string]any); ok {
			if r, ok := rules[best.SchemaField].(string); ok && r != "" {
				rule = r
			}
		}
	}
	return &apperr.Error{Code: apperr.Invalid, Field: field, Rule: rule, Message: keywordMessage(where, best)}
}

// mostDirectSchemaError is the schema error in err's tree whose keyword tells the caller most
// directly what to fix (keywordOrder), nil when there is none.
func mostDirectSchemaError(err error) *openapi3.SchemaError {
	var best *openapi3.SchemaError
	walkSchemaErrors(err, func(se *openapi3.SchemaError) {
		if se.SchemaField == "" {
			return
		}
		if best == nil || keywordRank(se.SchemaField) < keywordRank(best.SchemaField) {
			best = se
		}
	})
	return best
}

// keywordMessage explains a failed keyword from the schema, never from the value.
func keywordMessage(where string, se *openapi3.SchemaError) string {
	switch se.SchemaField {
	case "minLength", "maxLength":
		return where + " has the wrong length"
	case "pattern":
		return where + " contains characters that are not allowed"
	case "type":
		return where + " has the wrong type"
	case "enum", "const":
		return where + " is not one of the allowed values"
	case "required":
		return where + " misses a required property"
	default:
		return where + " breaks the rule " + se.SchemaField
	}
}

// walkSchemaErrors visits every SchemaError in err's tree: the JSON Schema 2020-12 validator
// reports a value breaking two keywords as a wrapper whose Origin is a MultiError of the two.
func walkSchemaErrors(err error, fn func(*openapi3.SchemaError)) {
	// A type switch, not errors.As: every node of the tree is wanted, not the first match.
	switch e := err.(type) { //nolint:errorlint // walks the wrapped tree itself
	case nil:
		return
	case *openapi3.SchemaError:
		fn(e)
		walkSchemaErrors(e.Origin, fn)
	case openapi3.MultiError:
		for _, c := range e {
			walkSchemaErrors(c, fn)
		}
	case interface{ Unwrap() []error }:
		for _, c := range e.Unwrap() {
			walkSchemaErrors(c, fn)
		}
	case interface{ Unwrap() error }:
		walkSchemaErrors(e.Unwrap(), fn)
	}
}

// Package contract reads the operations of api/openapi.yaml that API Gateway is built from: path,
// method, the state machine or platform integration serving it, whether it is secured, its
// response statuses and its request body schema (as the JSON Schema draft 4 API Gateway models
// use).
package contract

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Operation is one OpenAPI operation as API Gateway serves it.
type Operation struct {
	ID string
	// Path is the full path, the servers' base path included ("/api/vehicles/{vin}").
	Path   string
	Method string // upper case
	// Machine is x-state-machine; empty for the health integration.
	Machine string
	Health  bool
	// Secured: some security requirement names a scheme (a bearer token may be presented), so
	// the Lambda authorizer runs and tells the state machine who calls.
	Secured bool
	// Statuses are the documented response statuses, ascending; SuccessStatus the lowest 2xx.
	Statuses      []int
	SuccessStatus int
	PathParams    []string
	// Body is the request body schema (application/json), nil when there is none.
	Body         map[string]any
	BodyRequired bool
	// Feature is x-feature: the feature toggle (config/features/<env>.json) the operation belongs
	// to; empty when it is always on.
	Feature string
	// Headers are the declared header parameters (Idempotency-Key, If-Match), in declaration
	// order: the state machine reads them under $.headers.
	Headers []Header
	// Envelope is x-response-envelope: the machine's output is {headers, body}.
	Envelope bool
	// ResponseHeaders are the headers the success response declares, sorted.
	ResponseHeaders []string
}

// Header is a declared header parameter.
type Header struct {
	Name     string
	Required bool
}

// Enabled is the operations an environment deploys: those without x-feature and those whose
// toggle is on. A toggle the environment's file does not name is an error, so a misspelt
// x-feature fails the synth instead of quietly deploying or dropping a route.
func Enabled(ops []Operation, features map[string]bool) ([]Operation, error) {
	out := make([]Operation, 0, len(ops))
	for _, o := range ops {
		if o.Feature == "" {
			out = append(out, o)
			continue
		}
		on, ok := features[o.Feature]
		if !ok {
			return nil, fmt.Errorf("openapi %s %s: x-feature %q is no toggle of the environment's feature file", o.Method, o.Path, o.Feature)
		}
		if on {
			out = append(out, o)
		}
	}
	return out, nil
}

var paramRE = regexp.MustCompile(`\{([^}]+)\}`)

// Parse reads the operations, sorted by path then method.
func Parse(spec []byte) ([]Operation, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("load openapi: %w", err)
	}
	if len(doc.Servers) != 1 {
		return nil, errors.New("openapi: want exactly one server (its path is the API's base path)")
	}
	base := strings.TrimSuffix(doc.Servers[0].URL, "/")
	if !strings.HasPrefix(base, "/") {
		return nil, fmt.Errorf("openapi: the server URL %q must be a path on the site's origin", base)
	}
	var ops []Operation
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			o, err := parseOperation(doc, base, path, method, op)
			if err != nil {
				return nil, fmt.Errorf("openapi %s %s: %w", strings.ToUpper(method), path, err)
			}
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops, nil
}

// parseOperation reads one operation of path (relative to base).
func parseOperation(doc *openapi3.T, base, path, method string, op *openapi3.Operation) (Operation, error) {
	o := Operation{ID: op.OperationID, Path: base + path, Method: strings.ToUpper(method)}
	var err error
	if o.Feature, err = feature(op.Extensions); err != nil {
		return o, err
	}
	if o.Machine, o.Health, err = integration(op.Extensions); err != nil {
		return o, err
	}
	o.Envelope, _ = op.Extensions["x-response-envelope"].(bool)
	o.Secured = secured(doc, op)
	if o.Statuses, o.SuccessStatus, err = statuses(op); err != nil {
		return o, err
	}
	for _, m := range paramRE.FindAllStringSubmatch(path, -1) {
		o.PathParams = append(o.PathParams, m[1])
	}
	for _, p := range op.Parameters {
		if p != nil && p.Value != nil && p.Value.In == openapi3.ParameterInHeader {
			o.Headers = append(o.Headers, Header{Name: p.Value.Name, Required: p.Value.Required})
		}
	}
	if r := op.Responses.Status(o.SuccessStatus); r != nil && r.Value != nil {
		for name := range r.Value.Headers {
			o.ResponseHeaders = append(o.ResponseHeaders, name)
		}
		sort.Strings(o.ResponseHeaders)
	}
	if o.Body, o.BodyRequired, err = requestBody(op); err != nil {
		return o, err
	}
	return o, nil
}

// integration reads x-state-machine or x-integration: health, exactly one of which is set.
func integration(ext map[string]any) (machine string, health bool, err error) {
	machine, _ = ext["x-state-machine"].(string)
	kind, _ := ext["x-integration"].(string)
	switch {
	case machine != "" && kind == "":
		return machine, false, nil
	case machine == "" && kind == "health":
		return "", true, nil
	default:
		return "", false, errors.New("needs exactly one of x-state-machine or x-integration: health")
	}
}

// secured: some security requirement of the operation (or the document's default) names a scheme.
func secured(doc *openapi3.T, op *openapi3.Operation) bool {
	security := doc.Security
	if op.Security != nil {
		security = *op.Security
	}
	for _, req := range security {
		if len(req) > 0 {
			return true
		}
	}
	return false
}

// statuses are the documented response statuses, ascending, and the lowest 2xx among them.
func statuses(op *openapi3.Operation) ([]int, int, error) {
	var out []int
	for code := range op.Responses.Map() {
		n, err := strconv.Atoi(code)
		if err != nil {
			return nil, 0, fmt.Errorf("response %q: only numeric statuses are supported", code)
		}
		out = append(out, n)
	}
	sort.Ints(out)
	for _, st := range out {
		if st >= 200 && st < 300 {
			return out, st, nil
		}
	}
	return nil, 0, errors.New("no 2xx response")
}

// requestBody is the application/json request body schema as draft 4, nil without a body.
func requestBody(op *openapi3.Operation) (map[string]any, bool, error) {
	rb := op.RequestBody
	if rb == nil || rb.Value == nil {
		return nil, false, nil
	}
	mt := rb.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil, false, errors.New("a request body must be application/json")
	}
	body := draft4(mt.Schema)
	body["$schema"] = "http://json-schema.org/draft-04/schema#"
	return body, rb.Value.Required, nil
}

// feature reads x-feature: absent, or the name of a feature toggle.
func feature(ext map[string]any) (string, error) {
	f, ok := ext["x-feature"]
	if !ok {
		return "", nil
	}
	if name, _ := f.(string); name != "" {
		return name, nil
	}
	return "", errors.New("x-feature must name a feature toggle")
}

// draft4 renders a (resolved) schema as JSON Schema draft 4, the dialect of API Gateway models:
// the validation keywords only (x- extensions and documentation dropped, const as a one-value
// enum).
func draft4(ref *openapi3.SchemaRef) map[string]any {
	out := map[string]any{}
	if ref == nil || ref.Value == nil {
		return out
	}
	s := ref.Value
	if s.Type != nil {
		if ts := s.Type.Slice(); len(ts) == 1 {
			out["type"] = ts[0]
		} else if len(ts) > 1 {
			out["type"] = ts
		}
	}
	if len(s.Enum) > 0 {
		out["enum"] = s.Enum
	}
	if s.Const != nil {
		out["enum"] = []any{s.Const}
	}
	if s.Pattern != "" {
		out["pattern"] = s.Pattern
	}
	if s.MinLength > 0 {
		out["minLength"] = s.MinLength
	}
	if s.MaxLength != nil {
		out["maxLength"] = *s.MaxLength
	}
	if s.Min != nil {
		out["minimum"] = *s.Min
	}
	if s.Max != nil {
		out["maximum"] = *s.Max
	}
	if s.Items != nil {
		out["items"] = draft4(s.Items)
	}
	if len(s.Required) > 0 {
		out["required"] = s.Required
	}
	if len(s.Properties) > 0 {
		props := map[string]any{}
		for name, p := range s.Properties {
			props[name] = draft4(p)
		}
		out["properties"] = props
	}
	if s.AdditionalProperties.Has != nil {
		out["additionalProperties"] = *s.AdditionalProperties.Has
	} else if s.AdditionalProperties.Schema != nil {
		out["additionalProperties"] = draft4(s.AdditionalProperties.Schema)
	}
	for _, kw := range []struct {
		name string
		refs openapi3.SchemaRefs
	}{{"allOf", s.AllOf}, {"anyOf", s.AnyOf}, {"oneOf", s.OneOf}} {
		if len(kw.refs) > 0 {
			var xs []any
			for _, r := range kw.refs {
				xs = append(xs, draft4(r))
			}
			out[kw.name] = xs
		}
	}
	return out
}

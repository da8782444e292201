// Package gateway is the local API gateway: it serves api/openapi.yaml the way API Gateway serves
// it in AWS. It routes and validates each request against the contract (kin-openapi), runs the
// authorizer, builds the state machine input as the integration's mapping template does
// (template.go), starts the route's Express state machine synchronously through an Executor and
// maps the execution's outcome to the response: SUCCEEDED is 200 with the output as the body,
// FAILED is the status apperr assigns to the error name, TIMED_OUT is 504.
//
// The route list is the contract's (principle 1): an operation names the state machine that
// serves it with x-state-machine, or x-integration: health for the platform's health check.
//
// Every response carries X-Request-Id (the gateway's own id, like $context.requestId); every
// request is access-logged with method, route template, status, latency and request id, never
// the path itself, a query, a header value or a body, because those carry VINs and tokens.
package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/acme-oem/vehicle-data/api"
	"github.com/acme-oem/vehicle-data/internal/apigw"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/oidc"
)

// Execution statuses, as StartSyncExecution reports them.
const (
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
)

// Result is the outcome of a synchronous execution, as StartSyncExecution returns it.
type Result struct {
	Status string
	Output string // JSON text; SUCCEEDED only
	Error  string // the error name; FAILED only
	Cause  string // FAILED only; may hold internal details, so it is parsed, never passed on
}

// Executor starts a state machine synchronously. It is the gateway's boundary: the local engine
// in the local stack, a fake in this package's unit tests. An error means the execution could not
// run at all (unknown machine, the context ended); an execution that ran and failed is a Result
// with Status FAILED.
type Executor interface {
	StartSyncExecution(ctx context.Context, stateMachine string, input []byte) (Result, error)
}

// Authorizer verifies an Authorization header value (the Lambda authorizer's job in AWS). It is
// called only when the header is present; without one the caller is anonymous. An error matching
// oidc.ErrUnauthenticated is a 401; any other error means the authorizer itself failed (503).
type Authorizer interface {
	Authorize(ctx context.Context, authorizationHeader string) (oidc.Caller, error)
}

// AuthorizerFunc adapts a function to Authorizer.
type AuthorizerFunc func(ctx context.Context, authorizationHeader string) (oidc.Caller, error)

// Authorize calls f.
func (f AuthorizerFunc) Authorize(ctx context.Context, h string) (oidc.Caller, error) {
	return f(ctx, h)
}

// Check is one part's health.
type Check struct {
	Name   string `json:"name"`
	Status string `json:"status"` // up, unknown, degraded or down
	Error  string `json:"error,omitempty"`
	// Legacy systems only: what their client knows from the calls it made (a health probe never
	// calls a legacy system): the breaker state, the class and reason of the last finished call
	// and its age in seconds.
	Breaker     string   `json:"breaker,omitempty"`
	LastOutcome string   `json:"lastOutcome,omitempty"`
	LastReason  string   `json:"lastReason,omitempty"`
	AgeSeconds  *float64 `json:"ageSeconds,omitempty"`
	// Degrades marks a part whose failure degrades answers instead of failing them (a legacy
	// system: its report sections turn stale or unavailable). Such a part that is not up makes
	// the API degraded (still 200); any other part that is not up makes it down (503).
	Degrades bool `json:"-"`
}

// Health checks every part behind the API; the gateway answers x-integration: health with it.
type Health func(ctx context.Context) []Check

// Defaults.
const (
	DefaultMaxBodyBytes = 1 << 20
	// DefaultTimeout is API Gateway's integration timeout: the outermost time budget (principle 4).
	DefaultTimeout = 29 * time.Second
	// DefaultBodyTimeout is how long a request body may take to arrive. Our bodies are a few
	// hundred bytes; a client that announces more than it sends is stalling, not slow.
	DefaultBodyTimeout = 5 * time.Second
)

// Options configure a Gateway. Executor and Authorizer are required.
type Options struct {
	Executor   Executor
	Authorizer Authorizer
	// Health answers the health route; nil reports the gateway alone, up.
	Health Health
	// Spec is the OpenAPI document; default api.OpenAPI.
	Spec []byte
	// BasePath is where the API is mounted, e.g. "/api"; requests outside it are 404.
	BasePath string
	// MaxBodyBytes bounds request bodies; default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Timeout bounds each request; default DefaultTimeout.
	Timeout time.Duration
	// BodyTimeout bounds reading a request body once the gateway starts reading it; a body that
	// does not arrive in time is a 408. Default DefaultBodyTimeout.
	BodyTimeout time.Duration
	// Logger receives the access log and errors; default discards.
	Logger *slog.Logger
	// RequestContext, when set, derives the context a request is served under from its request
	// id (the stack puts the id on every log line of the request with it).
	RequestContext func(ctx context.Context, requestID string) context.Context
	// RouteMatched, when set, learns each request's route template ("GET /vehicles/{vin}") once
	// it is matched (the stack names the trace span and the route's metrics with it).
	RouteMatched func(ctx context.Context, route string)
	// NewRequestID mints request ids; default 16 random bytes in hex.
	NewRequestID func() string
	// Features are the product features switched on (config/features/<env>.json). An operation
	// carrying x-feature whose feature is not on here answers 404, as if the route did not exist.
	Features map[string]bool
}

// integration is what serves an operation.
type integration struct {
	stateMachine string // x-state-machine
	health       bool   // x-integration: health
	success      int    // the operation's declared 2xx status (201 for a create), 200 if none
	feature      string // x-feature: the product feature the route belongs to, "" for always on
	// headers are the operation's declared header parameters: the input carries them under
	// "headers" by their declared names ("" when absent), as the mapping template does.
	headers []string
	// envelope (x-response-envelope: true): the output is {headers, body}; the declared response
	// headers are taken from it and body is the response body (none for 204).
	envelope        bool
	responseHeaders []string
}

// Gateway is an http.Handler serving the contract.
type Gateway struct {
	opts         Options
	router       routers.Router
	integrations map[*openapi3.Operation]integration
	log          *slog.Logger
	requestSpec  *openapi3.T // see requestValidationSpec
}

// New loads and validates the contract and checks that every operation says what serves it.
func New(ctx context.Context, opts Options) (*Gateway, error) {
	if opts.Executor == nil || opts.Authorizer == nil {
		return nil, errors.New("gateway: Executor and Authorizer are required")
	}
	if opts.Spec == nil {
		opts.Spec = api.OpenAPI
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.BodyTimeout <= 0 {
		opts.BodyTimeout = DefaultBodyTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.NewRequestID == nil {
		opts.NewRequestID = randomID
	}
	opts.BasePath = strings.TrimSuffix(opts.BasePath, "/")

	doc, err := LoadSpec(ctx, opts.Spec)
	if err != nil {
		return nil, err
	}
	integrations := map[*openapi3.Operation]integration{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			in, err := operationIntegration(op)
			if err != nil {
				return nil, fmt.Errorf("gateway: %s %s: %w", method, path, err)
			}
			integrations[op] = in
		}
	}
	// The base path is stripped before routing: the contract's server URL (/api) is where the
	// site finds the API, not part of the route templates.
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("gateway: build router: %w", err)
	}
	return &Gateway{opts: opts, router: router, integrations: integrations, log: opts.Logger,
		requestSpec: requestValidationSpec(doc)}, nil
}

// requestValidationSpec is the document requests are validated against. For an OpenAPI 3.1
// document kin-openapi compiles a JSON Schema 2020-12 validator on every request (it has no
// cache), which costs more than the rest of the gateway together. When every request-side schema
// (parameters and request bodies) uses only keywords that mean the same in 3.0, the 3.0 validator
// gives the same verdict without compiling anything, so requests are validated against the
// document labelled 3.0; otherwise the 3.1 validator stays. Responses are not affected.
func requestValidationSpec(doc *openapi3.T) *openapi3.T {
	if !doc.IsOpenAPI31OrLater() || !requestSchemasAre30(doc) {
		return doc
	}
	view := *doc
	view.OpenAPI = "3.0.3"
	return &view
}

// requestSchemasAre30 reports whether no request-side schema uses a keyword whose meaning is
// specific to JSON Schema 2020-12 (OpenAPI 3.1).
func requestSchemasAre30(doc *openapi3.T) bool {
	var refs []*openapi3.SchemaRef
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			refs = append(refs, requestSchemas(append(item.Parameters, op.Parameters...), op.RequestBody)...)
		}
	}
	errOnly31 := errors.New("uses a 3.1-only keyword")
	for _, ref := range refs {
		err := ref.WalkSubtree(func(_ string, r *openapi3.SchemaRef) error {
			if r.Value != nil && only31(r.Value) {
				return errOnly31
			}
			return nil
		})
		if err != nil {
			return false
		}
	}
	return true
}

// requestSchemas are the schemas of an operation's parameters and request body.
func requestSchemas(params openapi3.Parameters, body *openapi3.RequestBodyRef) []*openapi3.SchemaRef {
	var refs []*openapi3.SchemaRef
	for _, p := range params {
		if p != nil && p.Value != nil && p.Value.Schema != nil {
			refs = append(refs, p.Value.Schema)
		}
	}
	if body != nil && body.Value != nil {
		for _, mt := range body.Value.Content {
			if mt.Schema != nil {
				refs = append(refs, mt.Schema)
			}
		}
	}
	return refs
}

// only31 lists the schema features the 3.0 validator would read differently or ignore.
func only31(s *openapi3.Schema) bool {
	return (s.Type != nil && (s.Type.IsMultiple() || s.Type.IncludesNull())) ||
		s.Const != nil || s.ExclusiveMin.Value != nil || s.ExclusiveMax.Value != nil ||
		len(s.PrefixItems) != 0 || s.Contains != nil || len(s.PatternProperties) != 0 ||
		len(s.DependentSchemas) != 0 || s.PropertyNames != nil ||
		s.UnevaluatedItems.Has != nil || s.UnevaluatedItems.Schema != nil ||
		s.UnevaluatedProperties.Has != nil || s.UnevaluatedProperties.Schema != nil ||
		s.If != nil || s.Then != nil || s.Else != nil ||
		len(s.DependentRequired) != 0 || len(s.Defs) != 0 || s.ContentSchema != nil
}

// StateMachines lists the state machines the contract's routes name, sorted: the ones that must be
// loaded for the API to work.
func (g *Gateway) StateMachines() []string {
	seen := map[string]bool{}
	var out []string
	for _, in := range g.integrations {
		if in.stateMachine != "" && !seen[in.stateMachine] {
			seen[in.stateMachine] = true
			out = append(out, in.stateMachine)
		}
	}
	slices.Sort(out)
	return out
}

// LoadSpec parses and validates an OpenAPI document.
func LoadSpec(ctx context.Context, spec []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.Context = ctx
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("gateway: load OpenAPI document: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("gateway: invalid OpenAPI document: %w", err)
	}
	return doc, nil
}

func operationIntegration(op *openapi3.Operation) (integration, error) {
	sm, _ := op.Extensions["x-state-machine"].(string)
	kind, _ := op.Extensions["x-integration"].(string)
	switch {
	case sm != "" && kind == "":
		in := integration{stateMachine: sm, success: successStatus(op)}
		in.feature, _ = op.Extensions["x-feature"].(string)
		in.envelope, _ = op.Extensions["x-response-envelope"].(bool)
		for _, p := range op.Parameters {
			if p != nil && p.Value != nil && p.Value.In == openapi3.ParameterInHeader {
				in.headers = append(in.headers, p.Value.Name)
			}
		}
		if r := op.Responses.Status(in.success); r != nil && r.Value != nil {
			for name := range r.Value.Headers {
				in.responseHeaders = append(in.responseHeaders, name)
			}
			slices.Sort(in.responseHeaders)
		}
		return in, nil
	case sm == "" && kind == "health":
		return integration{health: true}, nil
	default:
		return integration{}, errors.New("needs exactly one of x-state-machine or x-integration: health")
	}
}

// successStatus is the lowest 2xx status the contract declares for op: the contract, not the
// state machine, decides that a create answers 201.
func successStatus(op *openapi3.Operation) int {
	best := http.StatusOK
	found := false
	if op.Responses != nil {
		for code := range op.Responses.Map() {
			n, err := strconv.Atoi(code)
			if err != nil || n < 200 || n > 299 {
				continue
			}
			if !found || n < best {
				best, found = n, true
			}
		}
	}
	return best
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// recorder remembers the status and size for the access log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

// Unwrap lets http.ResponseController reach the connection (read deadlines).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// ServeHTTP is the whole request pipeline: request id, access log, panic recovery, routing,
// body limit, authorizer, validation, integration.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := g.opts.NewRequestID()
	w.Header().Set("X-Request-Id", reqID)
	// Every body is JSON; browsers must not guess otherwise.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	rec := &recorder{ResponseWriter: w}
	route := "-" // the route template; "-" until matched, so the log never holds a raw path
	var info requestInfo

	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
				panic(p)
			}
			// The panic value and stack go to the log (they are our code's, not the client's
			// data); the client gets the generic 500.
			g.log.Error("panic serving request", "requestId", reqID, "route", route,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if rec.status == 0 {
				writeAppError(rec, genericError(apperr.Internal))
			}
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		attrs := []slog.Attr{}
		if g.opts.RequestContext == nil {
			// Otherwise the request context carries the id and the logger adds it.
			attrs = append(attrs, slog.String("requestId", reqID))
		}
		outcome := "ok"
		switch {
		case status >= 500:
			outcome = "server_error"
		case status >= 400:
			outcome = "client_error"
		}
		g.log.LogAttrs(r.Context(), slog.LevelInfo, "access", append(attrs, slog.String("method", r.Method), slog.String("route", route),
			slog.String("stateMachine", info.stateMachine), slog.Int("status", status), slog.String("outcome", outcome),
			slog.Float64("latencyMs", float64(time.Since(start).Microseconds())/1000), slog.Int64("bytes", rec.bytes))...)
	}()

	if g.opts.RequestContext != nil {
		r = r.WithContext(g.opts.RequestContext(r.Context(), reqID))
	}
	g.serve(rec, r, reqID, &route, &info)
}

// requestInfo is what the access log learns while the request is served.
type requestInfo struct{ stateMachine string }

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request, reqID string, routeName *string, info *requestInfo) {
	// Like API Gateway, a client that hangs up does not cancel the execution it started: the
	// state machine runs to its end (writing the cache for the next caller), bounded by the
	// integration timeout only.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), g.opts.Timeout)
	defer cancel()

	rr, ok := g.stripBase(r.WithContext(ctx))
	if !ok {
		writeAppError(w, unknownRoute())
		return
	}
	// HEAD is GET without the body (RFC 9110 9.3.2): routed, authorized and executed as GET;
	// net/http drops the body of a response to HEAD.
	if rr.Method == http.MethodHead {
		rr.Method = http.MethodGet
	}
	if rr.ContentLength > g.opts.MaxBodyBytes {
		writeError(w, http.StatusRequestEntityTooLarge, bodyTooLarge(g.opts.MaxBodyBytes))
		return
	}
	rr.Body = http.MaxBytesReader(w, rr.Body, g.opts.MaxBodyBytes)

	route, rawParams, err := g.router.FindRoute(rr)
	switch {
	case errors.Is(err, routers.ErrMethodNotAllowed):
		w.Header().Set("Allow", strings.Join(g.allowed(rr), ", "))
		writeError(w, http.StatusMethodNotAllowed, &apperr.Error{Code: apperr.Invalid, Field: "method",
			Rule: "method-not-allowed", Message: "this method is not allowed on this route; the Allow header lists the allowed ones"})
		return
	case err != nil:
		writeAppError(w, unknownRoute())
		return
	}
	*routeName = route.Path
	in := g.integrations[route.Operation]
	if in.feature != "" && !g.opts.Features[in.feature] {
		writeAppError(w, unknownRoute())
		return
	}
	info.stateMachine = in.stateMachine
	if g.opts.RouteMatched != nil {
		g.opts.RouteMatched(r.Context(), route.Method+" "+route.Path)
	}

	params, e := decodePathParams(rawParams)
	if e != nil {
		writeAppError(w, e)
		return
	}

	// The authorizer runs before validation, as in API Gateway: a bad token is a 401 whatever
	// else is wrong with the request.
	caller, ok := g.authorize(w, rr)
	if !ok {
		return
	}

	if e, accepted := checkMediaType(route.Operation, rr.Header.Get("Content-Type")); e != nil {
		w.Header().Set("Accept-Post", accepted)
		writeError(w, http.StatusUnsupportedMediaType, e)
		return
	}

	// The body is read here, not by the validator, because the state machine input carries it.
	var body []byte
	if route.Operation.RequestBody != nil && rr.Body != nil {
		// The connection's read deadline bounds the body: a client that announces 100 bytes and
		// sends 12 gets a 408 instead of holding the connection until the integration timeout.
		// (Servers without deadlines, such as a test recorder, read without one.)
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(g.opts.BodyTimeout))
		if body, err = io.ReadAll(rr.Body); err != nil {
			if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
				writeError(w, http.StatusRequestEntityTooLarge, bodyTooLarge(g.opts.MaxBodyBytes))
				return
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				// The connection cannot carry another request: its body is half read.
				w.Header().Set("Connection", "close")
				writeError(w, http.StatusRequestTimeout, &apperr.Error{Code: apperr.Invalid, Field: "body", Rule: "read-timeout",
					Message: fmt.Sprintf("the request body did not arrive within %s; send the whole body at once, with a Content-Length that matches it", g.opts.BodyTimeout)})
				return
			}
			writeAppError(w, &apperr.Error{Code: apperr.Invalid, Field: "body", Rule: "readable",
				Message: "the request body could not be read"})
			return
		}
		rr.Body = io.NopCloser(bytes.NewReader(body))
	}

	validationRoute := *route
	validationRoute.Spec = g.requestSpec
	err = openapi3filter.ValidateRequest(ctx, &openapi3filter.RequestValidationInput{
		Request:    rr,
		PathParams: params,
		Route:      &validationRoute,
		Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	})
	if err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			writeError(w, http.StatusRequestEntityTooLarge, bodyTooLarge(g.opts.MaxBodyBytes))
			return
		}
		writeAppError(w, validationError(err))
		return
	}

	if len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
		// Only reachable if the contract admits a non-JSON media type: still the client's fault.
		writeAppError(w, &apperr.Error{Code: apperr.Invalid, Field: "body", Rule: "json", Message: "the request body must be JSON"})
		return
	}
	if in.health {
		g.serveHealth(ctx, w)
		return
	}
	var headers map[string]string
	if len(in.headers) > 0 {
		headers = make(map[string]string, len(in.headers))
		for _, name := range in.headers {
			headers[name] = rr.Header.Get(name)
		}
	}
	g.execute(ctx, w, in, apigw.Request{Params: params, Query: declaredQuery(route.Operation, rr.URL.Query()), Headers: headers, Body: body, Caller: caller}, reqID)
}

// declaredQuery is the query parameters the operation declares, as sent (first value each):
// only these reach the state machine, already validated against the contract.
func declaredQuery(op *openapi3.Operation, q url.Values) map[string]string {
	out := map[string]string{}
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInQuery && q.Has(p.Value.Name) {
			out[p.Value.Name] = q.Get(p.Value.Name)
		}
	}
	return out
}

// decodePathParams percent-decodes the route's path parameters.
func decodePathParams(raw map[string]string) (map[string]string, *apperr.Error) {
	params := make(map[string]string, len(raw))
	for name, v := range raw {
		dv, err := url.PathUnescape(v)
		if err != nil {
			return nil, &apperr.Error{Code: apperr.Invalid, Field: name, Rule: "encoding",
				Message: "path parameter " + name + " is not validly percent-encoded"}
		}
		params[name] = dv
	}
	return params, nil
}

func unknownRoute() *apperr.Error {
	return &apperr.Error{Code: apperr.NotFound, Field: "path", Rule: "route",
		Message: "no route matches this path; see the OpenAPI contract"}
}

func bodyTooLarge(limit int64) *apperr.Error {
	return &apperr.Error{Code: apperr.Invalid, Field: "body", Rule: "max-bytes",
		Message: fmt.Sprintf("the request body exceeds %d bytes", limit)}
}

// stripBase returns r with BasePath removed from its path, or false when r is outside it.
func (g *Gateway) stripBase(r *http.Request) (*http.Request, bool) {
	if g.opts.BasePath == "" {
		return r, true
	}
	p := strings.TrimPrefix(r.URL.Path, g.opts.BasePath)
	if len(p) == len(r.URL.Path) || !strings.HasPrefix(p, "/") {
		return nil, false
	}
	rr := new(http.Request)
	*rr = *r
	u := *r.URL
	u.Path = p
	u.RawPath = strings.TrimPrefix(r.URL.RawPath, g.opts.BasePath)
	rr.URL = &u
	return rr, true
}

// allowed lists the methods the matched path serves, for the 405's Allow header.
func (g *Gateway) allowed(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, _, err := g.router.FindRoute(probe); err == nil {
			out = append(out, m)
			if m == http.MethodGet {
				out = append(out, http.MethodHead) // served as GET
			}
		}
	}
	return out
}

func (g *Gateway) authorize(w http.ResponseWriter, r *http.Request) (oidc.Caller, bool) {
	values := r.Header.Values("Authorization")
	switch len(values) {
	case 0:
		return oidc.Anonymous(), true
	case 1:
	default:
		writeAppError(w, &apperr.Error{Code: apperr.Unauthenticated, Message: "send exactly one Authorization header"})
		return oidc.Caller{}, false
	}
	caller, err := g.opts.Authorizer.Authorize(r.Context(), values[0])
	if err == nil {
		if !caller.Role.Valid() {
			g.log.Error("authorizer returned an invalid role", "requestId", w.Header().Get("X-Request-Id"))
			writeAppError(w, genericError(apperr.Internal))
			return oidc.Caller{}, false
		}
		return caller, true
	}
	if !errors.Is(err, oidc.ErrUnauthenticated) {
		g.log.Error("authorizer failed", "requestId", w.Header().Get("X-Request-Id"), "err", err)
		writeAppError(w, genericError(apperr.Unavailable))
		return oidc.Caller{}, false
	}
	msg := genericMessages[apperr.Unauthenticated]
	if ae, ok := errors.AsType[*oidc.Error](err); ok && ae.Reason != "" {
		msg = ae.Reason // a fixed string, safe to show (internal/oidc)
	}
	w.Header().Set("WWW-Authenticate", oidc.WWWAuthenticate(err))
	writeAppError(w, &apperr.Error{Code: apperr.Unauthenticated, Message: msg})
	return oidc.Caller{}, false
}

func (g *Gateway) serveHealth(ctx context.Context, w http.ResponseWriter) {
	checks := []Check{{Name: "gateway", Status: "up"}}
	if g.opts.Health != nil {
		checks = append(checks, g.opts.Health(ctx)...)
	}
	body := struct {
		Status   string  `json:"status"`
		Degraded bool    `json:"degraded"`
		Checks   []Check `json:"checks"`
	}{Status: "up", Checks: checks}
	status := http.StatusOK
	for _, c := range checks {
		switch {
		case c.Status == "up" || (c.Degrades && c.Status == "unknown"):
		case c.Degrades:
			body.Degraded = true
			if body.Status == "up" {
				body.Status = "degraded"
			}
		default:
			body.Degraded = true
			body.Status, status = "down", http.StatusServiceUnavailable
		}
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeAppError(w, genericError(apperr.Internal))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	setRetryAfter(w.Header(), status)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (g *Gateway) execute(ctx context.Context, w http.ResponseWriter, in integration, req apigw.Request, reqID string) {
	stateMachine := in.stateMachine
	input, err := apigw.BuildInput(req, reqID)
	if err != nil {
		g.log.Error("build state machine input", "requestId", reqID, "err", err)
		writeAppError(w, genericError(apperr.Internal))
		return
	}
	res, err := g.opts.Executor.StartSyncExecution(ctx, stateMachine, input)
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
			writeAppError(w, genericError(apperr.Timeout))
			return
		}
		// The error text may carry the input (and so a VIN): log only that it failed and where.
		g.log.Error("start execution failed", "requestId", reqID, "stateMachine", stateMachine,
			"errType", fmt.Sprintf("%T", err))
		writeAppError(w, genericError(apperr.Internal))
		return
	}
	switch res.Status {
	case StatusSucceeded:
		if !json.Valid([]byte(res.Output)) {
			g.log.Error("execution output is not JSON", "requestId", reqID, "stateMachine", stateMachine)
			writeAppError(w, genericError(apperr.Internal))
			return
		}
		out := []byte(res.Output)
		if in.envelope {
			if out, err = unwrapEnvelope(w.Header(), in, out); err != nil {
				g.log.Error("execution output is not an envelope", "requestId", reqID, "stateMachine", stateMachine)
				writeAppError(w, genericError(apperr.Internal))
				return
			}
		}
		// Reports may hold personal data: no shared cache may keep them.
		w.Header().Set("Cache-Control", "private, no-store")
		if in.success == http.StatusNoContent {
			w.WriteHeader(in.success)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(in.success)
		_, _ = w.Write(out)
	case StatusFailed:
		e := failureError(res.Error, res.Cause)
		if e.Code == apperr.Internal {
			// Error names are ours or AWS's (States.*): safe to log; the cause is not logged as it
			// may hold execution data.
			g.log.Error("execution failed", "requestId", reqID, "stateMachine", stateMachine, "error", res.Error)
		}
		writeAppError(w, e)
	case StatusTimedOut:
		writeAppError(w, genericError(apperr.Timeout))
	default:
		g.log.Error("unknown execution status", "requestId", reqID, "stateMachine", stateMachine, "status", res.Status)
		writeAppError(w, genericError(apperr.Internal))
	}
}

// envelope is the output of an x-response-envelope operation's state machine.
type envelope struct {
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// unwrapEnvelope sets the operation's declared response headers from the envelope (only those:
// a state machine cannot set any other header) and returns the body. API Gateway does the same
// in the integration response template (apigw.ResponseEnvelopeTemplate).
func unwrapEnvelope(h http.Header, in integration, out []byte) ([]byte, error) {
	var env envelope
	if err := json.Unmarshal(out, &env); err != nil {
		return nil, fmt.Errorf("decode envelope: %w", err)
	}
	for _, name := range in.responseHeaders {
		if v := env.Headers[name]; v != "" && !strings.ContainsAny(v, "\r\n") {
			h.Set(name, v)
		}
	}
	if len(env.Body) == 0 || string(env.Body) == "null" {
		if in.success != http.StatusNoContent {
			return nil, errors.New("envelope without a body")
		}
		return nil, nil
	}
	return env.Body, nil
}

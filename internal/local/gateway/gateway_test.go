package gateway_test

// The Executor is the gateway's boundary with the state machines, so these unit tests use a fake
// one; requests travel over real HTTP (httptest on loopback), and every response the contract
// defines is validated against api/openapi.yaml. The local stack's tests run the same gateway
// against the real engine.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/acme-oem/vehicle-data/api"
	"github.com/acme-oem/vehicle-data/internal/local/gateway"
	"github.com/acme-oem/vehicle-data/internal/oidc"
)

const (
	demoVIN   = "WVWZZZCD3MW100001"
	goodToken = "Bearer good-token-canary"
	subject   = "subject-canary-42"
)

type call struct {
	stateMachine string
	input        map[string]any
}

type fakeExecutor struct {
	mu     sync.Mutex
	calls  []call
	result gateway.Result
	err    error
	panics bool
	hangs  bool // wait for the context to end, like an execution outliving its budget
}

func (f *fakeExecutor) StartSyncExecution(ctx context.Context, sm string, input []byte) (gateway.Result, error) {
	if f.panics {
		panic("executor exploded")
	}
	if f.hangs {
		<-ctx.Done()
		return gateway.Result{}, fmt.Errorf("execution: %w", ctx.Err())
	}
	var in map[string]any
	if err := json.Unmarshal(input, &in); err != nil {
		return gateway.Result{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{sm, in})
	return f.result, f.err
}

func (f *fakeExecutor) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// fakeAuthorizer accepts goodToken as a consumer and rejects everything else the way internal/oidc
// does; "Bearer broken-authorizer" simulates the authorizer itself failing.
var fakeAuthorizer = gateway.AuthorizerFunc(func(_ context.Context, h string) (oidc.Caller, error) {
	switch h {
	case goodToken:
		return oidc.Caller{Subject: subject, Role: oidc.RoleConsumer}, nil
	case "Bearer broken-authorizer":
		return oidc.Caller{}, errors.New("jwks endpoint unreachable")
	}
	return oidc.Caller{}, &oidc.Error{Reason: oidc.ReasonSignature}
})

type env struct {
	t    *testing.T
	srv  *httptest.Server
	exec *fakeExecutor
	logs *bytes.Buffer
}

func newEnv(t *testing.T, mutate func(*gateway.Options)) *env {
	t.Helper()
	return startEnv(t, t, mutate)
}

func newBenchEnv(b *testing.B) *env {
	b.Helper()
	return startEnv(b, nil, func(o *gateway.Options) { o.Logger = nil })
}

func startEnv(tb testing.TB, t *testing.T, mutate func(*gateway.Options)) *env {
	tb.Helper()
	exec := &fakeExecutor{result: gateway.Result{Status: gateway.StatusSucceeded, Output: reportJSON}}
	logs := &bytes.Buffer{}
	opts := gateway.Options{
		Executor:   exec,
		Authorizer: fakeAuthorizer,
		BasePath:   "/api",
		Logger:     slog.New(slog.NewJSONHandler(&lockedWriter{w: logs}, nil)),
	}
	if mutate != nil {
		mutate(&opts)
	}
	gw, err := gateway.New(tb.Context(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	tb.Cleanup(srv.Close)
	return &env{t: t, srv: srv, exec: exec, logs: logs}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) do(method, path string, header map[string]string, body io.Reader) response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, b}
}

type errBody struct {
	Error struct {
		Code, Message, Field, Rule string
	}
}

func decodeErr(t *testing.T, r response) errBody {
	t.Helper()
	var b errBody
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	if r.header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
	}
	return b
}

// checkContract validates a response to method path (without /api) against the contract: status
// declared, headers, body schema.
func checkContract(t *testing.T, method, path string, r response) {
	t.Helper()
	if err := contractErr(t, method, path, r); err != nil {
		t.Errorf("response %d %s breaks the contract: %v", r.status, r.body, err)
	}
}

func contractErr(t *testing.T, method, path string, r response) error {
	t.Helper()
	doc, err := gateway.LoadSpec(t.Context(), api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequestWithContext(t.Context(), method, path, nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("no route for %s %s: %v", method, path, err)
	}
	return openapi3filter.ValidateResponse(t.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 r.status,
		Header:                 r.header,
		Body:                   io.NopCloser(bytes.NewReader(r.body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	})
}

// TestContractCheckBites proves the contract check used above rejects what it should, so a
// passing check means something.
func TestContractCheckBites(t *testing.T) {
	h := http.Header{"Content-Type": {"application/json"}}
	for name, r := range map[string]response{
		"unknown freshness": {200, h, []byte(strings.Replace(reportJSON, `"stale"`, `"bogus"`, 1))},
		"missing access":    {200, h, []byte(strings.Replace(reportJSON, `"access":"public",`, ``, 1))},
		"400 without rule":  {400, h, []byte(`{"error":{"code":"INVALID","message":"m","field":"vin"}}`)},
		"404 with 400 code": {404, h, []byte(`{"error":{"code":"INVALID","message":"m"}}`)},
		"undeclared status": {418, h, []byte(`{"error":{"code":"INTERNAL","message":"m"}}`)},
	} {
		if contractErr(t, "GET", "/vehicles/"+demoVIN, r) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

const reportJSON = `{"vin":"WVWZZZCD3MW100001","make":"Volkswagen","modelYear":2006,"access":"public",
"build":{"source":"vehicle-master","fetchedAt":"2026-11-22T07:00:00Z","freshness":"fresh","data":{"make":"Volkswagen","model":"Golf","modelYear":2006,"equipment":null}},
"serviceHistory":{"source":"workshop","freshness":"unavailable"},
"recalls":{"source":"recalls","fetchedAt":"2026-11-20T07:00:00Z","freshness":"stale","data":{"openCount":1,"campaigns":[{"id":"R1","status":"open"}]}}}`

func TestContractLoadsAsOpenAPI31(t *testing.T) {
	doc, err := gateway.LoadSpec(t.Context(), api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("contract is OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	op := doc.Paths.Value("/vehicles/{vin}").Get
	if op == nil || op.Extensions["x-state-machine"] != "vehicle-report" {
		t.Fatalf("GET /vehicles/{vin} must name its state machine")
	}
	for _, status := range []string{"200", "400", "401", "403", "404", "409", "429", "500", "503", "504"} {
		if op.Responses.Value(status) == nil {
			t.Errorf("GET /vehicles/{vin} has no typed %s response", status)
		}
	}
}

func TestStateMachinesAreTheContracts(t *testing.T) {
	gw, err := gateway.New(t.Context(), gateway.Options{Executor: &fakeExecutor{}, Authorizer: fakeAuthorizer})
	if err != nil {
		t.Fatal(err)
	}
	got := gw.StateMachines()
	if !slices.IsSorted(got) {
		t.Errorf("StateMachines() = %v, not sorted", got)
	}
	for _, want := range []string{"ownership-verification", "vehicle-report",
		"listing-offers", "offers", "listings", "listing-page", "listing-edit", "listing-withdraw", "listing-refresh", "my-listings", "similar-listings"} {
		if !slices.Contains(got, want) {
			t.Errorf("StateMachines() = %v, missing %s", got, want)
		}
	}
}

// The contract decides the success status: a create declares 201, a read 200.
func TestSuccessStatusComesFromTheContract(t *testing.T) {
	e := newEnv(t, nil)
	e.exec.result = gateway.Result{Status: gateway.StatusSucceeded,
		Output: `{"challengeId":"0123456789abcdef0123456789abcdef","method":"owner-code","expiresAt":"2026-01-01T00:10:00.000Z"}`}
	r := e.do("POST", "/api/vehicles/"+demoVIN+"/ownership-challenges",
		map[string]string{"Authorization": goodToken, "Content-Type": "application/json"},
		strings.NewReader(`{"method":"owner-code"}`))
	if r.status != http.StatusCreated {
		t.Fatalf("create challenge: status %d, want 201: %s", r.status, r.body)
	}
	calls := e.exec.Calls()
	if len(calls) != 1 || calls[0].stateMachine != "ownership-verification" {
		t.Fatalf("calls = %+v", calls)
	}
	if body, _ := calls[0].input["body"].(map[string]any); body["method"] != "owner-code" {
		t.Errorf("the body is not in the execution input: %v", calls[0].input)
	}
	e.exec.result = gateway.Result{Status: gateway.StatusSucceeded, Output: `{"access":"owner","grantExpiresAt":"2026-04-01T00:00:00.000Z"}`}
	r = e.do("POST", "/api/vehicles/"+demoVIN+"/ownership-challenges/0123456789abcdef0123456789abcdef/verify",
		map[string]string{"Authorization": goodToken, "Content-Type": "application/json"},
		strings.NewReader(`{"code":"123456"}`))
	if r.status != http.StatusOK {
		t.Fatalf("verify: status %d, want 200: %s", r.status, r.body)
	}
	r = e.do("POST", "/api/vehicles/"+demoVIN+"/ownership-challenges",
		map[string]string{"Authorization": goodToken, "Content-Type": "application/json"},
		strings.NewReader(`{"method":"carrier-pigeon"}`))
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"field":"body.method"`) {
		t.Errorf("bad method: status %d: %s", r.status, r.body)
	}
}

func TestAnonymousReportIsTheExecutionOutput(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do("GET", "/api/vehicles/"+demoVIN, nil, nil)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if string(r.body) != reportJSON {
		t.Errorf("body is not the output verbatim: %s", r.body)
	}
	if got := r.header.Get("Cache-Control"); !strings.Contains(got, "no-store") {
		t.Errorf("Cache-Control %q: reports must not be cached by shared caches", got)
	}
	checkContract(t, "GET", "/vehicles/"+demoVIN, r)

	calls := e.exec.Calls()
	if len(calls) != 1 || calls[0].stateMachine != "vehicle-report" {
		t.Fatalf("calls %+v", calls)
	}
	want := map[string]any{
		"vin":       demoVIN,
		"caller":    map[string]any{"sub": "", "role": "anonymous"},
		"requestId": r.header.Get("X-Request-Id"),
	}
	if got, _ := json.Marshal(calls[0].input); string(got) != mustJSON(t, want) {
		t.Errorf("input %s, want %s", got, mustJSON(t, want))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLowerCaseVINPassesTheGatewayAsTyped(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do("GET", "/api/vehicles/"+strings.ToLower(demoVIN), nil, nil)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	// Upper-casing is the domain's job (vehicle.ParseVIN), in AWS and locally alike.
	if got := e.exec.Calls()[0].input["vin"]; got != strings.ToLower(demoVIN) {
		t.Errorf("vin %v", got)
	}
}

func TestBearerCallerReachesTheStateMachine(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do("GET", "/api/vehicles/"+demoVIN, map[string]string{"Authorization": goodToken}, nil)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	caller := e.exec.Calls()[0].input["caller"].(map[string]any)
	if caller["sub"] != subject || caller["role"] != "consumer" {
		t.Errorf("caller %v", caller)
	}
}

func TestRejectedTokenIs401WithChallenge(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do("GET", "/api/vehicles/"+demoVIN, map[string]string{"Authorization": "Bearer forged"}, nil)
	if r.status != 401 {
		t.Fatalf("status %d", r.status)
	}
	if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, `Bearer realm="vehicle-data"`) || !strings.Contains(got, "invalid_token") {
		t.Errorf("WWW-Authenticate %q", got)
	}
	b := decodeErr(t, r)
	if b.Error.Code != "UNAUTHENTICATED" || b.Error.Message != oidc.ReasonSignature {
		t.Errorf("body %s", r.body)
	}
	checkContract(t, "GET", "/vehicles/"+demoVIN, r)
	if len(e.exec.Calls()) != 0 {
		t.Error("a rejected caller must not reach the state machine")
	}
}

func TestAuthorizerOutageIs503(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do("GET", "/api/vehicles/"+demoVIN, map[string]string{"Authorization": "Bearer broken-authorizer"}, nil)
	if r.status != 503 || decodeErr(t, r).Error.Code != "UNAVAILABLE" {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if bytes.Contains(r.body, []byte("jwks")) {
		t.Errorf("internal cause leaked: %s", r.body)
	}
}

func TestInvalidVINIs400NamingFieldAndRule(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct{ name, vin, rule string }{
		{"too short", "WVWZZZCD3MW10000", "length"},
		{"too long", "WVWZZZCD3MW1000011", "length"},
		{"letter I", "WVWZZZCD3MW10000I", "alphabet"},
		{"letter O", "OVWZZZ1KZ6W000001", "alphabet"},
		{"punctuation", "WVWZZZCD3MW10000-", "alphabet"},
		{"encoded space", "WVWZZZCD3MW10000%20", "alphabet"},
		{"encoded slash", "WVWZZZCD3MW10000%2F", "alphabet"},
		{"encoded unicode of 17 runes", strings.Repeat("%C3%A4", 17), "alphabet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", "/api/vehicles/"+tc.vin, nil, nil)
			if r.status != 400 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			b := decodeErr(t, r)
			if b.Error.Code != "INVALID" || b.Error.Field != "vin" || b.Error.Rule != tc.rule {
				t.Errorf("got %s, want field vin rule %s", r.body, tc.rule)
			}
			if strings.Contains(b.Error.Message, tc.vin) {
				t.Errorf("message echoes the input: %s", b.Error.Message)
			}
			checkContract(t, "GET", "/vehicles/"+demoVIN, r)
		})
	}
	if n := len(e.exec.Calls()); n != 0 {
		t.Errorf("%d invalid requests reached the state machine", n)
	}
}

func TestExecutionOutcomesMapThroughApperr(t *testing.T) {
	stepCause := func(errorType, msg string) string {
		b, _ := json.Marshal(map[string]string{"errorMessage": msg, "errorType": errorType})
		return string(b)
	}
	apperrCause := func(msg string) string { return stepCause("VehicleData.Invalid", msg) }
	for _, tc := range []struct {
		name       string
		result     gateway.Result
		execErr    error
		status     int
		code, msg  string
		field      string
		rule       string
		mustNotSay string
	}{
		{name: "invalid with apperr JSON in errorMessage",
			result: gateway.Result{Status: "FAILED", Error: "VehicleData.Invalid",
				Cause: apperrCause(`{"code":"INVALID","message":"the check digit (character 9) does not match the other characters","field":"vin","rule":"check-digit"}`)},
			status: 400, code: "INVALID", msg: "the check digit (character 9) does not match the other characters", field: "vin", rule: "check-digit"},
		// One form only: the other shapes a cause once took are not ours and read as generic.
		{name: "invalid with Error() text in errorMessage is generic",
			result: gateway.Result{Status: "FAILED", Error: "VehicleData.Invalid",
				Cause: apperrCause("INVALID: character 10 is not a model-year code (field vin)")},
			status: 400, code: "INVALID", msg: "the request is invalid", field: "request", rule: "invalid"},
		{name: "a bare apperr JSON cause is generic",
			result: gateway.Result{Status: "FAILED", Error: "VehicleData.NotFound",
				Cause: `{"code":"NOT_FOUND","message":"no vehicle with this VIN"}`},
			status: 404, code: "NOT_FOUND", msg: "not found"},
		{name: "not found from a Fail state cause in the step form",
			result: gateway.Result{Status: "FAILED", Error: "VehicleData.NotFound",
				Cause: stepCause("VehicleData.NotFound", `{"code":"NOT_FOUND","message":"no vehicle with this VIN"}`)},
			status: 404, code: "NOT_FOUND", msg: "no vehicle with this VIN"},
		{name: "an errorType that is not the error name is generic",
			result: gateway.Result{Status: "FAILED", Error: "VehicleData.Forbidden",
				Cause: stepCause("VehicleData.NotFound", `{"code":"FORBIDDEN","message":"owner only"}`)},
			status: 403, code: "FORBIDDEN", msg: "this request is not allowed"},
		{name: "forbidden", result: gateway.Result{Status: "FAILED", Error: "VehicleData.Forbidden",
			Cause: stepCause("VehicleData.Forbidden", `{"code":"FORBIDDEN","message":"owner only"}`)},
			status: 403, code: "FORBIDDEN", msg: "owner only"},
		{name: "conflict", result: gateway.Result{Status: "FAILED", Error: "VehicleData.Conflict"},
			status: 409, code: "CONFLICT", msg: "the resource's state does not allow this request"},
		{name: "throttled", result: gateway.Result{Status: "FAILED", Error: "VehicleData.TooManyRequests"},
			status: 429, code: "TOO_MANY_REQUESTS"},
		{name: "unauthenticated", result: gateway.Result{Status: "FAILED", Error: "VehicleData.Unauthenticated"},
			status: 401, code: "UNAUTHENTICATED"},
		{name: "unavailable with a cause of another code is generic",
			result: gateway.Result{Status: "FAILED", Error: "VehicleData.Unavailable",
				Cause: `{"errorMessage":"NOT_FOUND: dial tcp 10.0.0.7:8443 refused","errorType":"VehicleData.Unavailable"}`},
			status: 503, code: "UNAVAILABLE", msg: "a dependency is unavailable; retry later", mustNotSay: "10.0.0.7"},
		{name: "task failure never leaks its cause",
			result: gateway.Result{Status: "FAILED", Error: "States.TaskFailed",
				Cause: `{"errorMessage":"INTERNAL: secret-canary WVWZZZCD3MW100001","errorType":"*errors.errorString"}`},
			status: 500, code: "INTERNAL", msg: "internal error", mustNotSay: "secret-canary"},
		{name: "lambda runtime error", result: gateway.Result{Status: "FAILED", Error: "Runtime.ExitError", Cause: "panic: secret-canary"},
			status: 500, code: "INTERNAL", mustNotSay: "secret-canary"},
		{name: "internal even when shaped like ours", result: gateway.Result{Status: "FAILED", Error: "VehicleData.Internal",
			Cause: `{"code":"INTERNAL","message":"secret-canary"}`},
			status: 500, code: "INTERNAL", msg: "internal error", mustNotSay: "secret-canary"},
		{name: "task timeout", result: gateway.Result{Status: "FAILED", Error: "States.Timeout"}, status: 504, code: "TIMEOUT"},
		{name: "execution timed out", result: gateway.Result{Status: "TIMED_OUT"}, status: 504, code: "TIMEOUT"},
		{name: "output not JSON", result: gateway.Result{Status: "SUCCEEDED", Output: "{oops"}, status: 500, code: "INTERNAL"},
		{name: "unknown status", result: gateway.Result{Status: "ABORTED"}, status: 500, code: "INTERNAL"},
		{name: "executor error", execErr: errors.New("state machine does not exist: secret-canary"),
			status: 500, code: "INTERNAL", mustNotSay: "secret-canary"},
		{name: "executor deadline", execErr: context.DeadlineExceeded, status: 500, code: "INTERNAL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.exec.result, e.exec.err = tc.result, tc.execErr
			r := e.do("GET", "/api/vehicles/"+demoVIN, nil, nil)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			b := decodeErr(t, r)
			if b.Error.Code != tc.code || (tc.msg != "" && b.Error.Message != tc.msg) ||
				(tc.field != "" && b.Error.Field != tc.field) || (tc.rule != "" && b.Error.Rule != tc.rule) {
				t.Errorf("body %s", r.body)
			}
			if tc.mustNotSay != "" && bytes.Contains(r.body, []byte(tc.mustNotSay)) {
				t.Errorf("internal cause leaked: %s", r.body)
			}
			checkContract(t, "GET", "/vehicles/"+demoVIN, r)
		})
	}
}

func TestIntegrationTimeoutIs504(t *testing.T) {
	// The deadline is the gateway's (API Gateway's 29 s, shortened): the outcome does not depend
	// on how fast the machine is, only on the deadline firing.
	e := newEnv(t, func(o *gateway.Options) { o.Timeout = time.Millisecond })
	e.exec.hangs = true
	r := e.do("GET", "/api/vehicles/"+demoVIN, nil, nil)
	if r.status != 504 || decodeErr(t, r).Error.Code != "TIMEOUT" {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	checkContract(t, "GET", "/vehicles/"+demoVIN, r)
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	e := newEnv(t, nil)
	for _, path := range []string{"/api/nope", "/api/vehicles/", "/api/vehicles/" + demoVIN + "/extra", "/vehicles/" + demoVIN, "/apivehicles/" + demoVIN, "/"} {
		r := e.do("GET", path, nil, nil)
		if r.status != 404 {
			t.Errorf("GET %s: status %d", path, r.status)
			continue
		}
		if b := decodeErr(t, r); b.Error.Code != "NOT_FOUND" || b.Error.Field != "path" || b.Error.Rule != "route" {
			t.Errorf("GET %s: %s", path, r.body)
		}
	}
	r := e.do("DELETE", "/api/vehicles/"+demoVIN, nil, nil)
	if r.status != 405 {
		t.Fatalf("DELETE: status %d", r.status)
	}
	if got := r.header.Get("Allow"); got != "GET, HEAD" {
		t.Errorf("Allow %q", got)
	}
	if b := decodeErr(t, r); b.Error.Field != "method" || b.Error.Rule != "method-not-allowed" {
		t.Errorf("405 body %s", r.body)
	}
	if len(e.exec.Calls()) != 0 {
		t.Error("unrouted requests reached the state machine")
	}
}

func TestOversizedBodyIsRejectedBeforeAnythingElse(t *testing.T) {
	e := newEnv(t, func(o *gateway.Options) { o.MaxBodyBytes = 1024 })
	r := e.do("GET", "/api/vehicles/"+demoVIN, nil, bytes.NewReader(make([]byte, 4096)))
	if r.status != 413 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if b := decodeErr(t, r); b.Error.Field != "body" || b.Error.Rule != "max-bytes" {
		t.Errorf("body %s", r.body)
	}
	if len(e.exec.Calls()) != 0 {
		t.Error("oversized request reached the state machine")
	}
}

func TestPanicIsAGeneric500AndTheServerLivesOn(t *testing.T) {
	e := newEnv(t, nil)
	e.exec.panics = true
	r := e.do("GET", "/api/vehicles/"+demoVIN, nil, nil)
	if r.status != 500 {
		t.Fatalf("status %d", r.status)
	}
	b := decodeErr(t, r)
	if b.Error.Code != "INTERNAL" || b.Error.Message != "internal error" || bytes.Contains(r.body, []byte("exploded")) {
		t.Errorf("body %s", r.body)
	}
	checkContract(t, "GET", "/vehicles/"+demoVIN, r)
	if !strings.Contains(e.logs.String(), "executor exploded") {
		t.Error("the panic is not in the log")
	}
	e.exec.panics = false
	if r := e.do("GET", "/api/vehicles/"+demoVIN, nil, nil); r.status != 200 {
		t.Errorf("after a panic: status %d", r.status)
	}
}

func TestAccessLogCarriesRouteTemplateNotPersonalData(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do("GET", "/api/vehicles/"+demoVIN+"?owner=name-canary", map[string]string{"Authorization": goodToken}, nil)
	e.do("GET", "/api/vehicles/"+demoVIN, map[string]string{"Authorization": "Bearer forged-canary"}, nil)
	e.do("GET", "/api/vehicles/WVWZZZCD3MW10000I", nil, nil)
	e.do("GET", "/api/no-route-canary", nil, nil)
	logs := e.logs.String()
	for _, canary := range []string{demoVIN, "W00000I", "good-token-canary", "forged-canary", subject, "name-canary", "no-route-canary"} {
		if strings.Contains(logs, canary) {
			t.Errorf("log carries %q:\n%s", canary, logs)
		}
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(strings.SplitN(logs, "\n", 2)[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first["route"] != "/vehicles/{vin}" || first["method"] != "GET" || first["status"] != float64(200) ||
		first["requestId"] != r.header.Get("X-Request-Id") || first["latencyMs"] == nil {
		t.Errorf("access log line %v", first)
	}
}

func TestEveryResponseHasItsOwnRequestID(t *testing.T) {
	e := newEnv(t, nil)
	seen := map[string]bool{}
	for _, p := range []string{"/api/vehicles/" + demoVIN, "/api/nope", "/api/vehicles/short", "/api/healthz"} {
		id := e.do("GET", p, map[string]string{"X-Request-Id": "client-chosen"}, nil).header.Get("X-Request-Id")
		if id == "" || id == "client-chosen" || seen[id] {
			t.Errorf("%s: request id %q", p, id)
		}
		seen[id] = true
	}
}

func TestHealthReportsEveryPart(t *testing.T) {
	down := true
	var mu sync.Mutex
	e := newEnv(t, func(o *gateway.Options) {
		o.Health = func(context.Context) []gateway.Check {
			mu.Lock()
			defer mu.Unlock()
			if down {
				return []gateway.Check{{Name: "dynalite", Status: "up"}, {Name: "engine", Status: "down", Error: "not loaded"}}
			}
			return []gateway.Check{{Name: "dynalite", Status: "up"}, {Name: "engine", Status: "up"}}
		}
	})
	r := e.do("GET", "/api/healthz", nil, nil)
	if r.status != 503 || !bytes.Contains(r.body, []byte(`"status":"down"`)) {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	checkContract(t, "GET", "/healthz", r)
	mu.Lock()
	down = false
	mu.Unlock()
	r = e.do("GET", "/api/healthz", nil, nil)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	checkContract(t, "GET", "/healthz", r)
}

// A part whose failure only degrades answers (a legacy system) makes the API degraded, still 200
// so that no load balancer takes it out of service; one it cannot answer without makes it down.
func TestHealthDegradedIsNotDown(t *testing.T) {
	age := 1.5
	e := newEnv(t, func(o *gateway.Options) {
		o.Health = func(context.Context) []gateway.Check {
			return []gateway.Check{{Name: "dynalite", Status: "up"},
				{Name: "legacy-registry", Status: "down", Degrades: true, Breaker: "open", LastOutcome: "unavailable", LastReason: "breaker_open", AgeSeconds: &age},
				{Name: "legacy-recalls", Status: "unknown", Degrades: true, Breaker: "closed", LastOutcome: "none"}}
		}
	})
	r := e.do("GET", "/api/healthz", nil, nil)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"status":"degraded","degraded":true`)) ||
		!bytes.Contains(r.body, []byte(`"breaker":"open","lastOutcome":"unavailable","lastReason":"breaker_open","ageSeconds":1.5`)) {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	checkContract(t, "GET", "/healthz", r)
}

func TestNewRejectsAnOperationWithoutIntegration(t *testing.T) {
	spec := bytes.Replace(api.OpenAPI, []byte("x-state-machine: vehicle-report"), []byte("x-other: 1"), 1)
	_, err := gateway.New(t.Context(), gateway.Options{Executor: &fakeExecutor{}, Authorizer: fakeAuthorizer, Spec: spec})
	if err == nil || !strings.Contains(err.Error(), "/vehicles/{vin}") {
		t.Fatalf("err %v", err)
	}
}

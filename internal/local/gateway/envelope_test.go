package gateway_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/local/gateway"
)

// thingsSpec is a contract with one toggled feature, declared request headers and an envelope.
const thingsSpec = `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /things:
    post:
      operationId: createThing
      x-state-machine: things
      x-feature: listings
      x-response-envelope: true
      parameters:
        - {name: Idempotency-Key, in: header, required: true, schema: {type: string, minLength: 8}}
        - {name: If-Match, in: header, required: false, schema: {type: string}}
      requestBody:
        required: true
        content: {application/json: {schema: {type: object}}}
      responses:
        '201':
          description: made
          headers:
            ETag: {schema: {type: string}}
            Location: {schema: {type: string}}
          content: {application/json: {schema: {type: object}}}
    delete:
      operationId: dropThing
      x-state-machine: things
      x-feature: dealer
      x-response-envelope: true
      responses:
        '204': {description: gone}
  /plain:
    get:
      operationId: plain
      x-state-machine: plain
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
`

func thingsEnv(t *testing.T, features map[string]bool) *env {
	return newEnv(t, func(o *gateway.Options) { o.Spec = []byte(thingsSpec); o.Features = features })
}

type reply struct {
	StatusCode int
	Header     http.Header
}

func do(t *testing.T, e *env, method, path string, headers map[string]string, body string) (reply, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header}, string(b)
}

func TestFeatureToggleHidesRoutes(t *testing.T) {
	off := thingsEnv(t, map[string]bool{"listings": false, "dealer": true})
	resp, body := do(t, off, http.MethodPost, "/api/things", map[string]string{"Idempotency-Key": "k-12345678"}, `{}`)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `"NOT_FOUND"`) {
		t.Fatalf("feature off: %d %s", resp.StatusCode, body)
	}
	if len(off.exec.Calls()) != 0 {
		t.Fatal("a switched-off route started its state machine")
	}
	// A route without x-feature is always on, even with no features at all.
	none := thingsEnv(t, nil)
	none.exec.result = gateway.Result{Status: gateway.StatusSucceeded, Output: `{}`}
	if resp, _ := do(t, none, http.MethodGet, "/api/plain", nil, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("untoggled route: %d", resp.StatusCode)
	}
	if resp, _ := do(t, none, http.MethodDelete, "/api/things", nil, ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("feature missing from the file: %d, want 404", resp.StatusCode)
	}
}

func TestDeclaredHeadersInAndEnvelopeOut(t *testing.T) {
	on := thingsEnv(t, map[string]bool{"listings": true, "dealer": true})
	on.exec.result = gateway.Result{Status: gateway.StatusSucceeded,
		Output: `{"headers":{"ETag":"\"v1\"","Location":"/api/things/1","Set-Cookie":"evil=1"},"body":{"id":"1"}}`}
	resp, body := do(t, on, http.MethodPost, "/api/things",
		map[string]string{"Idempotency-Key": "k-12345678", "X-Other": "not passed"}, `{"a":1}`)
	if resp.StatusCode != http.StatusCreated || body != `{"id":"1"}` {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("ETag") != `"v1"` || resp.Header.Get("Location") != "/api/things/1" {
		t.Fatalf("declared headers not set: %v", resp.Header)
	}
	if resp.Header.Get("Set-Cookie") != "" {
		t.Fatal("a state machine set an undeclared header")
	}
	in := on.exec.Calls()[0].input
	h, _ := in["headers"].(map[string]any)
	if h["Idempotency-Key"] != "k-12345678" || h["If-Match"] != "" || len(h) != 2 {
		t.Fatalf("input headers = %v, want the declared ones only, absent as \"\"", in["headers"])
	}

	resp, body = do(t, on, http.MethodPost, "/api/things", nil, `{"a":1}`)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Idempotency-Key") {
		t.Fatalf("missing required header: %d %s", resp.StatusCode, body)
	}

	on.exec.result = gateway.Result{Status: gateway.StatusSucceeded, Output: `{"headers":{},"body":null}`}
	resp, body = do(t, on, http.MethodDelete, "/api/things", nil, "")
	if resp.StatusCode != http.StatusNoContent || body != "" {
		t.Fatalf("delete: %d %q", resp.StatusCode, body)
	}
	// Operations without declared headers get no headers key (their input is as before).
	plain := thingsEnv(t, nil)
	plain.exec.result = gateway.Result{Status: gateway.StatusSucceeded, Output: `{}`}
	do(t, plain, http.MethodGet, "/api/plain", map[string]string{"Idempotency-Key": "k-12345678"}, "")
	if _, ok := plain.exec.Calls()[0].input["headers"]; ok {
		t.Fatal("headers passed to an operation that declares none")
	}
	// A broken envelope is our bug: 500, not the raw output.
	on.exec.result = gateway.Result{Status: gateway.StatusSucceeded, Output: `{"headers":{}}`}
	if resp, _ := do(t, on, http.MethodPost, "/api/things", map[string]string{"Idempotency-Key": "k-12345678"}, `{}`); resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("envelope without body: %d", resp.StatusCode)
	}
}

package gateway_test

import (
	"io"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/local/gateway"
)

// bodySpec is a contract with a write route, to test what the vehicle route cannot: bodies.
const bodySpec = `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /things/{id}:
    post:
      x-state-machine: things
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, pattern: '^[a-z]+$'}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              additionalProperties: false
              properties:
                name: {type: string, minLength: 1, maxLength: 20}
      responses:
        '200': {description: ok}
`

func TestBodyReachesTheStateMachineValidated(t *testing.T) {
	e := newEnv(t, func(o *gateway.Options) { o.Spec = []byte(bodySpec); o.MaxBodyBytes = 256 })
	json := map[string]string{"Content-Type": "application/json"}

	r := e.do("POST", "/api/things/abc", json, strings.NewReader(`{"name":"Golf"}`))
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	calls := e.exec.Calls()
	if len(calls) != 1 || calls[0].stateMachine != "things" || calls[0].input["id"] != "abc" {
		t.Fatalf("calls %+v", calls)
	}
	if body, _ := calls[0].input["body"].(map[string]any); body["name"] != "Golf" {
		t.Errorf("body in input: %v", calls[0].input["body"])
	}

	for _, tc := range []struct {
		name, body, field, rule string
		status                  int
	}{
		{"empty name", `{"name":""}`, "body.name", "minLength", 400},
		{"missing name", `{}`, "body.name", "required", 400},
		{"unknown property", `{"name":"a","vin":"x"}`, "body", "additionalProperties", 400},
		{"not JSON", `{"name":`, "body", "", 400},
		{"no body", ``, "body", "required", 400},
		{"too large, unannounced", `{"name":"` + strings.Repeat("a", 400) + `"}`, "body", "max-bytes", 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// io.MultiReader hides the length, so the limit is met while reading, not up front.
			r := e.do("POST", "/api/things/abc", json, io.MultiReader(strings.NewReader(tc.body)))
			if r.status != tc.status {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			b := decodeErr(t, r)
			if b.Error.Field != tc.field || b.Error.Rule == "" || (tc.rule != "" && b.Error.Rule != tc.rule) {
				t.Errorf("got %s, want field %s rule %s", r.body, tc.field, tc.rule)
			}
		})
	}
	if n := len(e.exec.Calls()); n != 1 {
		t.Errorf("%d calls; rejected bodies must not reach the state machine", n)
	}
}

package contract

import (
	"strings"
	"testing"
)

const spec = `openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: /api}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    Req:
      type: object
      additionalProperties: false
      required: [code]
      properties:
        code: {type: string, minLength: 6, pattern: '^[0-9]+$', x-rules: {pattern: alphabet}}
        kind: {const: a}
paths:
  /things/{id}:
    get:
      operationId: getThing
      x-state-machine: things
      security: [{}, {bearer: []}]
      responses: {'200': {description: ok}, '404': {description: no}}
    post:
      operationId: makeThing
      x-state-machine: things
      x-feature: dealer
      x-response-envelope: true
      security: [{bearer: []}]
      parameters:
        - {name: Idempotency-Key, in: header, required: true, schema: {type: string}}
        - {name: If-Match, in: header, schema: {type: string}}
        - {name: q, in: query, schema: {type: string}}
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/Req'}}}
      responses:
        '201': {description: ok, headers: {Location: {schema: {type: string}}, ETag: {schema: {type: string}}}}
        '400': {description: bad, headers: {X-Bad: {schema: {type: string}}}}
  /healthz:
    get:
      operationId: health
      x-integration: health
      security: [{}]
      responses: {'200': {description: ok}}
`

func TestParse(t *testing.T) {
	ops, err := Parse([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 3 {
		t.Fatalf("ops %v", ops)
	}
	h, get, post := ops[0], ops[1], ops[2]
	if h.Path != "/api/healthz" || !h.Health || h.Secured || h.Machine != "" {
		t.Errorf("health %+v", h)
	}
	if get.Path != "/api/things/{id}" || get.Method != "GET" || get.Machine != "things" || !get.Secured ||
		get.SuccessStatus != 200 || len(get.PathParams) != 1 || get.PathParams[0] != "id" || get.Body != nil {
		t.Errorf("get %+v", get)
	}
	if get.Feature != "" || post.Feature != "dealer" {
		t.Errorf("x-feature: get %q, post %q", get.Feature, post.Feature)
	}
	if post.SuccessStatus != 201 || !post.BodyRequired || post.Body == nil {
		t.Fatalf("post %+v", post)
	}
	if len(post.Headers) != 2 || post.Headers[0] != (Header{Name: "Idempotency-Key", Required: true}) ||
		post.Headers[1] != (Header{Name: "If-Match"}) || !post.Envelope || strings.Join(post.ResponseHeaders, ",") != "ETag,Location" {
		t.Errorf("post headers %+v, envelope %v, response headers %v", post.Headers, post.Envelope, post.ResponseHeaders)
	}
	if get.Headers != nil || get.Envelope || get.ResponseHeaders != nil {
		t.Errorf("get headers %+v, envelope %v, response headers %v", get.Headers, get.Envelope, get.ResponseHeaders)
	}
	body := post.Body
	props := body["properties"].(map[string]any)
	code := props["code"].(map[string]any)
	if body["additionalProperties"] != false || body["type"] != "object" || code["pattern"] != "^[0-9]+$" ||
		code["minLength"] != uint64(6) || code["x-rules"] != nil {
		t.Errorf("body schema %v", body)
	}
	if kind := props["kind"].(map[string]any); len(kind["enum"].([]any)) != 1 {
		t.Errorf("const: %v", kind)
	}
}

func TestParseRefusesWhatAPIGatewayCannotServe(t *testing.T) {
	for name, c := range map[string]struct{ from, to, want string }{
		"no integration": {"      x-integration: health\n", "", "x-state-machine or x-integration"},
		"both":           {"      x-integration: health\n", "      x-integration: health\n      x-state-machine: things\n", "exactly one"},
		"no 2xx":         {"'201': {description: ok, headers: {Location: {schema: {type: string}}, ETag: {schema: {type: string}}}}\n", "", "no 2xx"},
		"absolute":       {"url: /api", "url: https://example.com", "path on the site's origin"},
	} {
		bad := strings.Replace(spec, c.from, c.to, 1)
		if _, err := Parse([]byte(bad)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// An operation whose toggle is off is not deployed; one without x-feature always is; a toggle the
// environment does not know fails.
func TestEnabledFollowsTheToggles(t *testing.T) {
	ops, err := Parse([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ops []Operation) string {
		var s []string
		for _, o := range ops {
			s = append(s, o.ID)
		}
		return strings.Join(s, ",")
	}
	on, err := Enabled(ops, map[string]bool{"dealer": true, "listings": false})
	if err != nil || ids(on) != "health,getThing,makeThing" {
		t.Errorf("dealer on: %s, %v", ids(on), err)
	}
	off, err := Enabled(ops, map[string]bool{"dealer": false, "listings": true})
	if err != nil || ids(off) != "health,getThing" {
		t.Errorf("dealer off: %s, %v", ids(off), err)
	}
	if _, err := Enabled(ops, map[string]bool{"listings": true}); err == nil || !strings.Contains(err.Error(), `"dealer"`) {
		t.Errorf("unknown toggle: %v", err)
	}
	if _, err := Parse([]byte(strings.Replace(spec, "x-feature: dealer", "x-feature: ''", 1))); err == nil {
		t.Error("empty x-feature accepted")
	}
}

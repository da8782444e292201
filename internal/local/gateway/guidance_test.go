package gateway_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/local/gateway"
)

// Errors say what to do. These run against the real contract (api/openapi.yaml).

const challengePath = "/api/vehicles/" + demoVIN + "/ownership-challenges"

var verifyPath = "/api/vehicles/" + demoVIN + "/ownership-challenges/" + strings.Repeat("ab", 16) + "/verify"

func TestWrongOrMissingContentTypeIs415NamingTheType(t *testing.T) {
	e := newEnv(t, nil)
	for name, ct := range map[string]string{"missing": "", "text/plain": "text/plain", "form": "application/x-www-form-urlencoded",
		"json lookalike": "application/jsonp"} {
		h := map[string]string{"Authorization": goodToken}
		if ct != "" {
			h["Content-Type"] = ct
		}
		r := e.do("POST", challengePath, h, strings.NewReader(`{"method":"owner-code"}`))
		if r.status != http.StatusUnsupportedMediaType {
			t.Errorf("%s: status %d, want 415: %s", name, r.status, r.body)
			continue
		}
		b := decodeErr(t, r)
		if b.Error.Field != "Content-Type" || !strings.Contains(b.Error.Message, "application/json") {
			t.Errorf("%s: %+v, want field Content-Type and the expected type named", name, b.Error)
		}
		if got := r.header.Get("Accept-Post"); got != "application/json" {
			t.Errorf("%s: Accept-Post %q", name, got)
		}
		checkContract(t, "POST", strings.TrimPrefix(challengePath, "/api"), r)
	}
	// Parameters of the JSON type are fine.
	r := e.do("POST", challengePath, map[string]string{"Authorization": goodToken, "Content-Type": "application/json; charset=utf-8"},
		strings.NewReader(`{"method":"owner-code"}`))
	if r.status != 201 {
		t.Errorf("application/json; charset=utf-8: status %d: %s", r.status, r.body)
	}
	if len(e.exec.Calls()) != 1 {
		t.Errorf("%d executions, want only the well-typed one", len(e.exec.Calls()))
	}
}

func TestBodyErrorsListAllowedValuesAndUseTheContractsRuleNames(t *testing.T) {
	e := newEnv(t, nil)
	json := map[string]string{"Authorization": goodToken, "Content-Type": "application/json"}
	r := e.do("POST", challengePath, json, strings.NewReader(`{"method":"sms"}`))
	b := decodeErr(t, r)
	if r.status != 400 || b.Error.Field != "body.method" || b.Error.Rule != "enum" ||
		!strings.Contains(b.Error.Message, "owner-code") || !strings.Contains(b.Error.Message, "document-code") {
		t.Errorf("enum: %d %+v, want the allowed values listed", r.status, b.Error)
	}
	if strings.Contains(b.Error.Message, "sms") {
		t.Errorf("enum message echoes the value: %q", b.Error.Message)
	}
	for body, rule := range map[string]string{`{"code":"12"}`: "length", `{"code":"12345678901234567890123456789012345678901"}`: "length", `{"code":"12-456"}`: "alphabet"} {
		r := e.do("POST", verifyPath, json, strings.NewReader(body))
		if b := decodeErr(t, r); r.status != 400 || b.Error.Field != "body.code" || b.Error.Rule != rule {
			t.Errorf("%s: %d %+v, want rule %s as the contract names it", body, r.status, b.Error, rule)
		}
	}
}

func TestEvery429And503CarriesRetryAfter(t *testing.T) {
	for name, res := range map[string]gateway.Result{
		"429 from the state machine": {Status: gateway.StatusFailed, Error: "VehicleData.TooManyRequests", Cause: `{"code":"TOO_MANY_REQUESTS","message":"locked"}`},
		"503 from the state machine": {Status: gateway.StatusFailed, Error: "VehicleData.Unavailable", Cause: `{"code":"UNAVAILABLE","message":"down"}`},
	} {
		e := newEnv(t, nil)
		e.exec.result = res
		r := e.do("GET", "/api/vehicles/"+demoVIN, nil, nil)
		if r.header.Get("Retry-After") == "" {
			t.Errorf("%s: %d without Retry-After", name, r.status)
		}
	}
	e := newEnv(t, nil)
	r := e.do("GET", "/api/vehicles/"+demoVIN, map[string]string{"Authorization": "Bearer broken-authorizer"}, nil)
	if r.status != 503 || r.header.Get("Retry-After") == "" {
		t.Errorf("authorizer down: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	e = newEnv(t, func(o *gateway.Options) {
		o.Health = func(context.Context) []gateway.Check { return []gateway.Check{{Name: "dynalite", Status: "down"}} }
	})
	r = e.do("GET", "/api/healthz", nil, nil)
	if r.status != 503 || r.header.Get("Retry-After") == "" {
		t.Errorf("health down: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
}

func TestHeadWorksWhereGetDoes(t *testing.T) {
	e := newEnv(t, nil)
	for _, path := range []string{"/api/vehicles/" + demoVIN, "/api/healthz"} {
		get := e.do("GET", path, nil, nil)
		head := e.do("HEAD", path, nil, nil)
		if head.status != get.status || len(head.body) != 0 || head.header.Get("Content-Type") != get.header.Get("Content-Type") {
			t.Errorf("HEAD %s: %d, %d bytes, %q; GET: %d, %q", path, head.status, len(head.body),
				head.header.Get("Content-Type"), get.status, get.header.Get("Content-Type"))
		}
	}
	// HEAD of an invalid VIN fails like GET.
	if r := e.do("HEAD", "/api/vehicles/short", nil, nil); r.status != 400 {
		t.Errorf("HEAD invalid VIN: %d", r.status)
	}
}

func TestMethodTheRouteLacksIs405WithAllow(t *testing.T) {
	e := newEnv(t, nil)
	for path, allow := range map[string]string{"/api/healthz": "GET, HEAD", challengePath: "POST", "/api/vehicles/" + demoVIN: "GET, HEAD"} {
		r := e.do("PUT", path, map[string]string{"Content-Type": "application/json"}, strings.NewReader(`{}`))
		if r.status != 405 || r.header.Get("Allow") != allow {
			t.Errorf("PUT %s: %d, Allow %q, want 405 and %q", path, r.status, r.header.Get("Allow"), allow)
		}
	}
}

package gateway_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/local/gateway"
)

// A limit's refusal (apperr.Error.RetryAfter in the step's error) reaches the caller as the
// Retry-After header, as the ownership routes' contract requires; the body keeps the contract.
func TestLimitRefusalCarriesRetryAfter(t *testing.T) {
	e := newEnv(t, nil)
	msg, _ := json.Marshal(map[string]any{"code": "TOO_MANY_REQUESTS", "message": "too many attempts; try again later", "retryAfter": 900})
	cause, _ := json.Marshal(map[string]string{"errorMessage": string(msg), "errorType": "VehicleData.TooManyRequests"})
	e.exec.result = gateway.Result{Status: "FAILED", Error: "VehicleData.TooManyRequests", Cause: string(cause)}
	path := "/vehicles/" + demoVIN + "/ownership-challenges/0123456789abcdef0123456789abcdef/verify"
	r := e.do("POST", "/api"+path, map[string]string{"Authorization": goodToken, "Content-Type": "application/json"},
		strings.NewReader(`{"code":"123456"}`))
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "900" {
		t.Fatalf("status %d, Retry-After %q: %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	checkContract(t, "POST", path, r)
}

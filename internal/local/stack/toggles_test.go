package stack_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/acme-oem/vehicle-data/api"
	"github.com/acme-oem/vehicle-data/internal/local/gateway"
	"github.com/acme-oem/vehicle-data/internal/local/stack"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
)

// TestSwitchedOffFeaturesHideTheirRoutes starts the stack with every feature off: each operation
// of the contract that carries x-feature answers 404 (even to a signed-in consumer), and the
// routes without one still work.
func TestSwitchedOffFeaturesHideTheirRoutes(t *testing.T) {
	st, err := stack.Start(t.Context(), stack.Config{Sim: sim.Options{NoLatency: true}, Features: map[string]bool{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	doc, err := gateway.LoadSpec(t.Context(), api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := st.Issuer.AccessToken("alice")
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	toggled := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if _, ok := op.Extensions["x-feature"]; !ok {
				continue
			}
			toggled++
			u := st.APIURL + param.ReplaceAllString(path, "WVWZZZCD3MW100001")
			req, err := http.NewRequestWithContext(t.Context(), method, u, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = res.Body.Close()
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s with its feature off: %d, want 404", method, path, res.StatusCode)
			}
		}
	}
	if toggled < 6 {
		t.Errorf("%d toggled operations in the contract, want at least the six listing routes", toggled)
	}
	if status, _, body := call(t, http.MethodGet, st.APIURL+"/vehicles/WVWZZZCD3MW100001", "", nil); status != http.StatusOK {
		t.Errorf("an untoggled route with every feature off: %d %s", status, body)
	}
}

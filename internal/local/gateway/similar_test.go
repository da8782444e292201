package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/local/gateway"
	"github.com/acme-oem/vehicle-data/internal/oidc"
)

const listingID = "0123456789abcdefghijklmnop"

// The declared query parameters reach the state machine under "query", validated; others do not.
func TestQueryParametersReachTheStateMachine(t *testing.T) {
	e := newEnv(t, func(o *gateway.Options) { o.Features = similarFeatures })
	r := e.do("GET", "/api/listings/"+listingID+"/similar?limit=5&cursor=eyJ2IjoxfQ&caller=x&id=other", nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	calls := e.exec.Calls()
	if len(calls) != 1 || calls[0].stateMachine != "similar-listings" {
		t.Fatalf("calls %+v", calls)
	}
	want := map[string]any{
		"caller":    map[string]any{"role": "anonymous", "sub": ""},
		"id":        listingID,
		"query":     map[string]any{"cursor": "eyJ2IjoxfQ", "limit": "5"},
		"requestId": r.header.Get("X-Request-Id"),
	}
	if got, _ := json.Marshal(calls[0].input); string(got) != mustJSON(t, want) {
		t.Errorf("input %s, want %s", got, mustJSON(t, want))
	}

	for q, field := range map[string]string{"limit=ten": "limit", "limit=1234": "limit", "cursor=a%20b": "cursor"} {
		r := e.do("GET", "/api/listings/"+listingID+"/similar?"+q, nil, nil)
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"field":"`+field+`"`) {
			t.Errorf("%s: status %d: %s", q, r.status, r.body)
		}
	}
	if len(e.exec.Calls()) != 1 {
		t.Error("a rejected query reached the state machine")
	}
}

// similarFeatures switches on the features the similar-car routes carry (x-feature).
var similarFeatures = map[string]bool{"listings": true, "dealer": true}

func TestDealerIDReachesTheStateMachine(t *testing.T) {
	e := newEnv(t, func(o *gateway.Options) {
		o.Features = similarFeatures
		o.Authorizer = gateway.AuthorizerFunc(func(context.Context, string) (oidc.Caller, error) {
			return oidc.Caller{Subject: "d-1", Role: oidc.RoleDealer, DealerID: "DDE177"}, nil
		})
	})
	r := e.do("GET", "/api/dealer/stock/surfaced", map[string]string{"Authorization": goodToken}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	want := map[string]any{
		"caller":    map[string]any{"dealerId": "DDE177", "role": "dealer", "sub": "d-1"},
		"requestId": r.header.Get("X-Request-Id"),
	}
	if got, _ := json.Marshal(e.exec.Calls()[0].input); string(got) != mustJSON(t, want) {
		t.Errorf("input %s, want %s", got, mustJSON(t, want))
	}
}

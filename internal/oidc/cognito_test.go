package oidc_test

import (
	"context"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/oidc"
)

// cognitoClaims are an Amazon Cognito user pool access token's claims: the app client in
// client_id, no aud, the groups in cognito:groups, token_use access.
func cognitoClaims(f *fixture, clientID string) map[string]any {
	c := f.claims()
	delete(c, "aud")
	delete(c, "roles")
	c["client_id"] = clientID
	c["cognito:groups"] = []string{"dealer"}
	return c
}

func cognitoFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixture(t, func(c *oidc.Config) {
		c.Audience = "app-client-1"
		c.AudienceClaim = oidc.AudienceClaimClientID
		c.RoleClaim = "cognito:groups"
	})
}

func TestVerifyAcceptsCognitoAccessTokensWhenConfigured(t *testing.T) {
	f := cognitoFixture(t)
	c, err := f.v.Verify(context.Background(), f.sign(t, cognitoClaims(f, "app-client-1")))
	if err != nil || c.Role != oidc.RoleDealer || c.Subject == "" {
		t.Fatalf("Cognito access token: %+v, %v", c, err)
	}

	t.Run("another app client", func(t *testing.T) {
		wantReject(t, f, f.sign(t, cognitoClaims(f, "app-client-2")), oidc.ReasonAudience)
	})
	t.Run("no client_id", func(t *testing.T) {
		claims := cognitoClaims(f, "")
		delete(claims, "client_id")
		wantReject(t, f, f.sign(t, claims), oidc.ReasonAudience)
	})
	t.Run("client_id not a string", func(t *testing.T) {
		claims := cognitoClaims(f, "")
		claims["client_id"] = []string{"app-client-1"}
		wantReject(t, f, f.sign(t, claims), oidc.ReasonAudience)
	})
	t.Run("aud naming the client instead of client_id", func(t *testing.T) {
		claims := cognitoClaims(f, "")
		delete(claims, "client_id")
		claims["aud"] = "app-client-1"
		wantReject(t, f, f.sign(t, claims), oidc.ReasonAudience)
	})
	t.Run("id token of the right client", func(t *testing.T) {
		claims := cognitoClaims(f, "app-client-1")
		claims["token_use"] = "id"
		wantReject(t, f, f.sign(t, claims), oidc.ReasonNotAccessToken)
	})
	t.Run("groups naming no role", func(t *testing.T) {
		claims := cognitoClaims(f, "app-client-1")
		claims["cognito:groups"] = []string{"staff"}
		wantReject(t, f, f.sign(t, claims), oidc.ReasonNoRole)
	})
}

// By default the audience is aud: a Cognito-shaped token (client_id, no aud) is refused, so the
// client_id check is only ever on when configured.
func TestVerifyRefusesCognitoShapeByDefault(t *testing.T) {
	f := newFixture(t)
	claims := cognitoClaims(f, f.iss.Audience())
	claims["roles"] = []string{"consumer"}
	wantReject(t, f, f.sign(t, claims), oidc.ReasonAudience)
}

func TestNewVerifierRefusesUnknownAudienceClaim(t *testing.T) {
	f := newFixture(t)
	cfg := f.cfg
	cfg.AudienceClaim = "azp"
	if _, err := oidc.NewVerifier(context.Background(), cfg); err == nil {
		t.Fatal("audience claim azp accepted")
	}
}

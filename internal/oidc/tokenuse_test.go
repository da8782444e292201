package oidc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/oidc"
)

// Only access tokens are bearer credentials. An OIDC id_token says who signed in to a client; it
// is addressed to that client, may be shown to scripts in the page, and grants nothing at the API.
// As Cognito does, an access token says so in token_use; RFC 9068 access tokens say it in typ.
func TestVerifyAcceptsOnlyAccessTokens(t *testing.T) {
	f := newFixture(t)
	access, id := tokenEndpoint(t, f)
	if c, err := f.v.Verify(context.Background(), access); err != nil || c.Subject == "" {
		t.Fatalf("the token endpoint's access token: %+v, %v", c, err)
	}
	t.Run("id_token from the token endpoint", func(t *testing.T) { wantReject(t, f, id, oidc.ReasonNotAccessToken) })

	claims := f.claims()
	for name, use := range map[string]any{"token_use id": "id", "token_use refresh": "refresh", "token_use ACCESS": "ACCESS",
		"token_use as a list": []string{"access"}, "token_use empty": "", "no token_use": nil} {
		c := f.claims()
		delete(c, "token_use")
		if use != nil {
			c["token_use"] = use
		}
		t.Run(name, func(t *testing.T) { wantReject(t, f, f.sign(t, c), oidc.ReasonNotAccessToken) })
	}
	// RFC 9068: typ at+jwt marks an access token of issuers that do not set token_use; a token_use
	// that says otherwise still wins.
	delete(claims, "token_use")
	for _, typ := range []string{"at+jwt", "application/at+jwt", "AT+JWT"} {
		tok, err := f.iss.SignWithHeaders(claims, map[string]any{"typ": typ})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.v.Verify(context.Background(), tok); err != nil {
			t.Errorf("typ %s without token_use: %v", typ, err)
		}
	}
	claims["token_use"] = "id"
	tok, err := f.iss.SignWithHeaders(claims, map[string]any{"typ": "at+jwt"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("typ at+jwt with token_use id", func(t *testing.T) { wantReject(t, f, tok, oidc.ReasonNotAccessToken) })
}

// tokenEndpoint asks the development issuer for alice's tokens with the password grant and no
// client: the id_token's audience is then the API's own, so only its type tells it apart.
func tokenEndpoint(t *testing.T, f *fixture) (access, id string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, f.iss.URL()+"/token",
		strings.NewReader(url.Values{"grant_type": {"password"}, "username": {"alice"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	var body struct {
		Access string `json:"access_token"`
		ID     string `json:"id_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || body.Access == "" || body.ID == "" {
		t.Fatalf("token endpoint: %d, %v", res.StatusCode, err)
	}
	return body.Access, body.ID
}

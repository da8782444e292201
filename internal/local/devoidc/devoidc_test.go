package devoidc_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/acme-oem/vehicle-data/internal/local/devoidc"
	"github.com/acme-oem/vehicle-data/internal/oidc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t *testing.T, opts devoidc.Options) (*devoidc.Issuer, *http.Client) {
	t.Helper()
	iss, srv, err := devoidc.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c := srv.Client()
	// The sign-in flow is asserted step by step, so redirects must not be followed.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return iss, c
}

func verifier(t *testing.T, iss *devoidc.Issuer, c *http.Client) *oidc.Verifier {
	t.Helper()
	v, err := oidc.NewVerifier(context.Background(), oidc.Config{Issuer: iss.URL(), Audience: iss.Audience(), HTTPClient: c})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type response struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func do(t *testing.T, c *http.Client, method, u string, form url.Values) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{status: resp.StatusCode, header: resp.Header, body: raw}
	_ = json.Unmarshal(raw, &r.json)
	return r
}

func get(t *testing.T, c *http.Client, u string) response { return do(t, c, http.MethodGet, u, nil) }

func post(t *testing.T, c *http.Client, u string, form url.Values) response {
	return do(t, c, http.MethodPost, u, form)
}

func TestDiscoveryDocument(t *testing.T) {
	iss, c := start(t, devoidc.Options{})
	doc := get(t, c, iss.URL()+"/.well-known/openid-configuration").json
	want := map[string]any{
		"issuer":                 iss.URL(),
		"jwks_uri":               iss.URL() + "/jwks.json",
		"token_endpoint":         iss.URL() + "/token",
		"authorization_endpoint": iss.URL() + "/authorize",
	}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %v; want %v", k, doc[k], v)
		}
	}
	if m, _ := doc["code_challenge_methods_supported"].([]any); len(m) != 1 || m[0] != "S256" {
		t.Errorf("code_challenge_methods_supported = %v", doc["code_challenge_methods_supported"])
	}
}

func TestPasswordGrantTokensVerify(t *testing.T) {
	iss, c := start(t, devoidc.Options{Audience: "my-api"})
	v := verifier(t, iss, c)
	for _, u := range devoidc.Users() {
		r := post(t, c, iss.URL()+"/token", url.Values{"grant_type": {"password"}, "username": {u.Username}})
		if r.status != http.StatusOK {
			t.Fatalf("%s: status %d %s", u.Username, r.status, r.body)
		}
		if r.json["token_type"] != "Bearer" || r.json["expires_in"] != float64(3600) || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: token response %s / %v", u.Username, r.body, r.header)
		}
		tok, _ := r.json["access_token"].(string)
		caller, err := v.Verify(context.Background(), tok)
		if err != nil {
			t.Fatalf("%s: issued token does not verify: %v", u.Username, err)
		}
		if caller.Subject != u.Subject || string(caller.Role) != u.Role {
			t.Errorf("%s: caller %+v", u.Username, caller)
		}
	}
	r := post(t, c, iss.URL()+"/token", url.Values{"grant_type": {"password"}, "username": {"mallory"}})
	if r.status != http.StatusBadRequest || r.json["error"] != "invalid_grant" {
		t.Errorf("unknown user: %d %s", r.status, r.body)
	}
	r = post(t, c, iss.URL()+"/token", url.Values{"grant_type": {"client_credentials"}})
	if r.status != http.StatusBadRequest || r.json["error"] != "unsupported_grant_type" {
		t.Errorf("other grant: %d %s", r.status, r.body)
	}
}

func pkce(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

const codeVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r0wW1gFWFOEjXk-extra-entropy"

func authorizeQuery(redirect string) url.Values {
	return url.Values{
		"response_type":         {"code"},
		"client_id":             {"web"},
		"redirect_uri":          {redirect},
		"state":                 {`"><script>alert(1)</script>`},
		"nonce":                 {"n-1"},
		"code_challenge":        {pkce(codeVerifier)},
		"code_challenge_method": {"S256"},
	}
}

// signIn walks the browser flow: the page, the user's pick, and the redirect with the code.
func signIn(t *testing.T, iss *devoidc.Issuer, c *http.Client, q url.Values, user string) url.Values {
	t.Helper()
	r := get(t, c, iss.URL()+"/authorize?"+q.Encode())
	page := r.body
	if r.status != http.StatusOK {
		t.Fatalf("authorize page: %d %s", r.status, page)
	}
	if strings.Contains(string(page), "<script>") {
		t.Fatal("sign-in page reflects state unescaped")
	}
	if !strings.Contains(string(page), `value="`+user+`"`) {
		t.Fatalf("sign-in page lacks a button for %s", user)
	}
	form := url.Values{"username": {user}}
	for k, v := range q {
		form[k] = v
	}
	r = post(t, c, iss.URL()+"/authorize", form)
	if r.status != http.StatusFound {
		t.Fatalf("submit: status %d", r.status)
	}
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != q.Get("redirect_uri") {
		t.Fatalf("redirected to %s; want %s", got, q.Get("redirect_uri"))
	}
	back := loc.Query()
	if back.Get("state") != q.Get("state") || back.Get("code") == "" || back.Get("iss") != iss.URL() {
		t.Fatalf("redirect query %v", back)
	}
	return back
}

func TestAuthorizationCodeFlowWithPKCE(t *testing.T) {
	iss, c := start(t, devoidc.Options{})
	v := verifier(t, iss, c)
	q := authorizeQuery("http://localhost:5173/callback")
	code := signIn(t, iss, c, q, "dealer-dan").Get("code")

	redeem := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "client_id": {"web"},
		"redirect_uri": {q.Get("redirect_uri")}, "code_verifier": {codeVerifier},
	}
	r := post(t, c, iss.URL()+"/token", redeem)
	body := r.json
	if r.status != http.StatusOK {
		t.Fatalf("redeem: %d %s", r.status, r.body)
	}
	if r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Error("token endpoint lacks CORS for the web site's dev server")
	}
	tok, _ := body["access_token"].(string)
	caller, err := v.Verify(context.Background(), tok)
	if err != nil || caller.Role != oidc.RoleDealer || caller.Subject != devoidc.Users()[2].Subject {
		t.Fatalf("access token: %+v, %v", caller, err)
	}
	idTok, _ := body["id_token"].(string)
	claims := payload(t, idTok)
	if claims["aud"] != "web" || claims["nonce"] != "n-1" || claims["preferred_username"] != "dealer-dan" || claims["token_use"] != "id" {
		t.Errorf("id token claims %v", claims)
	}
	if use := payload(t, tok)["token_use"]; use != "access" {
		t.Errorf("access token's token_use = %v, want access", use)
	}

	r = post(t, c, iss.URL()+"/token", redeem)
	if r.status != http.StatusBadRequest || r.json["error"] != "invalid_grant" {
		t.Errorf("code redeemed twice: %d %s", r.status, r.body)
	}
}

func payload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %d parts", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCodeRedemptionChecks(t *testing.T) {
	iss, c := start(t, devoidc.Options{})
	q := authorizeQuery("http://127.0.0.1:5173/cb")
	tests := map[string]func(url.Values){
		"wrong verifier":     func(f url.Values) { f.Set("code_verifier", strings.Repeat("x", 43)) },
		"missing verifier":   func(f url.Values) { f.Del("code_verifier") },
		"verifier is digest": func(f url.Values) { f.Set("code_verifier", q.Get("code_challenge")) },
		"other redirect_uri": func(f url.Values) { f.Set("redirect_uri", "http://127.0.0.1:5173/other") },
		"other client":       func(f url.Values) { f.Set("client_id", "evil") },
		"unknown code":       func(f url.Values) { f.Set("code", "nope") },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			code := signIn(t, iss, c, q, "alice").Get("code")
			f := url.Values{
				"grant_type": {"authorization_code"}, "code": {code}, "client_id": {"web"},
				"redirect_uri": {q.Get("redirect_uri")}, "code_verifier": {codeVerifier},
			}
			mutate(f)
			r := post(t, c, iss.URL()+"/token", f)
			if r.status != http.StatusBadRequest || r.json["error"] != "invalid_grant" {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if name == "unknown code" {
				return // the real code was never presented
			}
			// A failed attempt burns the code: the right verifier no longer works either.
			f.Set("code", code)
			f.Set("code_verifier", codeVerifier)
			f.Set("redirect_uri", q.Get("redirect_uri"))
			f.Set("client_id", "web")
			if r := post(t, c, iss.URL()+"/token", f); r.status != http.StatusBadRequest {
				t.Errorf("code still redeemable after a failed attempt: %d", r.status)
			}
		})
	}
}

func TestAuthorizeRequestValidation(t *testing.T) {
	iss, c := start(t, devoidc.Options{RedirectURIs: []string{"https://app.example/cb"}})
	tests := map[string]struct {
		mutate func(url.Values)
		status int
	}{
		"loopback redirect":        {func(url.Values) {}, http.StatusOK},
		"configured redirect":      {func(q url.Values) { q.Set("redirect_uri", "https://app.example/cb") }, http.StatusOK},
		"foreign redirect":         {func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }, http.StatusBadRequest},
		"https loopback lookalike": {func(q url.Values) { q.Set("redirect_uri", "http://localhost.evil.example/cb") }, http.StatusBadRequest},
		"plain PKCE":               {func(q url.Values) { q.Set("code_challenge_method", "plain") }, http.StatusBadRequest},
		"no PKCE":                  {func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, http.StatusBadRequest},
		"implicit flow":            {func(q url.Values) { q.Set("response_type", "token") }, http.StatusBadRequest},
		"no client":                {func(q url.Values) { q.Del("client_id") }, http.StatusBadRequest},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			q := authorizeQuery("http://[::1]:3000/cb")
			tt.mutate(q)
			r := get(t, c, iss.URL()+"/authorize?"+q.Encode())
			if r.status != tt.status {
				t.Errorf("status %d; want %d", r.status, tt.status)
			}
			if r.header.Get("Location") != "" {
				t.Error("authorize page redirected")
			}
		})
	}
	// The form post is validated again: skipping the page does not skip the checks.
	form := authorizeQuery("https://evil.example/cb")
	form.Set("username", "alice")
	if r := post(t, c, iss.URL()+"/authorize", form); r.status != http.StatusBadRequest || r.header.Get("Location") != "" {
		t.Errorf("form post to a foreign redirect: %d %s", r.status, r.header.Get("Location"))
	}
}

func TestKeyKnobs(t *testing.T) {
	iss, c := start(t, devoidc.Options{})
	first := iss.KeyIDs()[0]
	if err := iss.RemoveKey(first); err == nil {
		t.Error("removed the only key")
	}
	second, err := iss.RotateKey()
	if err != nil {
		t.Fatal(err)
	}
	if kids := jwksKids(t, iss, c); len(kids) != 2 || kids[0] != first || kids[1] != second {
		t.Errorf("after rotation the key set is %v", kids)
	}
	if hdr := header(t, mustToken(t, iss)); hdr["kid"] != second || hdr["alg"] != "RS256" {
		t.Errorf("new tokens carry header %v; want kid %s", hdr, second)
	}
	if err := iss.RemoveKey(second); err != nil {
		t.Fatal(err)
	}
	if kids := jwksKids(t, iss, c); len(kids) != 1 || kids[0] != first {
		t.Errorf("after removal the key set is %v", kids)
	}
	if hdr := header(t, mustToken(t, iss)); hdr["kid"] != first {
		t.Errorf("after removing the signing key, tokens carry kid %v; want %s", hdr["kid"], first)
	}
	if err := iss.RemoveKey("nope"); err == nil {
		t.Error("removed an unknown key")
	}

	before := iss.JWKSFetches()
	iss.SetJWKSFailing(true)
	if r := get(t, c, iss.JWKSURL()); r.status != http.StatusServiceUnavailable {
		t.Errorf("failing key endpoint answered %d", r.status)
	}
	iss.SetJWKSFailing(false)
	jwksKids(t, iss, c)
	if got := iss.JWKSFetches() - before; got != 2 {
		t.Errorf("counted %d fetches; want 2 (failed ones included)", got)
	}
}

func mustToken(t *testing.T, iss *devoidc.Issuer) string {
	t.Helper()
	tok, err := iss.AccessToken("bob")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func header(t *testing.T, tok string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func jwksKids(t *testing.T, iss *devoidc.Issuer, c *http.Client) []string {
	t.Helper()
	r := get(t, c, iss.JWKSURL())
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
			D   string `json:"d"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(r.body, &set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		if k.D != "" {
			t.Fatal("key endpoint publishes a private key")
		}
		kids = append(kids, k.Kid)
	}
	return kids
}

func TestNewRejectsBadIssuerURL(t *testing.T) {
	for _, u := range []string{"", "localhost:8080", "ftp://x", "http://127.0.0.1:8080/", "http://127.0.0.1:8080?x=1"} {
		if _, err := devoidc.New(u, devoidc.Options{}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}

func TestServesUnderIssuerPath(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	iss, err := devoidc.New("http://"+srv.Listener.Addr().String()+"/oidc", devoidc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/oidc/", iss)
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	// Discovery through go-oidc proves the paths and the issuer string line up.
	v := verifier(t, iss, srv.Client())
	if _, err := v.Verify(context.Background(), mustToken(t, iss)); err != nil {
		t.Fatalf("token from a prefixed issuer: %v", err)
	}
}

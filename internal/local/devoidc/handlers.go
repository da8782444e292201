package devoidc

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/go-jose/go-jose/v4"
)

// maxFormBytes bounds request bodies; the forms here are tiny.
const maxFormBytes = 16 << 10

func (i *Issuer) discovery(w http.ResponseWriter, _ *http.Request) {
	cors(w)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                i.issuer,
		"jwks_uri":                              i.JWKSURL(),
		"authorization_endpoint":                i.issuer + "/authorize",
		"token_endpoint":                        i.issuer + "/token",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "password"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{string(jose.RS256)},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"none"},
		"scopes_supported":                      []string{"openid"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nbf", "roles", "dealer_id", "name", "preferred_username"},
	})
}

func (i *Issuer) jwks(w http.ResponseWriter, _ *http.Request) {
	i.jwksFetches.Add(1)
	cors(w)
	if i.jwksFailing.Load() {
		http.Error(w, "key endpoint down (test knob)", http.StatusServiceUnavailable)
		return
	}
	i.mu.Lock()
	set := jose.JSONWebKeySet{}
	for _, k := range i.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: string(jose.RS256), Use: "sig",
		})
	}
	i.mu.Unlock()
	writeJSON(w, http.StatusOK, set)
}

var signInPage = template.Must(template.New("signin").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in (development)</title>
<style>body{font-family:sans-serif;max-width:28rem;margin:4rem auto}button{display:block;width:100%;margin:.5rem 0;padding:.75rem;font-size:1rem}</style>
</head><body>
<h1>Sign in</h1>
<p>Development issuer: pick a demo user. No password.</p>
<form method="post" action="{{.Action}}">
{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}{{range .Users}}<button type="submit" name="username" value="{{.Username}}">{{.Name}} ({{.Role}})</button>
{{end}}</form>
</body></html>`))

// authParams are the authorization request parameters the page carries through to its POST.
var authParams = []string{"response_type", "client_id", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method", "scope"}

func (i *Issuer) authorizePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if msg := i.checkAuthRequest(q); msg != "" {
		// Never redirect on a bad request: the redirect_uri itself may be the problem.
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	params := map[string]string{}
	for _, k := range authParams {
		if v := q.Get(k); v != "" {
			params[k] = v
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	_ = signInPage.Execute(w, map[string]any{
		"Action": i.basePath + "/authorize",
		"Params": params,
		"Users":  Users(),
	})
}

func (i *Issuer) authorizeSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	f := r.PostForm
	if msg := i.checkAuthRequest(f); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	u, ok := i.userByName(f.Get("username"))
	if !ok {
		http.Error(w, "unknown demo user", http.StatusBadRequest)
		return
	}
	code := randomID()
	now := i.opts.Now()
	i.mu.Lock()
	for c, ac := range i.codes {
		if now.After(ac.expires) {
			delete(i.codes, c)
		}
	}
	full := len(i.codes) >= maxPendingCodes
	if !full {
		i.codes[code] = authCode{
			clientID:      f.Get("client_id"),
			redirectURI:   f.Get("redirect_uri"),
			codeChallenge: f.Get("code_challenge"),
			nonce:         f.Get("nonce"),
			user:          u,
			expires:       now.Add(codeTTL),
		}
	}
	i.mu.Unlock()
	if full {
		http.Error(w, "too many pending sign-ins", http.StatusServiceUnavailable)
		return
	}
	target, _ := url.Parse(f.Get("redirect_uri")) // checked by checkAuthRequest
	q := target.Query()
	q.Set("code", code)
	if s := f.Get("state"); s != "" {
		q.Set("state", s)
	}
	q.Set("iss", i.issuer) // RFC 9207: lets the client detect mix-up attacks
	target.RawQuery = q.Encode()
	http.Redirect(w, r, target.String(), http.StatusFound)
}

// checkAuthRequest validates an authorization request; it returns a message for the user or "".
func (i *Issuer) checkAuthRequest(q url.Values) string {
	if q.Get("response_type") != "code" {
		return "response_type must be code"
	}
	if q.Get("client_id") == "" {
		return "client_id is required"
	}
	if !i.redirectAllowed(q.Get("redirect_uri")) {
		return "redirect_uri is not allowed (loopback http or a configured URI)"
	}
	// PKCE is required, and only S256: "plain" would let a stolen code be redeemed.
	if q.Get("code_challenge_method") != "S256" {
		return "code_challenge_method must be S256"
	}
	if c := q.Get("code_challenge"); len(c) != 43 || !isPKCEChars(c) {
		return "code_challenge must be a base64url SHA-256 (43 characters)"
	}
	return ""
}

func (i *Issuer) redirectAllowed(raw string) bool {
	if raw == "" {
		return false
	}
	if slices.Contains(i.opts.RedirectURIs, raw) {
		return true
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Fragment != "" || u.User != nil {
		return false
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

func isPKCEChars(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

func (i *Issuer) preflight(w http.ResponseWriter, _ *http.Request) {
	cors(w)
	w.Header().Set("Access-Control-Allow-Methods", "POST")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
	w.WriteHeader(http.StatusNoContent)
}

// cors lets the web site's dev server (another origin) call the token endpoint; no cookies are
// involved, so a wildcard origin grants nothing extra.
func cors(w http.ResponseWriter) { w.Header().Set("Access-Control-Allow-Origin", "*") }

func (i *Issuer) token(w http.ResponseWriter, r *http.Request) {
	cors(w)
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request", "malformed form")
		return
	}
	f := r.PostForm
	var (
		u        User
		clientID = f.Get("client_id")
		nonce    string
	)
	switch f.Get("grant_type") {
	case "password":
		var ok bool
		if u, ok = i.userByName(f.Get("username")); !ok {
			tokenError(w, "invalid_grant", "unknown demo user")
			return
		}
	case "authorization_code":
		ac, msg := i.redeem(f)
		if msg != "" {
			tokenError(w, "invalid_grant", msg)
			return
		}
		u, nonce = ac.user, ac.nonce
	default:
		tokenError(w, "unsupported_grant_type", "grant_type must be password or authorization_code")
		return
	}
	access, err := i.signAccess(i.accessClaims(u, clientID))
	if err != nil {
		http.Error(w, "signing failed", http.StatusInternalServerError)
		return
	}
	id, err := i.Sign(i.idClaims(u, clientID, nonce))
	if err != nil {
		http.Error(w, "signing failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"id_token":     id,
		"token_type":   "Bearer",
		"expires_in":   int(i.opts.TokenTTL.Seconds()),
		"scope":        "openid",
	})
}

// redeem consumes an authorization code. The code is deleted on the first attempt, right or
// wrong, so a leaked code cannot be tried twice.
func (i *Issuer) redeem(f url.Values) (authCode, string) {
	code := f.Get("code")
	i.mu.Lock()
	ac, ok := i.codes[code]
	delete(i.codes, code)
	i.mu.Unlock()
	switch {
	case !ok:
		return authCode{}, "unknown or used code"
	case i.opts.Now().After(ac.expires):
		return authCode{}, "code expired"
	case f.Get("client_id") != ac.clientID:
		return authCode{}, "client_id does not match the authorization request"
	case f.Get("redirect_uri") != ac.redirectURI:
		return authCode{}, "redirect_uri does not match the authorization request"
	}
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	v := f.Get("code_verifier")
	if len(v) < 43 || len(v) > 128 || !isPKCEChars(v) || subtle.ConstantTimeCompare([]byte(got), []byte(ac.codeChallenge)) != 1 {
		return authCode{}, "code_verifier does not match code_challenge"
	}
	return ac, ""
}

func tokenError(w http.ResponseWriter, code, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Package devoidc is a development OpenID Connect issuer for `make run` and tests. It is not for
// production: demo users sign in without a password.
//
// It serves, under the issuer URL's path:
//
//	GET  /.well-known/openid-configuration  discovery
//	GET  /jwks.json                          public keys (RSA, RS256, with kid)
//	GET  /authorize                          an HTML page to pick a demo user (authorization code + PKCE S256)
//	POST /authorize                          the page's form; redirects with ?code=...&state=...
//	POST /token                              grant_type=password (demo user name) or authorization_code
//
// Demo users: "alice" and "bob" (consumer), "dealer-dan" (dealer). A token for curl:
//
//	TOKEN=$(curl -s -d grant_type=password -d username=alice http://127.0.0.1:8080/oidc/token | jq -r .access_token)
//	curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/me
//
// (the issuer URL depends on where `make run` mounts it). Access tokens carry iss (the issuer URL),
// sub, aud (Options.Audience), exp (one hour), iat, nbf, jti, "roles": ["consumer"|"dealer"] and,
// as Cognito's do, "token_use": "access" (header typ at+jwt, RFC 9068); id tokens carry
// "token_use": "id", and the API refuses them.
//
// In tests, NewServer starts one on a random loopback port. To mount it elsewhere, build it with
// New and the URL it will be reached at; it serves the paths above under that URL's path, so mount
// it at that path without stripping the prefix.
//
// Test knobs: RotateKey, RemoveKey, SetJWKSFailing, JWKSFetches, Sign.
package devoidc

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// DefaultAudience is the aud of access tokens unless Options.Audience says otherwise.
const DefaultAudience = "vehicle-data-api"

// DefaultTokenTTL is how long issued tokens live.
const DefaultTokenTTL = time.Hour

// codeTTL bounds how long an authorization code may wait for redemption.
const codeTTL = time.Minute

// maxPendingCodes keeps a page left open in a loop from growing the code table without bound.
const maxPendingCodes = 1024

// User is a demo account.
type User struct {
	Username string // what the sign-in page and the password grant take
	Subject  string // the token's sub
	Name     string // display name (demo data, not a real person)
	Role     string // "consumer" or "dealer"
	// DealerID is a dealer account's dealer (the dealer_id claim); DemoDealerID is a dealer the
	// stock simulator knows, the one selling the demo dealer car WVWZZZCD2NW600006.
	DealerID string
}

// DemoDealerID is dealer-dan's dealer in the stock simulator (legacyclients/sim/world).
const DemoDealerID = "DDE177"

// Users returns the demo accounts, in sign-in page order.
func Users() []User {
	return []User{
		{Username: "alice", Subject: "0d6b2c8e-5a1f-4e3b-9c71-a11ce0000001", Name: "Alice (owner)", Role: "consumer"},
		{Username: "bob", Subject: "7f3e9a24-1b6c-4d8e-8f02-b0b000000002", Name: "Bob (seller)", Role: "consumer"},
		{Username: "dealer-dan", Subject: "c41a7d53-9e2b-4f6a-b3d8-da0000000003", Name: "Dan (dealer)", Role: "dealer", DealerID: DemoDealerID},
	}
}

// Options tunes the issuer; the zero value is usable.
type Options struct {
	// Audience is the aud of access tokens (the API). Default DefaultAudience.
	Audience string
	// TokenTTL is the lifetime of issued tokens. Default DefaultTokenTTL.
	TokenTTL time.Duration
	// RedirectURIs lists the authorization code redirect targets allowed besides http loopback
	// URLs (which are always allowed, for the Vite dev server on any port).
	RedirectURIs []string
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
}

type authCode struct {
	clientID      string
	redirectURI   string
	codeChallenge string
	nonce         string
	user          User
	expires       time.Time
}

// Issuer is the development OIDC issuer; it is an http.Handler.
type Issuer struct {
	issuer   string
	basePath string
	opts     Options
	mux      *http.ServeMux

	jwksFetches atomic.Int64
	jwksFailing atomic.Bool

	mu    sync.Mutex
	keys  []signingKey // published keys; the last one signs
	codes map[string]authCode
}

// New builds an issuer whose iss is issuerURL (no trailing slash) and generates its first key.
func New(issuerURL string, opts Options) (*Issuer, error) {
	u, err := url.Parse(issuerURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("devoidc: issuer %q is not an absolute http(s) URL", issuerURL)
	}
	if strings.HasSuffix(issuerURL, "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("devoidc: issuer %q must have no trailing slash, query or fragment", issuerURL)
	}
	if opts.Audience == "" {
		opts.Audience = DefaultAudience
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	i := &Issuer{
		issuer:   issuerURL,
		basePath: u.Path,
		opts:     opts,
		codes:    map[string]authCode{},
	}
	if _, err := i.RotateKey(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	p := i.basePath
	mux.HandleFunc("GET "+p+"/.well-known/openid-configuration", i.discovery)
	mux.HandleFunc("GET "+p+"/jwks.json", i.jwks)
	mux.HandleFunc("GET "+p+"/authorize", i.authorizePage)
	mux.HandleFunc("POST "+p+"/authorize", i.authorizeSubmit)
	mux.HandleFunc("POST "+p+"/token", i.token)
	mux.HandleFunc("OPTIONS "+p+"/token", i.preflight)
	i.mux = mux
	return i, nil
}

// ServeHTTP implements http.Handler.
func (i *Issuer) ServeHTTP(w http.ResponseWriter, r *http.Request) { i.mux.ServeHTTP(w, r) }

// URL is the issuer identifier, exactly as tokens carry it in iss.
func (i *Issuer) URL() string { return i.issuer }

// Audience is the aud of access tokens.
func (i *Issuer) Audience() string { return i.opts.Audience }

// JWKSURL is where the public keys are served.
func (i *Issuer) JWKSURL() string { return i.issuer + "/jwks.json" }

// RotateKey generates a new RSA key, publishes it and makes it the signing key; older keys stay
// published until RemoveKey.
func (i *Issuer) RotateKey() (string, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", fmt.Errorf("devoidc: generate key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: &priv.PublicKey}
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("devoidc: key thumbprint: %w", err)
	}
	// The RFC 7638 thumbprint makes a kid that is stable for the key and unique in practice.
	kid := base64.RawURLEncoding.EncodeToString(thumb)
	i.mu.Lock()
	defer i.mu.Unlock()
	i.keys = append(i.keys, signingKey{kid: kid, priv: priv})
	return kid, nil
}

// RemoveKey unpublishes a key. If it was the signing key, the newest remaining key signs. The
// last key cannot be removed.
func (i *Issuer) RemoveKey(kid string) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	idx := slices.IndexFunc(i.keys, func(k signingKey) bool { return k.kid == kid })
	if idx < 0 {
		return fmt.Errorf("devoidc: no key %q", kid)
	}
	if len(i.keys) == 1 {
		return errors.New("devoidc: cannot remove the only key")
	}
	i.keys = slices.Delete(i.keys, idx, idx+1)
	return nil
}

// KeyIDs lists the published key ids, oldest first; the last one signs.
func (i *Issuer) KeyIDs() []string {
	i.mu.Lock()
	defer i.mu.Unlock()
	ids := make([]string, len(i.keys))
	for n, k := range i.keys {
		ids[n] = k.kid
	}
	return ids
}

// SetJWKSFailing makes the key endpoint answer 503 (true) or serve keys again (false).
func (i *Issuer) SetJWKSFailing(failing bool) { i.jwksFailing.Store(failing) }

// JWKSFetches counts requests to the key endpoint, failed ones included.
func (i *Issuer) JWKSFetches() int64 { return i.jwksFetches.Load() }

func (i *Issuer) currentKey() signingKey {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.keys[len(i.keys)-1]
}

func (i *Issuer) userByName(name string) (User, bool) {
	for _, u := range Users() {
		if u.Username == name {
			return u, true
		}
	}
	return User{}, false
}

// NewServer starts an issuer on a random loopback port (tests, and tools that need an issuer of
// their own). The caller closes the server.
func NewServer(opts Options) (*Issuer, *httptest.Server, error) {
	srv := httptest.NewUnstartedServer(nil)
	iss, err := New("http://"+srv.Listener.Addr().String(), opts)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	srv.Config.Handler = iss
	srv.Start()
	return iss, srv, nil
}

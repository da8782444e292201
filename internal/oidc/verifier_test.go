package oidc_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/acme-oem/vehicle-data/internal/local/devoidc"
	"github.com/acme-oem/vehicle-data/internal/oidc"
)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func b64JSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b64(b)
}

// wantReject asserts the token is refused with the given reason, and that neither the error nor
// the challenge built from it echoes the token.
func wantReject(t *testing.T, f *fixture, token, reason string) {
	t.Helper()
	c, err := f.v.Verify(context.Background(), token)
	if !errors.Is(err, oidc.ErrUnauthenticated) {
		t.Fatalf("Verify = %+v, %v; want ErrUnauthenticated", c, err)
	}
	if c != (oidc.Caller{}) {
		t.Errorf("rejected token still yields caller %+v", c)
	}
	var ae *oidc.Error
	if !errors.As(err, &ae) || ae.Reason != reason {
		t.Errorf("reason = %v; want %q", err, reason)
	}
	segs := strings.Split(token, ".")
	for _, s := range append(segs, token) {
		if len(s) < 16 {
			continue
		}
		if strings.Contains(err.Error(), s) || strings.Contains(oidc.WWWAuthenticate(err), s) {
			t.Errorf("error or challenge echoes the token")
		}
	}
}

func wantAccept(t *testing.T, f *fixture, token string, want oidc.Caller) {
	t.Helper()
	c, err := f.v.Verify(context.Background(), token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if c != want {
		t.Errorf("caller = %+v; want %+v", c, want)
	}
}

func TestVerifyHappyPathPerRole(t *testing.T) {
	f := newFixture(t)
	for _, u := range devoidc.Users() {
		t.Run(u.Username, func(t *testing.T) {
			c, err := f.v.Authenticate(context.Background(), "Bearer "+f.token(t, u.Username))
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if c.Subject != u.Subject || string(c.Role) != u.Role {
				t.Errorf("caller = %+v; want sub of %s and role %s", c, u.Username, u.Role)
			}
		})
	}
}

func TestAuthenticateHeader(t *testing.T) {
	f := newFixture(t)
	tok := f.token(t, "alice")
	alice := oidc.Caller{Subject: devoidc.Users()[0].Subject, Role: oidc.RoleConsumer}
	tests := []struct {
		name   string
		header string
		want   oidc.Caller
		code   string // RFC 6750 error code when rejected
	}{
		{"missing is anonymous", "", oidc.Anonymous(), ""},
		{"blank is anonymous", "   ", oidc.Anonymous(), ""},
		{"bearer", "Bearer " + tok, alice, ""},
		{"scheme is case-insensitive", "bearer " + tok, alice, ""},
		{"basic", "Basic YWxpY2U6cHc=", oidc.Caller{}, oidc.CodeInvalidRequest},
		{"bearer without token", "Bearer", oidc.Caller{}, oidc.CodeInvalidRequest},
		{"bearer with two tokens", "Bearer " + tok + " " + tok, oidc.Caller{}, oidc.CodeInvalidRequest},
		{"token without scheme", tok, oidc.Caller{}, oidc.CodeInvalidRequest},
		{"bearer garbage", "Bearer not-a-jwt", oidc.Caller{}, oidc.CodeInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := f.v.Authenticate(context.Background(), tt.header)
			if tt.code == "" {
				if err != nil || c != tt.want {
					t.Fatalf("Authenticate = %+v, %v; want %+v", c, err, tt.want)
				}
				return
			}
			if !errors.Is(err, oidc.ErrUnauthenticated) || c != (oidc.Caller{}) {
				t.Fatalf("Authenticate = %+v, %v; want rejection", c, err)
			}
			if h := oidc.WWWAuthenticate(err); !strings.Contains(h, `error="`+tt.code+`"`) {
				t.Errorf("challenge %q lacks error=%q", h, tt.code)
			}
		})
	}
}

func TestWWWAuthenticate(t *testing.T) {
	if got, want := oidc.WWWAuthenticate(nil), `Bearer realm="vehicle-data"`; got != want {
		t.Errorf("no error: %q; want %q", got, want)
	}
	f := newFixture(t)
	c := f.claims()
	c["exp"] = f.clock.Now().Add(-time.Hour).Unix()
	_, err := f.v.Verify(context.Background(), f.sign(t, c))
	want := `Bearer realm="vehicle-data", error="invalid_token", error_description="token is expired"`
	if got := oidc.WWWAuthenticate(fmt.Errorf("gateway: %w", err)); got != want {
		t.Errorf("expired: %q; want %q", got, want)
	}
	hand := &oidc.Error{Reason: "bad \"quote\"\r\n\\ inside"}
	if got := oidc.WWWAuthenticate(hand); strings.ContainsAny(got[len(`Bearer realm="vehicle-data", error="invalid_token", error_description="`):len(got)-1], "\"\\\r\n") {
		t.Errorf("description not sanitized: %q", got)
	}
}

func TestRejectsUnsignedAndSymmetricTokens(t *testing.T) {
	f := newFixture(t)
	payload := b64JSON(t, f.claims())
	kid := f.iss.KeyIDs()[0]

	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		h := b64JSON(t, map[string]any{"alg": alg, "typ": "JWT", "kid": kid})
		t.Run(alg+" empty signature", func(t *testing.T) { wantReject(t, f, h+"."+payload+".", oidc.ReasonMalformed) })
		t.Run(alg+" junk signature", func(t *testing.T) { wantReject(t, f, h+"."+payload+".AAAA", oidc.ReasonAlgorithm) })
	}

	// HS256 with the issuer's public key as the HMAC secret: the classic key-confusion attack
	// against verifiers that let the token pick the algorithm.
	pub := issuerPublicKey(t, f)
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string][]byte{
		"pkix pem":  pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
		"pkcs1 pem": pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)}),
		"der":       der,
		"modulus":   pub.N.Bytes(),
	}
	for name, secret := range secrets {
		for _, alg := range []string{"HS256", "HS384", "HS512"} {
			t.Run(alg+" "+name, func(t *testing.T) {
				signing := b64JSON(t, map[string]any{"alg": alg, "typ": "JWT", "kid": kid}) + "." + payload
				mac := hmac.New(sha256.New, secret)
				mac.Write([]byte(signing))
				wantReject(t, f, signing+"."+b64(mac.Sum(nil)), oidc.ReasonAlgorithm)
			})
		}
	}

	// Asymmetric but not allowlisted, and an RSA key asked to verify an ES256 signature.
	t.Run("RS384", func(t *testing.T) {
		h := b64JSON(t, map[string]any{"alg": "RS384", "kid": kid})
		wantReject(t, f, h+"."+payload+".AAAA", oidc.ReasonAlgorithm)
	})
	t.Run("ES256 header on an RSA kid", func(t *testing.T) {
		h := b64JSON(t, map[string]any{"alg": "ES256", "kid": kid})
		wantReject(t, f, h+"."+payload+"."+b64(make([]byte, 64)), oidc.ReasonSignature)
	})
}

func issuerPublicKey(t *testing.T, f *fixture) *rsa.PublicKey {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, f.iss.JWKSURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	pub, ok := set.Keys[0].Key.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("key is %T", set.Keys[0].Key)
	}
	return pub
}

func TestRejectsUnknownAndInjectedKeyIDs(t *testing.T) {
	f := newFixture(t)
	kids := map[string]string{
		"unknown":        "no-such-key",
		"path traversal": "../../etc/passwd",
		"sql":            "' OR 1=1 --",
		"long":           strings.Repeat("k", 4000),
		"nul":            "a\x00b",
		"empty":          "",
	}
	for name, kid := range kids {
		t.Run(name, func(t *testing.T) {
			tok, err := f.iss.SignWithHeaders(f.claims(), map[string]any{"kid": kid})
			if err != nil {
				t.Fatal(err)
			}
			wantReject(t, f, tok, oidc.ReasonUnknownKey)
		})
	}
}

// attackerKeyServer serves an attacker's public key as a JWKS and counts who comes to fetch it.
func attackerKeyServer(t *testing.T, key *rsa.PrivateKey) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "attacker", Algorithm: "RS256", Use: "sig"}}})
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func signAs(t *testing.T, key *rsa.PrivateKey, kid string, opts *jose.SignerOptions, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// signManual signs with an arbitrary protected header, which go-jose's signer would not let us
// shape freely (it moves kid into an embedded jwk, for one).
func signManual(t *testing.T, key *rsa.PrivateKey, header, claims map[string]any) string {
	t.Helper()
	signing := b64JSON(t, header) + "." + b64JSON(t, claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + b64(sig)
}

func TestIgnoresKeysNamedInTheToken(t *testing.T) {
	f := newFixture(t)
	attacker, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	evil, hits := attackerKeyServer(t, attacker)
	realKid := f.iss.KeyIDs()[0]
	claims := f.claims()
	claims["roles"] = []string{"dealer"}

	attackerJWK := jose.JSONWebKey{Key: &attacker.PublicKey, KeyID: "attacker", Algorithm: "RS256", Use: "sig"}
	tests := []struct {
		name   string
		header map[string]any
		reason string
	}{
		{"jku", map[string]any{"alg": "RS256", "kid": "attacker", "jku": evil.URL}, oidc.ReasonUnknownKey},
		{"x5u", map[string]any{"alg": "RS256", "kid": "attacker", "x5u": evil.URL}, oidc.ReasonUnknownKey},
		{"embedded jwk", map[string]any{"alg": "RS256", "kid": "attacker", "jwk": attackerJWK}, oidc.ReasonUnknownKey},
		{"jku with the real kid", map[string]any{"alg": "RS256", "kid": realKid, "jku": evil.URL}, oidc.ReasonSignature},
		{"x5u with the real kid", map[string]any{"alg": "RS256", "kid": realKid, "x5u": evil.URL}, oidc.ReasonSignature},
		{"embedded jwk with the real kid", map[string]any{"alg": "RS256", "kid": realKid, "jwk": attackerJWK}, oidc.ReasonSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantReject(t, f, signManual(t, attacker, tt.header, claims), tt.reason)
		})
	}
	t.Run("go-jose embedded jwk", func(t *testing.T) {
		wantReject(t, f, signAs(t, attacker, "attacker", &jose.SignerOptions{EmbedJWK: true}, claims), oidc.ReasonUnknownKey)
	})
	if n := hits.Load(); n != 0 {
		t.Errorf("verifier fetched the attacker's key set %d times", n)
	}
}

func TestRejectsTamperedPayloadWithoutRefetching(t *testing.T) {
	f := newFixture(t)
	tok := f.token(t, "alice")
	wantAccept(t, f, tok, oidc.Caller{Subject: devoidc.Users()[0].Subject, Role: oidc.RoleConsumer})
	fetches := f.iss.JWKSFetches()

	parts := strings.Split(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	claims["roles"] = []string{"dealer"}
	f.clock.Advance(refreshEvery) // a refresh would be allowed, so not refreshing is a choice
	wantReject(t, f, parts[0]+"."+b64JSON(t, claims)+"."+parts[2], oidc.ReasonSignature)
	if got := f.iss.JWKSFetches(); got != fetches {
		t.Errorf("bad signature with a known kid fetched keys: %d -> %d", fetches, got)
	}
}

func TestTimeClaims(t *testing.T) {
	f := newFixture(t)
	alice := oidc.Caller{Subject: devoidc.Users()[0].Subject, Role: oidc.RoleConsumer}
	tok := f.token(t, "alice") // exp = now + 1h

	f.clock.Advance(time.Hour + leeway - time.Second)
	t.Run("expired within leeway", func(t *testing.T) { wantAccept(t, f, tok, alice) })

	f.clock.Advance(2 * time.Second)
	t.Run("expired beyond leeway", func(t *testing.T) { wantReject(t, f, tok, oidc.ReasonExpired) })

	edit := func(k string, v any) string {
		c := f.claims()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return f.sign(t, c)
	}
	now := f.clock.Now()
	t.Run("missing exp", func(t *testing.T) { wantReject(t, f, edit("exp", nil), oidc.ReasonNoExpiry) })
	t.Run("exp as string", func(t *testing.T) {
		wantReject(t, f, edit("exp", fmt.Sprint(now.Add(time.Hour).Unix())), oidc.ReasonClaimsUnparseable)
	})
	t.Run("nbf in the future", func(t *testing.T) {
		wantReject(t, f, edit("nbf", now.Add(5*time.Minute).Unix()), oidc.ReasonNotYetValid)
	})
	t.Run("nbf within leeway", func(t *testing.T) { wantAccept(t, f, edit("nbf", now.Add(leeway/2).Unix()), alice) })
	t.Run("iat in the future", func(t *testing.T) {
		wantReject(t, f, edit("iat", now.Add(time.Hour).Unix()), oidc.ReasonIssuedInFuture)
	})
	t.Run("fractional exp", func(t *testing.T) { wantAccept(t, f, edit("exp", float64(now.Unix())+0.5), alice) })
}

func TestIssuerAndAudience(t *testing.T) {
	f := newFixture(t)
	alice := oidc.Caller{Subject: devoidc.Users()[0].Subject, Role: oidc.RoleConsumer}
	with := func(k string, v any) string {
		c := f.claims()
		c[k] = v
		return f.sign(t, c)
	}
	t.Run("wrong issuer", func(t *testing.T) { wantReject(t, f, with("iss", "https://evil.example"), oidc.ReasonIssuer) })
	t.Run("issuer with trailing slash", func(t *testing.T) { wantReject(t, f, with("iss", f.iss.URL()+"/"), oidc.ReasonIssuer) })
	t.Run("issuer differing in case", func(t *testing.T) {
		wantReject(t, f, with("iss", strings.ToUpper(f.iss.URL())), oidc.ReasonIssuer)
	})
	t.Run("wrong audience", func(t *testing.T) { wantReject(t, f, with("aud", "another-api"), oidc.ReasonAudience) })
	t.Run("no audience", func(t *testing.T) {
		c := f.claims()
		delete(c, "aud")
		wantReject(t, f, f.sign(t, c), oidc.ReasonAudience)
	})
	t.Run("audience list containing ours", func(t *testing.T) {
		wantAccept(t, f, with("aud", []string{"another-api", f.iss.Audience()}), alice)
	})
}

func TestConfiguredIssuerMustMatchDiscoveryExactly(t *testing.T) {
	f := newFixture(t)
	cfg := f.cfg
	cfg.Issuer = f.iss.URL() + "/"
	if _, err := oidc.NewVerifier(context.Background(), cfg); err == nil {
		t.Fatal("NewVerifier accepted an issuer with a trailing slash the provider does not use")
	}
}

func TestRejectsMisshapenTokens(t *testing.T) {
	f := newFixture(t)
	tok := f.token(t, "alice")
	parts := strings.Split(tok, ".")
	tests := map[string]struct {
		token, reason string
	}{
		"10000 dots":           {strings.Repeat(".", 10000), oidc.ReasonTooLarge},
		"just over 8 KiB":      {parts[0] + "." + strings.Repeat("A", oidc.MaxTokenBytes) + "." + parts[2], oidc.ReasonTooLarge},
		"three dots":           {tok + ".AAAA", oidc.ReasonMalformed},
		"one dot":              {parts[0] + "." + parts[1], oidc.ReasonMalformed},
		"empty payload":        {parts[0] + ".." + parts[2], oidc.ReasonMalformed},
		"padding":              {parts[0] + "." + parts[1] + "=." + parts[2], oidc.ReasonMalformed},
		"standard base64":      {parts[0] + "." + parts[1] + "+/." + parts[2], oidc.ReasonMalformed},
		"json serialization":   {`{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`, oidc.ReasonMalformed},
		"header not json":      {b64([]byte("nope")) + "." + parts[1] + "." + parts[2], oidc.ReasonMalformed},
		"empty string":         {"", oidc.ReasonMalformed},
		"crit header":          {critToken(t, f), oidc.ReasonMalformed},
		"five-part jwe header": {b64JSON(t, map[string]any{"alg": "RSA-OAEP", "enc": "A256GCM"}) + ".AAAA.AAAA.AAAA.AAAA", oidc.ReasonMalformed},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) { wantReject(t, f, tt.token, tt.reason) })
	}
}

func critToken(t *testing.T, f *fixture) string {
	t.Helper()
	tok, err := f.iss.SignWithHeaders(f.claims(), map[string]any{"crit": []string{"exp"}, "exp": 1})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestSubjectAndRoles(t *testing.T) {
	f := newFixture(t)
	sub := devoidc.Users()[0].Subject
	with := func(k string, v any) string {
		c := f.claims()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return f.sign(t, c)
	}
	t.Run("dealer as a string", func(t *testing.T) {
		wantAccept(t, f, with("roles", "dealer"), oidc.Caller{Subject: sub, Role: oidc.RoleDealer})
	})
	t.Run("both roles: dealer wins", func(t *testing.T) {
		wantAccept(t, f, with("roles", []string{"consumer", "dealer"}), oidc.Caller{Subject: sub, Role: oidc.RoleDealer})
	})
	t.Run("unknown roles ignored", func(t *testing.T) {
		wantAccept(t, f, with("roles", []string{"admin", "consumer"}), oidc.Caller{Subject: sub, Role: oidc.RoleConsumer})
	})
	t.Run("no roles claim", func(t *testing.T) { wantReject(t, f, with("roles", nil), oidc.ReasonNoRole) })
	t.Run("only unknown roles", func(t *testing.T) { wantReject(t, f, with("roles", []string{"admin"}), oidc.ReasonNoRole) })
	t.Run("anonymous is not a token role", func(t *testing.T) { wantReject(t, f, with("roles", "anonymous"), oidc.ReasonNoRole) })
	t.Run("role case matters", func(t *testing.T) { wantReject(t, f, with("roles", "Dealer"), oidc.ReasonNoRole) })
	t.Run("roles as an object", func(t *testing.T) { wantReject(t, f, with("roles", map[string]any{"dealer": true}), oidc.ReasonNoRole) })
	t.Run("no subject", func(t *testing.T) { wantReject(t, f, with("sub", nil), oidc.ReasonNoSubject) })
	t.Run("subject too long", func(t *testing.T) { wantReject(t, f, with("sub", strings.Repeat("s", 256)), oidc.ReasonNoSubject) })
	t.Run("subject with control characters", func(t *testing.T) { wantReject(t, f, with("sub", "a\nb"), oidc.ReasonNoSubject) })

	t.Run("configurable claim name", func(t *testing.T) {
		g := newFixture(t, func(c *oidc.Config) { c.RoleClaim = "cognito:groups" })
		c := g.claims()
		delete(c, "roles")
		c["cognito:groups"] = []string{"dealer"}
		wantAccept(t, g, g.sign(t, c), oidc.Caller{Subject: sub, Role: oidc.RoleDealer})
		wantReject(t, g, g.token(t, "alice"), oidc.ReasonNoRole) // "roles" is no longer read
	})
}

func TestDealerIDClaim(t *testing.T) {
	sub := devoidc.Users()[0].Subject
	f := newFixture(t)
	dealer := func(id any, role string) map[string]any {
		c := f.claims()
		c["roles"] = []string{role}
		c["dealer_id"] = id
		return c
	}
	wantAccept(t, f, f.sign(t, dealer("DDE177", "dealer")), oidc.Caller{Subject: sub, Role: oidc.RoleDealer, DealerID: "DDE177"})
	// A consumer never acts for a dealer, whatever its token says.
	wantAccept(t, f, f.sign(t, dealer("DDE177", "consumer")), oidc.Caller{Subject: sub, Role: oidc.RoleConsumer})
	// A malformed dealer id is no dealer id (the dealer routes answer 403), not a rejected token.
	for _, bad := range []any{"", "a b", strings.Repeat("D", 65), 177, []string{"DDE177"}, "D/../x"} {
		wantAccept(t, f, f.sign(t, dealer(bad, "dealer")), oidc.Caller{Subject: sub, Role: oidc.RoleDealer})
	}
	g := newFixture(t, func(c *oidc.Config) { c.DealerClaim = "custom:dealer_id" })
	c := g.claims()
	c["roles"], c["custom:dealer_id"] = []string{"dealer"}, "DDE100"
	wantAccept(t, g, g.sign(t, c), oidc.Caller{Subject: sub, Role: oidc.RoleDealer, DealerID: "DDE100"})
}

func TestKeyRotation(t *testing.T) {
	f := newFixture(t)
	alice := oidc.Caller{Subject: devoidc.Users()[0].Subject, Role: oidc.RoleConsumer}
	oldKid := f.iss.KeyIDs()[0]
	oldTok := f.token(t, "alice")
	wantAccept(t, f, oldTok, alice)
	if n := f.iss.JWKSFetches(); n != 1 {
		t.Fatalf("first verification fetched keys %d times; want 1", n)
	}

	newKid, err := f.iss.RotateKey()
	if err != nil {
		t.Fatal(err)
	}
	newTok := f.token(t, "alice")

	// Within the refresh interval the new kid cannot trigger a fetch yet.
	wantReject(t, f, newTok, oidc.ReasonUnknownKey)
	if n := f.iss.JWKSFetches(); n != 1 {
		t.Fatalf("unknown kid inside the refresh interval fetched keys (%d fetches)", n)
	}

	f.clock.Advance(refreshEvery)
	wantAccept(t, f, newTok, alice)
	wantAccept(t, f, oldTok, alice) // both keys published, both verify
	if n := f.iss.JWKSFetches(); n != 2 {
		t.Fatalf("fetches after rotation = %d; want exactly one more (2)", n)
	}

	// The provider removes the old key; the next refresh (here: the cache growing older than
	// MaxKeyAge) drops it.
	if err := f.iss.RemoveKey(oldKid); err != nil {
		t.Fatal(err)
	}
	wantAccept(t, f, oldTok, alice) // still cached: removal is seen at the next refresh
	f.clock.Advance(keyMaxAge)
	wantReject(t, f, oldTok, oidc.ReasonUnknownKey)
	wantAccept(t, f, newTok, alice)
	if kids := f.iss.KeyIDs(); len(kids) != 1 || kids[0] != newKid {
		t.Fatalf("issuer keys = %v", kids)
	}
}

func TestRemovedKeyRejectedAfterUnknownKidRefresh(t *testing.T) {
	f := newFixture(t)
	oldKid := f.iss.KeyIDs()[0]
	oldTok := f.token(t, "bob")
	if _, err := f.v.Verify(context.Background(), oldTok); err != nil {
		t.Fatal(err)
	}
	if _, err := f.iss.RotateKey(); err != nil {
		t.Fatal(err)
	}
	if err := f.iss.RemoveKey(oldKid); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(refreshEvery)
	// A token with the new kid is unknown to the cache: that refresh also drops the old key.
	if _, err := f.v.Verify(context.Background(), f.token(t, "bob")); err != nil {
		t.Fatal(err)
	}
	wantReject(t, f, oldTok, oidc.ReasonUnknownKey)
}

func TestCachedKeysSurviveKeyEndpointOutage(t *testing.T) {
	f := newFixture(t)
	alice := oidc.Caller{Subject: devoidc.Users()[0].Subject, Role: oidc.RoleConsumer}
	tok := f.token(t, "alice")
	wantAccept(t, f, tok, alice)

	f.iss.SetJWKSFailing(true)
	f.clock.Advance(keyMaxAge) // stale: the verifier tries to refresh, fails, keeps its keys
	wantAccept(t, f, tok, alice)
	if n := f.iss.JWKSFetches(); n != 2 {
		t.Errorf("fetches = %d; want the initial one and one failed refresh", n)
	}
	wantAccept(t, f, tok, alice) // and does not retry on every request
	if n := f.iss.JWKSFetches(); n != 2 {
		t.Errorf("fetches = %d; want no retry inside the refresh interval", n)
	}

	// A new key cannot be learned while the endpoint is down, and says so.
	if _, err := f.iss.RotateKey(); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(refreshEvery)
	wantReject(t, f, f.token(t, "alice"), oidc.ReasonKeysUnavailable)

	f.iss.SetJWKSFailing(false)
	f.clock.Advance(refreshEvery)
	wantAccept(t, f, f.token(t, "alice"), alice)
}

func TestKeyEndpointDownAtColdStart(t *testing.T) {
	f := newFixture(t)
	f.iss.SetJWKSFailing(true)
	wantReject(t, f, f.token(t, "alice"), oidc.ReasonKeysUnavailable)
}

func TestUnknownKidFloodIsRateLimited(t *testing.T) {
	f := newFixture(t)
	flood := func() {
		var wg sync.WaitGroup
		for range 100 {
			wg.Go(func() {
				kid := make([]byte, 12)
				_, _ = rand.Read(kid)
				tok, err := f.iss.SignWithHeaders(f.claims(), map[string]any{"kid": b64(kid)})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := f.v.Verify(context.Background(), tok); !errors.Is(err, oidc.ErrUnauthenticated) {
					t.Errorf("random kid accepted: %v", err)
				}
			})
		}
		wg.Wait()
	}
	flood() // cold cache: the first arrival fetches, the other 99 wait for it or are rate-limited
	if n := f.iss.JWKSFetches(); n != 1 {
		t.Errorf("100 random kids on a cold cache: %d fetches; want 1", n)
	}
	flood()
	if n := f.iss.JWKSFetches(); n != 1 {
		t.Errorf("second flood inside the interval: %d fetches; want still 1", n)
	}
	f.clock.Advance(refreshEvery)
	flood()
	if n := f.iss.JWKSFetches(); n != 2 {
		t.Errorf("flood after the interval: %d fetches; want 2", n)
	}
}

func TestES256WithConfiguredKeySet(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &priv.PublicKey, KeyID: "ec1", Use: "sig"}}})
	}))
	t.Cleanup(jwks.Close)
	clk := newClock()
	// No discovery server at all: the issuer is just a name when JWKSURL is given.
	v, err := oidc.NewVerifier(context.Background(), oidc.Config{
		Issuer: "https://idp.example", Audience: "api", JWKSURL: jwks.URL, HTTPClient: jwks.Client(), Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	sign := func(key any, alg jose.SignatureAlgorithm) string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: "ec1"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(map[string]any{"iss": "https://idp.example", "aud": "api", "sub": "s1", "exp": clk.Now().Add(time.Minute).Unix(), "roles": "dealer", "token_use": "access"})
		jws, err := s.Sign(b)
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := jws.CompactSerialize()
		return tok
	}
	c, err := v.Verify(context.Background(), sign(priv, jose.ES256))
	if err != nil || c != (oidc.Caller{Subject: "s1", Role: oidc.RoleDealer}) {
		t.Fatalf("ES256: %+v, %v", c, err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), sign(p384, jose.ES384)); !errors.Is(err, oidc.ErrUnauthenticated) {
		t.Fatalf("ES384 accepted: %v", err)
	}
}

func TestNewVerifierRejectsUnsafeConfig(t *testing.T) {
	ok := oidc.Config{Issuer: "https://idp.example", Audience: "api", JWKSURL: "https://idp.example/jwks"}
	tests := map[string]func(*oidc.Config){
		"http issuer off loopback":   func(c *oidc.Config) { c.Issuer = "http://idp.example" },
		"relative issuer":            func(c *oidc.Config) { c.Issuer = "/idp" },
		"no audience":                func(c *oidc.Config) { c.Audience = "" },
		"leeway above the bound":     func(c *oidc.Config) { c.Leeway = oidc.MaxLeeway + time.Second },
		"negative leeway":            func(c *oidc.Config) { c.Leeway = -time.Second },
		"http key set off loopback":  func(c *oidc.Config) { c.JWKSURL = "http://idp.example/jwks" },
		"discovery of a dead issuer": func(c *oidc.Config) { c.Issuer, c.JWKSURL = "http://127.0.0.1:1", "" },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			c := ok
			mutate(&c)
			if _, err := oidc.NewVerifier(context.Background(), c); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if _, err := oidc.NewVerifier(context.Background(), ok); err != nil {
		t.Fatalf("valid config rejected: %v", err)
	}
}

package securitytest

// JWT attacks through the whole HTTP path: request -> local gateway -> authorizer -> verifier,
// with the development issuer's real keys fetched over loopback. internal/oidc unit-tests the
// verifier; these tests prove that the gateway maps every rejection to a 401 with an RFC 6750
// challenge and an error body that echoes nothing of the token, on every route of the contract,
// and that no attack reaches a 500 or, worse, a 2xx.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/acme-oem/vehicle-data/internal/oidc"
)

var b64 = base64.RawURLEncoding

// compact builds a compact JWS from a header, claims and a signing function over the signing
// input; the tests build tokens by hand so that nothing normalizes the attack away.
func compact(t testing.TB, header, claims map[string]any, sign func(input []byte) []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
	return input + "." + b64.EncodeToString(sign([]byte(input)))
}

func rs256(t testing.TB, key *rsa.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte {
		d := sha256.Sum256(in)
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
}

func es256(t testing.TB, key *ecdsa.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte {
		d := sha256.Sum256(in)
		r, s, err := ecdsa.Sign(rand.Reader, key, d[:])
		if err != nil {
			t.Fatal(err)
		}
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return sig
	}
}

func hs256(secret []byte) func([]byte) []byte {
	return func(in []byte) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write(in)
		return m.Sum(nil)
	}
}

func noSignature([]byte) []byte { return nil }

// goodClaims are the claims the issuer puts in alice's access token.
func goodClaims(t testing.TB) map[string]any {
	t.Helper()
	now := time.Now()
	return map[string]any{
		"iss":       stack.Issuer.URL(),
		"sub":       subjectOf(t, "alice"),
		"aud":       stack.Issuer.Audience(),
		"iat":       now.Unix(),
		"nbf":       now.Unix(),
		"exp":       now.Add(time.Hour).Unix(),
		"roles":     []string{"consumer"},
		"scope":     "openid",
		"token_use": "access",
	}
}

// idTokenOf asks the issuer's token endpoint for a demo user's tokens, as a client would, and
// returns the id_token.
func idTokenOf(t testing.TB, user string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, stack.Issuer.URL()+"/token",
		strings.NewReader(url.Values{"grant_type": {"password"}, "username": {user}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	var body struct {
		ID string `json:"id_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || body.ID == "" {
		t.Fatalf("token endpoint: %d, %v", res.StatusCode, err)
	}
	remember("id_token of "+user, body.ID)
	return body.ID
}

// with returns a copy of claims with the changes applied; a nil value deletes the claim.
func with(claims map[string]any, changes map[string]any) map[string]any {
	out := make(map[string]any, len(claims))
	for k, v := range claims {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// issuerKey is the issuer's published signing key, read from its key set over HTTP as an attacker
// would read it.
func issuerKey(t testing.TB) (kid string, pub *rsa.PublicKey, jwksJSON []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, stack.Issuer.JWKSURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	ids := stack.Issuer.KeyIDs()
	current := ids[len(ids)-1]
	for _, k := range set.Keys {
		if k.KeyID != current {
			continue
		}
		pub, ok := k.Key.(*rsa.PublicKey)
		if !ok {
			t.Fatalf("issuer key %s is %T, want RSA", k.KeyID, k.Key)
		}
		raw, err := json.Marshal(k)
		if err != nil {
			t.Fatal(err)
		}
		return k.KeyID, pub, raw
	}
	t.Fatalf("the key set has no key %s", current)
	return "", nil, nil
}

// attackerSite serves an attacker's key set and certificate, and counts how often anyone asks:
// the verifier must never fetch keys a token points at.
type attackerSite struct {
	srv  *httptest.Server
	hits atomic.Int64
}

func newAttackerSite(t testing.TB, jwks, certPEM []byte) *attackerSite {
	t.Helper()
	a := &attackerSite{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.hits.Add(1)
		if strings.HasSuffix(r.URL.Path, ".pem") {
			_, _ = w.Write(certPEM)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwks)
	}))
	t.Cleanup(a.srv.Close)
	return a
}

// selfSigned makes a certificate for key, as an attacker would put in x5c or behind x5u.
func selfSigned(t testing.TB, key *rsa.PrivateKey) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "dev issuer"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

type jwtAttack struct {
	name string
	// header holds the Authorization header line(s) sent.
	header http.Header
	// token is the token presented (for the echo checks); empty for header-only attacks.
	token string
}

// jwtAttacks builds every attack. Each crafted token differs in one aspect (algorithm, key, key
// id, a claim, the shape) from a token that TestJWTAttacksControl proves is accepted, so a 401 is
// caused by the attack and nothing else.
func jwtAttacks(t *testing.T) ([]jwtAttack, *attackerSite) {
	t.Helper()
	good := goodClaims(t)
	kid, pub, jwksJSON := issuerKey(t)
	alice := tokenOf(t, "alice")

	var attacks []jwtAttack
	add := func(name, token string) {
		remember("attack token ("+name+")", token)
		attacks = append(attacks, jwtAttack{name: name, header: bearer(token), token: token})
	}
	addHeader := func(name string, h http.Header, token string) {
		attacks = append(attacks, jwtAttack{name: name, header: h, token: token})
	}
	signed := func(name string, header map[string]any, claims map[string]any) {
		tok, err := stack.Issuer.SignWithHeaders(claims, header)
		if err != nil {
			t.Fatal(err)
		}
		add(name, tok)
	}

	// alg none, in the spellings libraries have accepted, with and without a signature part.
	realSig := alice[strings.LastIndexByte(alice, '.')+1:]
	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		tok := compact(t, map[string]any{"alg": alg, "typ": "JWT", "kid": kid}, good, noSignature)
		add("alg "+alg+" without signature", tok)
		add("alg "+alg+" with a borrowed signature", tok+realSig)
	}
	// HS256 keyed with the RSA public key, in every encoding a confused verifier might use.
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	hmacKeys := map[string][]byte{
		"PKIX PEM":  pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}),
		"PKCS1 PEM": pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)}),
		"PKIX DER":  spki,
		"JWK JSON":  jwksJSON,
		"modulus":   pub.N.Bytes(),
	}
	for enc, secret := range hmacKeys {
		for _, alg := range []string{"HS256", "HS384", "HS512"} {
			// HS384/HS512 are signed with SHA-256 too: the algorithm must be refused before any
			// signature is computed, so the exact MAC does not matter.
			add(alg+" keyed with the public key as "+enc,
				compact(t, map[string]any{"alg": alg, "typ": "JWT", "kid": kid}, good, hs256(secret)))
		}
	}

	// Key ids that are unknown, injected or path-like. The signature is the real key's: only the
	// key id is wrong, and a key set that fell back to "try every key" would accept these.
	for name, bad := range map[string]string{
		"unknown":                      "unknown-key",
		"relative path":                "../../x",
		"SQL injection":                "' OR 1=1",
		"SQL injection with a comment": "' OR '1'='1' --",
		"absolute path":                "/etc/passwd",
		"path to /dev/null":            "../../../../dev/null",
		"file URL":                     "file:///etc/passwd",
		"URL of a key set":             "http://127.0.0.1:1/jwks.json",
		"the real kid as a path":       kid + "/../" + kid,
		"the real kid and a NUL":       kid + "\x00",
		"300 characters":               strings.Repeat("k", 300),
	} {
		signed("kid: "+name, map[string]any{"kid": bad}, good)
	}
	signed("no kid", map[string]any{"kid": ""}, good)

	// An attacker's key, named by the token: jku, x5u, embedded jwk and x5c.
	attacker := mustRSA(t)
	attackerJWK := jose.JSONWebKey{Key: &attacker.PublicKey, KeyID: "attacker", Algorithm: "RS256", Use: "sig"}
	attackerSet, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{attackerJWK}})
	if err != nil {
		t.Fatal(err)
	}
	cert := selfSigned(t, attacker)
	site := newAttackerSite(t, attackerSet, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert}))
	pubJWK, err := json.Marshal(attackerJWK)
	if err != nil {
		t.Fatal(err)
	}
	var pubJWKMap map[string]any
	if err := json.Unmarshal(pubJWK, &pubJWKMap); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{kid, "attacker"} {
		who := "the issuer's kid"
		if k == "attacker" {
			who = "the attacker's kid"
		}
		hdr := func(extra string, v any) map[string]any {
			return map[string]any{"alg": "RS256", "typ": "JWT", "kid": k, extra: v}
		}
		sign := rs256(t, attacker)
		add("jku to an attacker key set, "+who, compact(t, hdr("jku", site.srv.URL+"/jwks.json"), good, sign))
		add("x5u to an attacker certificate, "+who, compact(t, hdr("x5u", site.srv.URL+"/cert.pem"), good, sign))
		add("embedded attacker jwk, "+who, compact(t, hdr("jwk", pubJWKMap), good, sign))
		add("embedded attacker x5c, "+who, compact(t, hdr("x5c", []string{base64.StdEncoding.EncodeToString(cert)}), good, sign))
	}
	// An ES256 token signed by an attacker's EC key under the issuer's (RSA) kid.
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	add("ES256 by an attacker under the issuer's kid", compact(t, map[string]any{"alg": "ES256", "typ": "JWT", "kid": kid}, good, es256(t, ec)))

	// A genuine token with its payload swapped: the claims a caller would like to have.
	parts := strings.Split(alice, ".")
	for name, claims := range map[string]map[string]any{
		"role dealer":    with(good, map[string]any{"roles": []string{"dealer"}}),
		"subject of bob": with(good, map[string]any{"sub": subjectOf(t, "bob")}),
		"longer expiry":  with(good, map[string]any{"exp": time.Now().Add(365 * 24 * time.Hour).Unix()}),
	} {
		c, err := json.Marshal(claims)
		if err != nil {
			t.Fatal(err)
		}
		add("tampered payload: "+name, parts[0]+"."+b64.EncodeToString(c)+"."+parts[2])
	}
	bob := tokenOf(t, "bob")
	add("alice's claims with bob's signature", parts[0]+"."+parts[1]+"."+bob[strings.LastIndexByte(bob, '.')+1:])
	add("signature flipped", parts[0]+"."+parts[1]+"."+flipLast(parts[2]))

	// Claims the issuer never issues, signed with its real key.
	now := time.Now()
	for name, claims := range map[string]map[string]any{
		"expired an hour ago":           with(good, map[string]any{"exp": now.Add(-time.Hour).Unix(), "iat": now.Add(-2 * time.Hour).Unix(), "nbf": now.Add(-2 * time.Hour).Unix()}),
		"no exp":                        with(good, map[string]any{"exp": nil}),
		"exp as a string":               with(good, map[string]any{"exp": "9999999999"}),
		"nbf in an hour":                with(good, map[string]any{"nbf": now.Add(time.Hour).Unix()}),
		"iat in an hour":                with(good, map[string]any{"iat": now.Add(time.Hour).Unix()}),
		"wrong issuer":                  with(good, map[string]any{"iss": "https://evil.example/oidc"}),
		"issuer with a trailing slash":  with(good, map[string]any{"iss": stack.Issuer.URL() + "/"}),
		"issuer in upper case":          with(good, map[string]any{"iss": strings.ToUpper(stack.Issuer.URL())}),
		"no issuer":                     with(good, map[string]any{"iss": nil}),
		"wrong audience":                with(good, map[string]any{"aud": "some-other-api"}),
		"audience list without ours":    with(good, map[string]any{"aud": []string{"some-other-api", "x"}}),
		"no audience":                   with(good, map[string]any{"aud": nil}),
		"no subject":                    with(good, map[string]any{"sub": nil}),
		"no role":                       with(good, map[string]any{"roles": nil}),
		"unknown role admin":            with(good, map[string]any{"roles": []string{"admin"}}),
		"role anonymous from the token": with(good, map[string]any{"roles": []string{"anonymous"}}),
		"token_use id":                  with(good, map[string]any{"token_use": "id"}),
		"token_use refresh":             with(good, map[string]any{"token_use": "refresh"}),
		"no token_use":                  with(good, map[string]any{"token_use": nil}),
	} {
		signed(name, nil, claims)
	}
	// The OIDC id_token the issuer hands out beside the access token: same keys, issuer and (for
	// the password grant) audience, but it says who signed in to a client and opens nothing.
	add("the id_token from the token endpoint", idTokenOf(t, "alice"))

	// RS256 with the issuer's kid but a key the issuer never had.
	add("RS256 by an attacker under the issuer's kid", compact(t, map[string]any{"alg": "RS256", "typ": "JWT", "kid": kid}, good, rs256(t, attacker)))

	// Shapes: huge, dotted, malformed.
	add("10,000 dots", strings.Repeat(".", 10000))
	add("oversized token", parts[0]+"."+strings.Repeat("A", oidc.MaxTokenBytes)+"."+parts[2])
	add("two segments", parts[0]+"."+parts[1])
	add("four segments", alice+".AAAA")
	add("empty segments", "..")
	add("header not JSON", b64.EncodeToString([]byte("not json"))+"."+parts[1]+"."+parts[2])
	add("header without alg", b64.EncodeToString([]byte(`{"typ":"JWT","kid":"`+kid+`"}`))+"."+parts[1]+"."+parts[2])
	add("not base64url", "***.***.***")
	add("standard base64 padding", parts[0]+"=."+parts[1]+"."+parts[2])
	add("JSON serialization", `{"payload":"`+parts[1]+`","signatures":[]}`)
	signed("crit header", map[string]any{"crit": []string{"exp"}}, good)

	// The Authorization header itself.
	addHeader("Bearer missing", http.Header{"Authorization": {alice}}, alice)
	addHeader("Basic credentials", http.Header{"Authorization": {"Basic YWxpY2U6cGFzc3dvcmQ="}}, "")
	addHeader("scheme Token", http.Header{"Authorization": {"Token " + alice}}, alice)
	addHeader("Bearer without a token", http.Header{"Authorization": {"Bearer"}}, "")
	addHeader("Bearer and a space", http.Header{"Authorization": {"Bearer  "}}, "")
	addHeader("two tokens in one header", http.Header{"Authorization": {"Bearer " + alice + " " + alice}}, alice)
	addHeader("two tokens comma-separated", http.Header{"Authorization": {"Bearer " + alice + "," + alice}}, alice)
	addHeader("two Authorization headers, both valid", http.Header{"Authorization": {"Bearer " + alice, "Bearer " + alice}}, alice)
	addHeader("two Authorization headers, valid then garbage", http.Header{"Authorization": {"Bearer " + alice, "Bearer x"}}, alice)
	addHeader("two Authorization headers, anonymous then valid", http.Header{"Authorization": {"", "Bearer " + alice}}, alice)
	return attacks, site
}

func mustRSA(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// flipLast changes the last base64url character of a segment to another valid one.
func flipLast(s string) string {
	c := s[len(s)-2] // not the last: its low bits may be padding that decoders ignore
	r := byte('A')
	if c == 'A' {
		r = 'B'
	}
	return s[:len(s)-2] + string(r) + s[len(s)-1:]
}

// TestJWTAttacksControl proves the baseline of the attacks verifies: a token with goodClaims,
// signed with the issuer's key, and the issuer's own token, are accepted. Without it, a broken
// verifier that refused everything would pass TestJWTAttacks.
func TestJWTAttacksControl(t *testing.T) {
	good, err := stack.Issuer.Sign(goodClaims(t))
	if err != nil {
		t.Fatal(err)
	}
	remember("control token", good)
	for name, tok := range map[string]string{"goodClaims": good, "issued to alice": tokenOf(t, "alice")} {
		if a := call(t, http.MethodGet, "/healthz", bearer(tok), nil); a.status != http.StatusOK {
			t.Errorf("%s: GET /healthz with a valid token: %s, want 200", name, a)
		}
	}
}

// TestJWTAttacks presents every attack on every route of the contract: each must be a 401 with a
// Bearer challenge and the contract's error body, and neither may echo the token.
func TestJWTAttacks(t *testing.T) {
	attacks, site := jwtAttacks(t)
	routes := contractRoutes(t)
	for _, atk := range attacks {
		t.Run(atk.name, func(t *testing.T) {
			for _, rt := range routes {
				path := rt.samplePath(freshVIN(t))
				a := call(t, rt.method, path, atk.header, rt.sampleBody())
				checkUnauthenticated(t, rt.method+" "+rt.path, a, atk.token)
			}
		})
	}
	if n := site.hits.Load(); n != 0 {
		t.Errorf("the attacker's site was asked %d times: the verifier fetched a key a token pointed at", n)
	}
}

func checkUnauthenticated(t *testing.T, route string, a answer, token string) {
	t.Helper()
	if a.status != http.StatusUnauthorized {
		t.Errorf("%s: status %d, want 401: %s", route, a.status, a.body)
		return
	}
	challenge := a.header.Get("WWW-Authenticate")
	if !strings.HasPrefix(challenge, `Bearer realm="`+oidc.Realm+`"`) {
		t.Errorf("%s: WWW-Authenticate %q, want a Bearer challenge for realm %q", route, challenge, oidc.Realm)
	}
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(a.body, &body); err != nil || body.Error.Code != "UNAUTHENTICATED" || body.Error.Message == "" {
		t.Errorf("%s: body %s, want the contract's UNAUTHENTICATED error", route, a.body)
	}
	// Neither the body nor the challenge may carry the token or any sizeable part of it.
	for _, part := range append(strings.Split(token, "."), token) {
		if len(part) < 8 {
			continue
		}
		if strings.Contains(string(a.body), part) || strings.Contains(challenge, part) {
			t.Errorf("%s: the 401 echoes the token (%.20s...): body %s, challenge %q", route, part, a.body, challenge)
		}
	}
}

// TestUnknownKeyIDsDoNotDriveTheKeyEndpoint: a token naming a key id the verifier does not hold
// makes it refresh the issuer's key set, but at most once per refresh interval (30 s), so a burst
// of tokens with random key ids cannot turn the API into an amplifier against the identity
// provider. The burst takes well under the interval, so at most one fetch may happen in it.
func TestUnknownKeyIDsDoNotDriveTheKeyEndpoint(t *testing.T) {
	good := goodClaims(t)
	before := stack.Issuer.JWKSFetches()
	for i := range 25 {
		tok, err := stack.Issuer.SignWithHeaders(good, map[string]any{"kid": "random-kid-" + strings.Repeat("x", i)})
		if err != nil {
			t.Fatal(err)
		}
		remember("token with a random kid", tok)
		if a := call(t, http.MethodGet, "/healthz", bearer(tok), nil); a.status != http.StatusUnauthorized {
			t.Fatalf("unknown kid: %s, want 401", a)
		}
	}
	if n := stack.Issuer.JWKSFetches() - before; n > 1 {
		t.Errorf("25 tokens with unknown key ids made %d key set fetches, want at most 1", n)
	}
}

// TestProtectedRoutesChallengeAnonymousCallers: a route whose security in the contract does not
// include the empty requirement ({}) needs a bearer token, so an anonymous caller gets a 401, and
// every 401 carries a WWW-Authenticate challenge (RFC 9110 15.5.2: the server MUST send one;
// RFC 6750 3 without error attributes when no credentials were sent), whichever part of the stack
// decided it: the gateway's authorizer or, for an anonymous caller, the state machine.
func TestProtectedRoutesChallengeAnonymousCallers(t *testing.T) {
	protected := 0
	for _, rt := range contractRoutes(t) {
		open := rt.op.Security == nil // the document's default (none here) would apply
		if rt.op.Security != nil {
			for _, req := range *rt.op.Security {
				if len(req) == 0 {
					open = true
				}
			}
		}
		if open {
			continue
		}
		protected++
		a := call(t, rt.method, rt.samplePath(freshVIN(t)), rt.matrixHeader(nil), rt.sampleBody())
		if a.status != http.StatusUnauthorized {
			t.Errorf("%s, anonymous: %s, want 401", rt.key(), a)
			continue
		}
		if got := a.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, `Bearer realm="`+oidc.Realm+`"`) {
			t.Errorf("%s, anonymous: 401 with WWW-Authenticate %q, want a Bearer challenge for realm %q: %s",
				rt.key(), got, oidc.Realm, a.body)
		}
	}
	if protected == 0 {
		t.Log("the contract has no route that requires a token")
	}
}

package oidc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
)

// MaxTokenBytes bounds the tokens we look at. Real access tokens are 1-2 KiB; anything near this
// is an attack or a bug, and is rejected before it is decoded.
const MaxTokenBytes = 8 << 10

// Defaults and bounds for Config.
const (
	DefaultRoleClaim   = "roles"
	DefaultDealerClaim = "dealer_id" // Cognito: "custom:dealer_id"
	maxDealerIDLen     = 64
	// AudienceClaimAud and AudienceClaimClientID are the claims Config.AudienceClaim may name.
	AudienceClaimAud          = "aud"
	AudienceClaimClientID     = "client_id"
	DefaultLeeway             = 30 * time.Second
	MaxLeeway                 = 2 * time.Minute
	DefaultMinRefreshInterval = 30 * time.Second
	DefaultMaxKeyAge          = 15 * time.Minute
	DefaultHTTPTimeout        = 5 * time.Second
	maxSubjectLen             = 255 // OpenID Connect Core 2: sub is at most 255 ASCII characters
)

// allowedAlgs is the algorithm allowlist: asymmetric only, so no HS256 "public key as secret"
// confusion is possible, and no "none".
var allowedAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.ES256}

// Config configures a Verifier. Issuer and Audience are required; the rest has defaults.
type Config struct {
	// Issuer must equal the token's "iss" exactly: no trailing-slash or case leniency. https, or
	// http on a loopback host (the development issuer).
	Issuer string
	// Audience must be one of the token's "aud" values (or, with AudienceClaim client_id, equal
	// its "client_id").
	Audience string
	// AudienceClaim names the claim Audience is checked against: "aud" (the default, RFC 9068) or
	// "client_id", for Amazon Cognito, whose access tokens carry the app client's id in client_id
	// and no aud at all. Nothing else is accepted, so a typo cannot switch the check off.
	AudienceClaim string
	// JWKSURL skips discovery when set; otherwise it is read from the issuer's
	// /.well-known/openid-configuration when the Verifier is built.
	JWKSURL string
	// RoleClaim names the claim holding the roles (a string or an array of strings).
	RoleClaim string
	// DealerClaim names the claim holding a dealer's id (a string), read for dealers only.
	DealerClaim string
	// Leeway absorbs clock skew on exp, nbf and iat; at most MaxLeeway.
	Leeway time.Duration
	// MinRefreshInterval is the least time between two key set fetches, whatever triggers them.
	MinRefreshInterval time.Duration
	// MaxKeyAge is how long a fetched key set is trusted before the next verification refreshes
	// it (so a key removed by the provider stops verifying); the cached set stays in use while
	// the refresh fails.
	MaxKeyAge time.Duration
	// HTTPClient fetches discovery and keys; it must have timeouts. Default: DefaultHTTPTimeout.
	HTTPClient *http.Client
	// Now is the clock; tests move it.
	Now func() time.Time
}

// Verifier turns bearer tokens into Callers. It is safe for concurrent use; build one per process
// and reuse it, since it caches the issuer's keys.
type Verifier struct {
	oidc        *oidc.IDTokenVerifier
	keys        *keySet
	issuer      string
	audience    string
	roleClaim   string
	dealerClaim string
	leeway      time.Duration
	now         func() time.Time
	// clientID: the audience is checked against client_id (Cognito), not by go-oidc against aud.
	clientID bool
}

// NewVerifier validates cfg and, unless cfg.JWKSURL is set, discovers the key set URL from the
// issuer (one HTTP request, bounded by ctx and the client's timeout). Keys are fetched lazily on
// the first verification.
func NewVerifier(ctx context.Context, cfg Config) (*Verifier, error) {
	if err := checkURL(cfg.Issuer); err != nil {
		return nil, fmt.Errorf("auth: issuer: %w", err)
	}
	if cfg.Audience == "" {
		return nil, errors.New("auth: audience is required")
	}
	if cfg.RoleClaim == "" {
		cfg.RoleClaim = DefaultRoleClaim
	}
	if cfg.DealerClaim == "" {
		cfg.DealerClaim = DefaultDealerClaim
	}
	switch cfg.AudienceClaim {
	case "", AudienceClaimAud, AudienceClaimClientID:
	default:
		return nil, fmt.Errorf("auth: audience claim %q: want %q or %q", cfg.AudienceClaim, AudienceClaimAud, AudienceClaimClientID)
	}
	clientID := cfg.AudienceClaim == AudienceClaimClientID
	if cfg.Leeway == 0 {
		cfg.Leeway = DefaultLeeway
	}
	if cfg.Leeway < 0 || cfg.Leeway > MaxLeeway {
		return nil, fmt.Errorf("auth: leeway %s outside [0, %s]", cfg.Leeway, MaxLeeway)
	}
	if cfg.MinRefreshInterval <= 0 {
		cfg.MinRefreshInterval = DefaultMinRefreshInterval
	}
	if cfg.MaxKeyAge <= 0 {
		cfg.MaxKeyAge = DefaultMaxKeyAge
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = defaultHTTPClient()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		// go-oidc takes its HTTP client from the context, so discovery gets our timeouts too.
		provider, err := oidc.NewProvider(oidc.ClientContext(ctx, cfg.HTTPClient), cfg.Issuer)
		if err != nil {
			return nil, fmt.Errorf("auth: discover issuer: %w", err)
		}
		var meta struct {
			JWKSURI string `json:"jwks_uri"`
		}
		if err := provider.Claims(&meta); err != nil {
			return nil, fmt.Errorf("auth: read discovery document: %w", err)
		}
		jwksURL = meta.JWKSURI
	}
	if err := checkURL(jwksURL); err != nil {
		return nil, fmt.Errorf("auth: jwks url: %w", err)
	}

	keys := newKeySet(jwksURL, cfg.HTTPClient, cfg.Now, cfg.MinRefreshInterval, cfg.MaxKeyAge)
	idv := oidc.NewVerifier(cfg.Issuer, keys, &oidc.Config{
		ClientID:             cfg.Audience,
		SupportedSigningAlgs: []string{string(jose.RS256), string(jose.ES256)},
		// go-oidc checks exp with no leeway at all, tolerates nbf up to a fixed 5 minutes, and
		// treats a missing exp as the zero time rather than as missing. We need a required exp
		// and one small, bounded leeway for all three time claims, so checkTimes does it and
		// go-oidc's check is switched off here on purpose.
		SkipExpiryCheck: true,
		// A Cognito access token has no aud; Verify checks its client_id instead.
		SkipClientIDCheck: clientID,
	})
	return &Verifier{
		oidc:        idv,
		keys:        keys,
		issuer:      cfg.Issuer,
		audience:    cfg.Audience,
		roleClaim:   cfg.RoleClaim,
		dealerClaim: cfg.DealerClaim,
		leeway:      cfg.Leeway,
		now:         cfg.Now,
		clientID:    clientID,
	}, nil
}

func defaultHTTPClient() *http.Client {
	return &http.Client{
		Timeout: DefaultHTTPTimeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
			TLSHandshakeTimeout:   3 * time.Second,
			ResponseHeaderTimeout: 3 * time.Second,
			MaxIdleConns:          2,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		},
	}
}

// checkURL insists on https, except for the development issuer on loopback.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return fmt.Errorf("%q must be https (http only on loopback)", raw)
}

// BearerToken extracts the token from an Authorization header value. An empty value means no
// credentials (present is false, err nil); any other scheme or shape is an error.
func BearerToken(header string) (token string, present bool, err error) {
	header = strings.Trim(header, " \t")
	if header == "" {
		return "", false, nil
	}
	if len(header) > MaxTokenBytes+len("Bearer ")+16 {
		return "", true, invalidToken(ReasonTooLarge, nil)
	}
	scheme, rest, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true, invalidRequest(ReasonMalformedHeader)
	}
	token = strings.TrimLeft(rest, " ")
	if token == "" || strings.ContainsAny(token, " \t,") {
		return "", true, invalidRequest(ReasonMalformedHeader)
	}
	return token, true, nil
}

// Authenticate resolves an Authorization header value to a Caller: no header is the anonymous
// caller (the public view); anything presented must verify. On error the Caller is the zero value,
// which has no valid role, so a caller that forgets to check err grants nothing.
func (v *Verifier) Authenticate(ctx context.Context, authorization string) (Caller, error) {
	token, present, err := BearerToken(authorization)
	if err != nil {
		return Caller{}, err
	}
	if !present {
		return Anonymous(), nil
	}
	return v.Verify(ctx, token)
}

// Verify checks a raw JWT and returns its Caller. Every error is an *Error matching
// ErrUnauthenticated.
func (v *Verifier) Verify(ctx context.Context, token string) (Caller, error) {
	typ, err := precheck(token)
	if err != nil {
		return Caller{}, err
	}
	out := &sigOutcome{}
	idt, err := v.oidc.Verify(context.WithValue(ctx, sigOutcomeKey{}, out), token)
	if err != nil {
		return Caller{}, v.classify(out, err)
	}
	var claims map[string]json.RawMessage
	if err := idt.Claims(&claims); err != nil {
		return Caller{}, invalidToken(ReasonClaimsUnparseable, fmt.Errorf("decode claims: %w", err))
	}
	if err := v.checkTimes(claims); err != nil {
		return Caller{}, err
	}
	if !isAccessToken(typ, claims["token_use"]) {
		return Caller{}, invalidToken(ReasonNotAccessToken, nil)
	}
	if v.clientID {
		var cid string
		if json.Unmarshal(claims[AudienceClaimClientID], &cid) != nil || cid != v.audience {
			return Caller{}, invalidToken(ReasonAudience, nil)
		}
	}
	if !validSubject(idt.Subject) {
		return Caller{}, invalidToken(ReasonNoSubject, nil)
	}
	role, ok := roleFrom(claims[v.roleClaim])
	if !ok {
		return Caller{}, invalidToken(ReasonNoRole, nil)
	}
	c := Caller{Subject: idt.Subject, Role: role}
	if role == RoleDealer {
		c.DealerID = dealerFrom(claims[v.dealerClaim])
	}
	return c, nil
}

// dealerFrom reads a dealer id claim. A missing or malformed one is no dealer id (the dealer
// routes then answer 403), never a rejected token: the role alone still holds.
func dealerFrom(raw json.RawMessage) string {
	var id string
	if len(raw) == 0 || json.Unmarshal(raw, &id) != nil || id == "" || len(id) > maxDealerIDLen {
		return ""
	}
	for _, r := range id {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
		default:
			return ""
		}
	}
	return id
}

// classify turns a go-oidc failure into a reason. The key set reports its own failures through
// out; after a good signature go-oidc can only have failed on issuer, audience or claim decoding,
// which we tell apart by re-reading the (now authenticated) payload.
func (v *Verifier) classify(out *sigOutcome, err error) error {
	if out.reason != "" {
		return invalidToken(out.reason, out.err)
	}
	if !out.verified {
		return invalidToken(ReasonMalformed, err)
	}
	var claims struct {
		Issuer   string          `json:"iss"`
		Audience json.RawMessage `json:"aud"`
	}
	if json.Unmarshal(out.payload, &claims) == nil {
		if claims.Issuer != v.issuer {
			return invalidToken(ReasonIssuer, err)
		}
		var one string
		var many []string
		if json.Unmarshal(claims.Audience, &one) == nil {
			many = []string{one}
		} else {
			_ = json.Unmarshal(claims.Audience, &many)
		}
		if !slices.Contains(many, v.audience) {
			return invalidToken(ReasonAudience, err)
		}
	}
	return invalidToken(ReasonClaimsUnparseable, err)
}

// precheck rejects, before any JSON or crypto work, tokens that are too large or not shaped like a
// compact JWS (exactly three non-empty base64url segments: JWE, JSON serialization and "a.b.c.d"
// tricks all fail here), and headers with a disallowed algorithm or critical extensions. It returns
// the header's typ, which isAccessToken reads.
func precheck(token string) (typ string, err error) {
	if len(token) > MaxTokenBytes {
		return "", invalidToken(ReasonTooLarge, nil)
	}
	if strings.Count(token, ".") != 2 {
		return "", invalidToken(ReasonMalformed, nil)
	}
	segs := strings.Split(token, ".")
	for _, s := range segs {
		if s == "" || !isBase64URL(s) {
			return "", invalidToken(ReasonMalformed, nil)
		}
	}
	raw, err := base64.RawURLEncoding.DecodeString(segs[0])
	if err != nil {
		return "", invalidToken(ReasonMalformed, fmt.Errorf("decode header: %w", err))
	}
	var hdr struct {
		Alg  string          `json:"alg"`
		Typ  string          `json:"typ"`
		Crit json.RawMessage `json:"crit"`
	}
	if err := json.Unmarshal(raw, &hdr); err != nil {
		return "", invalidToken(ReasonMalformed, fmt.Errorf("decode header: %w", err))
	}
	if !slices.Contains(allowedAlgs, jose.SignatureAlgorithm(hdr.Alg)) {
		return "", invalidToken(ReasonAlgorithm, nil)
	}
	if hdr.Crit != nil {
		// We understand no JWS extensions, so RFC 7515 4.1.11 says reject.
		return "", invalidToken(ReasonMalformed, errors.New("crit header present"))
	}
	return hdr.Typ, nil
}

func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// checkTimes enforces exp (required), nbf and iat, each with the same bounded leeway.
func (v *Verifier) checkTimes(claims map[string]json.RawMessage) error {
	now := v.now()
	exp, ok, err := numericDate(claims["exp"])
	if err != nil {
		return invalidToken(ReasonClaimsUnparseable, fmt.Errorf("exp: %w", err))
	}
	if !ok {
		return invalidToken(ReasonNoExpiry, nil)
	}
	if now.After(exp.Add(v.leeway)) {
		return invalidToken(ReasonExpired, nil)
	}
	nbf, ok, err := numericDate(claims["nbf"])
	if err != nil {
		return invalidToken(ReasonClaimsUnparseable, fmt.Errorf("nbf: %w", err))
	}
	if ok && now.Add(v.leeway).Before(nbf) {
		return invalidToken(ReasonNotYetValid, nil)
	}
	iat, ok, err := numericDate(claims["iat"])
	if err != nil {
		return invalidToken(ReasonClaimsUnparseable, fmt.Errorf("iat: %w", err))
	}
	if ok && now.Add(v.leeway).Before(iat) {
		return invalidToken(ReasonIssuedInFuture, nil)
	}
	return nil
}

// numericDate reads an RFC 7519 NumericDate; ok is false when the claim is absent or null.
func numericDate(raw json.RawMessage) (t time.Time, ok bool, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, false, nil
	}
	if raw[0] == '"' {
		// encoding/json would read "123" into a json.Number; RFC 7519 says a JSON number.
		return time.Time{}, false, errors.New("a string, not a number")
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return time.Time{}, false, fmt.Errorf("not a number: %w", err)
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
		return time.Time{}, false, errors.New("not a plausible NumericDate")
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true, nil
}

// isAccessToken tells an access token from the other tokens the same issuer signs for the same
// audience. The id_token in particular verifies like an access token (same keys, issuer and, for
// the password grant or a client whose id is the API's audience, the same aud) but only says who
// signed in to a client: it may live in the page's scripts and must not open the API. Cognito
// marks every token with token_use ("access", "id"); RFC 9068 marks access tokens with typ
// at+jwt. token_use, when present, decides; otherwise only the RFC 9068 type is accepted, so a
// token that says nothing about its use is refused.
func isAccessToken(typ string, tokenUse json.RawMessage) bool {
	if len(tokenUse) > 0 && string(tokenUse) != "null" {
		var use string
		return json.Unmarshal(tokenUse, &use) == nil && use == "access"
	}
	typ = strings.ToLower(typ)
	return typ == "at+jwt" || typ == "application/at+jwt"
}

func validSubject(sub string) bool {
	if sub == "" || len(sub) > maxSubjectLen || !utf8.ValidString(sub) {
		return false
	}
	for _, r := range sub {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// roleFrom reads the role claim (a string or an array of strings). A token with no recognized
// role is rejected rather than defaulted to consumer: the identity provider may issue tokens for
// this audience to accounts we never provisioned (staff, service clients), and silently treating
// them as consumers would hand out an identity nobody granted. When both roles are present, dealer
// wins: it is the narrower business identity and the one a dealer's tools expect.
func roleFrom(raw json.RawMessage) (Role, bool) {
	if len(raw) == 0 {
		return "", false
	}
	var roles []string
	var one string
	if json.Unmarshal(raw, &one) == nil {
		roles = []string{one}
	} else if json.Unmarshal(raw, &roles) != nil {
		return "", false
	}
	switch {
	case slices.Contains(roles, string(RoleDealer)):
		return RoleDealer, true
	case slices.Contains(roles, string(RoleConsumer)):
		return RoleConsumer, true
	}
	return "", false
}

package devoidc

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// Sign signs arbitrary claims with the current key (RS256, header kid and typ JWT). Tests use it to
// build tokens the token endpoint would never issue (no exp, wrong issuer, ...).
func (i *Issuer) Sign(claims map[string]any) (string, error) {
	return i.SignWithHeaders(claims, nil)
}

// SignWithHeaders is Sign with extra protected header parameters; a "kid" entry replaces the real
// key id (the signature still comes from the current key), for kid injection tests.
func (i *Issuer) SignWithHeaders(claims map[string]any, headers map[string]any) (string, error) {
	key := i.currentKey()
	kid := key.kid
	opts := (&jose.SignerOptions{}).WithType("JWT")
	for k, v := range headers {
		if k == "kid" {
			s, ok := v.(string)
			if !ok {
				return "", fmt.Errorf("devoidc: kid header must be a string, got %T", v)
			}
			kid = s
			continue
		}
		opts = opts.WithHeader(jose.HeaderKey(k), v)
	}
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.RS256,
		Key:       jose.JSONWebKey{Key: key.priv, KeyID: kid, Algorithm: string(jose.RS256)},
	}, opts)
	if err != nil {
		return "", fmt.Errorf("devoidc: signer: %w", err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("devoidc: encode claims: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("devoidc: sign: %w", err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("devoidc: serialize: %w", err)
	}
	return tok, nil
}

// AccessToken issues an access token for a demo user, as the token endpoint would.
func (i *Issuer) AccessToken(username string) (string, error) {
	u, ok := i.userByName(username)
	if !ok {
		return "", fmt.Errorf("devoidc: no demo user %q", username)
	}
	return i.signAccess(i.accessClaims(u, ""))
}

// signAccess signs access token claims with the RFC 9068 type at+jwt; the claims carry Cognito's
// token_use "access" too, so the API's verifier sees what it would see from Cognito.
func (i *Issuer) signAccess(claims map[string]any) (string, error) {
	return i.SignWithHeaders(claims, map[string]any{"typ": "at+jwt"})
}

func (i *Issuer) accessClaims(u User, clientID string) map[string]any {
	now := i.opts.Now()
	c := map[string]any{
		"iss":       i.issuer,
		"sub":       u.Subject,
		"aud":       i.opts.Audience,
		"iat":       now.Unix(),
		"nbf":       now.Unix(),
		"exp":       now.Add(i.opts.TokenTTL).Unix(),
		"jti":       randomID(),
		"roles":     []string{u.Role},
		"scope":     "openid",
		"token_use": "access",
	}
	if u.DealerID != "" {
		c["dealer_id"] = u.DealerID
	}
	if clientID != "" {
		c["client_id"] = clientID
	}
	return c
}

func (i *Issuer) idClaims(u User, clientID, nonce string) map[string]any {
	now := i.opts.Now()
	aud := clientID
	if aud == "" {
		aud = i.opts.Audience
	}
	c := map[string]any{
		"iss":                i.issuer,
		"sub":                u.Subject,
		"aud":                aud,
		"iat":                now.Unix(),
		"exp":                now.Add(i.opts.TokenTTL).Unix(),
		"name":               u.Name,
		"preferred_username": u.Username,
		"roles":              []string{u.Role},
		"token_use":          "id",
	}
	if nonce != "" {
		c["nonce"] = nonce
	}
	return c
}

// randomID returns 128 random bits, base64url: codes and jti.
func randomID() string {
	b := make([]byte, 16)
	// crypto/rand.Read never fails on supported platforms (it panics instead), per its docs.
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

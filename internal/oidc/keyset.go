package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// maxJWKSBytes bounds the key set document we read: a real one is a few KiB.
const maxJWKSBytes = 1 << 20

// maxKidLen bounds the key ids worth looking up; real ones are short hashes or names.
const maxKidLen = 256

// minRSABits rejects published RSA keys too short to trust.
const minRSABits = 2048

var (
	errKidUnknown     = errors.New("no key with this key id")
	errRateLimited    = errors.New("key set refreshed too recently")
	errEmptyKeySet    = errors.New("key set has no usable signing keys")
	errNotCompactJWS  = errors.New("token is not a single-signature compact JWS")
	errKeyAlgMismatch = errors.New("key does not fit the token's algorithm")
)

// keySet is an oidc.KeySet that, unlike go-oidc's RemoteKeySet, never lets callers drive the JWKS
// endpoint: RemoteKeySet fetches on every unknown kid and on every signature failure (only
// concurrent fetches are merged), so a stream of tokens with random kids or tampered payloads turns
// into a stream of requests to the identity provider. Here a fetch happens
//   - when a token names a kid we do not hold (a key rotation we have not seen yet), or
//   - when the cached set is older than maxAge (so a key the provider removed stops being trusted),
//
// and in both cases at most once per minInterval, whatever the outcome. A failed fetch keeps the
// cached keys: a key endpoint outage must not sign everybody out.
type keySet struct {
	url         string
	client      *http.Client
	now         func() time.Time
	minInterval time.Duration
	maxAge      time.Duration

	// sem serializes fetches; a channel rather than a mutex so waiting respects ctx.
	sem chan struct{}

	mu          sync.RWMutex
	keys        map[string]jose.JSONWebKey
	fetchedAt   time.Time // last successful fetch
	attemptedAt time.Time // last fetch attempt, successful or not
	lastErr     error     // outcome of that attempt
}

func newKeySet(url string, client *http.Client, now func() time.Time, minInterval, maxAge time.Duration) *keySet {
	return &keySet{
		url:         url,
		client:      client,
		now:         now,
		minInterval: minInterval,
		maxAge:      maxAge,
		sem:         make(chan struct{}, 1),
	}
}

// sigOutcome records, for one Verify call, what the key set decided; go-oidc flattens KeySet errors
// into strings, and the reason shown to the caller depends on the kind of failure.
type sigOutcome struct {
	reason   string
	err      error
	verified bool
	payload  []byte // set once the signature verified
}

type sigOutcomeKey struct{}

// VerifySignature implements oidc.KeySet. go-oidc has already enforced the algorithm allowlist
// before calling it, and Verify has checked the header; this re-parses with the same allowlist
// because go-oidc keeps its parsed form private.
func (k *keySet) VerifySignature(ctx context.Context, token string) ([]byte, error) {
	out, _ := ctx.Value(sigOutcomeKey{}).(*sigOutcome)
	payload, reason, err := k.verify(ctx, token)
	if out != nil {
		if err != nil {
			out.reason, out.err = reason, err
		} else {
			out.verified, out.payload = true, payload
		}
	}
	return payload, err
}

func (k *keySet) verify(ctx context.Context, token string) ([]byte, string, error) {
	jws, err := jose.ParseSignedCompact(token, allowedAlgs)
	if err != nil {
		return nil, ReasonMalformed, fmt.Errorf("parse jws: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, ReasonMalformed, errNotCompactJWS
	}
	hdr := jws.Signatures[0].Header
	// Only the kid selects a key. jku, x5u, x5c and an embedded jwk are attacker-controlled and
	// ignored: go-jose verifies against the key we pass, never one named in the header.
	kid := hdr.KeyID

	if kid == "" || len(kid) > maxKidLen {
		// We require a kid (every key we cache has one), and an absurd one is not worth a fetch.
		return nil, ReasonUnknownKey, errKidUnknown
	}

	if k.stale() {
		// Best effort: a failed or rate-limited refresh keeps the cached keys.
		_ = k.refresh(ctx)
	}
	key, ok := k.lookup(kid)
	if !ok {
		rerr := k.refresh(ctx)
		if errors.Is(rerr, errRateLimited) {
			// Someone else just tried; what they got decides whether the keys are unknown to
			// the provider or unreachable.
			rerr = k.lastFetchErr()
		}
		if key, ok = k.lookup(kid); !ok {
			if rerr != nil {
				return nil, ReasonKeysUnavailable, fmt.Errorf("refresh key set: %w", rerr)
			}
			return nil, ReasonUnknownKey, errKidUnknown
		}
	}
	if err := keyFits(key, hdr.Algorithm); err != nil {
		return nil, ReasonSignature, err
	}
	payload, err := jws.Verify(key.Key)
	if err != nil {
		// A bad signature with a known kid never triggers a fetch: the key is right there.
		return nil, ReasonSignature, fmt.Errorf("verify signature: %w", err)
	}
	return payload, "", nil
}

// keyFits checks the key's type and size against the algorithm, and its own alg/use if published,
// so an RSA key can never verify a token that claims ES256 and vice versa.
func keyFits(key jose.JSONWebKey, alg string) error {
	if key.Algorithm != "" && key.Algorithm != alg {
		return errKeyAlgMismatch
	}
	switch pub := key.Key.(type) {
	case *rsa.PublicKey:
		if alg != string(jose.RS256) || pub.N.BitLen() < minRSABits {
			return errKeyAlgMismatch
		}
	case *ecdsa.PublicKey:
		if alg != string(jose.ES256) || pub.Curve != elliptic.P256() {
			return errKeyAlgMismatch
		}
	default:
		return errKeyAlgMismatch
	}
	return nil
}

func (k *keySet) lookup(kid string) (jose.JSONWebKey, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	key, ok := k.keys[kid]
	return key, ok
}

func (k *keySet) stale() bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.keys == nil || k.now().Sub(k.fetchedAt) >= k.maxAge
}

// refresh fetches the key set unless an attempt happened within minInterval. Concurrent callers
// queue on sem; the ones behind the fetching caller find attemptedAt fresh and reuse its result.
func (k *keySet) refresh(ctx context.Context) error {
	select {
	case k.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("wait for key set refresh: %w", ctx.Err())
	}
	defer func() { <-k.sem }()

	k.mu.Lock()
	now := k.now()
	if !k.attemptedAt.IsZero() && now.Sub(k.attemptedAt) < k.minInterval {
		k.mu.Unlock()
		return errRateLimited
	}
	k.attemptedAt = now
	k.mu.Unlock()

	keys, err := k.fetch(ctx)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lastErr = err
	if err != nil {
		return err
	}
	k.keys = keys
	k.fetchedAt = now
	return nil
}

func (k *keySet) lastFetchErr() error {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.lastErr
}

func (k *keySet) fetch(ctx context.Context) (map[string]jose.JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, fmt.Errorf("build key set request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get key set: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("get key set: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read key set: %w", err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("read key set: larger than %d bytes", maxJWKSBytes)
	}
	return parseKeySet(body)
}

// parseKeySet keeps the public signing keys we can use and skips the rest (other key types,
// encryption keys, keys without kid), as RFC 7517 section 5 asks. A set with nothing usable is an
// error rather than an empty cache: no provider publishes zero signing keys on purpose, and
// keeping the old keys beats signing everybody out.
func parseKeySet(body []byte) (map[string]jose.JSONWebKey, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("decode key set: %w", err)
	}
	keys := make(map[string]jose.JSONWebKey, len(raw.Keys))
	ambiguous := map[string]bool{}
	for _, r := range raw.Keys {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(r); err != nil {
			continue
		}
		if jwk.KeyID == "" || (jwk.Use != "" && jwk.Use != "sig") || !jwk.Valid() {
			continue
		}
		// A JWKS should never hold private parts; if one does, keep only the public half.
		pub := jwk.Public()
		if !pub.Valid() {
			continue
		}
		switch pub.Key.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey:
		default:
			continue
		}
		if _, dup := keys[pub.KeyID]; dup || ambiguous[pub.KeyID] {
			// Two keys under one kid is ambiguous; trust neither.
			delete(keys, pub.KeyID)
			ambiguous[pub.KeyID] = true
			continue
		}
		keys[pub.KeyID] = pub
	}
	if len(keys) == 0 {
		return nil, errEmptyKeySet
	}
	return keys, nil
}

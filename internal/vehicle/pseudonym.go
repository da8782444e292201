package vehicle

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Pseudonymizer turns identifiers into keyed pseudonyms for logs, metrics and traces: stable
// (the same VIN always correlates) but not reversible without the key, unlike a plain hash of a
// 17-character VIN, which could be brute-forced over the WMI and serial space.
type Pseudonymizer struct {
	key []byte
}

// NewPseudonymizer builds a Pseudonymizer with a secret key (at least 16 bytes in production).
func NewPseudonymizer(key []byte) Pseudonymizer {
	return Pseudonymizer{key: append([]byte(nil), key...)}
}

// VIN returns the pseudonym of a VIN: "v_" and 16 hex characters.
func (p Pseudonymizer) VIN(v VIN) string { return p.of("vin", string(v)) }

// Subject returns the pseudonym of a user's subject identifier.
func (p Pseudonymizer) Subject(sub string) string { return p.of("sub", sub) }

func (p Pseudonymizer) of(kind, s string) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(s))
	return kind[:1] + "_" + hex.EncodeToString(m.Sum(nil)[:8])
}

// Package ownership is the domain of proving that a signed-in consumer owns a car, and of the
// grant that proof yields. It decides nothing about transport or storage: the repository port
// below is implemented by the DynamoDB adapter, and the Lambda steps call Service.
//
// Security properties (each has a test):
//   - codes have at least 6 digits from crypto/rand and are stored only as an HMAC under a secret
//     pepper, bound to the challenge id, so a leaked table row reveals nothing usable;
//   - comparison is constant-time;
//   - a challenge is single use, expires after 10 minutes, and evaluates at most 5 guesses; the
//     repository enforces the bound atomically (a conditional increment), so parallel guesses
//     cannot exceed it;
//   - before a guess is evaluated it takes an attempt from the caller's budget for the VIN (5 per
//     window, however spread over challenges or raced) and from the caller's budget over all VINs,
//     each with one conditional write; a used-up window makes the next one twice as long;
//   - no limit on guesses is shared between callers, so a stranger's failures never lock the
//     owner out; failures on one VIN from everyone raise an alarm for operators instead;
//   - codes sent to the owner on record are limited per caller and per VIN, the same for a VIN
//     with or without an owner;
//   - a VIN with no owner on record gets a challenge that looks and times exactly like a real one
//     but can never verify, so the API reveals nothing about who owns what.
package ownership

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Method is how a consumer proves ownership.
type Method string

const (
	// MethodOwnerCode sends a one-time code to the owner on record (by letter or the registry's
	// contact channel); locally it lands in the development outbox.
	MethodOwnerCode Method = "owner-code"
	// MethodDocumentCode asks for the code printed on the registration certificate, which only
	// the registry and the holder of the document know.
	MethodDocumentCode Method = "document-code"
)

// Policy holds the limits; DefaultPolicy is what production runs.
//
// Every limit is the caller's own (a failure by one caller never blocks another, so a stranger
// cannot lock the owner out), except VINSends, which protects the owner from a flood of codes and
// leaves the document code, which needs no send, always open. Failures on one VIN from all
// callers together raise an alarm (VINAlarmAt), never a lock.
type Policy struct {
	CodeDigits    int           // length of one-time codes
	ChallengeTTL  time.Duration // how long a challenge accepts guesses
	MaxAttempts   int           // guesses evaluated per challenge
	GrantTTL      time.Duration // how long owner access lasts once proven
	PairGuesses   Limit         // guesses per caller and VIN, over all challenges
	CallerGuesses Limit         // guesses per caller over all VINs (a right guess gives its back)
	CallerSends   Limit         // owner-code challenges (codes sent) per caller
	VINSends      Limit         // owner-code challenges (codes sent) per VIN, whoever asks
	VINAlarmAt    int           // failed guesses on one VIN, from all callers, that raise the alarm
	VINAlarmSpan  time.Duration // the window those failures are counted in
}

// DefaultPolicy returns the production limits.
func DefaultPolicy() Policy {
	return Policy{
		CodeDigits:    6,
		ChallengeTTL:  10 * time.Minute,
		MaxAttempts:   5,
		GrantTTL:      90 * 24 * time.Hour,
		PairGuesses:   Limit{N: 5, Base: 15 * time.Minute, Max: 24 * time.Hour},
		CallerGuesses: Limit{N: 10, Base: 15 * time.Minute, Max: 24 * time.Hour},
		CallerSends:   Limit{N: 10, Base: time.Hour, Max: 24 * time.Hour},
		// Fixed: a stranger using them up must not keep the owner's codes away for longer.
		VINSends:     Limit{N: 3, Base: time.Hour, Max: time.Hour},
		VINAlarmAt:   20,
		VINAlarmSpan: 24 * time.Hour,
	}
}

// Challenge is a pending proof of ownership. CodeMAC is the only trace of the code.
type Challenge struct {
	ID          string
	VIN         vehicle.VIN
	Subject     string
	Method      Method
	CodeMAC     string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	Attempts    int
	MaxAttempts int
	Used        bool
}

// Grant is proven ownership of one VIN by one subject until Expires.
type Grant struct {
	VIN       vehicle.VIN
	Subject   string
	GrantedAt time.Time // when the proof succeeded, for GET /me and audits
	ExpiresAt time.Time
	Method    Method // how ownership was proven
}

// Coder mints and checks codes. The pepper is a server-side secret (Secrets Manager in AWS, a
// generated value locally) that never enters the table.
type Coder struct {
	pepper []byte
	digits int
}

// NewCoder builds a Coder; the pepper must be at least 32 bytes.
func NewCoder(pepper []byte, digits int) (Coder, error) {
	if len(pepper) < 32 {
		return Coder{}, fmt.Errorf("ownership: pepper must be at least 32 bytes, got %d", len(pepper))
	}
	if digits < 6 || digits > 12 {
		return Coder{}, fmt.Errorf("ownership: code length must be 6-12 digits, got %d", digits)
	}
	return Coder{pepper: append([]byte(nil), pepper...), digits: digits}, nil
}

// NewCode returns a uniformly random numeric code of the configured length.
func (c Coder) NewCode() (string, error) {
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(c.digits)), nil)
	n, err := rand.Int(rand.Reader, limit)
	if err != nil {
		return "", fmt.Errorf("ownership: draw code: %w", err)
	}
	return fmt.Sprintf("%0*s", c.digits, n.String()), nil
}

// NewID returns a random challenge id (128 bits, hex).
func NewID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("ownership: draw id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// MAC binds a code to its challenge: the same code under another challenge has another MAC.
func (c Coder) MAC(challengeID, code string) string {
	m := hmac.New(sha256.New, c.pepper)
	m.Write([]byte(challengeID))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return hex.EncodeToString(m.Sum(nil))
}

// Matches compares in constant time, so response timing says nothing about how close a guess was.
func (c Coder) Matches(ch Challenge, code string) bool {
	want := c.MAC(ch.ID, code)
	return subtle.ConstantTimeCompare([]byte(want), []byte(ch.CodeMAC)) == 1
}

// UnmatchableMAC is stored for a challenge that must never verify (no owner on record). It has
// the same shape as a real MAC, and the comparison still runs, so timing is the same.
func UnmatchableMAC() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("ownership: draw filler: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// ParseMethod validates the method a client asked for.
func ParseMethod(s string) (Method, error) {
	switch Method(s) {
	case MethodOwnerCode, MethodDocumentCode:
		return Method(s), nil
	default:
		return "", apperr.InvalidField("method", "enum", "method must be owner-code or document-code")
	}
}

// NormalizeCode turns a code as people type it into the form codes are minted and stored in:
// spaces (and tabs) dropped, ASCII letters upper-cased. Only ASCII is touched, so a character
// that Unicode upper-cases into ASCII (U+017F to "S") stays foreign and ValidateCode refuses it.
func NormalizeCode(code string) string {
	b := make([]byte, 0, len(code))
	for i := 0; i < len(code); i++ {
		switch c := code[i]; {
		case c == ' ' || c == '\t':
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// ValidateCode checks the shape of a normalized code before any state changes: 6-12 characters
// of digits or upper-case letters (document codes are alphanumeric).
func ValidateCode(code string) error {
	if len(code) < 6 || len(code) > 12 {
		return apperr.InvalidField("code", "length", "code must have 6 to 12 characters")
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return apperr.InvalidField("code", "alphabet", "code may contain only digits and letters (case and spaces do not matter)")
		}
	}
	return nil
}

// CheckChallenge says whether a challenge may evaluate one more guess at now. The repository
// repeats these conditions in its conditional write; this is the readable statement of them.
func CheckChallenge(ch Challenge, subject string, now time.Time) error {
	switch {
	case ch.Subject != subject:
		// Someone else's challenge: indistinguishable from a missing one.
		return apperr.New(apperr.NotFound, "no such challenge")
	case ch.Used:
		return apperr.New(apperr.Conflict, "the challenge has already been used")
	case !now.Before(ch.ExpiresAt):
		return apperr.New(apperr.Conflict, "the challenge has expired; start a new one")
	case ch.Attempts >= ch.MaxAttempts:
		return apperr.New(apperr.TooManyRequests, "no attempts left on this challenge; start a new one")
	}
	return nil
}

// Limit allows N events per window under one key. A window opens with the first event after the
// previous one closed and lasts Base; when the previous window was used up and closed less than
// Max ago, the new one lasts twice as long as it did, up to Max. So a caller who keeps hitting a
// limit is slowed down exponentially, one who stops is back to Base after Max, and Base == Max is
// a plain fixed window.
type Limit struct {
	N    int
	Base time.Duration
	Max  time.Duration
}

// Window is the state of a Limit under one key.
type Window struct {
	Count  int           // events counted in the window
	Ends   time.Time     // when the window closes; zero when none was ever opened
	Length time.Duration // how long the window lasts (Ends minus its opening)
}

// Open says whether w is still running at now.
func (w Window) Open(now time.Time) bool { return now.Before(w.Ends) }

// Full says whether w refuses another event at now.
func (l Limit) Full(w Window, now time.Time) bool { return w.Open(now) && w.Count >= l.N }

// Next is the window that opens at now, with its first event, after prev closed.
func (l Limit) Next(prev Window, now time.Time) Window {
	length := l.Base
	if prev.Count >= l.N && now.Sub(prev.Ends) < l.Max {
		length = min(max(2*prev.Length, l.Base), l.Max)
	}
	return Window{Count: 1, Ends: now.Add(length), Length: length}
}

// RetryAfter is how long a caller refused by w waits, in whole seconds (at least 1), for the
// Retry-After header.
func RetryAfter(w Window, now time.Time) int {
	s := int((w.Ends.Sub(now) + time.Second - 1) / time.Second)
	return max(s, 1)
}

// Access is what ownership-authorization answers for a caller and a VIN.
func Access(g *Grant, subject string, vin vehicle.VIN, now time.Time) vehicle.Access {
	if g == nil || g.Subject != subject || g.VIN != vin || !now.Before(g.ExpiresAt) {
		return vehicle.AccessPublic
	}
	return vehicle.AccessOwner
}

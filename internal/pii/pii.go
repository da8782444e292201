// Package pii recognises values shaped like personal data (a VIN, a number plate, an e-mail
// address, a bearer token, a one-time code, a person's name or other free text) so that metrics
// and traces can refuse them before they leave the process. It judges shapes, not meaning: it
// backs up the rule that only pseudonyms and low-cardinality names are recorded, it does not
// replace it. A single lowercase word that happens to be a name passes.
package pii

import (
	"regexp"
	"slices"
	"strings"
)

// The rules Check reports; stable, for errors and counters.
const (
	RuleVIN      = "vin-shaped"
	RulePlate    = "plate-shaped"
	RuleEmail    = "email-shaped"
	RuleToken    = "token-shaped"
	RuleCode     = "code-shaped"
	RuleFreeText = "free-text"
	RuleTooLong  = "too-long"
)

// MaxLen is the longest value accepted: identifiers, route templates and pseudonyms are shorter.
const MaxLen = 160

var (
	// plate: 1-3 letters (the district), a separator, 1-2 letters, 1-4 digits, as on EU plates.
	plate = regexp.MustCompile(`(^|[^A-Za-z])[A-ZÄÖÜ]{1,3}[- ][A-Z]{1,2}[- ]?[0-9]{1,4}[EH]?($|[^0-9A-Za-z])`)
	email = regexp.MustCompile(`[^@\s]+@[^@\s]+\.[A-Za-z]{2,}`)
	// A JWT's header and payload are base64url JSON objects: "eyJ".
	jwt = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}`)
	// codes: one-time and document codes are short runs of digits standing alone.
	code = regexp.MustCompile(`^[0-9]{4,10}$`)
)

// Check returns the rule s breaks, or "" when s may be recorded. One pass over s decides which of
// the (slower) patterns can match at all, so the common case, a short identifier, costs little.
func Check(s string) string {
	if len(s) > MaxLen {
		return RuleTooLong
	}
	var space, upper, digit, at, sep bool
	allDigits := len(s) > 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c >= 0x80:
			// Non-ASCII bytes may be a no-break space or a letter of a name: look closer.
			space = true
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= '0' && c <= '9':
			digit = true
		case c == '@':
			at = true
		case c == '-':
			sep = true
		}
		if c < '0' || c > '9' {
			allDigits = false
		}
	}
	switch {
	case digit && LooksLikeVIN(s):
		return RuleVIN
	case upper && digit && (space || sep) && plate.MatchString(s):
		return RulePlate
	case at && email.MatchString(s):
		return RuleEmail
	case strings.Contains(s, "eyJ") && jwt.MatchString(s), space && strings.Contains(strings.ToLower(s), "bearer "):
		return RuleToken
	case allDigits && code.MatchString(s):
		return RuleCode
	case space && strings.ContainsFunc(s, isSpace) && !IsRouteTemplate(s):
		// Names, addresses and messages have spaces; identifiers do not.
		return RuleFreeText
	}
	return ""
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' }

// IsRouteTemplate reports whether s is "METHOD /path" whose segments are lowercase words
// (letters and inner hyphens) or {parameters}: a route template, never a concrete path. It is
// the one shape with a space that Check allows.
func IsRouteTemplate(s string) bool {
	method, path, ok := strings.Cut(s, " ")
	if !ok || !slices.Contains(methods, method) || path == "" || path[0] != '/' {
		return false
	}
	for _, seg := range strings.Split(path[1:], "/") {
		if !isWord(seg) && !isParam(seg) && (seg != "" || path != "/") {
			return false
		}
	}
	return true
}

var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

func isWord(seg string) bool {
	if seg == "" || seg[0] == '-' || seg[len(seg)-1] == '-' || strings.Contains(seg, "--") {
		return false
	}
	for i := 0; i < len(seg); i++ {
		if c := seg[i]; (c < 'a' || c > 'z') && c != '-' {
			return false
		}
	}
	return true
}

func isParam(seg string) bool {
	if len(seg) < 3 || seg[0] != '{' || seg[len(seg)-1] != '}' {
		return false
	}
	for i := 1; i < len(seg)-1; i++ {
		if c := seg[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// LooksLikeVIN reports whether s contains a maximal run of exactly 17 letters and digits, all
// from the VIN alphabet (no I, O, Q; either case), mixing letters and digits. Longer runs (hex
// pseudonyms, ids) do not count.
func LooksLikeVIN(s string) bool {
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && isAlnum(s[i]) {
			continue
		}
		if i-start == 17 && vinShaped(s[start:i]) {
			return true
		}
		start = i + 1
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func vinShaped(run string) bool {
	letters, digits := 0, 0
	for i := 0; i < len(run); i++ {
		switch c := run[i] | 0x20; {
		case run[i] >= '0' && run[i] <= '9':
			digits++
		case c == 'i' || c == 'o' || c == 'q':
			return false
		default:
			letters++
		}
	}
	return letters > 0 && digits > 0
}

package oidc

import (
	"errors"
	"strings"
)

// Realm is the protection space named in WWW-Authenticate challenges.
const Realm = "vehicle-data"

// ErrUnauthenticated matches (errors.Is) every error Verify and Authenticate return: the request's
// credentials are malformed or invalid, and the answer is 401.
var ErrUnauthenticated = errors.New("unauthenticated")

// RFC 6750 section 3.1 error codes, for Error.Code.
const (
	CodeInvalidRequest = "invalid_request" // the Authorization header itself is malformed
	CodeInvalidToken   = "invalid_token"   // the token is malformed, expired, or not ours
)

// Reasons safe to show to the caller: fixed strings, never derived from the token, so they cannot
// echo it or its claims back.
const (
	ReasonMalformedHeader   = "authorization header is not a bearer token"
	ReasonTooLarge          = "token is too large"
	ReasonMalformed         = "token is malformed"
	ReasonAlgorithm         = "token algorithm is not allowed"
	ReasonUnknownKey        = "token signing key is unknown"
	ReasonSignature         = "token signature is invalid"
	ReasonIssuer            = "token issuer is not trusted"
	ReasonAudience          = "token audience is not this API"
	ReasonNotAccessToken    = "token is not an access token"
	ReasonExpired           = "token is expired"
	ReasonNoExpiry          = "token has no expiry"
	ReasonNotYetValid       = "token is not yet valid"
	ReasonIssuedInFuture    = "token is issued in the future"
	ReasonNoSubject         = "token has no valid subject"
	ReasonNoRole            = "token carries no recognized role"
	ReasonKeysUnavailable   = "token signing keys are unavailable"
	ReasonClaimsUnparseable = "token claims are malformed"
)

// Error is why a request is unauthenticated. Reason is safe to show; Err is the underlying cause
// for the logs (library messages that never contain the token, though they may name the issuer or
// audience found in it).
type Error struct {
	Code   string // CodeInvalidRequest or CodeInvalidToken; empty means CodeInvalidToken
	Reason string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "unauthenticated: " + e.Reason + ": " + e.Err.Error()
	}
	return "unauthenticated: " + e.Reason
}

// Unwrap lets errors.Is match both ErrUnauthenticated and the cause.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrUnauthenticated, e.Err}
	}
	return []error{ErrUnauthenticated}
}

func invalidToken(reason string, cause error) *Error {
	return &Error{Code: CodeInvalidToken, Reason: reason, Err: cause}
}

func invalidRequest(reason string) *Error {
	return &Error{Code: CodeInvalidRequest, Reason: reason}
}

// WWWAuthenticate is the RFC 6750 WWW-Authenticate value for a 401 caused by err. A nil err (a
// protected route called without credentials) yields the bare challenge, as section 3.1 asks for
// requests that carried no authentication information.
func WWWAuthenticate(err error) string {
	const challenge = `Bearer realm="` + Realm + `"`
	var ae *Error
	if err == nil || !errors.As(err, &ae) {
		return challenge
	}
	code := CodeInvalidRequest
	if ae.Code != CodeInvalidRequest {
		code = CodeInvalidToken
	}
	return challenge + `, error="` + code + `", error_description="` + quotable(ae.Reason) + `"`
}

// quotable keeps a description inside RFC 6750's allowed characters (%x20-21 / %x23-5B / %x5D-7E):
// Reason is meant to be a constant, but a caller may have built an Error by hand.
func quotable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, s)
}

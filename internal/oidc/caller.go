// Package oidc verifies the OIDC access tokens callers present and turns them into a Caller: who
// (the token's subject) and in which role. It knows nothing about vehicles; the authorizer Lambda
// and the local gateway are its only users.
//
// Verification is built on coreos/go-oidc v3 (algorithm allowlist, signature, exact issuer,
// audience) plus checks go-oidc does not make the way we need them: expiry is required and checked
// with a small bounded leeway, the key set refreshes at most once per interval, and oversized or
// oddly shaped tokens are rejected before any parsing. Every failure is an *Error that matches
// ErrUnauthenticated and carries a reason that is safe to show to the caller.
//
// Personal data: Caller.Subject is the OIDC "sub" and identifies a person. Never log it, never put
// it in metrics or traces; nothing in this package does. Tokens are never logged or echoed either.
package oidc

// Role is what a caller may do, independent of which vehicles they own (ownership is decided per
// vehicle by the ownership-authorization state machine, not here).
type Role string

// The roles. Anonymous is never read from a token: it is the caller without one.
const (
	RoleAnonymous Role = "anonymous" // no token: the public view only
	RoleConsumer  Role = "consumer"  // owners and sellers; ownership itself is proven per vehicle
	RoleDealer    Role = "dealer"    // dealers: similar listings
)

// Valid reports whether r is one of the roles above.
func (r Role) Valid() bool {
	switch r {
	case RoleAnonymous, RoleConsumer, RoleDealer:
		return true
	}
	return false
}

// Caller is the verified identity behind a request.
type Caller struct {
	// Subject is the token's "sub": an opaque, stable identifier of a person. It is personal data:
	// never log it. Empty for anonymous callers.
	Subject string `json:"sub"`
	// Role is never empty: RoleAnonymous when no token was presented.
	Role Role `json:"role"`
	// DealerID is the dealer a dealer account acts for (the token's dealer id claim); empty for
	// every other role. It names a company, not a person.
	DealerID string `json:"dealerId,omitempty"`
}

// Anonymous is the caller without a token.
func Anonymous() Caller { return Caller{Role: RoleAnonymous} }

// IsAnonymous reports whether the caller presented no token.
func (c Caller) IsAnonymous() bool { return c.Role == RoleAnonymous }

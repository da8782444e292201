package ownership

import (
	"context"
	"errors"

	"github.com/acme-oem/vehicle-data/internal/apperr"
)

// ProofOutcome is how one step of a proof of ownership ended: what operators count (a burst of
// lockouts is someone guessing codes). It never says whether a VIN has an owner on record.
type ProofOutcome string

// The outcomes.
const (
	ProofStarted   ProofOutcome = "started"    // a challenge was opened
	ProofVerified  ProofOutcome = "verified"   // the code matched: a grant was written
	ProofWrongCode ProofOutcome = "wrong_code" // the code did not match
	ProofExpired   ProofOutcome = "expired"    // the challenge was used already or expired
	ProofExhausted ProofOutcome = "exhausted"  // the challenge has no attempts left
	ProofLockedOut ProofOutcome = "locked_out" // a caller's or a vehicle's budget is used up
	ProofNotFound  ProofOutcome = "not_found"  // no such challenge (or someone else's)
	ProofFailed    ProofOutcome = "failed"     // a dependency failed (registry, table, delivery)
)

// Observer is told how each StartChallenge and each evaluated Verify ended. Method is "" when
// the challenge could not be read (missing, used, expired, exhausted). Malformed input is not
// reported: it never reaches the proof. An implementation must not block and gets no VIN,
// subject or code.
type Observer interface {
	ProofStep(ctx context.Context, method Method, outcome ProofOutcome)
}

// WithObserver returns a copy of the service that reports each proof step to o.
func (s *Service) WithObserver(o Observer) *Service {
	c := *s
	c.observer = o
	return &c
}

func (s *Service) observe(ctx context.Context, method Method, outcome ProofOutcome) {
	if s.observer != nil {
		s.observer.ProofStep(ctx, method, outcome)
	}
}

// startOutcome classifies StartChallenge's result.
func startOutcome(err error) ProofOutcome {
	var ae *apperr.Error
	switch {
	case err == nil:
		return ProofStarted
	case errors.As(err, &ae) && ae.Code == apperr.TooManyRequests:
		return ProofLockedOut
	default:
		return ProofFailed
	}
}

// verifyOutcome classifies Verify's result; read says whether the challenge was read (its
// attempt taken), which separates a challenge's own refusals from the budgets'.
func verifyOutcome(err error, read bool) ProofOutcome {
	if err == nil {
		return ProofVerified
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return ProofFailed
	}
	switch {
	case ae.Code == apperr.Forbidden && ae.Field == "code":
		return ProofWrongCode
	case ae.Code == apperr.TooManyRequests && read:
		return ProofLockedOut
	case ae.Code == apperr.TooManyRequests:
		return ProofExhausted
	case ae.Code == apperr.Conflict && !read:
		return ProofExpired
	case ae.Code == apperr.NotFound && !read:
		return ProofNotFound
	default:
		return ProofFailed
	}
}

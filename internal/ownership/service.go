package ownership

import (
	"context"
	"fmt"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Repository stores challenges, grants and lockouts. Implemented by the DynamoDB adapter with one
// conditional single-item write per call.
type Repository interface {
	// CreateChallenge stores a new challenge; the id is fresh, so a collision is an error.
	CreateChallenge(ctx context.Context, ch Challenge) error
	// ConsumeAttempt atomically counts one guess on the challenge, only if it belongs to subject
	// and VIN, is unused, unexpired at now and has attempts left (the conditions of
	// CheckChallenge), and returns it as stored after the increment. Otherwise it fails with the
	// apperr code CheckChallenge would give (NotFound for a missing challenge).
	ConsumeAttempt(ctx context.Context, id, subject string, vin vehicle.VIN, now time.Time) (Challenge, error)
	// MarkUsed marks the challenge used, only if it was not; a second success is a Conflict.
	MarkUsed(ctx context.Context, id string) error
	// PutGrant writes (or extends) the grant of subject for VIN.
	PutGrant(ctx context.Context, g Grant) error
	// Lockout reads the failure record under key (a zero Lockout when there is none).
	Lockout(ctx context.Context, key string) (Lockout, error)
	// SaveLockout writes the failure record under key.
	SaveLockout(ctx context.Context, key string, l Lockout) error
}

// Registry is what the owner registry tells about proving ownership of a VIN.
type Registry interface {
	// OwnerOnRecord says whether the registry has a keeper for vin, and the code printed on the
	// registration document. Not found is (false, "", nil), not an error.
	OwnerOnRecord(ctx context.Context, vin vehicle.VIN) (bool, string, error)
}

// Outbox delivers a one-time code to the owner on record of a VIN (the registry's contact channel
// in production, the development outbox locally). The code must never reach a log. It is called
// for every owner-code challenge, also when the VIN has no owner on record (with a code that can
// never verify): an implementation must answer both cases alike, so that neither its answer nor
// its timing tells whether a VIN has an owner.
type Outbox interface {
	SendCode(ctx context.Context, vin vehicle.VIN, code string) error
}

// Clock is the time source; tests pass a fixed one.
type Clock func() time.Time

// Service runs the proof of ownership.
type Service struct {
	repo     Repository
	registry Registry
	outbox   Outbox
	coder    Coder
	policy   Policy
	now      Clock
}

// NewService wires the service; all dependencies are required.
func NewService(repo Repository, registry Registry, outbox Outbox, coder Coder, policy Policy, now Clock) *Service {
	return &Service{repo: repo, registry: registry, outbox: outbox, coder: coder, policy: policy, now: now}
}

// StartChallenge opens a challenge for subject on vin. Who may call: a signed-in consumer (the
// caller checks the role). The answer is the same whether or not the VIN has an owner on record:
// a challenge that can never verify is stored instead, after the same work, delivery included
// (so a delivery channel that is down fails both alike).
func (s *Service) StartChallenge(ctx context.Context, subject string, vin vehicle.VIN, method Method) (Challenge, error) {
	now := s.now()
	if err := s.checkLockouts(ctx, subject, vin, now); err != nil {
		return Challenge{}, err
	}
	hasOwner, docCode, err := s.registry.OwnerOnRecord(ctx, vin)
	if err != nil {
		return Challenge{}, fmt.Errorf("start challenge: owner on record: %w", err)
	}
	id, err := NewID()
	if err != nil {
		return Challenge{}, err
	}
	code, err := s.coder.NewCode()
	if err != nil {
		return Challenge{}, err
	}
	if method == MethodDocumentCode {
		code = docCode
	}
	mac := s.coder.MAC(id, code)
	if !hasOwner || code == "" {
		if mac, err = UnmatchableMAC(); err != nil {
			return Challenge{}, err
		}
	}
	ch := Challenge{
		ID: id, VIN: vin, Subject: subject, Method: method, CodeMAC: mac,
		CreatedAt: now, ExpiresAt: now.Add(s.policy.ChallengeTTL), MaxAttempts: s.policy.MaxAttempts,
	}
	if err := s.repo.CreateChallenge(ctx, ch); err != nil {
		return Challenge{}, fmt.Errorf("start challenge: store: %w", err)
	}
	if method == MethodOwnerCode {
		if err := s.outbox.SendCode(ctx, vin, code); err != nil {
			return Challenge{}, fmt.Errorf("start challenge: send code: %w", err)
		}
	}
	ch.CodeMAC = ""
	return ch, nil
}

// Verify evaluates one guess. On success it marks the challenge used and writes the grant. A
// wrong code costs an attempt and counts towards the lockouts of the user and the VIN.
func (s *Service) Verify(ctx context.Context, subject string, vin vehicle.VIN, challengeID, code string) (Grant, error) {
	if err := ValidateCode(code); err != nil {
		return Grant{}, err
	}
	now := s.now()
	if err := s.checkLockouts(ctx, subject, vin, now); err != nil {
		return Grant{}, err
	}
	ch, err := s.repo.ConsumeAttempt(ctx, challengeID, subject, vin, now)
	if err != nil {
		return Grant{}, fmt.Errorf("verify: %w", err)
	}
	if !s.coder.Matches(ch, code) {
		if err := s.recordFailures(ctx, subject, vin, now); err != nil {
			return Grant{}, err
		}
		left := ch.MaxAttempts - ch.Attempts
		attempts := "attempts"
		if left == 1 {
			attempts = "attempt"
		}
		return Grant{}, &apperr.Error{Code: apperr.Forbidden, Field: "code", Rule: "mismatch",
			Message: fmt.Sprintf("the code does not match; %d %s left", left, attempts)}
	}
	if err := s.repo.MarkUsed(ctx, challengeID); err != nil {
		return Grant{}, fmt.Errorf("verify: mark used: %w", err)
	}
	g := Grant{VIN: vin, Subject: subject, GrantedAt: now, ExpiresAt: now.Add(s.policy.GrantTTL), Method: ch.Method}
	if err := s.repo.PutGrant(ctx, g); err != nil {
		return Grant{}, fmt.Errorf("verify: grant: %w", err)
	}
	return g, nil
}

// LockoutKeys are the failure records a guess counts against: the user and the VIN, so neither
// many users on one car nor one user on many cars can guess without bound.
func LockoutKeys(subject string, vin vehicle.VIN) []string {
	return []string{"SUB#" + subject, "VIN#" + string(vin)}
}

func (s *Service) checkLockouts(ctx context.Context, subject string, vin vehicle.VIN, now time.Time) error {
	for _, key := range LockoutKeys(subject, vin) {
		l, err := s.repo.Lockout(ctx, key)
		if err != nil {
			return fmt.Errorf("read lockout: %w", err)
		}
		if err := CheckLockout(l, now); err != nil {
			return err
		}
	}
	return nil
}

// recordFailures is read-modify-write without a condition: two concurrent failures may record
// one; that only delays a lockout by one guess, while the per-challenge bound (atomic) still holds.
func (s *Service) recordFailures(ctx context.Context, subject string, vin vehicle.VIN, now time.Time) error {
	for _, key := range LockoutKeys(subject, vin) {
		l, err := s.repo.Lockout(ctx, key)
		if err != nil {
			return fmt.Errorf("read lockout: %w", err)
		}
		if err := s.repo.SaveLockout(ctx, key, s.policy.RecordFailure(l, now)); err != nil {
			return fmt.Errorf("save lockout: %w", err)
		}
	}
	return nil
}

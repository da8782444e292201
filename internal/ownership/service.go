package ownership

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Repository stores challenges, grants and limits. Implemented by the DynamoDB adapter with one
// conditional single-item write per call (dynalite has no transactions).
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
	// Take counts one event under key, only if lim leaves room at now, with one conditional
	// single-item write (a second when the window closed and Limit.Next opens a new one), so
	// parallel callers never count more than lim.N in one window. It returns the window after the
	// count and true, or the full window and false.
	Take(ctx context.Context, key string, lim Limit, now time.Time) (Window, bool, error)
	// GiveBack uncounts one event taken under key in the window that ends at ends; once that
	// window has been replaced it does nothing.
	GiveBack(ctx context.Context, key string, ends time.Time) error
	// Window reads the window under key (zero when there is none).
	Window(ctx context.Context, key string) (Window, error)
}

// Alarm is told when one VIN has drawn many failed guesses from all callers together (a
// distributed brute force, or many people mistyping): a signal for operators, a log line and a
// metric, never a lock. An implementation must not log the VIN, only its keyed pseudonym.
type Alarm interface {
	GuessesOnVIN(ctx context.Context, vin vehicle.VIN, failures int)
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
	alarm    Alarm
	observer Observer
}

// NewService wires the service; all dependencies are required. It raises no alarm until
// WithAlarm gives it one.
func NewService(repo Repository, registry Registry, outbox Outbox, coder Coder, policy Policy, now Clock) *Service {
	return &Service{repo: repo, registry: registry, outbox: outbox, coder: coder, policy: policy, now: now}
}

// WithAlarm returns a copy of the service that tells a when a VIN draws many failed guesses.
func (s *Service) WithAlarm(a Alarm) *Service {
	c := *s
	c.alarm = a
	return &c
}

// The keys of the limits. The VIN has a fixed length and alphabet, so a subject (which may hold
// any character) cannot make one pair's key collide with another's.
func pairGuessKey(subject string, vin vehicle.VIN) string {
	return "GUESS#VIN#" + string(vin) + "#SUB#" + subject
}
func callerGuessKey(subject string) string { return "GUESS#SUB#" + subject }
func callerSendKey(subject string) string  { return "SEND#SUB#" + subject }
func vinSendKey(vin vehicle.VIN) string    { return "SEND#VIN#" + string(vin) }
func vinFailKey(vin vehicle.VIN) string    { return "FAIL#VIN#" + string(vin) }

// The refusals. None says whether the VIN has an owner on record.
const (
	pairFull   = "too many attempts on this vehicle from this account; try again later"
	callerFull = "too many failed attempts from this account; try again later"
	sendsFull  = "too many codes requested from this account; try again later"
	vinFull    = "too many codes were sent for this vehicle; try again later or use the code on the registration document"
)

// StartChallenge opens a challenge for subject on vin. Who may call: a signed-in consumer (the
// caller checks the role). The answer is the same whether or not the VIN has an owner on record:
// a challenge that can never verify is stored instead, after the same work, delivery included
// (so a delivery channel that is down fails both alike). The limits are applied before the
// registry is asked, so a refusal does the same work for every VIN too.
func (s *Service) StartChallenge(ctx context.Context, subject string, vin vehicle.VIN, method Method) (ch Challenge, err error) {
	defer func() { s.observe(ctx, method, startOutcome(err)) }()
	return s.startChallenge(ctx, subject, vin, method)
}

func (s *Service) startChallenge(ctx context.Context, subject string, vin vehicle.VIN, method Method) (Challenge, error) {
	now := s.now()
	// A caller who may not guess on this car now learns it before a code is sent for nothing.
	if err := s.checkGuessBudgets(ctx, subject, vin, now); err != nil {
		return Challenge{}, fmt.Errorf("start challenge: %w", err)
	}
	if method == MethodOwnerCode {
		// The caller's budget first: a caller over it spends nothing of the VIN's.
		if _, err := s.take(ctx, callerSendKey(subject), s.policy.CallerSends, now, sendsFull); err != nil {
			return Challenge{}, fmt.Errorf("start challenge: %w", err)
		}
		if _, err := s.take(ctx, vinSendKey(vin), s.policy.VINSends, now, vinFull); err != nil {
			return Challenge{}, fmt.Errorf("start challenge: %w", err)
		}
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
		code = NormalizeCode(docCode)
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

// Verify evaluates one guess. The code is compared as people type it (NormalizeCode). Before it
// is evaluated, the guess takes an attempt on the challenge, on the caller's budget for the VIN
// and on the caller's budget over all VINs, each with one conditional write, so no spreading over
// challenges and no race evaluates more than the budgets allow. On success it marks the challenge
// used and writes the grant. A wrong code counts towards the VIN's alarm, which locks no one.
func (s *Service) Verify(ctx context.Context, subject string, vin vehicle.VIN, challengeID, code string) (Grant, error) {
	code = NormalizeCode(code)
	if err := ValidateCode(code); err != nil {
		return Grant{}, err
	}
	now := s.now()
	// The challenge first: a guess on a missing, used or expired challenge costs no budget.
	ch, err := s.repo.ConsumeAttempt(ctx, challengeID, subject, vin, now)
	if err != nil {
		s.observe(ctx, "", verifyOutcome(err, false))
		return Grant{}, fmt.Errorf("verify: %w", err)
	}
	g, err := s.evaluate(ctx, subject, vin, challengeID, code, ch, now)
	s.observe(ctx, ch.Method, verifyOutcome(err, true))
	return g, err
}

// evaluate is Verify once the challenge took the attempt.
func (s *Service) evaluate(ctx context.Context, subject string, vin vehicle.VIN, challengeID, code string, ch Challenge, now time.Time) (Grant, error) {
	pair, err := s.take(ctx, pairGuessKey(subject, vin), s.policy.PairGuesses, now, pairFull)
	if err != nil {
		return Grant{}, fmt.Errorf("verify: %w", err)
	}
	caller, err := s.take(ctx, callerGuessKey(subject), s.policy.CallerGuesses, now, callerFull)
	if err != nil {
		return Grant{}, fmt.Errorf("verify: %w", err)
	}
	if !s.coder.Matches(ch, code) {
		if err := s.countFailure(ctx, vin, now); err != nil {
			return Grant{}, err
		}
		left := min(ch.MaxAttempts-ch.Attempts, s.policy.PairGuesses.N-pair.Count, s.policy.CallerGuesses.N-caller.Count)
		return Grant{}, &apperr.Error{Code: apperr.Forbidden, Field: "code", Rule: "mismatch",
			Message: fmt.Sprintf("the code does not match; %s left", attempts(max(left, 0)))}
	}
	// A right code is no brute force: it gives the caller's attempt back, so proving ownership
	// of many cars never runs into the limit meant for wrong guesses.
	if err := s.repo.GiveBack(ctx, callerGuessKey(subject), caller.Ends); err != nil {
		return Grant{}, fmt.Errorf("verify: give back: %w", err)
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

// checkGuessBudgets refuses when the caller's guesses on vin, or overall, are used up. Only reads
// (both at once, they are independent): Verify enforces the budgets.
func (s *Service) checkGuessBudgets(ctx context.Context, subject string, vin vehicle.VIN, now time.Time) error {
	budgets := [...]struct {
		key, refusal string
		lim          Limit
		w            Window
		err          error
	}{
		{key: pairGuessKey(subject, vin), refusal: pairFull, lim: s.policy.PairGuesses},
		{key: callerGuessKey(subject), refusal: callerFull, lim: s.policy.CallerGuesses},
	}
	var wg sync.WaitGroup
	for i := range budgets {
		wg.Go(func() { budgets[i].w, budgets[i].err = s.repo.Window(ctx, budgets[i].key) })
	}
	wg.Wait()
	for _, b := range budgets {
		if b.err != nil {
			return fmt.Errorf("read guess budget: %w", b.err)
		}
		if b.lim.Full(b.w, now) {
			return tooMany(b.refusal, b.w, now)
		}
	}
	return nil
}

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// take counts one event against lim under key, or refuses with TooManyRequests saying when the
// window closes. Errors name no key: keys hold subjects and VINs.
func (s *Service) take(ctx context.Context, key string, lim Limit, now time.Time, refusal string) (Window, error) {
	w, ok, err := s.repo.Take(ctx, key, lim, now)
	if err != nil {
		return Window{}, fmt.Errorf("take from a limit: %w", err)
	}
	if !ok {
		return w, tooMany(refusal, w, now)
	}
	return w, nil
}

func tooMany(message string, w Window, now time.Time) *apperr.Error {
	return &apperr.Error{Code: apperr.TooManyRequests, Message: message, RetryAfter: RetryAfter(w, now)}
}

// countFailure counts a wrong guess on vin from anyone, and raises the alarm once per span when
// the count reaches VINAlarmAt. The count never refuses anything.
func (s *Service) countFailure(ctx context.Context, vin vehicle.VIN, now time.Time) error {
	span := Limit{N: math.MaxInt32, Base: s.policy.VINAlarmSpan, Max: s.policy.VINAlarmSpan}
	w, _, err := s.repo.Take(ctx, vinFailKey(vin), span, now)
	if err != nil {
		return fmt.Errorf("verify: count failure: %w", err)
	}
	// The conditional increment hands out each count once, so exactly one guess sees the
	// threshold, however many race.
	if w.Count == s.policy.VINAlarmAt && s.alarm != nil {
		s.alarm.GuessesOnVIN(ctx, vin, w.Count)
	}
	return nil
}

package ownershipadapters_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// These tests run ownership.Service end to end on the real repository (dynalite), the
// development outbox and a fake registry, with an injected clock.

var idShape = regexp.MustCompile(`^[0-9a-f]{32}$`)

func wantCode(t *testing.T, err error, want apperr.Code) {
	t.Helper()
	if err == nil || apperr.CodeOf(err) != want {
		t.Fatalf("error = %v, want code %s", err, want)
	}
}

// wantAppErr is wantCode returning the error for further checks.
func wantAppErr(t *testing.T, err error, want apperr.Code) *apperr.Error {
	t.Helper()
	wantCode(t, err, want)
	return apperr.As(err)
}

// readAccess is what ownership-authorization decides from the stored grant.
func (f *fixture) readAccess(t *testing.T, sub string, vin vehicle.VIN) vehicle.Access {
	t.Helper()
	g, ok, err := f.grants.Get(context.Background(), vin, sub, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return ownership.Access(nil, sub, vin, f.clock.Now())
	}
	return ownership.Access(&ownership.Grant{VIN: g.VIN, Subject: g.Subject, ExpiresAt: g.ExpiresAt}, sub, vin, f.clock.Now())
}

func TestOwnerCodeHappyPath(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sub, vin := newSubject(), f.ownedVIN(t, "")
	if f.readAccess(t, sub, vin) != vehicle.AccessPublic {
		t.Fatal("owner access before any proof")
	}
	ch := f.start(t, sub, vin, ownership.MethodOwnerCode)
	if !idShape.MatchString(ch.ID) || ch.CodeMAC != "" || !ch.ExpiresAt.Equal(f.clock.Now().Add(10*time.Minute)) {
		t.Fatalf("challenge = %+v", ch)
	}
	code := f.sentCode(t, vin)
	f.clock.Advance(3 * time.Minute)
	g, err := f.svc.Verify(ctx, sub, vin, ch.ID, code)
	if err != nil {
		t.Fatalf("Verify with the sent code: %v", err)
	}
	if !g.ExpiresAt.Equal(f.clock.Now().Add(f.policy.GrantTTL)) || g.Method != ownership.MethodOwnerCode {
		t.Fatalf("grant = %+v", g)
	}
	if f.readAccess(t, sub, vin) != vehicle.AccessOwner {
		t.Fatal("the stored grant does not give owner access")
	}
	stored, _, _ := f.grants.Get(ctx, vin, sub, f.clock.Now())
	if stored.Method != "owner-code" || !stored.GrantedAt.Equal(f.clock.Now()) {
		t.Fatalf("stored grant = %+v", stored)
	}
	// The grant ends when it expires.
	f.clock.Advance(f.policy.GrantTTL)
	if f.readAccess(t, sub, vin) != vehicle.AccessPublic {
		t.Fatal("owner access after the grant expired")
	}
}

func TestDocumentCodePath(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sub, vin := newSubject(), f.ownedVIN(t, "ZB1X9K2M4Q7A")
	ch := f.start(t, sub, vin, ownership.MethodDocumentCode)
	if ch.Method != ownership.MethodDocumentCode {
		t.Fatalf("method = %s", ch.Method)
	}
	if _, sent := f.outbox.Latest(vin); sent {
		t.Fatal("a document-code challenge sent a code")
	}
	if _, err := f.svc.Verify(ctx, sub, vin, ch.ID, "ZB1X9K2M4Q7B"); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("a near miss: %v", err)
	}
	if _, err := f.svc.Verify(ctx, sub, vin, ch.ID, "ZB1X9K2M4Q7A"); err != nil {
		t.Fatalf("the document's code: %v", err)
	}
	if f.readAccess(t, sub, vin) != vehicle.AccessOwner {
		t.Fatal("no owner access after the document code")
	}
}

func TestNoOwnerOnRecordLooksTheSameAndNeverVerifies(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sub := newSubject()
	owned, unowned := f.ownedVIN(t, "ZB1X9K2M4Q7A"), newVIN(t)
	for _, m := range []ownership.Method{ownership.MethodOwnerCode, ownership.MethodDocumentCode} {
		real := f.start(t, sub, owned, m)
		fake := f.start(t, sub, unowned, m)
		// Same shape: only the id differs, and it has the same form.
		real.ID, real.VIN = fake.ID, fake.VIN
		if real != fake || !idShape.MatchString(fake.ID) {
			t.Fatalf("%s: no-owner challenge %+v differs from %+v", m, fake, real)
		}
	}
	// Delivery happens alike (a channel that is down must fail both alike), but what is delivered
	// for a VIN without an owner never verifies: not that code, not a code sent for another car,
	// not the other car's document code; every guess costs an attempt like a real one.
	ch := f.start(t, newSubject(), unowned, ownership.MethodOwnerCode)
	guesses := []string{f.sentCode(t, unowned), f.sentCode(t, owned), "ZB1X9K2M4Q7A", "000000", "123456"}
	for i, guess := range guesses {
		_, err := f.svc.Verify(ctx, ch.Subject, unowned, ch.ID, guess)
		e := wantAppErr(t, err, apperr.Forbidden)
		if e.Field != "code" || !strings.Contains(e.Message, []string{"4 attempts", "3 attempts", "2 attempts", "1 attempt", "0 attempts"}[i]+" left") {
			t.Fatalf("guess %d: %+v", i, e)
		}
	}
	if _, err := f.svc.Verify(ctx, ch.Subject, unowned, ch.ID, "000000"); apperr.CodeOf(err) != apperr.TooManyRequests {
		t.Fatalf("after five guesses: %v", err)
	}
	if f.readAccess(t, ch.Subject, unowned) != vehicle.AccessPublic {
		t.Fatal("owner access to a car without an owner")
	}
}

func TestWrongCodeNamesFieldAndAttemptsLeft(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sub, vin := newSubject(), f.ownedVIN(t, "")
	ch := f.start(t, sub, vin, ownership.MethodOwnerCode)
	wrong := wrongCode(f.sentCode(t, vin))
	for _, left := range []string{"4 attempts left", "3 attempts left"} {
		_, err := f.svc.Verify(ctx, sub, vin, ch.ID, wrong)
		e := wantAppErr(t, err, apperr.Forbidden)
		if e.Field != "code" || !strings.Contains(e.Message, left) || strings.Contains(e.Message, wrong) {
			t.Fatalf("error = %+v, want field code and %q", e, left)
		}
	}
	// A malformed code is refused before it costs anything.
	_, err := f.svc.Verify(ctx, sub, vin, ch.ID, "12ab")
	if e := wantAppErr(t, err, apperr.Invalid); e.Field != "code" {
		t.Fatalf("malformed code: %+v", e)
	}
	if _, err := f.svc.Verify(ctx, sub, vin, ch.ID, f.sentCode(t, vin)); err != nil {
		t.Fatalf("right code with attempts left: %v", err)
	}
}

func TestChallengeIsSingleUse(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sub, vin := newSubject(), f.ownedVIN(t, "")
	ch := f.start(t, sub, vin, ownership.MethodOwnerCode)
	code := f.sentCode(t, vin)
	if _, err := f.svc.Verify(ctx, sub, vin, ch.ID, code); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Verify(ctx, sub, vin, ch.ID, code)
	wantCode(t, err, apperr.Conflict)
}

func TestChallengeExpiresAfterTenMinutes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sub, vin := newSubject(), f.ownedVIN(t, "")

	ch := f.start(t, sub, vin, ownership.MethodOwnerCode)
	code := f.sentCode(t, vin)
	f.clock.Advance(10*time.Minute - time.Second)
	if _, err := f.svc.Verify(ctx, sub, vin, ch.ID, code); err != nil {
		t.Fatalf("at 9m59s: %v", err)
	}

	ch = f.start(t, sub, vin, ownership.MethodOwnerCode)
	code = f.sentCode(t, vin)
	f.clock.Advance(10 * time.Minute)
	_, err := f.svc.Verify(ctx, sub, vin, ch.ID, code)
	wantCode(t, err, apperr.Conflict)
}

func TestChallengeBelongsToItsSubjectAndVIN(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sub, vin, other := newSubject(), f.ownedVIN(t, ""), f.ownedVIN(t, "")
	ch := f.start(t, sub, vin, ownership.MethodOwnerCode)
	code := f.sentCode(t, vin)
	_, err := f.svc.Verify(ctx, newSubject(), vin, ch.ID, code)
	wantCode(t, err, apperr.NotFound)
	_, err = f.svc.Verify(ctx, sub, other, ch.ID, code)
	wantCode(t, err, apperr.NotFound)
	if _, err := f.svc.Verify(ctx, sub, vin, ch.ID, code); err != nil {
		t.Fatalf("the owner of the challenge: %v", err)
	}
}

func TestGrantForOneCarGrantsNothingForAnother(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sub, vin, other := newSubject(), f.ownedVIN(t, ""), f.ownedVIN(t, "")
	ch := f.start(t, sub, vin, ownership.MethodOwnerCode)
	g, err := f.svc.Verify(ctx, sub, vin, ch.ID, f.sentCode(t, vin))
	if err != nil {
		t.Fatal(err)
	}
	if f.readAccess(t, sub, other) != vehicle.AccessPublic {
		t.Fatal("a grant for one car gave owner access to another")
	}
	if ownership.Access(&g, sub, other, f.clock.Now()) != vehicle.AccessPublic {
		t.Fatal("Access accepts a grant for another car")
	}
	if f.readAccess(t, newSubject(), vin) != vehicle.AccessPublic {
		t.Fatal("a grant for one subject gave owner access to another")
	}
}

// fail makes one wrong guess on a fresh challenge and expects it to be evaluated.
func (f *fixture) fail(t *testing.T, sub string, vin vehicle.VIN) {
	t.Helper()
	ch := f.start(t, sub, vin, ownership.MethodOwnerCode)
	_, err := f.svc.Verify(context.Background(), sub, vin, ch.ID, wrongCode(f.sentCode(t, vin)))
	wantCode(t, err, apperr.Forbidden)
}

func TestUserLockoutGrowsWithFailures(t *testing.T) {
	f := newFixture(t)
	sub := newSubject()
	// Five failures, each on another car, so only the user's record reaches the threshold.
	for range f.policy.LockoutThreshold {
		f.fail(t, sub, f.ownedVIN(t, ""))
	}
	next := f.ownedVIN(t, "")
	_, err := f.svc.StartChallenge(context.Background(), sub, next, ownership.MethodOwnerCode)
	wantCode(t, err, apperr.TooManyRequests)
	// Another user on the same car is not affected.
	f.start(t, newSubject(), next, ownership.MethodOwnerCode)

	f.clock.Advance(f.policy.LockoutBase) // the first lockout (1 min) is over
	f.fail(t, sub, next)                  // the sixth failure locks for twice as long
	f.clock.Advance(f.policy.LockoutBase)
	_, err = f.svc.StartChallenge(context.Background(), sub, f.ownedVIN(t, ""), ownership.MethodOwnerCode)
	wantCode(t, err, apperr.TooManyRequests)
	f.clock.Advance(f.policy.LockoutBase)
	f.fail(t, sub, f.ownedVIN(t, "")) // free again after 2 min; the seventh locks for 4 min
	f.clock.Advance(3 * f.policy.LockoutBase)
	_, err = f.svc.StartChallenge(context.Background(), sub, f.ownedVIN(t, ""), ownership.MethodOwnerCode)
	wantCode(t, err, apperr.TooManyRequests)
	f.clock.Advance(f.policy.LockoutBase)
	f.start(t, sub, f.ownedVIN(t, ""), ownership.MethodOwnerCode)
}

func TestVINLockoutGrowsWithFailures(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	vin := f.ownedVIN(t, "")
	// Five users, one failure each: only the VIN's record reaches the threshold.
	for range f.policy.LockoutThreshold {
		f.fail(t, newSubject(), vin)
	}
	fresh := newSubject()
	_, err := f.svc.StartChallenge(ctx, fresh, vin, ownership.MethodOwnerCode)
	wantCode(t, err, apperr.TooManyRequests)
	// The same user on another car is not affected.
	f.start(t, fresh, f.ownedVIN(t, ""), ownership.MethodOwnerCode)

	f.clock.Advance(f.policy.LockoutBase)
	f.fail(t, newSubject(), vin) // sixth failure: two minutes
	f.clock.Advance(f.policy.LockoutBase)
	_, err = f.svc.StartChallenge(ctx, newSubject(), vin, ownership.MethodOwnerCode)
	wantCode(t, err, apperr.TooManyRequests)
	f.clock.Advance(f.policy.LockoutBase)
	f.start(t, newSubject(), vin, ownership.MethodOwnerCode)
}

func TestParallelBruteForceEvaluatesAtMostFiveGuesses(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sub, vin := newSubject(), f.ownedVIN(t, "")
	ch := f.start(t, sub, vin, ownership.MethodOwnerCode)
	right := f.sentCode(t, vin)

	const n = 50
	var (
		wg                 sync.WaitGroup
		mu                 sync.Mutex
		forbidden, limited int
		others             []error
	)
	for i := range n {
		wg.Go(func() {
			guess := wrongCode(right)
			if i%2 == 1 {
				guess = "999999"
				if right == guess {
					guess = "999998"
				}
			}
			_, err := f.svc.Verify(ctx, sub, vin, ch.ID, guess)
			mu.Lock()
			defer mu.Unlock()
			switch apperr.CodeOf(err) {
			case apperr.Forbidden:
				forbidden++
			case apperr.TooManyRequests:
				limited++
			default:
				others = append(others, err)
			}
		})
	}
	wg.Wait()
	evaluated := int(f.repo.evaluated.Load())
	if evaluated > f.policy.MaxAttempts || evaluated != forbidden || forbidden+limited != n || len(others) != 0 {
		t.Fatalf("evaluated %d, forbidden %d, too many requests %d, other errors %v", evaluated, forbidden, limited, others)
	}
	t.Logf("%d parallel wrong guesses: %d evaluated, %d refused with TooManyRequests", n, evaluated, limited)
	_, err := f.svc.Verify(ctx, sub, vin, ch.ID, right)
	wantCode(t, err, apperr.TooManyRequests)
	if f.readAccess(t, sub, vin) != vehicle.AccessPublic {
		t.Fatal("owner access after a brute-force run")
	}
}

// downOutbox is a delivery channel that is down (as the deployed binary's is until the registry's
// contact API exists).
type downOutbox struct{}

func (downOutbox) SendCode(context.Context, vehicle.VIN, string) error {
	return apperr.New(apperr.Unavailable, "delivery is down")
}

// With delivery down, an owner-code challenge fails the same way whether or not the VIN has an
// owner on record: the failure must not tell the two apart.
func TestDeliveryDownFailsOwnedAndUnownedAlike(t *testing.T) {
	f := newFixture(t)
	coder, err := ownership.NewCoder(bytes.Repeat([]byte("k"), 32), 6)
	if err != nil {
		t.Fatal(err)
	}
	svc := ownership.NewService(f.repo, f.registry, downOutbox{}, coder, f.policy, f.clock.Now)
	owned, unowned := f.ownedVIN(t, "ZB1X9K2M4Q7A"), newVIN(t)
	_, errOwned := svc.StartChallenge(context.Background(), newSubject(), owned, ownership.MethodOwnerCode)
	_, errUnowned := svc.StartChallenge(context.Background(), newSubject(), unowned, ownership.MethodOwnerCode)
	if apperr.CodeOf(errOwned) != apperr.Unavailable || apperr.CodeOf(errUnowned) != apperr.Unavailable {
		t.Fatalf("owned: %v; unowned: %v; want both Unavailable", errOwned, errUnowned)
	}
	if apperr.As(errOwned).Message != apperr.As(errUnowned).Message {
		t.Fatalf("messages differ: %q vs %q", apperr.As(errOwned).Message, apperr.As(errUnowned).Message)
	}
}

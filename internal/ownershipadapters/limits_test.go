package ownershipadapters_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// The limits of issue 9, items 8-10 and 15, on the real repository (dynalite).

// guessFlood is Bob's attack of issue 9: open challenges on one car and fire every guess they
// allow at once. It returns how many guesses were evaluated (a wrong guess evaluated answers
// Forbidden; one refused before evaluation answers TooManyRequests) and any other error.
func (f *fixture) guessFlood(t *testing.T, sub string, vin vehicle.VIN, challenges int, wrong string) (evaluated, refused int, others []error) {
	t.Helper()
	ids := make([]string, challenges)
	for i := range ids {
		ids[i] = f.start(t, sub, vin, ownership.MethodDocumentCode).ID
	}
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	start := make(chan struct{})
	for _, id := range ids {
		for range f.policy.MaxAttempts {
			wg.Go(func() {
				<-start
				_, err := f.svc.Verify(context.Background(), sub, vin, id, wrong)
				mu.Lock()
				defer mu.Unlock()
				switch apperr.CodeOf(err) {
				case apperr.Forbidden:
					evaluated++
				case apperr.TooManyRequests:
					refused++
				default:
					others = append(others, err)
				}
			})
		}
	}
	close(start)
	wg.Wait()
	return evaluated, refused, others
}

// Item 8: every guess takes an attempt on the caller's budget for the car before it is
// evaluated, so ten challenges and fifty parallel guesses evaluate at most five.
func TestGuessesAreReservedPerCallerAndVINAcrossChallenges(t *testing.T) {
	f := newFixture(t)
	bob, vin := newSubject(), f.ownedVIN(t, "ZB1X9K2M")
	spare := f.start(t, bob, vin, ownership.MethodDocumentCode)
	evaluated, refused, others := f.guessFlood(t, bob, vin, 10, "AAAAAAAA")
	t.Logf("10 challenges, 50 parallel wrong guesses: %d evaluated, %d refused", evaluated, refused)
	if evaluated > 5 || evaluated == 0 || evaluated+refused != 50 || len(others) != 0 {
		t.Fatalf("evaluated %d, refused %d, other errors %v; want at most 5 evaluated, the rest refused",
			evaluated, refused, others)
	}
	// Not even the right code is evaluated while the budget is spent, and no new challenge opens;
	// both refusals say when to retry.
	_, err := f.svc.Verify(context.Background(), bob, vin, spare.ID, "ZB1X9K2M")
	if e := wantAppErr(t, err, apperr.TooManyRequests); e.RetryAfter != int(f.policy.PairGuesses.Base/time.Second) {
		t.Fatalf("refusal %+v, want Retry-After %v", e, f.policy.PairGuesses.Base)
	}
	_, err = f.svc.StartChallenge(context.Background(), bob, vin, ownership.MethodDocumentCode)
	if e := wantAppErr(t, err, apperr.TooManyRequests); e.RetryAfter <= 0 {
		t.Fatalf("refusal %+v without Retry-After", e)
	}
	// The window closes: the caller may guess again.
	f.clock.Advance(f.policy.PairGuesses.Base)
	ch := f.start(t, bob, vin, ownership.MethodDocumentCode)
	if _, err := f.svc.Verify(context.Background(), bob, vin, ch.ID, "ZB1X9K2M"); err != nil {
		t.Fatalf("the right code once the window closed: %v", err)
	}
}

// Item 9: Bob's failures on Alice's car cost Alice nothing: she proves ownership right after,
// with the document's code and with a code sent to her.
func TestStrangerCannotLockTheOwnerOut(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	vin := f.ownedVIN(t, "ZB1X9K2M")
	for range 3 { // three strangers, each spending all they may
		f.guessFlood(t, newSubject(), vin, 10, "AAAAAAAA")
	}
	alice := newSubject()
	ch := f.start(t, alice, vin, ownership.MethodDocumentCode)
	if _, err := f.svc.Verify(ctx, alice, vin, ch.ID, "ZB1X9K2M"); err != nil {
		t.Fatalf("the owner with the document's code after strangers' failures: %v", err)
	}
	ch = f.start(t, alice, vin, ownership.MethodOwnerCode)
	if _, err := f.svc.Verify(ctx, alice, vin, ch.ID, f.sentCode(t, vin)); err != nil {
		t.Fatalf("the owner with the sent code after strangers' failures: %v", err)
	}
}

// Item 10: owner codes cannot flood an owner: three sends per car and hour, whoever asks, and the
// same answers, with the same work, whether or not the car has an owner on record.
func TestOwnerCodeSendsAreLimitedPerVIN(t *testing.T) {
	f := newFixture(t)
	owned, unowned := f.ownedVIN(t, "ZB1X9K2M"), newVIN(t)
	var answers [2][]apperr.Code
	for i, vin := range []vehicle.VIN{owned, unowned} {
		for n := range 12 {
			sub := newSubject()
			if n%2 == 0 {
				sub = "bob-" + string(vin) // one caller, and many: the car's limit holds for all
			}
			before := f.registry.calls(vin)
			_, err := f.svc.StartChallenge(context.Background(), sub, vin, ownership.MethodOwnerCode)
			answers[i] = append(answers[i], apperr.CodeOf(err))
			if err != nil {
				e := wantAppErr(t, err, apperr.TooManyRequests)
				if f.registry.calls(vin) != before {
					t.Errorf("a refused send still asked the registry about the car")
				}
				if strings.Contains(e.Message, "owner") {
					t.Errorf("the refusal talks about an owner: %q", e.Message)
				}
			}
		}
	}
	if got := len(f.outbox.Sent(owned)); got != 3 {
		t.Errorf("%d codes sent for one car in a row, want 3", got)
	}
	for i := range answers[0] {
		if answers[0][i] != answers[1][i] {
			t.Fatalf("answers differ with and without an owner on record: %v vs %v", answers[0], answers[1])
		}
	}
	// The document code needs no send: the owner can still prove ownership.
	alice := newSubject()
	ch := f.start(t, alice, owned, ownership.MethodDocumentCode)
	if _, err := f.svc.Verify(context.Background(), alice, owned, ch.ID, "ZB1X9K2M"); err != nil {
		t.Fatalf("the document code once the car's sends are used up: %v", err)
	}
}

// Item 10: one caller cannot send codes to many owners either.
func TestOwnerCodeSendsAreLimitedPerCaller(t *testing.T) {
	f := newFixture(t)
	bob := newSubject()
	sent := 0
	for range 12 {
		if _, err := f.svc.StartChallenge(context.Background(), bob, f.ownedVIN(t, ""), ownership.MethodOwnerCode); err == nil {
			sent++
		} else {
			wantCode(t, err, apperr.TooManyRequests)
		}
	}
	if sent != 10 {
		t.Fatalf("one caller had %d codes sent to 12 cars in a row, want 10", sent)
	}
}

// Item 15: document codes are compared as people type them: case and spaces do not matter.
func TestDocumentCodeIsComparedAsTyped(t *testing.T) {
	f := newFixture(t)
	sub, vin := newSubject(), f.ownedVIN(t, "ZB1X9K2M")
	for _, typed := range []string{"zb1x9k2m", " ZB1X 9K2M ", "zb1x 9k2m"} {
		ch := f.start(t, sub, vin, ownership.MethodDocumentCode)
		if _, err := f.svc.Verify(context.Background(), sub, vin, ch.ID, typed); err != nil {
			t.Fatalf("the document code typed as %q: %v", typed, err)
		}
	}
}

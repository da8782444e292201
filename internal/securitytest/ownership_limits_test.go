package securitytest

// The limits on proving ownership (issue 9, items 8-10 and 15) through the HTTP routes of the
// running stack.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/local/devoutbox"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// documentCode is the code printed on the car's registration document, as the simulated
// registry knows it.
func documentCode(t *testing.T, vin vehicle.VIN) string {
	t.Helper()
	car, ok := stack.Sims.World().Vehicle(vin)
	if !ok || car.DocumentCode() == "" {
		t.Fatalf("the simulated world has no registration document for the test car")
	}
	remember("registration document code", car.DocumentCode())
	return car.DocumentCode()
}

// wantRetryAfter checks a 429 says when to come back: Retry-After in whole seconds.
func wantRetryAfter(t *testing.T, a answer) {
	t.Helper()
	if a.status != http.StatusTooManyRequests {
		return
	}
	if n, err := strconv.Atoi(a.header.Get("Retry-After")); err != nil || n <= 0 {
		t.Errorf("a 429 without a Retry-After in seconds (%q): %s", a.header.Get("Retry-After"), a)
	}
}

// TestStrangersGuessesAreBoundedAndCostTheOwnerNothing is Bob's attack of issue 9: ten
// challenges on one car, fifty wrong guesses at once. At most five may be evaluated (item 8),
// every refusal says when to retry, and Alice, the owner, proves ownership right after (item 9).
func TestStrangersGuessesAreBoundedAndCostTheOwnerNothing(t *testing.T) {
	vin := freshVIN(t)
	doc := documentCode(t, vin)
	bob, _ := freshConsumer(t)
	ids := make([]string, 10)
	for i := range ids {
		ids[i] = startChallenge(t, vin, bob, "document-code")
	}
	wrong := strings.Repeat("A", len(doc))
	if wrong == doc {
		wrong = strings.Repeat("B", len(doc))
	}
	answers := make([]answer, 0, 50)
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	start := make(chan struct{})
	for _, id := range ids {
		for range 5 {
			wg.Go(func() {
				<-start
				a := call(t, http.MethodPost, verifyPath(vin, id), bearer(bob), codeBody(wrong))
				mu.Lock()
				defer mu.Unlock()
				answers = append(answers, a)
			})
		}
	}
	close(start)
	wg.Wait()
	evaluated := 0
	for _, a := range answers {
		switch a.status {
		case http.StatusForbidden:
			evaluated++
		case http.StatusTooManyRequests:
			wantRetryAfter(t, a)
		default:
			t.Errorf("a wrong guess: %s, want 403 or 429", a)
		}
	}
	t.Logf("10 challenges, 50 parallel wrong guesses: %d evaluated", evaluated)
	if evaluated > 5 {
		t.Errorf("%d of 50 wrong guesses over 10 challenges were evaluated, want at most 5", evaluated)
	}

	// Another stranger guesses one by one, so that every failure is surely recorded.
	carol, _ := freshConsumer(t)
	id := startChallenge(t, vin, carol, "document-code")
	for range 5 {
		if a := call(t, http.MethodPost, verifyPath(vin, id), bearer(carol), codeBody(wrong)); a.status != http.StatusForbidden {
			t.Errorf("a stranger's first five wrong guesses on a challenge: %s, want 403", a)
		}
	}

	alice, _ := freshConsumer(t)
	id = startChallenge(t, vin, alice, "document-code")
	if a := call(t, http.MethodPost, verifyPath(vin, id), bearer(alice), codeBody(doc)); a.status != http.StatusOK {
		t.Fatalf("the owner with the right code after a stranger's failures: %s, want 200", a)
	}
	if got := reportAccess(t, vin, alice); got != "owner" {
		t.Errorf("the owner's report after proving: access %q, want owner", got)
	}
}

// TestOwnerCodesCannotFloodAnOwner: twelve owner-code challenges in a row on one car send three
// codes; the rest are 429 with Retry-After, and the answers are the same for a car without an
// owner on record (item 10).
func TestOwnerCodesCannotFloodAnOwner(t *testing.T) {
	owned, unknown := freshVIN(t), unknownVIN(t)
	var statuses [2][]int
	var refusals [2][]byte
	for i, vin := range []vehicle.VIN{owned, unknown} {
		bob, _ := freshConsumer(t)
		for range 12 {
			a := call(t, http.MethodPost, "/vehicles/"+string(vin)+"/ownership-challenges", bearer(bob),
				[]byte(`{"method":"owner-code"}`))
			statuses[i] = append(statuses[i], a.status)
			switch a.status {
			case http.StatusCreated:
				checkChallenge(t, a.body, vin)
			case http.StatusTooManyRequests:
				wantRetryAfter(t, a)
				refusals[i] = a.body
			default:
				t.Fatalf("an owner-code challenge: %s, want 201 or 429", a)
			}
		}
	}
	if n := len(stack.Outbox.Sent(owned)); n != 3 {
		t.Errorf("%d codes were sent for one car in a row, want 3 (statuses %v)", n, statuses[0])
	}
	for i := range statuses[0] {
		if statuses[0][i] != statuses[1][i] {
			t.Fatalf("the answers tell whether the car has an owner on record: %v vs %v", statuses[0], statuses[1])
		}
	}
	if !bytes.Equal(refusals[0], refusals[1]) {
		t.Errorf("refusals differ with and without an owner on record: %s vs %s", refusals[0], refusals[1])
	}
}

// TestDocumentCodeAsTypedAndFoundLocally: locally, the development outbox says a car's document
// code, and the code is accepted in lower case with spaces, as people type it (item 15).
func TestDocumentCodeAsTypedAndFoundLocally(t *testing.T) {
	vin := freshVIN(t)
	doc := documentCode(t, vin)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, stack.URL+devoutbox.Path+"?vin="+string(vin), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	var out struct {
		DocumentCode string `json:"documentCode"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.DocumentCode != doc {
		t.Fatalf("the development outbox does not say the car's document code (status %d, err %v)", res.StatusCode, err)
	}
	typed := strings.ToLower(doc[:4]) + " " + strings.ToLower(doc[4:])
	prover, _ := freshConsumer(t)
	id := startChallenge(t, vin, prover, "document-code")
	if a := call(t, http.MethodPost, verifyPath(vin, id), bearer(prover), codeBody(typed)); a.status != http.StatusOK {
		t.Fatalf("the document code in lower case with a space: %s, want 200", a)
	}
}

// TestFailuresOnOneCarRaiseTheAlarm: twenty wrong guesses on one car from four strangers raise
// the operators' alarm in the stack's log (the VIN only as a pseudonym: the run's log scan checks
// every VIN), and lock nobody out.
func TestFailuresOnOneCarRaiseTheAlarm(t *testing.T) {
	vin := freshVIN(t)
	doc := documentCode(t, vin)
	wrong := strings.Repeat("A", len(doc))
	if wrong == doc {
		wrong = strings.Repeat("B", len(doc))
	}
	before := strings.Count(logs.String(), `"alarm":"OwnershipGuessesOnVIN"`)
	for range 4 {
		stranger, _ := freshConsumer(t)
		id := startChallenge(t, vin, stranger, "document-code")
		for range 5 {
			if a := call(t, http.MethodPost, verifyPath(vin, id), bearer(stranger), codeBody(wrong)); a.status != http.StatusForbidden {
				t.Fatalf("a stranger's wrong guess: %s, want 403", a)
			}
		}
	}
	if got := strings.Count(logs.String(), `"alarm":"OwnershipGuessesOnVIN"`) - before; got != 1 {
		t.Errorf("20 failures on one car raised %d alarms, want 1", got)
	}
	owner, _ := freshConsumer(t)
	id := startChallenge(t, vin, owner, "document-code")
	if a := call(t, http.MethodPost, verifyPath(vin, id), bearer(owner), codeBody(doc)); a.status != http.StatusOK {
		t.Errorf("the owner after the alarm: %s, want 200", a)
	}
}

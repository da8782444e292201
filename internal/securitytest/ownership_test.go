package securitytest

// Proof of ownership through the HTTP routes: the grant path of the access matrix end to end,
// and brute force. The one-time code is read from the development outbox over HTTP
// (GET /dev/outbox?vin=), as a developer would; every code read is a secret for the log scans.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/local/devoutbox"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// consumers hands out consumer identities no other test uses. Failed guesses lock out the user
// (ownership.Policy: 5 failures), so a test that guesses wrong must not do it as alice or bob,
// whom other tests need unlocked. The tokens are the issuer's own, signed with its key.
var consumers atomic.Int64

func freshConsumer(t testing.TB) (token, subject string) {
	t.Helper()
	subject = fmt.Sprintf("securitytest-consumer-%d-%d", time.Now().UnixNano(), consumers.Add(1))
	claims := with(goodClaims(t), map[string]any{"sub": subject})
	token, err := stack.Issuer.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	remember("test consumer's subject", subject)
	remember("test consumer's bearer token", token)
	return token, subject
}

// startChallenge opens a challenge and returns its id.
func startChallenge(t *testing.T, vin vehicle.VIN, token, method string) string {
	t.Helper()
	a := call(t, http.MethodPost, "/vehicles/"+string(vin)+"/ownership-challenges", bearer(token),
		[]byte(`{"method":"`+method+`"}`))
	if a.status != http.StatusCreated {
		t.Fatalf("start a challenge: %s, want 201", a)
	}
	checkChallenge(t, a.body, vin)
	var r struct {
		ChallengeID string `json:"challengeId"`
	}
	if err := json.Unmarshal(a.body, &r); err != nil || r.ChallengeID == "" {
		t.Fatalf("start a challenge: no challengeId in %s", a.body)
	}
	return r.ChallengeID
}

// sentCode reads the newest code the development outbox holds for vin.
func sentCode(t *testing.T, vin vehicle.VIN) string {
	t.Helper()
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
		Codes []struct {
			Code string `json:"code"`
		} `json:"codes"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || len(out.Codes) == 0 {
		t.Fatalf("the outbox holds no code for the test car (status %d, err %v)", res.StatusCode, err)
	}
	remember("one-time ownership code", out.Codes[0].Code)
	return out.Codes[0].Code
}

func verifyPath(vin vehicle.VIN, id string) string {
	return "/vehicles/" + string(vin) + "/ownership-challenges/" + id + "/verify"
}

func codeBody(code string) []byte { return []byte(`{"code":"` + code + `"}`) }

// wrongCodeFor is a well-formed code that is not code.
func wrongCodeFor(code string) string {
	w := []byte(code)
	if w[0] == '9' {
		w[0] = '0'
	} else {
		w[0] = '9'
	}
	return string(w)
}

// proveOwnership proves ownership of vin the way an owner does with the registration document
// in hand: a document-code challenge, the document's code, the verify route. Not by owner-code:
// sends are limited per caller (ownership.Policy.CallerSends), and the demo users prove many
// cars here. TestOwnershipThroughTheRoutes covers owner-code.
func proveOwnership(t *testing.T, vin vehicle.VIN, token string) {
	t.Helper()
	id := startChallenge(t, vin, token, "document-code")
	if a := call(t, http.MethodPost, verifyPath(vin, id), bearer(token), codeBody(documentCode(t, vin))); a.status != http.StatusOK {
		t.Fatalf("prove ownership: %s, want 200", a)
	}
}

func reportAccess(t *testing.T, vin vehicle.VIN, token string) string {
	t.Helper()
	a := call(t, http.MethodGet, "/vehicles/"+string(vin), bearer(token), nil)
	var r struct {
		Access string `json:"access"`
	}
	if a.status != http.StatusOK || json.Unmarshal(a.body, &r) != nil {
		t.Fatalf("report: %s", a)
	}
	return r.Access
}

// TestOwnershipThroughTheRoutes proves ownership the way a user does, and checks the grant is for
// that caller and that car only, and that nobody else can use the caller's challenge.
func TestOwnershipThroughTheRoutes(t *testing.T) {
	vin, other := freshVIN(t), freshVIN(t)
	personalValues(t, vin)
	owner, _ := freshConsumer(t)
	intruder, _ := freshConsumer(t)
	id := startChallenge(t, vin, owner, "owner-code")
	code := sentCode(t, vin)

	// Someone else, even with the right code, cannot use the owner's challenge; and trying costs
	// the owner nothing.
	if a := call(t, http.MethodPost, verifyPath(vin, id), bearer(intruder), codeBody(code)); a.status != http.StatusNotFound {
		t.Errorf("another consumer verifies the challenge with the right code: %s, want 404", a)
	}
	if a := call(t, http.MethodPost, verifyPath(vin, id), bearer(tokenOf(t, "dealer-dan")), codeBody(code)); a.status != http.StatusForbidden {
		t.Errorf("a dealer verifies the challenge with the right code: %s, want 403", a)
	}
	// The challenge is bound to its car: the right code on another car's path is no proof.
	if a := call(t, http.MethodPost, verifyPath(other, id), bearer(owner), codeBody(code)); a.status != http.StatusNotFound {
		t.Errorf("the challenge verified on another car's path: %s, want 404", a)
	}

	a := call(t, http.MethodPost, verifyPath(vin, id), bearer(owner), codeBody(code))
	if a.status != http.StatusOK {
		t.Fatalf("verify the right code: %s, want 200", a)
	}
	if got := reportAccess(t, vin, owner); got != "owner" {
		t.Errorf("the prover's report of the car: access %q, want owner", got)
	}
	if got := reportAccess(t, other, owner); got != "public" {
		t.Errorf("the prover's report of another car: access %q, want public", got)
	}
	if got := reportAccess(t, vin, intruder); got != "public" {
		t.Errorf("another consumer's report of the proven car: access %q, want public", got)
	}
	// A used challenge is spent.
	if a := call(t, http.MethodPost, verifyPath(vin, id), bearer(owner), codeBody(code)); a.status != http.StatusConflict {
		t.Errorf("the right code a second time: %s, want 409", a)
	}
}

// TestBruteForceThroughHTTP fires 50 wrong guesses at one challenge at once: at most MaxAttempts
// (5) may be evaluated (every other answer is 429), none may succeed or fail with a 5xx, and
// afterwards the right code is refused too.
func TestBruteForceThroughHTTP(t *testing.T) {
	vin := freshVIN(t)
	attacker, _ := freshConsumer(t)
	id := startChallenge(t, vin, attacker, "owner-code")
	code := sentCode(t, vin)
	wrong := wrongCodeFor(code)

	const guesses = 50
	answers := make([]answer, guesses)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range guesses {
		wg.Go(func() {
			<-start
			answers[i] = call(t, http.MethodPost, verifyPath(vin, id), bearer(attacker), codeBody(wrong))
		})
	}
	close(start)
	wg.Wait()

	evaluated := 0
	for i, a := range answers {
		switch a.status {
		case http.StatusTooManyRequests:
		case http.StatusForbidden:
			evaluated++
		default:
			t.Errorf("guess %d: %s, want 403 (evaluated) or 429", i, a)
			evaluated++
		}
	}
	t.Logf("%d of %d parallel wrong guesses were evaluated", evaluated, guesses)
	if evaluated > 5 {
		t.Errorf("%d of %d parallel guesses were evaluated (not 429), want at most 5", evaluated, guesses)
	}
	if a := call(t, http.MethodPost, verifyPath(vin, id), bearer(attacker), codeBody(code)); a.status != http.StatusTooManyRequests {
		t.Errorf("the right code after the attempts ran out: %s, want 429", a)
	}
	if got := reportAccess(t, vin, attacker); got != "public" {
		t.Errorf("after the brute force, the attacker's report: access %q, want public", got)
	}
}

// TestChallengeDoesNotRevealTheOwnerOnRecord: starting a challenge answers alike whether or not
// the registry knows an owner for the VIN, and a guess on a car without one fails like any
// wrong guess, so the routes cannot be used to learn which VINs are registered.
func TestChallengeDoesNotRevealTheOwnerOnRecord(t *testing.T) {
	known, unknown := freshVIN(t), unknownVIN(t)
	var shapes [2][]string
	for i, vin := range []vehicle.VIN{known, unknown} {
		prover, _ := freshConsumer(t)
		a := call(t, http.MethodPost, "/vehicles/"+string(vin)+"/ownership-challenges", bearer(prover),
			[]byte(`{"method":"owner-code"}`))
		if a.status != http.StatusCreated {
			t.Fatalf("challenge on %s VIN: %s, want 201", []string{"a known", "an unknown"}[i], a)
		}
		keys, err := jsonKeys(a.body)
		if err != nil {
			t.Fatal(err)
		}
		for k := range keys {
			shapes[i] = append(shapes[i], k)
		}
		slices.Sort(shapes[i])
		var ch struct {
			ChallengeID string `json:"challengeId"`
		}
		if err := json.Unmarshal(a.body, &ch); err != nil {
			t.Fatal(err)
		}
		guess := "000000" // nobody was sent a code for the unknown VIN
		if vin == known {
			guess = wrongCodeFor(sentCode(t, vin))
		}
		g := call(t, http.MethodPost, verifyPath(vin, ch.ChallengeID), bearer(prover), codeBody(guess))
		if g.status != http.StatusForbidden {
			t.Errorf("a wrong guess on %s VIN: %s, want 403", []string{"a known", "an unknown"}[i], g)
		}
	}
	if !slices.Equal(shapes[0], shapes[1]) {
		t.Errorf("challenge answers differ in shape: known VIN %v, unknown VIN %v", shapes[0], shapes[1])
	}
}

package ownershipadapters_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/functions/ownershipchallenge"
	"github.com/acme-oem/vehicle-data/functions/ownershipverify"
	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

// machine loads statemachines/ownership-verification.asl.json on the local engine with the real
// handlers, as the local stack does.
func (f *fixture) machine(t *testing.T) *engine.Engine {
	t.Helper()
	def, err := os.ReadFile("../../statemachines/ownership-verification.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New(engine.Options{Functions: engine.FunctionMap{
		catalog.OwnershipChallenge: step.Guard(catalog.OwnershipChallenge, nil, ownershipchallenge.New(f.svc)),
		catalog.OwnershipVerify:    step.Guard(catalog.OwnershipVerify, nil, ownershipverify.New(f.svc)),
	}})
	arn := func(name string) string { return "arn:aws:lambda:us-east-1:123456789012:function:" + name }
	if _, err := e.Load("ownership-verification", def, map[string]string{
		"OwnershipChallengeFunctionArn": arn(catalog.OwnershipChallenge),
		"OwnershipVerifyFunctionArn":    arn(catalog.OwnershipVerify),
	}); err != nil {
		t.Fatal(err)
	}
	return e
}

func run(t *testing.T, e *engine.Engine, input string) engine.Result {
	t.Helper()
	res, err := e.StartSyncExecution(context.Background(), "ownership-verification", []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func gatewayInput(role, sub string, vin vehicle.VIN, challengeID, body string) string {
	in := fmt.Sprintf(`{"vin":%q,"caller":{"sub":%q,"role":%q},"requestId":"req-1","body":%s`, vin, sub, role, body)
	if challengeID != "" {
		in += fmt.Sprintf(`,"challengeId":%q`, challengeID)
	}
	return in + "}"
}

// wantFailed checks a failed execution the way the gateway reads it: the error name, and the
// apperr.Error in the cause (a Lambda error's errorMessage, or a Fail state's Cause itself).
func wantFailed(t *testing.T, res engine.Result, errName, field, messageHas string) {
	t.Helper()
	if res.Status != engine.StatusFailed || res.Error != errName {
		t.Fatalf("execution = %s %s %s, want FAILED %s", res.Status, res.Error, res.Cause, errName)
	}
	text := res.Cause
	var lc struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal([]byte(res.Cause), &lc) == nil && lc.ErrorMessage != "" {
		text = lc.ErrorMessage
	}
	var e apperr.Error
	if err := json.Unmarshal([]byte(text), &e); err != nil || e.Code.StateError() != errName ||
		e.Field != field || !strings.Contains(e.Message, messageHas) {
		t.Fatalf("cause %s: want %s naming field %q with a message containing %q", res.Cause, errName, field, messageHas)
	}
}

func TestOwnershipVerificationStateMachine(t *testing.T) {
	f := newFixture(t)
	e := f.machine(t)
	sub, vin := newSubject(), f.ownedVIN(t, "")

	wantFailed(t, run(t, e, gatewayInput("anonymous", "", vin, "", `{"method":"owner-code"}`)), "VehicleData.Unauthenticated", "", "sign in")
	wantFailed(t, run(t, e, gatewayInput("dealer", "d-1", vin, "", `{"method":"owner-code"}`)), "VehicleData.Forbidden", "", "consumer accounts")
	wantFailed(t, run(t, e, gatewayInput("consumer", sub, vin, "", `{"method":"sms"}`)), "VehicleData.Invalid", "method", "owner-code or document-code")

	res := run(t, e, gatewayInput("consumer", sub, vin, "", `{"method":"owner-code"}`))
	if res.Status != engine.StatusSucceeded {
		t.Fatalf("start: %s %s %s", res.Status, res.Error, res.Cause)
	}
	var started struct{ ChallengeID, Method, ExpiresAt string }
	if err := json.Unmarshal([]byte(res.Output), &started); err != nil || !idShape.MatchString(started.ChallengeID) ||
		started.Method != "owner-code" || started.ExpiresAt != "2026-03-01T12:10:00.000Z" {
		t.Fatalf("start output %s (%v)", res.Output, err)
	}
	code := f.sentCode(t, vin)

	wantFailed(t, run(t, e, gatewayInput("consumer", sub, vin, started.ChallengeID, fmt.Sprintf(`{"code":%q}`, wrongCode(code)))),
		"VehicleData.Forbidden", "code", "4 attempts left")
	wantFailed(t, run(t, e, gatewayInput("consumer", sub, vin, strings.Repeat("0", 32), `{"code":"123456"}`)), "VehicleData.NotFound", "", "no such challenge")

	res = run(t, e, gatewayInput("consumer", sub, vin, started.ChallengeID, fmt.Sprintf(`{"code":%q}`, code)))
	if res.Status != engine.StatusSucceeded || res.Output != `{"access":"owner","grantExpiresAt":"2026-05-30T12:00:00.000Z"}` {
		t.Fatalf("verify: %s %s %s %s", res.Status, res.Output, res.Error, res.Cause)
	}
	if f.readAccess(t, sub, vin) != vehicle.AccessOwner {
		t.Fatal("no owner access after a successful execution")
	}
	wantFailed(t, run(t, e, gatewayInput("consumer", sub, vin, started.ChallengeID, fmt.Sprintf(`{"code":%q}`, code))), "VehicleData.Conflict", "", "already been used")
}

// TestOwnershipVerificationBudgetsAndRetries checks DESIGN principle 4 on the definition: the
// budgets nest under API Gateway's 29 s, and Retry names Lambda service errors only, so a domain
// error (a wrong code, a lockout) is never retried into a second guess.
func TestOwnershipVerificationBudgetsAndRetries(t *testing.T) {
	raw, err := os.ReadFile("../../statemachines/ownership-verification.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	var def struct {
		TimeoutSeconds int
		States         map[string]struct {
			Type           string
			TimeoutSeconds int
			Retry          []struct{ ErrorEquals []string }
			Catch          []any
		}
	}
	if err := json.Unmarshal(raw, &def); err != nil {
		t.Fatal(err)
	}
	if def.TimeoutSeconds <= 0 || def.TimeoutSeconds >= 29 {
		t.Fatalf("machine TimeoutSeconds = %d, want within API Gateway's 29 s", def.TimeoutSeconds)
	}
	tasks := 0
	for name, st := range def.States {
		if st.Type != "Task" {
			continue
		}
		tasks++
		if st.TimeoutSeconds <= 0 || st.TimeoutSeconds >= def.TimeoutSeconds {
			t.Errorf("%s: TimeoutSeconds %d does not nest in the machine's %d", name, st.TimeoutSeconds, def.TimeoutSeconds)
		}
		for _, r := range st.Retry {
			for _, e := range r.ErrorEquals {
				if !strings.HasPrefix(e, "Lambda.") {
					t.Errorf("%s retries %s", name, e)
				}
			}
		}
		if len(st.Catch) != 0 {
			t.Errorf("%s catches errors: domain errors must end the execution for the gateway to map", name)
		}
	}
	if tasks != 2 {
		t.Fatalf("%d Task states, want 2", tasks)
	}
}

func TestDomainErrorsAreNotRetried(t *testing.T) {
	f := newFixture(t)
	def, err := os.ReadFile("../../statemachines/ownership-verification.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	verify := step.Guard(catalog.OwnershipVerify, nil, ownershipverify.New(f.svc))
	e := engine.New(engine.Options{Functions: engine.FunctionMap{
		catalog.OwnershipChallenge: step.Guard(catalog.OwnershipChallenge, nil, ownershipchallenge.New(f.svc)),
		catalog.OwnershipVerify: func(ctx context.Context, p []byte) ([]byte, error) {
			calls.Add(1)
			return verify(ctx, p)
		},
	}})
	if _, err := e.Load("ownership-verification", def, map[string]string{
		"OwnershipChallengeFunctionArn": catalog.OwnershipChallenge, "OwnershipVerifyFunctionArn": catalog.OwnershipVerify,
	}); err != nil {
		t.Fatal(err)
	}
	sub, vin := newSubject(), f.ownedVIN(t, "")
	ch := f.start(t, sub, vin, ownership.MethodOwnerCode)
	res := run(t, e, gatewayInput("consumer", sub, vin, ch.ID, fmt.Sprintf(`{"code":%q}`, wrongCode(f.sentCode(t, vin)))))
	wantFailed(t, res, "VehicleData.Forbidden", "code", "4 attempts left")
	if calls.Load() != 1 {
		t.Fatalf("the verify step ran %d times for one request", calls.Load())
	}
}

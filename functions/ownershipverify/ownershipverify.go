// Package ownershipverify is the Lambda step of ownership-verification that evaluates one guess
// (POST /vehicles/{vin}/ownership-challenges/{challengeId}/verify): decode the execution input,
// call ownership.Service.Verify, encode the answer.
//
// Event: the execution input as the gateway builds it, passed whole,
//
//	{"vin": "<VIN>", "challengeId": "<32 hex>", "caller": {"sub": "...", "role": "consumer"},
//	 "requestId": "...", "body": {"code": "123456"}}
//
// Result: {"access": "owner", "grantExpiresAt": "2026-05-30T12:03:00.000Z"}
//
// Errors are returned as they are; step.Guard gives the runtime errorType VehicleData.<Code>:
// Forbidden naming field code with the attempts left for a wrong code, NotFound for an unknown
// (or someone else's) challenge, Conflict when used or expired, TooManyRequests when the
// challenge is out of attempts or the caller's guess budget is used up (with retryAfter), Invalid
// naming the field for a malformed id or code.
package ownershipverify

import (
	"context"

	"github.com/acme-oem/vehicle-data/functions/internal/prover"

	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/oidc"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Event is the step's input.
type Event struct {
	VIN         string      `json:"vin"`
	ChallengeID string      `json:"challengeId"`
	Caller      oidc.Caller `json:"caller"`
	RequestID   string      `json:"requestId"`
	Body        *Body       `json:"body"`
}

// Body is the request body of the route.
type Body struct {
	Code string `json:"code"`
}

// Result is the step's output and the route's 200 body.
type Result struct {
	Access         vehicle.Access `json:"access"`
	GrantExpiresAt string         `json:"grantExpiresAt"`
}

// Verifier is the part of *ownership.Service the step uses.
type Verifier interface {
	Verify(ctx context.Context, subject string, vin vehicle.VIN, challengeID, code string) (ownership.Grant, error)
}

type handler struct {
	svc Verifier
}

// New returns the step's handler; internal/wiring builds it once per process.
func New(svc Verifier) step.Handler { return step.Typed((&handler{svc: svc}).handle) }

func (h *handler) handle(ctx context.Context, ev Event) (Result, error) {
	// The state machine's Choice already lets only consumers through; checking again keeps the
	// function safe when invoked some other way.
	if err := prover.Require(ev.Caller); err != nil {
		return Result{}, err
	}
	vin, err := vehicle.ParseVIN(ev.VIN)
	if err != nil {
		return Result{}, err
	}
	if !validID(ev.ChallengeID) {
		return Result{}, apperr.InvalidField("challengeId", "format", "a challenge id has 32 lower-case hexadecimal characters")
	}
	if ev.Body == nil {
		return Result{}, apperr.InvalidField("body", "required", "a request body is required")
	}
	g, err := h.svc.Verify(ctx, ev.Caller.Subject, vin, ev.ChallengeID, ev.Body.Code)
	if err != nil {
		return Result{}, err
	}
	return Result{Access: vehicle.AccessOwner, GrantExpiresAt: dynamo.FormatTime(g.ExpiresAt)}, nil
}

// validID accepts what ownership.NewID mints. Checking the shape here keeps arbitrary client
// strings (long ones would break a DynamoDB key) away from the table.
func validID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

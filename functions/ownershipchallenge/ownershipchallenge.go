// Package ownershipchallenge is the Lambda step of ownership-verification that opens a challenge
// (POST /vehicles/{vin}/ownership-challenges): decode the execution input, call
// ownership.Service.StartChallenge, encode the answer.
//
// Event: the execution input as the gateway builds it, passed whole,
//
//	{"vin": "<VIN>", "caller": {"sub": "...", "role": "consumer"}, "requestId": "...",
//	 "body": {"method": "owner-code" | "document-code"}}
//
// Result: {"challengeId": "<32 hex>", "method": "owner-code", "expiresAt": "2026-03-01T12:10:00.000Z"}
//
// Errors are returned as they are; step.Guard gives the runtime errorType VehicleData.<Code> (Unauthenticated, Forbidden, Invalid naming the field, TooManyRequests with
// retryAfter when the caller's guesses on the car or the owner-code sends are used up,
// Unavailable when the registry is down); anything else is a bug or an outage and surfaces as-is
// (Internal).
// The answer is the same whether or not the VIN has an owner on record.
package ownershipchallenge

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
	VIN       string      `json:"vin"`
	Caller    oidc.Caller `json:"caller"`
	RequestID string      `json:"requestId"`
	Body      *Body       `json:"body"`
}

// Body is the request body of the route.
type Body struct {
	Method string `json:"method"`
}

// Result is the step's output and the route's 201 body.
type Result struct {
	ChallengeID string `json:"challengeId"`
	Method      string `json:"method"`
	ExpiresAt   string `json:"expiresAt"`
}

// Starter is the part of *ownership.Service the step uses.
type Starter interface {
	StartChallenge(ctx context.Context, subject string, vin vehicle.VIN, method ownership.Method) (ownership.Challenge, error)
}

type handler struct {
	svc Starter
}

// New returns the step's handler; internal/wiring builds it once per process.
func New(svc Starter) step.Handler { return step.Typed((&handler{svc: svc}).handle) }

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
	if ev.Body == nil {
		return Result{}, apperr.InvalidField("body", "required", "a request body is required")
	}
	method, err := ownership.ParseMethod(ev.Body.Method)
	if err != nil {
		return Result{}, err
	}
	ch, err := h.svc.StartChallenge(ctx, ev.Caller.Subject, vin, method)
	if err != nil {
		return Result{}, err
	}
	return Result{ChallengeID: ch.ID, Method: string(ch.Method), ExpiresAt: dynamo.FormatTime(ch.ExpiresAt)}, nil
}

package ownershipchallenge_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/functions/ownershipchallenge"
	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

const vin = "WVWZZZAU1LW000013"

type fakeService struct {
	calls  int
	sub    string
	vin    vehicle.VIN
	method ownership.Method
	err    error
}

func (f *fakeService) StartChallenge(_ context.Context, sub string, v vehicle.VIN, m ownership.Method) (ownership.Challenge, error) {
	f.calls++
	f.sub, f.vin, f.method = sub, v, m
	if f.err != nil {
		return ownership.Challenge{}, f.err
	}
	return ownership.Challenge{
		ID: "0123456789abcdef0123456789abcdef", VIN: v, Subject: sub, Method: m, CodeMAC: "secret-mac",
		CreatedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), ExpiresAt: time.Date(2026, 3, 1, 12, 10, 0, 0, time.UTC), MaxAttempts: 5,
	}, nil
}

func invoke(t *testing.T, svc *fakeService, event string) (string, error) {
	t.Helper()
	// Through step.Guard, as the runtime calls every step: what it returns is what the runtime reports.
	out, err := step.Guard("ownership-challenge", slog.New(slog.DiscardHandler), ownershipchallenge.New(svc))(context.Background(), []byte(event))
	return string(out), err
}

func event(role, sub, v, body string) string {
	return fmt.Sprintf(`{"vin":%q,"caller":{"sub":%q,"role":%q},"requestId":"r-1","body":%s}`, v, sub, role, body)
}

func TestStartsAChallengeForAConsumer(t *testing.T) {
	svc := &fakeService{}
	out, err := invoke(t, svc, event("consumer", "alice", "wvwzzzau1lw000013", `{"method":"document-code"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"challengeId":"0123456789abcdef0123456789abcdef","method":"document-code","expiresAt":"2026-03-01T12:10:00.000Z"}`
	if out != want {
		t.Fatalf("result = %s\nwant     %s", out, want)
	}
	if svc.sub != "alice" || svc.vin != vin || svc.method != ownership.MethodDocumentCode {
		t.Fatalf("service called with %q %q %q", svc.sub, svc.vin, svc.method)
	}
}

func TestRefusals(t *testing.T) {
	cases := []struct {
		name, event string
		want        apperr.Code
		field       string
	}{
		{"anonymous", event("anonymous", "", vin, `{"method":"owner-code"}`), apperr.Unauthenticated, ""},
		{"consumer without subject", event("consumer", "", vin, `{"method":"owner-code"}`), apperr.Unauthenticated, ""},
		{"dealer", event("dealer", "d-1", vin, `{"method":"owner-code"}`), apperr.Forbidden, ""},
		{"bad VIN", event("consumer", "alice", "WVWZZZAU2LW000013", `{"method":"owner-code"}`), apperr.Invalid, "vin"},
		{"bad method", event("consumer", "alice", vin, `{"method":"sms"}`), apperr.Invalid, "method"},
		{"no body", event("consumer", "alice", vin, `null`), apperr.Invalid, "body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc := &fakeService{}
			_, err := invoke(t, svc, c.event)
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != c.want || e.Field != c.field {
				t.Fatalf("err = %v, want %s naming %q", err, c.want, c.field)
			}
			var typed interface{ ErrorType() string }
			if !errors.As(err, &typed) || typed.ErrorType() != c.want.StateError() {
				t.Fatalf("errorType of %v is not %s", err, c.want.StateError())
			}
			if svc.calls != 0 {
				t.Fatal("the service was called for a refused request")
			}
		})
	}
}

func TestServiceErrorsSurfaceUnwrapped(t *testing.T) {
	locked := apperr.New(apperr.TooManyRequests, "too many failed attempts; try again later")
	svc := &fakeService{err: fmt.Errorf("start challenge: %w", locked)}
	_, err := invoke(t, svc, event("consumer", "alice", vin, `{"method":"owner-code"}`))
	// errorMessage is the apperr as JSON, which the gateway shows, without the wrapping context.
	var se *step.Error
	if !errors.As(err, &se) || se.App != locked || se.ErrorType() != "VehicleData.TooManyRequests" ||
		err.Error() != `{"code":"TOO_MANY_REQUESTS","message":"too many failed attempts; try again later"}` {
		t.Fatalf("err = %#v (%v)", err, err)
	}
	internal := errors.New("store: connection refused")
	svc = &fakeService{err: internal}
	if _, err := invoke(t, svc, event("consumer", "alice", vin, `{"method":"owner-code"}`)); apperr.CodeOf(err) != apperr.Internal || strings.Contains(err.Error(), "refused") {
		t.Fatalf("internal err = %v", err)
	}
}

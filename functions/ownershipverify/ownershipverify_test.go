package ownershipverify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/functions/ownershipverify"
	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

const (
	vin = "WVWZZZAU1LW000013"
	id  = "0123456789abcdef0123456789abcdef"
)

type fakeService struct {
	calls         int
	sub, id, code string
	vin           vehicle.VIN
	err           error
}

func (f *fakeService) Verify(_ context.Context, sub string, v vehicle.VIN, id, code string) (ownership.Grant, error) {
	f.calls++
	f.sub, f.vin, f.id, f.code = sub, v, id, code
	if f.err != nil {
		return ownership.Grant{}, f.err
	}
	return ownership.Grant{VIN: v, Subject: sub, ExpiresAt: time.Date(2026, 5, 30, 12, 3, 0, 0, time.UTC), Method: ownership.MethodOwnerCode}, nil
}

func invoke(t *testing.T, svc *fakeService, event string) (string, error) {
	t.Helper()
	// Through step.Guard, as the runtime calls every step: what it returns is what the runtime reports.
	out, err := step.Guard("ownership-verify", slog.New(slog.DiscardHandler), ownershipverify.New(svc))(context.Background(), []byte(event))
	return string(out), err
}

func event(role, sub, v, challengeID, body string) string {
	return fmt.Sprintf(`{"vin":%q,"challengeId":%q,"caller":{"sub":%q,"role":%q},"requestId":"r-1","body":%s}`, v, challengeID, sub, role, body)
}

func TestVerifiesAConsumersCode(t *testing.T) {
	svc := &fakeService{}
	out, err := invoke(t, svc, event("consumer", "alice", vin, id, `{"code":"123456"}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"access":"owner","grantExpiresAt":"2026-05-30T12:03:00.000Z"}`; out != want {
		t.Fatalf("result = %s\nwant     %s", out, want)
	}
	if svc.sub != "alice" || svc.vin != vin || svc.id != id || svc.code != "123456" {
		t.Fatalf("service called with %+v", svc)
	}
}

func TestRefusals(t *testing.T) {
	cases := []struct {
		name, event string
		want        apperr.Code
		field       string
	}{
		{"anonymous", event("anonymous", "", vin, id, `{"code":"123456"}`), apperr.Unauthenticated, ""},
		{"dealer", event("dealer", "d-1", vin, id, `{"code":"123456"}`), apperr.Forbidden, ""},
		{"bad VIN", event("consumer", "alice", "WVWZZZAU2LW000013", id, `{"code":"123456"}`), apperr.Invalid, "vin"},
		{"upper-case id", event("consumer", "alice", vin, "0123456789ABCDEF0123456789ABCDEF", `{"code":"123456"}`), apperr.Invalid, "challengeId"},
		{"oversized id", event("consumer", "alice", vin, id+id, `{"code":"123456"}`), apperr.Invalid, "challengeId"},
		{"no body", event("consumer", "alice", vin, id, `null`), apperr.Invalid, "body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc := &fakeService{}
			_, err := invoke(t, svc, c.event)
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != c.want || e.Field != c.field {
				t.Fatalf("err = %v, want %s naming %q", err, c.want, c.field)
			}
			if svc.calls != 0 {
				t.Fatal("the service was called for a refused request")
			}
		})
	}
}

func TestServiceErrorsSurfaceUnwrapped(t *testing.T) {
	names := map[apperr.Code]string{
		apperr.Forbidden: "VehicleData.Forbidden", apperr.Conflict: "VehicleData.Conflict", apperr.NotFound: "VehicleData.NotFound",
		apperr.TooManyRequests: "VehicleData.TooManyRequests", apperr.Invalid: "VehicleData.Invalid",
	}
	for code, name := range names {
		domain := &apperr.Error{Code: code, Message: "m", Field: "code", Rule: "r"}
		svc := &fakeService{err: fmt.Errorf("verify: %w", domain)}
		_, err := invoke(t, svc, event("consumer", "alice", vin, id, `{"code":"123456"}`))
		var se *step.Error
		if !errors.As(err, &se) || se.App != domain || se.ErrorType() != name {
			t.Fatalf("%s: err = %#v", code, err)
		}
		var msg apperr.Error
		if json.Unmarshal([]byte(err.Error()), &msg) != nil || msg != *domain {
			t.Fatalf("%s: errorMessage %q is not the apperr as JSON", code, err.Error())
		}
	}
	internal := errors.New("store: connection refused")
	if _, err := invoke(t, &fakeService{err: internal}, event("consumer", "alice", vin, id, `{"code":"123456"}`)); apperr.CodeOf(err) != apperr.Internal || strings.Contains(err.Error(), "refused") {
		t.Fatalf("internal err = %v", err)
	}
}

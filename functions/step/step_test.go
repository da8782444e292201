package step_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/apperr"
)

func TestPublicKeepsDomainErrorsAndHidesOthers(t *testing.T) {
	inner := apperr.InvalidField("vin", "length", "a VIN has exactly 17 characters")
	e := step.Public(fmt.Errorf("validate: %w", inner))
	if e.ErrorType() != "VehicleData.Invalid" || apperr.CodeOf(e) != apperr.Invalid {
		t.Fatalf("ErrorType %s, code %s", e.ErrorType(), apperr.CodeOf(e))
	}
	var body apperr.Error
	if err := json.Unmarshal([]byte(e.Error()), &body); err != nil || body != *inner {
		t.Fatalf("Error() = %s", e.Error())
	}
	hidden := step.Public(errors.New("dial tcp 10.0.0.7:8443: connection refused"))
	if hidden.ErrorType() != "VehicleData.Internal" || hidden.Error() != `{"code":"INTERNAL","message":"internal error"}` {
		t.Fatalf("internal detail leaked: %s %s", hidden.ErrorType(), hidden.Error())
	}
}

func TestTypedDecodesCallsEncodes(t *testing.T) {
	type in struct{ N int }
	h := step.Typed(func(_ context.Context, i in) (map[string]int, error) { return map[string]int{"twice": 2 * i.N}, nil })
	out, err := h(context.Background(), []byte(`{"N":21,"extra":true}`))
	if err != nil || string(out) != `{"twice":42}` {
		t.Fatalf("%s, %v", out, err)
	}
	if _, err := h(context.Background(), []byte(`{"N":"x"}`)); apperr.CodeOf(err) != apperr.Internal {
		t.Fatalf("malformed event: %v", err)
	}
}

// Guard logs the internal detail and hands the runtime the public error only, once: a domain
// error wrapped with context keeps its code, field and rule.
func TestGuardLogsDetailAndReturnsThePublicError(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	inner := apperr.InvalidField("vin", "length", "a VIN has exactly 17 characters")
	h := step.Guard("validate-vin", log, func(context.Context, []byte) ([]byte, error) {
		return nil, fmt.Errorf("validate: %w", inner)
	})
	_, err := h(context.Background(), nil)
	var se *step.Error
	if !errors.As(err, &se) || se.App != inner || err.Error() != `{"code":"INVALID","message":"a VIN has exactly 17 characters","field":"vin","rule":"length"}` {
		t.Fatalf("err = %v", err)
	}
	h = step.Guard("fetch-workshop", log, func(context.Context, []byte) ([]byte, error) {
		return nil, errors.New("dial tcp 10.0.0.7:8443: connection refused")
	})
	_, err = h(context.Background(), nil)
	if !errors.As(err, &se) || se.ErrorType() != "VehicleData.Internal" || strings.Contains(err.Error(), "10.0.0.7") {
		t.Fatalf("internal err = %v", err)
	}
	if !strings.Contains(logs.String(), "10.0.0.7") || !strings.Contains(logs.String(), "level=ERROR") {
		t.Fatalf("the detail was not logged: %s", logs.String())
	}
}

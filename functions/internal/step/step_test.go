package step_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/acme-oem/vehicle-data/functions/internal/step"
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

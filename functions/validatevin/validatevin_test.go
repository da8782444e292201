package validatevin_test

import (
	"context"
	"testing"

	"github.com/acme-oem/vehicle-data/functions/validatevin"
	"github.com/acme-oem/vehicle-data/internal/apperr"
)

func TestValidateVIN(t *testing.T) {
	h := validatevin.New()
	out, err := h(context.Background(), []byte(`{"vin":"wvwzzzcd3mw100001","caller":{"role":"anonymous"}}`))
	if err != nil || string(out) != `{"vin":"WVWZZZCD3MW100001"}` {
		t.Fatalf("valid VIN: %s, %v", out, err)
	}
	for in, rule := range map[string]string{`{"vin":"WVWZZZCD4MW100001"}`: "check-digit", `{}`: "length", `{"vin":"WVWZZZCD3MW1000O1"}`: "alphabet"} {
		_, err := h(context.Background(), []byte(in))
		e := apperr.As(err)
		if e.Code != apperr.Invalid || e.Field != "vin" || e.Rule != rule {
			t.Errorf("%s: %+v, want rule %s", in, e, rule)
		}
	}
	// Valid, but of another manufacturer: not ours, so not found.
	if _, err := h(context.Background(), []byte(`{"vin":"1M8GDM9AXKP042788"}`)); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("foreign VIN: %v", err)
	}
	if _, err := h(context.Background(), []byte(`{"vin":17}`)); apperr.CodeOf(err) != apperr.Internal {
		t.Errorf("malformed event: %v", err)
	}
}

package upstream_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/upstream"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

func TestWrapKeepsBothChains(t *testing.T) {
	cases := []struct {
		kind error
		code apperr.Code
	}{
		{transport.ErrNotFound, apperr.NotFound},
		{transport.ErrBadRequest, apperr.Invalid},
		{transport.ErrUnavailable, apperr.Unavailable},
		{transport.ErrBadPayload, apperr.Unavailable},
	}
	for _, tc := range cases {
		cause := &transport.Error{System: "recalls", Operation: "ListCampaigns", Kind: tc.kind, Reason: "x", Err: context.DeadlineExceeded}
		err := upstream.Wrap("recall system", cause)
		if apperr.CodeOf(err) != tc.code || !errors.Is(err, tc.kind) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%v: code %s, is kind %t", tc.kind, apperr.CodeOf(err), errors.Is(err, tc.kind))
		}
		var te *transport.Error
		if !errors.As(err, &te) || te != cause {
			t.Errorf("%v: transport error not reachable with errors.As", tc.kind)
		}
		// A second Wrap (another layer, another label) must not re-classify or re-label.
		if again := upstream.Wrap("other", err); again.Error() != err.Error() {
			t.Errorf("wrapping twice changed the error: %v", again)
		}
	}
	if upstream.Wrap("x", nil) != nil {
		t.Error("Wrap(nil) != nil")
	}
	if got := apperr.CodeOf(upstream.Wrap("x", errors.New("plain"))); got != apperr.Unavailable {
		t.Errorf("unknown error maps to %s", got)
	}
}

func TestDecodeJSONNeverQuotesThePayload(t *testing.T) {
	const secret = "WVWZZZCD3MW100001"
	var v struct {
		N int `json:"n"`
	}
	for name, body := range map[string]string{
		"unknown field": `{"` + secret + `":1}`,
		"wrong type":    `{"n":"` + secret + `"}`,
		"syntax":        `{"n":1,` + secret + `}`,
		"truncated":     `{"n":`,
		"trailing":      `{"n":1} "` + secret + `"`,
		"empty":         ``,
	} {
		err := upstream.DecodeJSON([]byte(body), &v)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error quotes the payload: %v", name, err)
		}
	}
	if err := upstream.DecodeJSON([]byte(" {\"n\":7}\n"), &v); err != nil || v.N != 7 {
		t.Errorf("valid JSON: %v, %+v", err, v)
	}
}

func TestViolationsCapTheList(t *testing.T) {
	var v upstream.Violations
	if v.Err() != nil {
		t.Error("no violations must be nil")
	}
	for i := range 25 {
		v.Addf("items[%d]: bad", i)
	}
	var pe *upstream.PayloadError
	if err := v.Err(); !errors.As(err, &pe) || pe.Count != 25 || len(pe.Problems) != 10 {
		t.Errorf("err = %v", err)
	}
}

func TestDay(t *testing.T) {
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	for s, ok := range map[string]bool{
		"2026-06-15": true, "2026-06-16": true, "2026-06-17": false, "2024-02-29": true, "2023-02-29": false,
		"1949-12-31": false, "2020-1-01": false, "": false, "2020-01-01T00:00:00Z": false,
	} {
		if _, got := upstream.Day(s, now); got != ok {
			t.Errorf("Day(%q) = %t, want %t", s, got, ok)
		}
	}
}

func TestCheckVIN(t *testing.T) {
	if err := upstream.CheckVIN("registry", "op", "registry", "WVWZZZCD3MW100001"); err != nil {
		t.Errorf("valid VIN rejected: %v", err)
	}
	for _, bad := range []vehicle.VIN{"", "wvwzzzcd3mw100001", "WVWZZZCD3MW10000/", "WVWZZZCD3MW100001 "} {
		err := upstream.CheckVIN("registry", "op", "registry", bad)
		if apperr.CodeOf(err) != apperr.Invalid || !errors.Is(err, transport.ErrBadRequest) {
			t.Errorf("%q: %v", bad, err)
		}
		if bad != "" && strings.Contains(fmt.Sprint(err), string(bad)) {
			t.Errorf("%q: error echoes the input", bad)
		}
	}
}

// A Latin-1 body ("Müller" with ü as the single byte 0xFC) is not JSON: rejected, not decoded
// into "M\uFFFDller".
func TestDecodeJSONRejectsAWrongCharset(t *testing.T) {
	var v struct {
		Name string `json:"name"`
	}
	if err := upstream.DecodeJSON([]byte("{\"name\":\"M\xfcller\"}"), &v); err == nil {
		t.Fatalf("Latin-1 body accepted as %q", v.Name)
	}
	if err := upstream.DecodeJSON([]byte(`{"name":"Müller"}`), &v); err != nil || v.Name != "Müller" {
		t.Fatalf("UTF-8 body: %v, %q", err, v.Name)
	}
}

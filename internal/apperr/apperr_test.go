package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestTableIsComplete(t *testing.T) {
	seenStatus := map[string]Code{}
	for _, c := range Codes() {
		r, ok := table[c]
		if !ok {
			t.Fatalf("code %s has no row in the table", c)
		}
		if r.status < 400 || r.status > 599 {
			t.Errorf("code %s maps to non-error status %d", c, r.status)
		}
		if prev, dup := seenStatus[r.stateName]; dup {
			t.Errorf("codes %s and %s share state error %s", prev, c, r.stateName)
		}
		seenStatus[r.stateName] = c
		if got := FromStateError(c.StateError()); got != c {
			t.Errorf("FromStateError(%s) = %s, want %s", c.StateError(), got, c)
		}
	}
	if len(table) != len(Codes()) {
		t.Errorf("table has %d rows, Codes() lists %d", len(table), len(Codes()))
	}
}

func TestForeignStateErrors(t *testing.T) {
	cases := map[string]Code{
		"States.Timeout":      Timeout,
		"States.TaskFailed":   Internal,
		"Runtime.ExitError":   Internal,
		"":                    Internal,
		"VehicleData.Bogus":   Internal,
		"VehicleData.Invalid": Invalid,
	}
	for name, want := range cases {
		if got := FromStateError(name); got != want {
			t.Errorf("FromStateError(%q) = %s, want %s", name, got, want)
		}
	}
}

func TestAsHidesForeignErrors(t *testing.T) {
	e := As(fmt.Errorf("dial tcp 10.0.0.1: secret detail"))
	if e.Code != Internal || e.Message != "internal error" {
		t.Fatalf("As(foreign) = %+v", e)
	}
	wrapped := fmt.Errorf("step: %w", InvalidField("vin", "length", "must be 17 characters"))
	if CodeOf(wrapped) != Invalid || As(wrapped).Field != "vin" {
		t.Fatalf("wrapped domain error lost: %+v", As(wrapped))
	}
	var target *Error
	if !errors.As(wrapped, &target) || target.ErrorType() != "VehicleData.Invalid" {
		t.Fatalf("ErrorType = %v", target)
	}
}

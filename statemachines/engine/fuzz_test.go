package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
	"github.com/acme-oem/vehicle-data/statemachines/engine/conformance"
)

// corpusSeeds adds up to n conformance definitions (and inputs) as seeds.
func corpusSeeds(f *testing.F, n int, add func(c conformance.Case)) {
	f.Helper()
	dir, err := conformance.FindDir(".")
	if err != nil {
		f.Fatal(err)
	}
	cases, err := conformance.Load(dir)
	if err != nil {
		f.Fatal(err)
	}
	step := max(len(cases)/n, 1)
	for i := 0; i < len(cases); i += step {
		add(cases[i])
	}
}

// FuzzLoad: no definition may panic the loader; a rejection is always a *ValidationError.
func FuzzLoad(f *testing.F) {
	corpusSeeds(f, 60, func(c conformance.Case) { f.Add([]byte(c.Definition)) })
	f.Add([]byte(`{"StartAt":"A","States":{"A":{"Type":"Map","ItemProcessor":{"StartAt":"B","States":{}},"End":true}}}`))
	f.Fuzz(func(t *testing.T, def []byte) {
		e := engine.New(engine.Options{Clock: engine.NewFakeClock(time.Unix(0, 0))})
		_, err := e.Load("fuzz", def, nil)
		var ve *engine.ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("rejection is not a ValidationError: %v", err)
		}
	})
}

// FuzzRun: any definition that loads runs to a result (no panic, no hang) on any input.
func FuzzRun(f *testing.F) {
	corpusSeeds(f, 60, func(c conformance.Case) { f.Add([]byte(c.Definition), []byte(c.Input)) })
	f.Fuzz(func(t *testing.T, def, input []byte) {
		e := engine.New(engine.Options{Clock: engine.NewFakeClock(time.Unix(0, 0))})
		if _, err := e.Load("fuzz", def, nil); err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		res, err := e.StartSyncExecution(ctx, "fuzz", input)
		if err != nil {
			if !errors.Is(err, engine.ErrInvalidExecutionInput) {
				t.Fatalf("unexpected start error: %v", err)
			}
			return
		}
		switch res.Status {
		case engine.StatusSucceeded, engine.StatusFailed, engine.StatusTimedOut:
		default:
			t.Fatalf("unknown status %q", res.Status)
		}
	})
}

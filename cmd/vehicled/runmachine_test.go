package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run-machine runs a state machine file as deployed (its ${...} placeholders filled in as the
// local stack fills them) with the real handlers against dynalite and the simulators: the ASL of
// statemachines/ cannot run on the bare engine, whose CLI knows no product handlers.
func TestRunMachineRunsTheRealHandlers(t *testing.T) {
	def := filepath.Join("..", "..", "statemachines", "vehicle-report.asl.json")
	in := filepath.Join(t.TempDir(), "in.json")
	if err := os.WriteFile(in, []byte(`{"vin":"WAUZZZFV8GA200002","caller":{"sub":"","role":"anonymous"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := runMachine(t.Context(), []string{def, in}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, &stdout, &stderr)
	}
	var res struct {
		Status string `json:"status"`
		Output struct {
			VIN      string `json:"vin"`
			Access   string `json:"access"`
			Odometer struct {
				Data struct {
					RollbackDetected bool `json:"rollbackDetected"`
				} `json:"data"`
			} `json:"odometer"`
		} `json:"output"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("stdout %s: %v", &stdout, err)
	}
	if res.Status != "SUCCEEDED" || res.Output.VIN != "WAUZZZFV8GA200002" || res.Output.Access != "public" || !res.Output.Odometer.Data.RollbackDetected {
		t.Fatalf("result %s", &stdout)
	}

	// Inline JSON works too, and a failed execution exits 1 with its error.
	stdout.Reset()
	code := runMachine(t.Context(), []string{def, `{"vin":"WAUZZZFV8GA20000","caller":{"role":"anonymous"}}`}, nil, &stdout, &stderr)
	if code != 1 || !strings.Contains(stdout.String(), `"error":"VehicleData.Invalid"`) {
		t.Fatalf("invalid VIN: exit %d, %s", code, &stdout)
	}
}

func TestRunMachineUsage(t *testing.T) {
	var stderr bytes.Buffer
	if code := runMachine(t.Context(), nil, nil, &bytes.Buffer{}, &stderr); code != 2 || !strings.Contains(stderr.String(), "run-machine") {
		t.Fatalf("exit %d: %s", code, &stderr)
	}
	stderr.Reset()
	if code := runMachine(t.Context(), []string{"nope.asl.json", "{}"}, nil, &bytes.Buffer{}, &stderr); code != 1 || !strings.Contains(stderr.String(), "nope.asl.json") {
		t.Fatalf("missing file: exit %d: %s", code, &stderr)
	}
}

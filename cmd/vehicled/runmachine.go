package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/acme-oem/vehicle-data/internal/local/stack"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

const runMachineUsage = `usage: vehicled run-machine DEFINITION.asl.json [INPUT]
  INPUT is a JSON file, inline JSON (starting with "{"), or "-" / omitted for stdin.
  Runs the state machine once with the real handlers on a throwaway local stack (dynalite, the
  legacy simulators without latency, the development issuer) and prints
  {"status","output","error","cause"}; exit 1 when the execution does not succeed.`

type runOutput struct {
	Status string          `json:"status"`
	Output json.RawMessage `json:"output,omitempty"`
	Error  string          `json:"error,omitempty"`
	Cause  string          `json:"cause,omitempty"`
}

// runMachine is `vehicled run-machine`: the ASL of statemachines/ names its steps by
// ${...FunctionArn} placeholders that only the product's wiring can fill, so the engine's own CLI
// cannot run it; this starts the local stack and runs the file there.
func runMachine(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) < 1 || len(args) > 2 {
		_, _ = fmt.Fprintln(stderr, runMachineUsage)
		return 2
	}
	if err := runMachineErr(ctx, args, stdin, stdout, stderr); err != nil {
		if ee, ok := err.(exitError); ok { //nolint:errorlint // our own sentinel type, never wrapped
			return int(ee)
		}
		_, _ = fmt.Fprintln(stderr, "vehicled run-machine:", err)
		return 1
	}
	return 0
}

// exitError is an exit status without a message: the result was printed already.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit %d", int(e)) }

func runMachineErr(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if _, err := os.Stat(args[0]); err != nil {
		return fmt.Errorf("definition: %w", err)
	}
	input, err := readInput(args[1:], stdin)
	if err != nil {
		return err
	}
	root, err := stack.FindRoot(".")
	if err != nil {
		return err
	}
	st, err := stack.Start(ctx, stack.Config{
		Root:   root,
		Sim:    sim.Options{NoLatency: true},
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	res, err := st.RunMachine(ctx, args[0], input)
	if err != nil {
		return err
	}
	out := runOutput{Status: res.Status, Error: res.Error, Cause: res.Cause}
	if res.Output != "" {
		out.Output = json.RawMessage(res.Output)
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	if res.Status != engine.StatusSucceeded {
		return exitError(1)
	}
	return nil
}

func readInput(args []string, stdin io.Reader) ([]byte, error) {
	var (
		in  []byte
		err error
	)
	switch {
	case len(args) == 0 || args[0] == "-":
		if stdin == nil {
			return nil, fmt.Errorf("no input: give a file, inline JSON or stdin")
		}
		in, err = io.ReadAll(stdin)
	case strings.HasPrefix(strings.TrimSpace(args[0]), "{"):
		in = []byte(args[0])
	default:
		in, err = os.ReadFile(args[0])
	}
	if err != nil {
		return nil, fmt.Errorf("read input: %w", err)
	}
	if !json.Valid(in) {
		return nil, fmt.Errorf("the input is not JSON")
	}
	return in, nil
}

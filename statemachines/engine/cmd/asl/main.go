// Command asl runs and checks Amazon States Language definitions on the local engine.
//
//	asl run DEFINITION.json [INPUT.json]   run once (input from stdin when omitted); prints
//	                                       {"status","output","error","cause"}
//	asl validate DEFINITION.json           exit 1 with the problems when the definition is invalid
//	asl conform [DIR]                      run every conformance case in DIR (default: the engine
//	                                       module's testdata/conformance/sfn) on a virtual clock;
//	                                       one JSON line per case, then "N passed, M failed"
//	asl serve [-addr 127.0.0.1:8083]       serve the Step Functions API (JSON 1.0 protocol) for
//	                                       the AWS SDKs and CLI until interrupted
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
	"github.com/acme-oem/vehicle-data/statemachines/engine/conformance"
	"github.com/acme-oem/vehicle-data/statemachines/engine/server"
)

const usage = `usage:
  asl run DEFINITION.json [INPUT.json]
  asl validate DEFINITION.json
  asl conform [DIR]
  asl serve [-addr 127.0.0.1:8083]`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	var err error
	code := 0
	switch args[0] {
	case "run":
		if len(args) < 2 || len(args) > 3 {
			printUsage(stderr)
			return 2
		}
		code, err = runOnce(ctx, args[1:], stdin, stdout)
	case "validate":
		if len(args) != 2 {
			printUsage(stderr)
			return 2
		}
		code, err = validate(args[1], stdout)
	case "conform":
		if len(args) > 2 {
			printUsage(stderr)
			return 2
		}
		dir := ""
		if len(args) == 2 {
			dir = args[1]
		}
		err = conform(ctx, dir, stdout)
	case "serve":
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(stderr)
		addr := fs.String("addr", "127.0.0.1:8083", "listen address (loopback unless you mean otherwise)")
		if fs.Parse(args[1:]) != nil || fs.NArg() != 0 {
			printUsage(stderr)
			return 2
		}
		err = serve(ctx, *addr, stdout)
	default:
		printUsage(stderr)
		return 2
	}
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "asl:", err) // nothing left to report to if stderr fails
		return 1
	}
	return code
}

func printUsage(w io.Writer) {
	_, _ = fmt.Fprintln(w, usage) // best effort: the exit status already says it failed
}

type runOutput struct {
	Status string          `json:"status"`
	Output json.RawMessage `json:"output,omitempty"`
	Error  string          `json:"error,omitempty"`
	Cause  string          `json:"cause,omitempty"`
}

func runOnce(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) (int, error) {
	defPath, inPath := args[0], ""
	if len(args) == 2 {
		inPath = args[1]
	}
	def, err := os.ReadFile(defPath)
	if err != nil {
		return 1, fmt.Errorf("read definition: %w", err)
	}
	var input []byte
	if inPath != "" {
		input, err = os.ReadFile(inPath)
	} else {
		input, err = io.ReadAll(stdin)
	}
	if err != nil {
		return 1, fmt.Errorf("read input: %w", err)
	}
	eng := engine.New(engine.Options{})
	if _, err := eng.Load("asl", def, nil); err != nil {
		return 1, err
	}
	res, err := eng.StartSyncExecution(ctx, "asl", input)
	if err != nil {
		return 1, err
	}
	out := runOutput{Status: res.Status, Error: res.Error, Cause: res.Cause}
	if res.Output != "" {
		out.Output = json.RawMessage(res.Output)
	}
	if err := writeJSON(stdout, out); err != nil {
		return 1, err
	}
	if res.Status != engine.StatusSucceeded {
		return 1, nil
	}
	return 0, nil
}

func validate(path string, stdout io.Writer) (int, error) {
	def, err := os.ReadFile(path)
	if err != nil {
		return 1, fmt.Errorf("read definition: %w", err)
	}
	err = engine.New(engine.Options{}).Validate(def, nil)
	var ve *engine.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			if _, err := fmt.Fprintln(stdout, p.String()); err != nil {
				return 1, fmt.Errorf("write problems: %w", err)
			}
		}
		return 1, nil
	}
	if err != nil {
		return 1, err
	}
	if _, err := fmt.Fprintln(stdout, "valid"); err != nil {
		return 1, fmt.Errorf("write result: %w", err)
	}
	return 0, nil
}

func conform(ctx context.Context, dir string, stdout io.Writer) error {
	if dir == "" {
		found, err := conformance.FindDir(".")
		if err != nil {
			return fmt.Errorf("conform: give DIR or run inside the engine module: %w", err)
		}
		dir = found
	}
	cases, err := conformance.Load(dir)
	if err != nil {
		return err
	}
	passed, failed := 0, 0
	for _, c := range cases {
		o := conformance.Run(ctx, c)
		if o.Pass {
			passed++
		} else {
			failed++
		}
		if err := writeJSON(stdout, o); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}

// serve answers the Step Functions API on addr until ctx ends; it prints the endpoint first.
func serve(ctx context.Context, addr string, stdout io.Writer) error {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv := server.New(engine.New(engine.Options{}))
	defer srv.Close()
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	if _, err := fmt.Fprintf(stdout, "Step Functions API on http://%s (aws stepfunctions ... --endpoint-url http://%s)\n", ln.Addr(), ln.Addr()); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		return fmt.Errorf("serve: shut down: %w", err)
	}
	return nil
}

// Command vehicled runs the whole product locally (`make run`): dynalite, the legacy simulators,
// the development OIDC issuer, the state machines on the local engine with the real handlers, and
// the API gateway, all on loopback. Ctrl-C stops everything, dynalite's process included; the
// cache stays in .data/dynalite for the next run.
//
// Environment:
//
//	PORT   the HTTP port (default 8080)
//	CHAOS  a fault rate from 0 to 1 (e.g. CHAOS=0.1 make run): every 30 s each legacy simulator
//	       gets a new random fault (errors, hangs, closed connections, malformed or truncated
//	       bodies, wrong charsets) hitting that fraction of its requests
//	SEED   seeds the chaos for a reproducible sequence (default 1)
//	DATA_DIR  where dynalite keeps the cache (default .data/dynalite); the site's browser tests
//	       use a throwaway one so they can run beside `make run`
//	SFN_PORT  the local Step Functions API's port (default PORT+3: 8083; 0: a free one, named in
//	       the banner), for the AWS CLI and SDKs
//	SFN_ARN_PREFIX  points the gateway at a deployed stage's state machines instead of the local
//	       ones, e.g. arn:aws:states:eu-central-1:111111111111:stateMachine:vehicle-data-alice-
//	       (credentials from the default chain, e.g. AWS_PROFILE)
//	SFN_ENDPOINT  with SFN_ARN_PREFIX: another Step Functions endpoint than the region's
//	DEMO_LISTINGS  "off" starts without the demo listings (and the owner grants they need), as a
//	       new user finds the product; the site's browser tests walk the journeys from there
//
// `vehicled run-machine DEFINITION.asl.json [INPUT]` runs one state machine once with the real
// handlers on a throwaway stack and prints the result (see runmachine.go).
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/acme-oem/vehicle-data/internal/local/stack"
	"github.com/acme-oem/vehicle-data/internal/telemetry"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
)

// chaosEvery is how often chaos re-draws the faults: long enough to watch one fault's effect.
const chaosEvery = 30 * time.Second

// chaosConfig reads CHAOS (a rate in 0..1, 0 or empty: off) and SEED.
func chaosConfig(getenv func(string) string) (float64, uint64, error) {
	var rate float64
	if v := getenv("CHAOS"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r < 0 || r > 1 {
			return 0, 0, fmt.Errorf("CHAOS=%q: want a fault rate from 0 to 1, e.g. 0.1", v)
		}
		rate = r
	}
	seed := uint64(1)
	if v := getenv("SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("SEED=%q: want a non-negative integer", v)
		}
		seed = s
	}
	return rate, seed, nil
}

// stepFunctionsConfig reads SFN_PORT (default PORT+3), SFN_ARN_PREFIX and SFN_ENDPOINT.
func stepFunctionsConfig(getenv func(string) string, port string) (stack.StepFunctions, error) {
	p, _ := strconv.Atoi(port) // checked by the caller
	sfnPort := p + 3
	if v := getenv("SFN_PORT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 65535 {
			return stack.StepFunctions{}, fmt.Errorf("SFN_PORT=%q: want a port number from 1 to 65535, or 0 for a free one", v)
		}
		sfnPort = n
	}
	if sfnPort > 65535 || sfnPort == p && sfnPort != 0 {
		return stack.StepFunctions{}, fmt.Errorf("SFN_PORT: the Step Functions API needs its own port (PORT=%s): set SFN_PORT", port)
	}
	cfg := stack.StepFunctions{
		Addr:      "127.0.0.1:" + strconv.Itoa(sfnPort),
		ARNPrefix: getenv("SFN_ARN_PREFIX"),
		Endpoint:  getenv("SFN_ENDPOINT"),
	}
	if cfg.Endpoint != "" && cfg.ARNPrefix == "" {
		return stack.StepFunctions{}, errors.New("SFN_ENDPOINT needs SFN_ARN_PREFIX (the machines' ARNs there); the local engine's endpoint needs neither")
	}
	return cfg, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 {
		code := 2
		if os.Args[1] == "run-machine" {
			code = runMachine(ctx, os.Args[2:], os.Stdin, os.Stdout, os.Stderr)
		} else {
			fmt.Fprintln(os.Stderr, "usage: vehicled (no arguments: the local stack)\n       vehicled run-machine DEFINITION.asl.json [INPUT]")
		}
		stop()
		os.Exit(code)
	}
	if err := run(ctx, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "vehicled:", err)
		stop()
		os.Exit(1)
	}
}

// run starts the stack, prints how to use it and blocks until ctx ends (the signal).
func run(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	port := getenv("PORT")
	if port == "" {
		port = "8080"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("PORT=%q: want a port number from 1 to 65535", port)
	}
	chaos, seed, err := chaosConfig(getenv)
	if err != nil {
		return err
	}
	sfnCfg, err := stepFunctionsConfig(getenv, port)
	if err != nil {
		return err
	}
	root, err := stack.FindRoot(".")
	if err != nil {
		return err
	}
	// Readable text by default; LOG_FORMAT=json prints what CloudWatch would get. LOG_LEVEL=debug
	// adds the simulators' request lines.
	log, err := telemetry.NewLogger(stderr, getenv("LOG_FORMAT"), getenv("LOG_LEVEL"))
	if err != nil {
		return fmt.Errorf("LOG_FORMAT/LOG_LEVEL: %w", err)
	}

	stack, err := stack.Start(ctx, stack.Config{
		Addr:    "127.0.0.1:" + port,
		Root:    root,
		DataDir: cmp.Or(getenv("DATA_DIR"), filepath.Join(root, ".data", "dynalite")),
		Logger:  log,

		StepFunctions: sfnCfg,
	})
	if err != nil {
		return err
	}
	if getenv("DEMO_LISTINGS") != "off" {
		if _, err := stack.SeedDemoListings(ctx); err != nil {
			return errors.Join(err, stack.Close())
		}
	}
	if _, err := io.WriteString(stdout, stack.Banner()); err != nil {
		return errors.Join(fmt.Errorf("print banner: %w", err), stack.Close())
	}

	chaosDone := make(chan error, 1)
	if chaos > 0 {
		_, _ = fmt.Fprintf(stdout, "Chaos: every %s each legacy system gets a random fault on %.0f%% of its requests.\n\n", chaosEvery, chaos*100)
		go func() {
			chaosDone <- stack.Sims.RunChaos(ctx, chaos, chaosEvery, seed, func(src vehicle.Source, f fault.Faults) {
				log.Info("chaos", "system", src, "faults", f.String())
			})
		}()
	} else {
		chaosDone <- nil
	}

	<-ctx.Done()
	// Chaos clears its faults when ctx ends; wait for it so it does not touch stopped systems.
	if err := <-chaosDone; err != nil {
		log.Error("chaos stopped", "err", err)
	}
	_, _ = fmt.Fprintln(stderr, "vehicled: stopping")
	if err := stack.Close(); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	_, _ = fmt.Fprintln(stderr, "vehicled: stopped")
	return nil
}

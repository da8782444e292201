// Command legacysim runs the six simulated legacy systems alone, for manual exploration, the
// frontend, or load tests against a stack started elsewhere.
//
//	go run ./cmd/legacysim                       # free ports, DESIGN.md latencies
//	go run ./cmd/legacysim -ports 9101,9102,9103,9104,9105,9106 -no-latency
//	go run ./cmd/legacysim -chaos 0.1            # random faults on about 10% of requests
//
// Ports are given in the order vehicle-master, workshop, registry, recalls, dealer-stock, offers.
// It prints each system's base URL and admin endpoints, and the demo VINs with their stories,
// then serves until interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "legacysim:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("legacysim", flag.ContinueOnError)
	host := fs.String("host", "127.0.0.1", "address to listen on")
	ports := fs.String("ports", "", "comma-separated ports: vehicle-master,workshop,registry,recalls,dealer-stock,offers (empty or 0: free port)")
	noLatency := fs.Bool("no-latency", false, "answer without the simulated latency")
	chaos := fs.Float64("chaos", 0, "fraction of requests (0..1) hit by a random fault per system; re-drawn every -chaos-every")
	chaosEvery := fs.Duration("chaos-every", 30*time.Second, "how often chaos mode re-draws each system's fault")
	seed := fs.Uint64("seed", 0, "seed for the fault dice (0: per system default)")
	verbose := fs.Bool("v", false, "log every request (system, operation, status)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("flags: %w", err)
	}
	if *chaos < 0 || *chaos > 1 {
		return errors.New("-chaos must be between 0 and 1")
	}
	opts := sim.Options{Host: *host, NoLatency: *noLatency, Seed: *seed}
	if *ports != "" {
		p, err := parsePorts(*ports)
		if err != nil {
			return err
		}
		opts.Ports = p
	}
	if *verbose {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := sim.Start(ctx, opts)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	if err := printBanner(out, c); err != nil {
		_ = c.Close()
		return err
	}

	// The chaos loop ends with ctx and is waited for: it must not touch the cluster or the
	// output after Close.
	var wg sync.WaitGroup
	if *chaos > 0 {
		wg.Go(func() {
			err := c.RunChaos(ctx, *chaos, *chaosEvery, *seed, func(s vehicle.Source, f fault.Faults) {
				_, _ = fmt.Fprintf(out, "chaos: %-15s %s\n", s, f)
			})
			if err != nil {
				_, _ = fmt.Fprintln(out, "chaos:", err)
			}
		})
	}
	<-ctx.Done()
	wg.Wait()
	_, _ = fmt.Fprintln(out, "shutting down")
	if err := c.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}

func parsePorts(s string) (map[vehicle.Source]int, error) {
	parts := strings.Split(s, ",")
	systems := sim.Systems()
	if len(parts) != len(systems) {
		return nil, fmt.Errorf("-ports needs %d comma-separated values, got %d", len(systems), len(parts))
	}
	out := map[vehicle.Source]int{}
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 0 || n > 65535 {
			return nil, fmt.Errorf("-ports: %q is not a port", p)
		}
		out[systems[i]] = n
	}
	return out, nil
}

func printBanner(out io.Writer, c *sim.Cluster) error {
	var b strings.Builder
	b.WriteString("legacy system simulators:\n")
	for _, s := range sim.Systems() {
		fmt.Fprintf(&b, "  %-15s %s   (admin: %s/__admin/faults, /__admin/stats, /__admin/reset)\n", s, c.URL(s), c.URL(s))
	}
	b.WriteString("demo VINs:\n")
	for _, d := range sim.Demos() {
		fmt.Fprintf(&b, "  %s  %-18s %s\n  %17s  %-18s expect: %s\n", d.VIN, d.Name, d.Story, "", "", d.Expect)
	}
	if _, err := io.WriteString(out, b.String()); err != nil {
		return fmt.Errorf("print banner: %w", err)
	}
	return nil
}

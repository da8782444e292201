// Command deliverymetrics reads the deploy workflow's runs as the GitHub API lists them and prints
// deployment frequency, lead time for changes, mean time between failures and mean time to recover
// as markdown. The delivery-metrics workflow pipes `gh api --paginate` into it and appends the
// result to its job summary:
//
//	gh api --paginate "repos/$REPO/actions/workflows/deploy.yml/runs?branch=main" |
//	  go -C tools run ./cmd/deliverymetrics -days 30 >> "$GITHUB_STEP_SUMMARY"
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/acme-oem/vehicle-data/tools/deliverymetrics"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, time.Now()); err != nil {
		fmt.Fprintln(os.Stderr, "deliverymetrics:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("deliverymetrics", flag.ContinueOnError)
	days := fs.Int("days", 30, "the window: this many days up to -until")
	until := fs.String("until", "", "the end of the window, RFC 3339 (default: now)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *days < 1 {
		return fmt.Errorf("-days %d: want at least 1", *days)
	}
	to := now.UTC()
	if *until != "" {
		t, err := time.Parse(time.RFC3339, *until)
		if err != nil {
			return fmt.Errorf("-until: %w", err)
		}
		to = t
	}
	runs, err := deliverymetrics.ReadRuns(stdin)
	if err != nil {
		return err
	}
	m := deliverymetrics.Compute(runs, to.AddDate(0, 0, -*days), to)
	_, err = io.WriteString(stdout, m.Markdown())
	return err
}

// Command releasenotes prints markdown release notes for the Conventional Commits between two git
// refs: breaking changes first, then the commits grouped by type. The deploy workflow runs it on
// every production deploy, from the previous release tag to the deployed commit:
//
//	go -C tools run ./cmd/releasenotes -C .. -from release-41 -to "$SHA" -title "Release 42"
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/acme-oem/vehicle-data/tools/releasenotes"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "releasenotes:", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("releasenotes", flag.ContinueOnError)
	dir := fs.String("C", ".", "the git repository")
	from := fs.String("from", "", "the previous release (exclusive); empty: the whole history of -to")
	to := fs.String("to", "HEAD", "the commit being released")
	title := fs.String("title", "Release notes", "the heading of the notes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	commits, err := releasenotes.FromGit(ctx, *dir, *from, *to)
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, releasenotes.Render(*title, commits))
	return err
}

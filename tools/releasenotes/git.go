package releasenotes

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// FromGit lists the commits reachable from to but not from from (all of to's history when from is
// empty), oldest first, as git log in dir prints them. Merge commits are left out: in trunk-based
// work they only repeat what the merged commits say.
func FromGit(ctx context.Context, dir, from, to string) ([]Commit, error) {
	for _, ref := range []string{from, to} {
		// A ref that starts with a dash would be read as an option of git log.
		if strings.HasPrefix(ref, "-") {
			return nil, fmt.Errorf("ref %q: a git ref does not start with a dash", ref)
		}
	}
	if to == "" {
		return nil, errors.New("no ref to release")
	}
	rng := to
	if from != "" {
		rng = from + ".." + to
	}
	// The range is one argv word, checked above not to be an option, and no shell is involved.
	cmd := exec.CommandContext(ctx, "git", "log", "--no-merges", "--reverse", "--format="+LogFormat, rng, "--") //nolint:gosec // G204: see above
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			return nil, fmt.Errorf("git log %s: %w: %s", rng, err, ee.Stderr)
		}
		return nil, fmt.Errorf("git log %s: %w", rng, err)
	}
	return SplitLog(string(out))
}

package releasenotes

import (
	"context"
	"fmt"
	"os/exec"
)

// FromGit lists the commits reachable from to but not from from (all of to's history when from is
// empty), oldest first, as git log in dir prints them. Merge commits are left out: in trunk-based
// work they only repeat what the merged commits say.
func FromGit(ctx context.Context, dir, from, to string) ([]Commit, error) {
	rng := to
	if from != "" {
		rng = from + ".." + to
	}
	cmd := exec.CommandContext(ctx, "git", "log", "--no-merges", "--reverse", "--format="+LogFormat, rng, "--")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return nil, fmt.Errorf("git log %s: %w: %s", rng, err, ee.Stderr)
		}
		return nil, fmt.Errorf("git log %s: %w", rng, err)
	}
	return SplitLog(string(out))
}

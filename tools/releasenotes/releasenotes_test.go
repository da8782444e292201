package releasenotes

import (
	"os/exec"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		msg  string
		want Change
	}{
		{"feat(listing): share page\n\nwhy it matters", Change{Type: "feat", Scope: "listing", Description: "share page"}},
		{"fix: nil map in merge", Change{Type: "fix", Description: "nil map in merge"}},
		{"feat(api)!: drop v0 routes", Change{Type: "feat", Scope: "api", Description: "drop v0 routes", Breaking: "drop v0 routes"}},
		{"refactor(engine): one catcher\n\nBREAKING CHANGE: Catch order is\nchecked at load\n\nmore body",
			Change{Type: "refactor", Scope: "engine", Description: "one catcher", Breaking: "Catch order is checked at load"}},
		{"chore: bump\n\nBREAKING-CHANGE: Node 20 required", Change{Type: "chore", Description: "bump", Breaking: "Node 20 required"}},
		{"Merge pull request #4 from x", Change{Description: "Merge pull request #4 from x"}},
		{"feat:missing space is no convention", Change{Description: "feat:missing space is no convention"}},
	}
	for _, c := range cases {
		got := Parse(Commit{Message: c.msg})
		if got != c.want {
			t.Errorf("Parse(%q) = %+v, want %+v", c.msg, got, c.want)
		}
	}
}

func TestRenderGroupsBreakingFirstThenByType(t *testing.T) {
	commits := []Commit{
		{"aaaaaaaaaa", "docs: release section"},
		{"bbbbbbbbbb", "fix(report): stale flag"},
		{"cccccccccc", "feat(listing): share page"},
		{"dddddddddd", "feat(api)!: drop v0 routes"},
		{"eeeeeeeeee", "wip"},
		{"ffffffffff", "feat: dealer view"},
	}
	want := `# Release 7

## Breaking changes

- **api:** drop v0 routes (ddddddd)

## Features

- **listing:** share page (ccccccc)
- **api:** drop v0 routes (ddddddd)
- dealer view (fffffff)

## Bug fixes

- **report:** stale flag (bbbbbbb)

## Documentation

- release section (aaaaaaa)

## Other changes

- wip (eeeeeee)
`
	if got := Render("Release 7", commits); got != want {
		t.Errorf("Render:\n%s\nwant:\n%s", got, want)
	}
}

func TestRenderEmptyRange(t *testing.T) {
	got := Render("Release 8", nil)
	if !strings.Contains(got, "No changes since the previous release.") {
		t.Errorf("Render(nil) = %q", got)
	}
}

func TestSplitLog(t *testing.T) {
	out := "h1\x1ffeat: a\n\nbody\n\x1e\nh2\x1ffix: b\n\x1e\n"
	got, err := SplitLog(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Hash != "h1" || got[1].Hash != "h2" || Parse(got[0]).Description != "a" {
		t.Fatalf("SplitLog = %+v", got)
	}
	if _, err := SplitLog("no separator\x1e"); err == nil {
		t.Error("SplitLog accepted a record without a hash")
	}
}

// TestFromGitReadsTheRangeOfARealRepository commits to a fresh repository and reads the notes
// between two of its commits, the way the deploy workflow does between release tags.
func TestFromGitReadsTheRangeOfARealRepository(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), "git", args...)
		cmd.Dir = dir
		cmd.Env = append(cmd.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	git("commit", "-q", "--allow-empty", "-m", "feat: before the release")
	git("tag", "release-1")
	git("commit", "-q", "--allow-empty", "-m", "fix(report): after one")
	git("commit", "-q", "--allow-empty", "-m", "feat(api)!: after two\n\nBREAKING CHANGE: clients must resend")

	commits, err := FromGit(t.Context(), dir, "release-1", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	notes := Render("Release 2", commits)
	for _, want := range []string{"- **report:** after one", "## Breaking changes\n\n- **api:** clients must resend"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if strings.Contains(notes, "before the release") {
		t.Errorf("notes include a commit of the previous release:\n%s", notes)
	}
	if _, err := FromGit(t.Context(), dir, "no-such-tag", "HEAD"); err == nil {
		t.Error("FromGit accepted an unknown ref")
	}
}

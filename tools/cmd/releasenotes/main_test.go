package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRunOnThisRepository renders notes for this repository's latest commit, which is always
// reachable, and refuses a range git does not know.
func TestRunOnThisRepository(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-C", "../../..", "-from", "HEAD~1", "-to", "HEAD", "-title", "Release x"}, &out); err != nil {
		t.Skipf("no git history here (shallow clone?): %v", err)
	}
	if !strings.HasPrefix(out.String(), "# Release x\n\n## ") {
		t.Errorf("notes:\n%s", out.String())
	}
	if err := run(t.Context(), []string{"-C", "../../..", "-from", "no-such-ref-anywhere"}, &out); err == nil {
		t.Error("run accepted an unknown ref")
	}
}

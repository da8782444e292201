package workflowcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repoRoot is the repository this module sits in.
const repoRoot = "../.."

// awaited are targets the workflows call that other branches bring (the site: issue 11; the CDK
// app: issue 12). Each is required as soon as the folder it builds from exists, so after those
// merges this list excuses nothing and can go.
var awaited = map[string]string{
	"site":  "frontend/package.json",
	"synth": "cdk",
}

// TestWorkflowsCallOnlyWhatExists is the guard `make test` runs: every make target, script, local
// action, Go package directory and pinned tool a workflow calls is in this tree, read at test time.
func TestWorkflowsCallOnlyWhatExists(t *testing.T) {
	problems, err := Check(repoRoot, Options{Awaited: awaited})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestChecksumsCatchTamperingAndStrayFiles runs the script the build and deploy jobs share.
func TestChecksumsCatchTamperingAndStrayFiles(t *testing.T) {
	if _, err := exec.LookPath("sha256sum"); err != nil {
		t.Skip("sha256sum not installed")
	}
	script, err := filepath.Abs(filepath.Join(repoRoot, ".github/scripts/checksums.sh"))
	if err != nil {
		t.Fatal(err)
	}
	dir := write(t, map[string]string{
		"lambda.zip":             "zip bytes",
		"site/index.html":        "<html>",
		"cdk.out/manifest.json":  "{}",
		"cdk.out/asset.1/a file": "spaces in names",
	})
	run := func(mode string) (string, error) {
		out, err := exec.CommandContext(t.Context(), "bash", script, mode, dir).CombinedOutput()

		return string(out), err
	}
	if out, err := run("write"); err != nil {
		t.Fatalf("write: %v: %s", err, out)
	}
	if out, err := run("verify"); err != nil || !strings.Contains(out, "verified 4 files") {
		t.Fatalf("verify untouched: %v: %s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "site/index.html"), []byte("<html>evil"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := run("verify"); err == nil {
		t.Fatalf("verify passed a changed file: %s", out)
	}
	if err := os.WriteFile(filepath.Join(dir, "site/index.html"), []byte("<html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cdk.out/extra.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := run("verify"); err == nil || !strings.Contains(out, "cdk.out/extra.json") {
		t.Fatalf("verify passed a file CI did not build: %v: %s", err, out)
	}
}

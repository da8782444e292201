package engine_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

var placeholder = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// dummySubstitutions fills every ${Name} with a plausible value: ARN-ish names get a Lambda
// function ARN (a valid Task resource), anything else its own name.
func dummySubstitutions(def []byte) map[string]string {
	subs := map[string]string{}
	for _, m := range placeholder.FindAllSubmatch(def, -1) {
		name := string(m[1])
		switch {
		case strings.Contains(name, "StateMachine"):
			subs[name] = "arn:aws:states:us-east-1:123456789012:stateMachine:" + name
		case strings.HasSuffix(name, "Arn") || strings.Contains(name, "Function"):
			subs[name] = "arn:aws:lambda:us-east-1:123456789012:function:" + name
		default:
			subs[name] = name
		}
	}
	return subs
}

// aslValidator runs the pinned npm asl-validator once over every file (node starts slowly)
// and reports, per file, nil when it accepts it or its complaint.
func aslValidator(t *testing.T, files []string) map[string]error {
	t.Helper()
	root := repoRoot(t)
	bin := filepath.Join(root, "node_modules", ".bin", "asl-validator")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("asl-validator is not installed (run `make deps`, it is pinned in package-lock.json): %v", err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is required to run asl-validator: %v", err)
	}
	args := make([]string, 0, 2*len(files))
	for _, f := range files {
		args = append(args, "--json-path", f)
	}
	out, err := exec.CommandContext(t.Context(), bin, args...).CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run asl-validator: %v", err)
	}
	text := string(out)
	verdicts := make(map[string]error, len(files))
	for _, f := range files {
		switch {
		case strings.Contains(text, `"`+f+`" is valid`):
			verdicts[f] = nil
		case strings.Contains(text, `"`+f+`" is invalid`):
			verdicts[f] = errors.New(text)
		default:
			t.Fatalf("asl-validator said nothing about %s:\n%s", f, text)
		}
	}
	return verdicts
}

// repoRoot is the repository's root (it holds package-lock.json, which pins asl-validator, and
// the deployed definitions); the engine module sits inside it.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("package-lock.json (the repository root) not found above the package")
		}
		dir = parent
	}
}

// TestValidatorAgreesWithAslValidator checks every deployed definition plus our own valid and
// invalid samples: both validators must accept the valid ones and reject the invalid ones.
func TestValidatorAgreesWithAslValidator(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	deployed, err := filepath.Glob(filepath.Join(root, "statemachines", "*.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(deployed) == 0 {
		t.Fatalf("no deployed definitions in %s/statemachines", root)
	}
	valid, err := filepath.Glob(filepath.Join("testdata", "valid", "*.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	invalid, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(valid) == 0 || len(invalid) == 0 {
		t.Fatal("testdata definitions are missing")
	}
	// Both validators see the same text: placeholders filled with plausible values.
	dir := t.TempDir()
	want := map[string]bool{}
	var files []string
	add := func(path string, wantValid bool) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		subs := dummySubstitutions(raw)
		def := placeholder.ReplaceAllStringFunc(string(raw), func(s string) string { return subs[s[2:len(s)-1]] })
		f := filepath.Join(dir, filepath.Base(filepath.Dir(path))+"-"+filepath.Base(path))
		if err := os.WriteFile(f, []byte(def), 0o600); err != nil {
			t.Fatal(err)
		}
		want[f] = wantValid
		files = append(files, f)
	}
	for _, p := range deployed {
		add(p, true)
	}
	for _, p := range valid {
		add(p, true)
	}
	for _, p := range invalid {
		add(p, false)
	}
	theirs := aslValidator(t, files)
	for _, f := range files {
		def, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ours := engine.New(engine.Options{}).Validate(def, nil)
		name := filepath.Base(f)
		switch {
		case want[f] && ours != nil:
			t.Errorf("%s: our validator rejects a valid definition: %v", name, ours)
		case want[f] && theirs[f] != nil:
			t.Errorf("%s: asl-validator rejects a valid definition: %v", name, theirs[f])
		case !want[f] && ours == nil:
			t.Errorf("%s: our validator accepts an invalid definition", name)
		case !want[f] && theirs[f] == nil:
			t.Errorf("%s: asl-validator accepts an invalid definition", name)
		}
	}
}

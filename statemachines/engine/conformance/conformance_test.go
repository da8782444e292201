package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	v, err := value.Decode([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMatcherPlaceholders(t *testing.T) {
	t.Parallel()
	m := newMatcher([]string{"<ArnPart_0idx>", "date", "111111111111", "RandomNumberGenerated"})
	for _, tc := range []struct {
		want, got string
		ok        bool
	}{
		{`{"Id":"arn:aws:states:r:111111111111:execution:<ArnPart_0idx>:x"}`, `{"Id":"arn:aws:states:r:123456789012:execution:Machine:x"}`, true},
		{`{"Id":"arn:aws:states:r:111111111111:execution:<ArnPart_0idx>:x"}`, `{"Id":"arn:aws:states:r:123456789012:express:Machine:y"}`, false},
		{`{"t":"date"}`, `{"t":"2024-05-01T12:00:00.000Z"}`, true},
		{`{"n":"RandomNumberGenerated"}`, `{"n":17}`, true},
		{`[1.0,2]`, `[1,2.0]`, true},
		{`{"a":1}`, `{"a":1,"b":2}`, false},
		{`{"cause":"at <json-input:1> end"}`, `{"cause":"at {\"x\":1} end"}`, true},
	} {
		if got := m.value(decode(t, tc.want), decode(t, tc.got)); got != tc.ok {
			t.Errorf("match(%s, %s) = %v, want %v", tc.want, tc.got, got, tc.ok)
		}
	}
	strict := newMatcher(nil)
	if strict.value("date", "2024-05-01") {
		t.Error("without placeholders, strings must match exactly")
	}
}

// The corpus lives in the engine module, so a clone finds it from any of its packages without
// anything beside the repository.
func TestFindDirFromAPackageDirectory(t *testing.T) {
	t.Parallel()
	dir, err := FindDir(".")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(filepath.ToSlash(dir), CorpusDir) {
		t.Fatalf("FindDir = %s, want a path ending in %s", dir, CorpusDir)
	}
	cases, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 600 {
		t.Fatalf("the corpus holds %d cases, want the 600 AWS-recorded ones", len(cases))
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Fatalf("the corpus README (its origin and licence) must travel with it: %v", err)
	}
}

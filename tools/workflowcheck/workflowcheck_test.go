package workflowcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// write lays out files (path → content) under a fresh directory.
func write(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const fixtureMakefile = `GO ?= go
LINT := $(GO) tool golangci-lint
.PHONY: build test
build test: deps
	$(GO) build ./...
deps:
	npm ci
%.o: %.c
`

const fixtureToolsMod = `module example.com/tools

go 1.26.0

tool (
	github.com/rhysd/actionlint/cmd/actionlint
	github.com/zricethezav/gitleaks/v8
)
`

// TestCheckFindsEveryKindOfMissingThing runs the checker on a small repository whose workflow
// calls one present and one missing thing of each kind.
func TestCheckFindsEveryKindOfMissingThing(t *testing.T) {
	root := write(t, map[string]string{
		"Makefile":                      fixtureMakefile,
		"sub/Makefile":                  "only-here:\n\ttrue\n",
		".gitignore":                    "/bin/\n*.test\n",
		"tools/go.mod":                  fixtureToolsMod,
		"scripts/present.sh":            "true\n",
		"cmd/app/main.go":               "package main\n",
		".github/actions/ok/action.yml": "runs:\n  using: composite\n  steps:\n    - run: make deps\n      shell: bash\n    - run: make gone-in-action\n      shell: bash\n",
		".github/workflows/ci.yml": `name: ci
on: push
env:
  TOOL: go tool -modfile=tools/go.mod
jobs:
  a:
    runs-on: ubuntu-24.04
    steps:
      - uses: ./.github/actions/ok
      - uses: ./.github/actions/missing
      - run: make build test VERSION=${{ github.sha }} -j 4
      - run: make lint
      - name: quoted and chained
        run: |
          make -C sub only-here && make -C sub build
          FOO="a b" bash scripts/present.sh --flag | tee out
          bash ./scripts/missing.sh
          ./scripts/present.sh; ./scripts/gone.sh
          ./bin/built-by-an-earlier-step
          go run ./cmd/app -x ./not-a-package
          go test -run 'X|Y' -count=1 ./cmd/... ./internal/...
          $TOOL actionlint && $TOOL gitleaks git .
          $TOOL goimports
          make ${{ inputs.target }}
          (cd sub && make only-here)
          make build
          echo "$(cd sub && make only-here)"; make test
      - run: make build
        working-directory: sub
      - run: make build
        working-directory: gone
  b:
    uses: ./.github/workflows/gone.yml
  c:
    uses: ./.github/workflows/ci.yml
`,
	})
	problems, err := Check(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.Msg)
	}
	want := []string{
		`make target "gone-in-action" is not in Makefile`,
		`local action .github/actions/missing does not exist`,
		`make target "lint" is not in Makefile`,
		`make target "build" is not in sub/Makefile`,
		`script scripts/missing.sh does not exist`,
		`command scripts/gone.sh does not exist`,
		`Go package directory internal does not exist`,
		`go tool goimports is not in the tool block of tools/go.mod`,
		`make target "build" is not in sub/Makefile`,
		`working directory gone does not exist`,
		`reusable workflow .github/workflows/gone.yml does not exist`,
	}
	if strings.Join(sorted(got), "\n") != strings.Join(sorted(want), "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(sorted(got), "\n"), strings.Join(sorted(want), "\n"))
	}
}

func sorted(ss []string) []string {
	out := append([]string(nil), ss...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestAwaitedTargetsAreRequiredOnceTheirFileArrives(t *testing.T) {
	files := map[string]string{
		"Makefile":                 "build:\n",
		".github/workflows/ci.yml": "on: push\njobs:\n  a:\n    steps:\n      - run: make site\n",
	}
	awaited := Options{Awaited: map[string]string{"site": "frontend/package.json"}}
	root := write(t, files)
	if problems, err := Check(root, awaited); err != nil || len(problems) != 0 {
		t.Fatalf("before the site lands: %v %v", problems, err)
	}
	files["frontend/package.json"] = "{}"
	root = write(t, files)
	problems, err := Check(root, awaited)
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0].Msg, `"site"`) {
		t.Fatalf("after the site landed without its target: %v %v", problems, err)
	}
}

func TestBrokenScriptsAndWorkflowsAreReported(t *testing.T) {
	root := write(t, map[string]string{
		"Makefile":                 "build:\n",
		".github/workflows/ci.yml": "on: push\njobs:\n  a:\n    steps:\n      - run: echo \"unterminated\n",
	})
	problems, err := Check(root, Options{})
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0].Msg, "not valid bash") {
		t.Fatalf("problems %v, err %v", problems, err)
	}
	if _, err := Check(t.TempDir(), Options{}); err == nil {
		t.Error("Check accepted a repository without workflows")
	}
	bad := write(t, map[string]string{".github/workflows/x.yml": "jobs: [\n"})
	if _, err := Check(bad, Options{}); err == nil {
		t.Error("Check accepted a workflow that is not YAML")
	}
}

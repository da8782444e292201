// Package archtest enforces the layering (DESIGN.md principle 2, README "Layout"): the domain
// imports no AWS SDK, no HTTP and no adapter; bounded contexts do not import each other, only the
// shared kernel; nothing outside cmd/ and internal/local imports local-only code. It asks the go
// tool for the real dependency graph, so indirect imports count too. .golangci.yml's depguard
// rules say the same for direct imports, so an editor flags a violation as it is typed.
package archtest

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/acme-oem/vehicle-data"

// kernel is what every context may import.
var kernel = []string{module + "/internal/apperr", module + "/internal/vehicle"}

// contexts are the bounded contexts; every new one belongs here (and in .golangci.yml).
var contexts = []string{module + "/internal/report", module + "/internal/ownership", module + "/internal/listing", module + "/internal/offers"}

// forbidden are import path prefixes a domain package (kernel or context) must not depend on,
// even indirectly.
var forbidden = []string{
	"github.com/aws/",
	"net/http",
	module + "/internal/dynamo",
	module + "/internal/oidc",
	module + "/internal/wiring",
	module + "/internal/local",
	module + "/internal/ownershipadapters",
	module + "/legacyclients",
	module + "/functions",
	module + "/statemachines",
	module + "/cmd",
}

// localOnly is the code that runs only on a developer's machine or in tests.
const localOnly = module + "/internal/local"

func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", pkg, err, out)
	}
	return strings.Fields(string(out))
}

func TestDomainImportsNoAdapter(t *testing.T) {
	for _, pkg := range append(slices.Clone(kernel), contexts...) {
		for _, dep := range deps(t, pkg) {
			for _, bad := range forbidden {
				if strings.HasPrefix(dep, bad) {
					t.Errorf("domain package %s depends on %s", pkg, dep)
				}
			}
		}
	}
}

func TestContextsImportOnlyTheKernel(t *testing.T) {
	for _, pkg := range contexts {
		for _, dep := range deps(t, pkg) {
			for _, other := range contexts {
				if other != pkg && (dep == other || strings.HasPrefix(dep, other+"/")) {
					t.Errorf("context %s depends on context %s: share through the kernel or the wiring", pkg, dep)
				}
			}
		}
	}
}

// listed is a package as `go list -json` describes it.
type listed struct {
	ImportPath string
	Imports    []string // non-test imports
}

func TestOnlyCmdAndLocalImportLocalOnlyCode(t *testing.T) {
	out, err := exec.CommandContext(t.Context(), "go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	n := 0
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
		if strings.HasPrefix(p.ImportPath, module+"/cmd/") || p.ImportPath == localOnly || strings.HasPrefix(p.ImportPath, localOnly+"/") {
			continue
		}
		for _, imp := range p.Imports {
			if imp == localOnly || strings.HasPrefix(imp, localOnly+"/") {
				t.Errorf("%s imports local-only %s: production code must not (tests may)", p.ImportPath, imp)
			}
		}
	}
	if n < 20 {
		t.Fatalf("go list found only %d packages: the check is not looking at the module", n)
	}
}

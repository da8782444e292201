// Package archtest enforces DESIGN.md principle 2: the domain imports no AWS SDK, no HTTP and no
// adapter. It asks the go tool for the real dependency graph, so indirect imports count too.
package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

// domain lists the domain packages; every new domain package belongs here.
var domain = []string{
	"github.com/acme-oem/vehicle-data/internal/apperr",
	"github.com/acme-oem/vehicle-data/internal/vehicle",
	"github.com/acme-oem/vehicle-data/internal/report",
	"github.com/acme-oem/vehicle-data/internal/ownership",
}

// forbidden are import path prefixes a domain package must not depend on, even indirectly.
var forbidden = []string{
	"github.com/aws/",
	"net/http",
	"github.com/acme-oem/vehicle-data/internal/dynamo",
	"github.com/acme-oem/vehicle-data/legacyclients",
	"github.com/acme-oem/vehicle-data/functions",
	"github.com/acme-oem/vehicle-data/statemachines",
}

func TestDomainImportsNoAdapter(t *testing.T) {
	for _, pkg := range domain {
		out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, bad := range forbidden {
				if strings.HasPrefix(dep, bad) {
					t.Errorf("domain package %s depends on %s", pkg, dep)
				}
			}
		}
	}
}

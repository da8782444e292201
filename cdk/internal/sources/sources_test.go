package sources

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	registry "github.com/acme-oem/vehicle-data/functions/catalog"
)

// Every function of the catalog, the authorizer, the pre token trigger and the share page included, is deployed with what internal/wiring
// says it needs; a function wiring does not know would be deployed unconfigured.
func TestEveryFunctionDeclaresItsNeeds(t *testing.T) {
	fns := Functions()
	if len(fns) != len(registry.Specs()) {
		t.Fatalf("%d functions, catalog has %d", len(fns), len(registry.Specs()))
	}
	for _, f := range fns {
		if f.Name == PreTokenName {
			// The user pool's trigger reads no setting, so no secret reaches it.
			if len(f.Needs)+len(f.Optional) != 0 || f.UsesTable {
				t.Errorf("%s needs %v, optional %v", f.Name, f.Needs, f.Optional)
			}
			continue
		}
		if f.Name == SharePageName {
			// The share page reads the site's index.html and the public listing: no secret, no
			// table, nothing personal to pseudonymize.
			if !slices.Equal(f.Needs, []string{EnvSiteBucket, EnvAPIURL}) || !slices.Equal(f.Optional, []string{EnvSiteURL}) || f.UsesTable {
				t.Errorf("%s needs %v, optional %v", f.Name, f.Needs, f.Optional)
			}
			continue
		}
		if !slices.Contains(f.Needs, EnvPseudonymKey) && f.Name != AuthorizerName {
			t.Errorf("%s needs %v: every step needs %s (wiring declares nothing for it?)", f.Name, f.Needs, EnvPseudonymKey)
		}
	}
	var auth Step
	for _, f := range fns {
		if f.Name == AuthorizerName {
			auth = f
		}
	}
	if !slices.Contains(auth.Needs, EnvOIDCIssuer) || !slices.Contains(auth.Needs, EnvOIDCAudience) ||
		!slices.Contains(auth.Optional, EnvOIDCAudienceClaim) || !slices.Contains(auth.Optional, EnvOIDCRoleClaim) {
		t.Errorf("authorizer: needs %v, optional %v", auth.Needs, auth.Optional)
	}
}

// Deployable code must not depend on local-only code (internal/local): the CDK app deploys what
// it imports from the product.
func TestNoLocalOnlyCode(t *testing.T) {
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/acme-oem/vehicle-data/internal/local") {
			t.Errorf("cdk/internal/sources depends on local-only %s", dep)
		}
	}
}

func TestTableActionsAreTheAdaptersCalls(t *testing.T) {
	got := TableActions()
	for _, want := range []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"} {
		if !slices.Contains(got, want) {
			t.Errorf("%v lacks %s", got, want)
		}
	}
	if slices.Contains(got, "dynamodb:Scan") || slices.Contains(got, "dynamodb:DeleteTable") {
		t.Errorf("%v: more than the adapter uses", got)
	}
}

func TestStateMachinePlaceholderIsTheLocalStacks(t *testing.T) {
	if got := StateMachinePlaceholder("ownership-authorization"); got != "OwnershipAuthorizationStateMachineArn" {
		t.Fatal(got)
	}
}

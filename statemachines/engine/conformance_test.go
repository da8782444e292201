package engine_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/acme-oem/vehicle-data/statemachines/engine/conformance"
)

// knownUnsupported lists cases the engine knowingly fails, with the reason. The test fails when
// a listed case starts passing, so the list stays honest.
var knownUnsupported = map[string]string{}

// unsupportedReason says why a case is expected to fail.
func unsupportedReason(c *conformance.Case) (string, bool) {
	r, ok := knownUnsupported[c.Name]
	return r, ok
}

func TestConformance(t *testing.T) {
	t.Parallel()
	dir, err := conformance.FindDir(".")
	if err != nil {
		t.Fatalf("the AWS-recorded corpus must sit in the engine module's testdata/conformance/sfn: %v", err)
	}
	cases, err := conformance.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatalf("no cases in %s", dir)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			o := conformance.Run(context.Background(), c)
			reason, unsupported := unsupportedReason(&c)
			switch {
			case unsupported && o.Pass:
				t.Errorf("case passes but is listed as unsupported (%s): remove it from the list", reason)
			case unsupported:
				t.Logf("known unsupported: %s", reason)
			case !o.Pass:
				got, _ := json.Marshal(o.Got)
				want, _ := json.Marshal(c.Expected)
				t.Errorf("%s\n got: %s\nwant: %s", o.Reason, got, want)
			}
		})
	}
}

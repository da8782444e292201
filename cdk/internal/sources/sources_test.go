package sources

import (
	"slices"
	"testing"
)

// Every registry entry must say what it needs, or the stack cannot configure it.
func TestEveryStepDeclaresItsNeeds(t *testing.T) {
	steps, err := Steps()
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != len(registryNames()) {
		t.Fatalf("%d steps, registry has %d", len(steps), len(registryNames()))
	}
	for name := range stepNeeds {
		if !slices.Contains(registryNames(), name) {
			t.Errorf("stepNeeds names %s, which is not in the registry", name)
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

package stack

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/local/devoutbox"
	"github.com/acme-oem/vehicle-data/internal/telemetry"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/internal/wiring"
)

// TestLambdaFunctionsWrapAndTrace: the engine gets every step wrapped by WrapFunctions, and each
// step invoked under a trace records its own span there.
func TestLambdaFunctionsWrapAndTrace(t *testing.T) {
	rec := telemetry.NewRecorder(0)
	tp, err := telemetry.NewTracerProvider(telemetry.Options{Service: "test", Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	steps, err := wiring.Build(t.Context(), wiring.Config{
		TableName: "t", DynamoDB: &dynamodb.Client{}, PseudonymKey: []byte("0123456789abcdef"),
		OwnershipPepper: []byte("0123456789abcdef0123456789abcdef"),
		Outbox:          devoutbox.New(devoutbox.Options{}),
		LegacyURLs: map[vehicle.Source]string{
			vehicle.SourceVehicleMaster: "http://127.0.0.1:1", vehicle.SourceWorkshop: "http://127.0.0.1:1",
			vehicle.SourceRegistry: "http://127.0.0.1:1", vehicle.SourceRecalls: "http://127.0.0.1:1",
			vehicle.SourceOffers:      "http://127.0.0.1:1",
			vehicle.SourceDealerStock: "http://127.0.0.1:1",
		},
		TracerProvider: tp,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(steps.Close)
	var wrapped []string
	fns := lambdaFunctions(steps, Config{WrapFunctions: func(name string, h step.Handler) step.Handler {
		wrapped = append(wrapped, name)
		return h
	}})
	slices.Sort(wrapped)
	if !slices.Equal(wrapped, steps.Names()) {
		t.Fatalf("wrapped %v, want every step %v", wrapped, steps.Names())
	}
	for _, name := range steps.Names() {
		h, ok := fns.Lookup(name)
		if !ok {
			t.Fatalf("step %s missing", name)
		}
		_, _ = h(t.Context(), []byte(`{}`)) // no VIN: an error, inside the step's span
	}
	names := map[string]bool{}
	for _, s := range rec.Spans() {
		names[s.Name] = true
	}
	for _, name := range steps.Names() {
		if !names[name] {
			t.Errorf("no span for step %s (got %v)", name, names)
		}
	}
	_ = catalog.ValidateVIN
}

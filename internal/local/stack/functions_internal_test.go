package stack

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-xray-sdk-go/xray"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/local/devoutbox"
	"github.com/acme-oem/vehicle-data/internal/tracing"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/internal/wiring"
)

// TestLambdaFunctionsWrapAndTrace: the engine gets every step, wrapped by WrapFunctions
// inside the Lambda trace context when TraceEmitter is set, and untouched otherwise.
func TestLambdaFunctionsWrapAndTrace(t *testing.T) {
	steps, err := wiring.Build(t.Context(), wiring.Config{
		TableName: "t", DynamoDB: &dynamodb.Client{}, PseudonymKey: []byte("0123456789abcdef"),
		OwnershipPepper: []byte("0123456789abcdef0123456789abcdef"),
		Outbox:          devoutbox.New(devoutbox.Options{}),
		LegacyURLs: map[vehicle.Source]string{
			vehicle.SourceVehicleMaster: "http://127.0.0.1:1", vehicle.SourceWorkshop: "http://127.0.0.1:1",
			vehicle.SourceRegistry: "http://127.0.0.1:1", vehicle.SourceRecalls: "http://127.0.0.1:1",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(steps.Close)
	rec := tracing.NewRecorder(0, 0)
	var wrapped []string
	cfg := Config{
		TraceEmitter: rec,
		WrapFunctions: func(name string, h step.Handler) step.Handler {
			wrapped = append(wrapped, name)
			return func(ctx context.Context, payload []byte) ([]byte, error) {
				if ctx.Value(xray.LambdaTraceHeaderKey) == nil {
					t.Errorf("%s: no Lambda trace header", name)
				}
				_, seg := xray.BeginSubsegment(ctx, name)
				seg.Close(nil)
				return h(ctx, payload)
			}
		},
	}
	fns, err := lambdaFunctions(steps, cfg)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(wrapped)
	if !slices.Equal(wrapped, steps.Names()) {
		t.Fatalf("wrapped %v, want every step %v", wrapped, steps.Names())
	}
	for _, name := range steps.Names() {
		h, ok := fns.Lookup(name)
		if !ok {
			t.Fatalf("step %s missing", name)
		}
		_, _ = h(t.Context(), []byte(`{}`)) // no VIN: an error, after the subsegment
	}
	segs, err := rec.Segments()
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != len(steps.Names()) {
		t.Errorf("%d segments, want one per step (%d)", len(segs), len(steps.Names()))
	}

	// Without TraceEmitter the handlers run without a trace context.
	fns, err = lambdaFunctions(steps, Config{WrapFunctions: func(name string, h step.Handler) step.Handler {
		return func(ctx context.Context, payload []byte) ([]byte, error) {
			if ctx.Value(xray.LambdaTraceHeaderKey) != nil || xray.GetRecorder(ctx) != nil {
				t.Errorf("%s: a trace context without TraceEmitter", name)
			}
			return h(ctx, payload)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	h, _ := fns.Lookup(catalog.ValidateVIN)
	_, _ = h(t.Context(), []byte(`{}`))
}

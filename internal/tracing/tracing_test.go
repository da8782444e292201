package tracing_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-xray-sdk-go/header"
	"github.com/aws/aws-xray-sdk-go/xray"
	"github.com/aws/aws-xray-sdk-go/xraylog"

	"github.com/acme-oem/vehicle-data/internal/tracing"
)

type buffer struct{ bytes.Buffer }

// TestLambdaContextEmitsSubsegments: a subsegment begun under LambdaContext is emitted on its own,
// sampled, into the Recorder, and nothing is logged at warning level or above.
func TestLambdaContextEmitsSubsegments(t *testing.T) {
	var log buffer
	xray.SetLogger(xraylog.NewDefaultLogger(&log, xraylog.LogLevelWarn))
	t.Cleanup(func() { xray.SetLogger(xraylog.NewDefaultLogger(&bytes.Buffer{}, xraylog.LogLevelWarn)) })

	rec := tracing.NewRecorder(0, 0)
	tr, err := tracing.NewTracer(rec)
	if err != nil {
		t.Fatal(err)
	}
	var traceIDs []string
	h := tr.Wrap(func(ctx context.Context, _ []byte) ([]byte, error) {
		raw, _ := ctx.Value(xray.LambdaTraceHeaderKey).(string)
		hd := header.FromString(raw)
		if hd.SamplingDecision != header.Sampled || hd.TraceID == "" || hd.ParentID == "" {
			t.Errorf("trace header %q: want a sampled header with root and parent", raw)
		}
		traceIDs = append(traceIDs, hd.TraceID)
		_, seg := xray.BeginSubsegment(ctx, "workshop")
		if seg == nil {
			t.Fatal("no subsegment under the Lambda context")
		}
		_ = seg.AddAnnotation("system", "workshop")
		seg.Close(nil)
		return nil, nil
	})
	for range 2 {
		if _, err := h(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
	}
	segs, err := rec.Segments()
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 2 {
		t.Fatalf("%d segments, want 2: %s", len(segs), rec.Documents())
	}
	for i, s := range segs {
		if s.Name != "workshop" || s.Type != "subsegment" || s.Annotations["system"] != "workshop" || s.TraceID != traceIDs[i] {
			t.Errorf("segment %d: %+v, want the workshop subsegment of trace %s", i, s, traceIDs[i])
		}
	}
	if traceIDs[0] == traceIDs[1] {
		t.Error("two invocations share a trace")
	}
	if log.Len() > 0 {
		t.Errorf("X-Ray logged: %s", log.String())
	}
}

// TestRecorderBounds: past a bound, documents are dropped and counted.
func TestRecorderBounds(t *testing.T) {
	rec := tracing.NewRecorder(2, 0)
	tr, err := tracing.NewTracer(rec)
	if err != nil {
		t.Fatal(err)
	}
	ctx := tr.LambdaContext(t.Context())
	for range 3 {
		_, seg := xray.BeginSubsegment(ctx, "recalls")
		seg.Close(nil)
	}
	if rec.Len() != 2 || rec.Dropped() != 1 {
		t.Errorf("kept %d, dropped %d; want 2 and 1", rec.Len(), rec.Dropped())
	}
	rec.Reset()
	if rec.Len() != 0 || rec.Dropped() != 0 {
		t.Errorf("after Reset: kept %d, dropped %d", rec.Len(), rec.Dropped())
	}

	small := tracing.NewRecorder(0, 100)
	tr, err = tracing.NewTracer(small)
	if err != nil {
		t.Fatal(err)
	}
	_, seg := xray.BeginSubsegment(tr.LambdaContext(t.Context()), strings.Repeat("x", 150))
	seg.Close(nil)
	if small.Len() != 0 || small.Dropped() != 1 {
		t.Errorf("byte bound: kept %d, dropped %d; want 0 and 1", small.Len(), small.Dropped())
	}
}

func TestNewTracerNeedsEmitter(t *testing.T) {
	if _, err := tracing.NewTracer(nil); err == nil {
		t.Error("NewTracer(nil): no error")
	}
}

// Package transporttest helps tests of legacy clients observe what the
// transport emits, so they can assert that no personal data (VINs) leaks into
// trace spans or logs.
package transporttest

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// SpanRecorder keeps every span ended under a TraceContext, raw: no personal-data guard stands
// between the transport and what a test scans.
type SpanRecorder struct{ rec *tracetest.SpanRecorder }

// TraceContext returns ctx carrying a recording root span of a tracer provider of its own (no
// global is set), as a Lambda step's context does; the transport's call spans become its
// children and land in the returned recorder. The root span is never ended, so only the
// transport's spans are recorded.
func TraceContext(ctx context.Context) (context.Context, *SpanRecorder, error) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx, _ = tp.Tracer("transporttest").Start(ctx, "test") //nolint:spancheck // never ended on purpose: see above
	return ctx, &SpanRecorder{rec: rec}, nil
}

// Segment is what tests assert on: a span's name, its attributes and whether it failed.
type Segment struct {
	Name        string         `json:"name"`
	Error       bool           `json:"error"`
	Status      string         `json:"status,omitempty"`
	Annotations map[string]any `json:"attributes"`
}

// Segments returns the ended spans, in the order they ended.
func (r *SpanRecorder) Segments() ([]Segment, error) {
	ended := r.rec.Ended()
	out := make([]Segment, 0, len(ended))
	for _, s := range ended {
		seg := Segment{Name: s.Name(), Error: s.Status().Code == codes.Error, Status: s.Status().Description, Annotations: map[string]any{}}
		for _, kv := range s.Attributes() {
			seg.Annotations[string(kv.Key)] = kv.Value.String()
		}
		out = append(out, seg)
	}
	return out, nil
}

// Documents returns every ended span as JSON (name, attributes, status), for scanning.
func (r *SpanRecorder) Documents() [][]byte {
	segs, _ := r.Segments()
	out := make([][]byte, 0, len(segs))
	for _, s := range segs {
		b, err := json.Marshal(s)
		if err != nil {
			b = []byte(`{"marshal_error":true}`)
		}
		out = append(out, b)
	}
	return out
}

// LogBuffer is a goroutine-safe io.Writer for slog handlers in tests.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

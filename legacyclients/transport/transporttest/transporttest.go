// Package transporttest helps tests of legacy clients observe what the
// transport emits, so they can assert that no personal data (VINs) leaks into
// trace segments or logs.
package transporttest

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"sync"

	"github.com/aws/aws-xray-sdk-go/xray"
)

// lambdaTraceHeader is a fixed, sampled trace header. With it in the context
// and no segment, xray creates a Lambda-style facade parent, and finished
// subsegments are emitted one by one, exactly as in production Lambda.
const lambdaTraceHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

// SegmentRecorder is an xray.Emitter that keeps the JSON of every emitted
// (sub)segment in memory instead of sending it to a daemon.
type SegmentRecorder struct {
	mu   sync.Mutex
	docs [][]byte
}

// TraceContext returns ctx configured (through xray.ContextWithConfig, i.e.
// per context, no global change) to emit into a new SegmentRecorder under a
// sampled Lambda-style parent.
func TraceContext(ctx context.Context) (context.Context, *SegmentRecorder, error) {
	rec := &SegmentRecorder{}
	ctx, err := xray.ContextWithConfig(ctx, xray.Config{Emitter: rec})
	if err != nil {
		return nil, nil, err
	}
	// xray reads the Lambda trace header under this exact string key.
	ctx = context.WithValue(ctx, xray.LambdaTraceHeaderKey, lambdaTraceHeader) //nolint:staticcheck // SA1029: the key is xray's, not ours
	return ctx, rec, nil
}

// Emit records seg as JSON. xray calls it with seg locked.
func (r *SegmentRecorder) Emit(seg *xray.Segment) {
	b, err := json.Marshal(seg)
	if err != nil {
		b = []byte(`{"marshal_error":true}`)
	}
	r.mu.Lock()
	r.docs = append(r.docs, b)
	r.mu.Unlock()
}

// RefreshEmitterWithAddress is a no-op: nothing is sent anywhere.
func (r *SegmentRecorder) RefreshEmitterWithAddress(*net.UDPAddr) {}

// Documents returns copies of the emitted segment JSON documents.
func (r *SegmentRecorder) Documents() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([][]byte, len(r.docs))
	for i, d := range r.docs {
		out[i] = bytes.Clone(d)
	}
	return out
}

// Segment is the subset of an emitted segment tests usually assert on.
type Segment struct {
	Name        string         `json:"name"`
	Namespace   string         `json:"namespace"`
	Fault       bool           `json:"fault"`
	Error       bool           `json:"error"`
	Annotations map[string]any `json:"annotations"`
	Metadata    map[string]any `json:"metadata"`
}

// Segments decodes the emitted documents.
func (r *SegmentRecorder) Segments() ([]Segment, error) {
	docs := r.Documents()
	out := make([]Segment, 0, len(docs))
	for _, d := range docs {
		var s Segment
		if err := json.Unmarshal(d, &s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
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

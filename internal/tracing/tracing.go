// Package tracing gives X-Ray tracing a home outside AWS: a Recorder that keeps the emitted
// (sub)segments in memory, bounded, instead of sending them to a daemon, and LambdaContext, which
// prepares a handler's context the way the Lambda runtime does (a sampled trace header under
// xray.LambdaTraceHeaderKey), with a per-context xray.Config (no change to xray's globals).
//
// The local stack (internal/local/stack) runs every Lambda step under LambdaContext, so the legacy
// clients' subsegments (legacyclients/transport) and any segment a step creates are captured as in
// AWS, where they would reach the X-Ray daemon; the security tests scan them for personal data.
package tracing

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"sync"

	"github.com/aws/aws-xray-sdk-go/header"
	"github.com/aws/aws-xray-sdk-go/xray"
)

// Default bounds of a Recorder.
const (
	DefaultMaxSegments = 50_000
	DefaultMaxBytes    = 32 << 20
)

// Recorder is an xray.Emitter that keeps the JSON document of every emitted (sub)segment in
// memory. It keeps at most MaxSegments documents and MaxBytes bytes; past either bound it drops
// new documents and counts them (Dropped), so a long-running stack cannot grow without bound and
// a test can tell that what it scans is complete. Safe for concurrent use.
type Recorder struct {
	maxSegments, maxBytes int

	mu      sync.Mutex
	docs    [][]byte
	size    int
	dropped int
}

// NewRecorder returns an empty Recorder with the given bounds; a bound <= 0 takes its default.
func NewRecorder(maxSegments, maxBytes int) *Recorder {
	if maxSegments <= 0 {
		maxSegments = DefaultMaxSegments
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Recorder{maxSegments: maxSegments, maxBytes: maxBytes}
}

// Emit records seg as JSON. xray calls it with seg locked, once per segment it sends.
func (r *Recorder) Emit(seg *xray.Segment) {
	b, err := json.Marshal(seg)
	if err != nil {
		// The error text names a type or a value's kind, never a value; a marker keeps the
		// count right.
		b = []byte(`{"marshal_error":true}`)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.docs) >= r.maxSegments || r.size+len(b) > r.maxBytes {
		r.dropped++
		return
	}
	r.docs = append(r.docs, b)
	r.size += len(b)
}

// RefreshEmitterWithAddress is a no-op: nothing is sent anywhere.
func (*Recorder) RefreshEmitterWithAddress(*net.UDPAddr) {}

// Documents returns copies of the recorded segment documents, in emission order.
func (r *Recorder) Documents() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([][]byte, len(r.docs))
	for i, d := range r.docs {
		out[i] = bytes.Clone(d)
	}
	return out
}

// Len is the number of recorded documents.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.docs)
}

// Dropped is the number of documents dropped because a bound was reached.
func (r *Recorder) Dropped() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}

// Reset forgets every document and the drop count.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.docs, r.size, r.dropped = nil, 0, 0
}

// Segment is the subset of an emitted document that tests usually assert on.
type Segment struct {
	Name        string                    `json:"name"`
	Type        string                    `json:"type"`
	TraceID     string                    `json:"trace_id"`
	Fault       bool                      `json:"fault"`
	Error       bool                      `json:"error"`
	Annotations map[string]any            `json:"annotations"`
	Metadata    map[string]map[string]any `json:"metadata"`
}

// Segments decodes the recorded documents.
func (r *Recorder) Segments() ([]Segment, error) {
	docs := r.Documents()
	out := make([]Segment, 0, len(docs))
	for i, d := range docs {
		var s Segment
		if err := json.Unmarshal(d, &s); err != nil {
			return nil, fmt.Errorf("tracing: segment document %d: %w", i, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// Tracer prepares handler contexts that emit to one xray.Emitter.
type Tracer struct {
	cfg *xray.Config
}

// NewTracer returns a Tracer emitting to e. It fails when xray's environment (for example
// AWS_XRAY_DAEMON_ADDRESS) is invalid.
func NewTracer(e xray.Emitter) (*Tracer, error) {
	if e == nil {
		return nil, fmt.Errorf("tracing: no emitter")
	}
	ctx, err := xray.ContextWithConfig(context.Background(), xray.Config{Emitter: e})
	if err != nil {
		return nil, fmt.Errorf("tracing: X-Ray configuration: %w", err)
	}
	return &Tracer{cfg: xray.GetRecorder(ctx)}, nil
}

// LambdaContext returns ctx as the Lambda runtime hands it to a handler: it carries a fresh,
// sampled trace header (a new trace, whose parent stands for the function's segment) under
// xray.LambdaTraceHeaderKey, and the Tracer's xray.Config. A subsegment begun under it gets a
// facade parent and is emitted on its own when it closes, as in Lambda.
func (t *Tracer) LambdaContext(ctx context.Context) context.Context {
	h := header.Header{TraceID: xray.NewTraceID(), ParentID: xray.NewSegmentID(), SamplingDecision: header.Sampled}
	ctx = context.WithValue(ctx, xray.RecorderContextKey{}, t.cfg)
	// xray reads the Lambda trace header under this exact string key.
	return context.WithValue(ctx, xray.LambdaTraceHeaderKey, h.String()) //nolint:staticcheck // SA1029: the key is xray's, not ours
}

// Handler is a Lambda step as the local engine runs it.
type Handler = func(ctx context.Context, payload []byte) ([]byte, error)

// Wrap returns h running under LambdaContext.
func (t *Tracer) Wrap(h Handler) Handler {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		return h(t.LambdaContext(ctx), payload)
	}
}

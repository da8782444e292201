package telemetry

import (
	"context"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// DefaultMaxSpans bounds a Recorder.
const DefaultMaxSpans = 50_000

// Attr is one attribute, its value rendered as text.
type Attr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Event is a span event.
type Event struct {
	Name       string    `json:"name"`
	Time       time.Time `json:"time"`
	Attributes []Attr    `json:"attributes,omitempty"`
}

// Span is an ended span as recorded: already through the guard.
type Span struct {
	TraceID       string    `json:"traceId"` // X-Ray form
	SpanID        string    `json:"spanId"`
	ParentID      string    `json:"parentId,omitempty"`
	Service       string    `json:"service"`
	Name          string    `json:"name"`
	Kind          string    `json:"kind"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Status        string    `json:"status"` // unset, ok, error
	StatusMessage string    `json:"statusMessage,omitempty"`
	Attributes    []Attr    `json:"attributes,omitempty"`
	Events        []Event   `json:"events,omitempty"`
}

// Duration is End - Start.
func (s Span) Duration() time.Duration { return s.End.Sub(s.Start) }

// Recorder is a span processor that keeps ended spans in memory, grouped by trace, for the local
// trace view and tests. It holds at most MaxSpans spans: past that it forgets whole traces,
// oldest first, and counts the spans forgotten (Evicted), so a long-running local stack stays
// bounded and a test can tell whether what it scans is complete. Safe for concurrent use.
type Recorder struct {
	maxSpans int

	mu      sync.Mutex
	traces  map[trace.TraceID][]Span
	order   []trace.TraceID // first-seen order, oldest first
	size    int
	evicted int
	refused int
}

// NewRecorder returns an empty Recorder holding at most maxSpans spans (<= 0: DefaultMaxSpans).
func NewRecorder(maxSpans int) *Recorder {
	if maxSpans <= 0 {
		maxSpans = DefaultMaxSpans
	}
	return &Recorder{maxSpans: maxSpans, traces: map[trace.TraceID][]Span{}}
}

// OnStart implements sdktrace.SpanProcessor.
func (*Recorder) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd implements sdktrace.SpanProcessor: it records s through the guard.
func (r *Recorder) OnEnd(s sdktrace.ReadOnlySpan) {
	if !s.SpanContext().IsSampled() {
		return
	}
	g := guard(s)
	sp := toSpan(g)
	id := s.SpanContext().TraceID()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refused += g.refused
	if _, ok := r.traces[id]; !ok {
		r.order = append(r.order, id)
	}
	r.traces[id] = append(r.traces[id], sp)
	r.size++
	for r.size > r.maxSpans {
		oldest := r.order[0]
		if oldest == id && len(r.order) == 1 {
			// One trace larger than the bound: drop its newest span.
			spans := r.traces[id]
			r.traces[id] = spans[:len(spans)-1]
			r.size--
			r.evicted++
			break
		}
		if oldest == id { // keep the trace being written; forget the next oldest
			oldest = r.order[1]
			r.order = slices.Delete(r.order, 1, 2)
		} else {
			r.order = r.order[1:]
		}
		n := len(r.traces[oldest])
		delete(r.traces, oldest)
		r.size -= n
		r.evicted += n
	}
}

// Shutdown implements sdktrace.SpanProcessor.
func (*Recorder) Shutdown(context.Context) error { return nil }

// ForceFlush implements sdktrace.SpanProcessor.
func (*Recorder) ForceFlush(context.Context) error { return nil }

// Trace returns the spans of one trace in the order they ended; nil when unknown.
func (r *Recorder) Trace(id trace.TraceID) []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.traces[id])
}

// TraceIDs lists the recorded traces, newest first.
func (r *Recorder) TraceIDs() []trace.TraceID {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.order)
	slices.Reverse(out)
	return out
}

// Spans returns every recorded span, oldest trace first.
func (r *Recorder) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Span, 0, r.size)
	for _, id := range r.order {
		out = append(out, r.traces[id]...)
	}
	return out
}

// Evicted counts spans forgotten because of the bound.
func (r *Recorder) Evicted() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.evicted
}

// Refused counts names, attributes and messages the guard replaced.
func (r *Recorder) Refused() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refused
}

// Reset forgets everything.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.traces, r.order, r.size, r.evicted, r.refused = map[trace.TraceID][]Span{}, nil, 0, 0, 0
}

func toSpan(s sdktrace.ReadOnlySpan) Span {
	sc := s.SpanContext()
	out := Span{
		TraceID: XRayTraceID(sc.TraceID()),
		SpanID:  sc.SpanID().String(),
		Name:    s.Name(),
		Kind:    s.SpanKind().String(),
		Start:   s.StartTime(),
		End:     s.EndTime(),
		Status:  s.Status().Code.String(),
	}
	out.StatusMessage = s.Status().Description
	if p := s.Parent(); p.SpanID().IsValid() {
		out.ParentID = p.SpanID().String()
	}
	if res := s.Resource(); res != nil {
		if v, ok := res.Set().Value("service.name"); ok {
			out.Service = v.String()
		}
	}
	out.Attributes = attrs(s.Attributes())
	for _, e := range s.Events() {
		out.Events = append(out.Events, Event{Name: e.Name, Time: e.Time, Attributes: attrs(e.Attributes)})
	}
	return out
}

func attrs(kvs []attribute.KeyValue) []Attr {
	if len(kvs) == 0 {
		return nil
	}
	out := make([]Attr, len(kvs))
	for i, kv := range kvs {
		out[i] = Attr{Key: string(kv.Key), Value: kv.Value.String()}
	}
	slices.SortFunc(out, func(a, b Attr) int {
		switch {
		case a.Key < b.Key:
			return -1
		case a.Key > b.Key:
			return 1
		}
		return 0
	})
	return out
}

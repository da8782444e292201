package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// DaemonAddressEnv is the variable Lambda sets (with active tracing) to the X-Ray daemon's address:
// "169.254.79.129:2000", or "tcp:host:port udp:host:port".
const DaemonAddressEnv = "AWS_XRAY_DAEMON_ADDRESS"

// daemonHeader starts every datagram the X-Ray daemon accepts.
const daemonHeader = `{"format":"json","version":1}` + "\n"

// maxDatagram is the largest UDP payload; a larger document is dropped (and counted).
const maxDatagram = 64 * 1024

// XRayExporter sends each span to the X-Ray daemon as a subsegment document over UDP, the daemon's
// own protocol: in Lambda the function's segment is Lambda's, and _X_AMZN_TRACE_ID names it as the
// parent of the invocation's first span, so the steps' spans and legacy calls show under it. It
// needs no SDK and no collector layer (DESIGN.md: the X-Ray SDK is in maintenance). Use it
// through Options.Exporter, which puts the personal-data guard in front of it.
type XRayExporter struct {
	conn net.Conn

	mu      sync.Mutex
	dropped int
}

// NewXRayExporter dials the daemon at address (DaemonAddressEnv's value).
func NewXRayExporter(address string) (*XRayExporter, error) {
	addr := address
	for f := range strings.FieldsSeq(address) {
		if a, ok := strings.CutPrefix(f, "udp:"); ok {
			addr = a
		}
	}
	if strings.ContainsAny(addr, " ") || addr == "" {
		return nil, fmt.Errorf("telemetry: %s %q names no UDP address", DaemonAddressEnv, address)
	}
	var d net.Dialer
	conn, err := d.DialContext(context.Background(), "udp", addr)
	if err != nil {
		return nil, fmt.Errorf("telemetry: dial the X-Ray daemon: %w", err)
	}
	return &XRayExporter{conn: conn}, nil
}

// Dropped counts documents not sent: too large for a datagram.
func (x *XRayExporter) Dropped() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.dropped
}

// subsegment is an X-Ray subsegment document sent on its own (type "subsegment").
type subsegment struct {
	Type        string         `json:"type"`
	Name        string         `json:"name"`
	ID          string         `json:"id"`
	TraceID     string         `json:"trace_id"`
	ParentID    string         `json:"parent_id"`
	StartTime   float64        `json:"start_time"`
	EndTime     float64        `json:"end_time"`
	Namespace   string         `json:"namespace,omitempty"`
	Fault       bool           `json:"fault,omitempty"`
	Annotations map[string]any `json:"annotations,omitempty"`
}

// Document renders one span as the subsegment document the daemon receives. Attributes become
// annotations (X-Ray indexes them; keys use letters, digits and underscores only); the span's
// name keeps the characters X-Ray allows in names.
func Document(s sdktrace.ReadOnlySpan) ([]byte, error) {
	sc := s.SpanContext()
	doc := subsegment{
		Type: "subsegment", Name: xrayName(s.Name()), ID: sc.SpanID().String(),
		TraceID: XRayTraceID(sc.TraceID()), ParentID: s.Parent().SpanID().String(),
		StartTime: epoch(s.StartTime()), EndTime: epoch(s.EndTime()),
		Fault: s.Status().Code == codes.Error,
	}
	if !s.Parent().SpanID().IsValid() {
		return nil, errors.New("telemetry: a span without a parent has no segment to hang from")
	}
	if s.SpanKind() == trace.SpanKindClient {
		doc.Namespace = "remote"
	}
	for _, kv := range s.Attributes() {
		if doc.Annotations == nil {
			doc.Annotations = map[string]any{}
		}
		doc.Annotations[annotationKey(string(kv.Key))] = kv.Value.AsInterface()
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("telemetry: encode subsegment: %w", err)
	}
	return b, nil
}

func epoch(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// xrayName keeps what X-Ray allows in a name (letters, digits, whitespace and _.:/%&#=+\-@),
// replacing anything else ("{vin}" becomes "_vin_"), and at most 200 characters.
func xrayName(s string) string {
	b := []rune(s)
	for i, r := range b {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' || strings.ContainsRune(`_.:/%&#=+\-@`, r)
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}

func annotationKey(k string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, k)
}

// ExportSpans implements sdktrace.SpanExporter: one datagram per span.
func (x *XRayExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	var errs []error
	for _, s := range spans {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("telemetry: export to X-Ray: %w", err)
		}
		doc, err := Document(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(daemonHeader)+len(doc) > maxDatagram {
			x.mu.Lock()
			x.dropped++
			x.mu.Unlock()
			continue
		}
		if _, err := x.conn.Write(append([]byte(daemonHeader), doc...)); err != nil {
			errs = append(errs, fmt.Errorf("telemetry: send to the X-Ray daemon: %w", err))
		}
	}
	return errors.Join(errs...)
}

// Shutdown implements sdktrace.SpanExporter.
func (x *XRayExporter) Shutdown(context.Context) error {
	if err := x.conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("telemetry: close the X-Ray daemon socket: %w", err)
	}
	return nil
}

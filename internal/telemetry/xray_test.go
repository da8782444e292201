package telemetry_test

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/acme-oem/vehicle-data/internal/telemetry"
)

// TestXRayExporterSendsSubsegmentsToTheDaemon exports a step's spans, as the Lambda binary does,
// to a real UDP socket on loopback standing in for the X-Ray daemon: each datagram is the
// daemon's header line and a subsegment of the trace _X_AMZN_TRACE_ID names, the first hanging
// from Lambda's segment (its Parent), the legacy call from the step; names and annotations carry
// no personal data (the guard stands in front of the exporter).
func TestXRayExporterSendsSubsegmentsToTheDaemon(t *testing.T) {
	const vin = "WVWZZZ1JZXW000001"
	var lc net.ListenConfig
	pc, err := lc.ListenPacket(t.Context(), "udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	exp, err := telemetry.NewXRayExporter("tcp:127.0.0.1:1 udp:" + pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	tp, err := telemetry.NewTracerProvider(telemetry.Options{Service: "lambda-fetch-workshop", Exporter: exp})
	if err != nil {
		t.Fatal(err)
	}
	const root, lambdaSegment = "1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8"
	ctx := telemetry.ContextWithHeader(t.Context(), "Root="+root+";Parent="+lambdaSegment+";Sampled=1")
	tracer := tp.Tracer("test")
	ctx, step := tracer.Start(ctx, "fetch-workshop", trace.WithAttributes(attribute.String("faas.step", "fetch-workshop")))
	_, call := tracer.Start(ctx, "workshop", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("legacy.system", "workshop"), attribute.String("legacy.operation", vin)))
	call.SetStatus(codes.Error, "unavailable")
	call.End()
	_, leak := tracer.Start(ctx, "lookup "+vin)
	leak.End()
	step.End()
	if err := tp.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}

	docs := map[string]map[string]any{}
	buf := make([]byte, 70000)
	for len(docs) < 3 {
		_ = pc.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatalf("after %d documents: %v", len(docs), err)
		}
		header, body, ok := strings.Cut(string(buf[:n]), "\n")
		if !ok || header != `{"format":"json","version":1}` {
			t.Fatalf("datagram without the daemon's header: %q", buf[:n])
		}
		if strings.Contains(body, vin) {
			t.Errorf("a document carries the VIN: %s", body)
		}
		var d map[string]any
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			t.Fatal(err)
		}
		if d["type"] != "subsegment" || d["trace_id"] != root {
			t.Errorf("document %s: want a subsegment of trace %s", body, root)
		}
		docs[d["name"].(string)] = d
	}
	s, c := docs["fetch-workshop"], docs["workshop"]
	if s == nil || c == nil || docs[telemetry.RefusedName] == nil {
		t.Fatalf("documents %v: want fetch-workshop, workshop and the refused name", docs)
	}
	if s["parent_id"] != lambdaSegment {
		t.Errorf("the step's parent is %v, want Lambda's segment %s", s["parent_id"], lambdaSegment)
	}
	if c["parent_id"] != s["id"] || c["namespace"] != "remote" || c["fault"] != true {
		t.Errorf("the legacy call %v: want the step's child, remote, a fault", c)
	}
	if a, _ := c["annotations"].(map[string]any); a["legacy_system"] != "workshop" || a["legacy_operation"] == vin {
		t.Errorf("the legacy call's annotations %v", a)
	}
	if st, en := s["start_time"].(float64), s["end_time"].(float64); st <= 0 || en < st {
		t.Errorf("the step runs from %v to %v", st, en)
	}
	if err := tp.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestXRayExporterNeedsAnAddress(t *testing.T) {
	for _, a := range []string{"", "tcp:127.0.0.1:2000 udp:"} {
		if _, err := telemetry.NewXRayExporter(a); err == nil {
			t.Errorf("address %q: no error", a)
		}
	}
}

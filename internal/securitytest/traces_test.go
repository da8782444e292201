package securitytest

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/tracing"
)

// The only annotations and metadata a legacy call's subsegment may carry
// (legacyclients/transport/trace.go): low-cardinality facts, never a value of the request. A new
// key must be added here on purpose, after checking that it cannot carry personal data.
var (
	allowedAnnotations = []string{"attempts", "breaker_state", "http_status", "operation", "outcome", "system"}
	allowedMetadata    = []string{"retries"}
)

// TestTraceSegmentsCarryNoPersonalData drives every path of the canary test (happy, invalid,
// unknown, faulty, retried, panicking step) and looks for its canaries, and every secret any test
// remembered so far, in the trace segments the stack emitted meanwhile. It requires, so that it
// cannot pass vacuously, at least one segment per legacy system and at least one fault segment
// (whose exception text is scanned too); every annotation and metadata key must be allowed.
func TestTraceSegmentsCarryNoPersonalData(t *testing.T) {
	from := segments.Len()
	canaries := runCanaries(t)
	docs := segments.Documents()[from:]
	if len(docs) == 0 {
		t.Fatal("the stack emitted no trace segment: TraceEmitter is not wired")
	}
	if n := segments.Dropped(); n > 0 {
		t.Fatalf("the recorder dropped %d segments: the scan would be incomplete", n)
	}

	// Every document of the run, serialized as emitted, one per line.
	secrets := allSecrets()
	maps.Copy(secrets, canaries)
	for _, leak := range leaksIn(segmentLog(docs), secrets) {
		t.Errorf("a trace segment carries the %s", leak)
	}

	bySystem := map[string]int{}
	faults := 0
	for i, d := range docs {
		var s tracing.Segment
		if err := json.Unmarshal(d, &s); err != nil {
			t.Fatalf("segment %d is not JSON: %v: %s", i, err, d)
		}
		if s.Type != "subsegment" {
			t.Errorf("segment %d: type %q, want subsegment (emitted under a Lambda facade): %s", i, s.Type, d)
		}
		if sys, _ := s.Annotations["system"].(string); sys == s.Name {
			bySystem[s.Name]++
		}
		if s.Fault {
			faults++
		}
		for k := range s.Annotations {
			if !slices.Contains(allowedAnnotations, k) {
				t.Errorf("segment %d (%s): annotation %q is not allowed: %s", i, s.Name, k, d)
			}
		}
		for ns, kv := range s.Metadata {
			for k := range kv {
				if !slices.Contains(allowedMetadata, k) {
					t.Errorf("segment %d (%s): metadata %s.%s is not allowed: %s", i, s.Name, ns, k, d)
				}
			}
		}
	}
	for _, sys := range report.Sources() { // the systems the canary run calls
		if bySystem[string(sys)] == 0 {
			t.Errorf("no trace segment for the legacy system %s: its calls are not traced (got %v)", sys, bySystem)
		}
	}
	if faults == 0 {
		t.Error("no fault segment: the outages of the run were not traced")
	}
	xlog := xrayLogs.String()
	if !strings.Contains(xlog, "Beginning subsegment named") {
		t.Error("the X-Ray SDK logged no debug line: its log capture is not wired")
	}
	if problems := xrayProblems(xlog); len(problems) > 0 {
		t.Errorf("the X-Ray SDK logged problems:\n  %s", strings.Join(problems, "\n  "))
	}
	t.Logf("%d segments (%d faults) over %d legacy systems: %v", len(docs), faults, len(bySystem), bySystem)
}

// segmentLog joins segment documents into one JSON document per line, the shape leaksIn scans.
func segmentLog(docs [][]byte) string {
	var b strings.Builder
	for _, d := range docs {
		b.Write(d)
		b.WriteByte('\n')
	}
	return b.String()
}

// xrayProblems lists the lines of the X-Ray SDK's log at warning level or above, and any line
// about a missing context (the SDK logs those at error level by default).
func xrayProblems(log string) []string {
	var out []string
	for line := range strings.Lines(log) {
		if strings.Contains(line, "[WARN]") || strings.Contains(line, "[ERROR]") ||
			strings.Contains(strings.ToLower(line), "context missing") ||
			strings.Contains(line, "segment cannot be found") {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}

package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/acme-oem/vehicle-data/internal/telemetry"
)

func TestNewLoggerFormatsLevelsAndIDs(t *testing.T) {
	var buf bytes.Buffer
	log, err := telemetry.NewLogger(&buf, "json", "warn")
	if err != nil {
		t.Fatal(err)
	}
	log = slog.New(telemetry.LogHandler(log.Handler())) // wrapped twice, as the stack does
	ctx := telemetry.WithRequestID(context.Background(), "req-1")
	log.InfoContext(ctx, "hidden")
	log.WarnContext(ctx, "shown")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("one JSON line wanted: %v: %q", err, buf.String())
	}
	if rec["msg"] != "shown" || rec["requestId"] != "req-1" || strings.Count(buf.String(), "req-1") != 1 {
		t.Errorf("got %v, want the warning with requestId req-1", rec)
	}

	buf.Reset()
	log, err = telemetry.NewLogger(&buf, "", "")
	if err != nil {
		t.Fatal(err)
	}
	log.InfoContext(ctx, "readable")
	if got := buf.String(); !strings.Contains(got, "msg=readable") || !strings.Contains(got, "requestId=req-1") {
		t.Errorf("text format: %q", got)
	}

	for _, c := range [][2]string{{"yaml", ""}, {"json", "loud"}} {
		if _, err := telemetry.NewLogger(&buf, c[0], c[1]); err == nil {
			t.Errorf("NewLogger(%q, %q) accepted a bad setting", c[0], c[1])
		}
	}
}

// passThrough is a decorator between two LogHandlers, as the local stack's log meter is.
type passThrough struct{ slog.Handler }

func (p passThrough) WithAttrs(as []slog.Attr) slog.Handler {
	return passThrough{p.Handler.WithAttrs(as)}
}

// The ids appear once even when a LogHandler wraps another handler that wraps a LogHandler (the
// local stack meters log bytes between the product's logger and its own): a duplicated key is
// a line Logs Insights reads ambiguously and bills twice.
func TestLogHandlerAddsEachIDOnceThroughADecorator(t *testing.T) {
	var buf bytes.Buffer
	inner, err := telemetry.NewLogger(&buf, "text", "")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(telemetry.LogHandler(passThrough{inner.Handler()})).With("step", "x")
	ctx := telemetry.WithRequestID(context.Background(), "req-1")
	log.InfoContext(ctx, "once")
	if got := buf.String(); strings.Count(got, "requestId=req-1") != 1 || !strings.Contains(got, "step=x") {
		t.Errorf("want requestId once and the logger's own attributes: %q", got)
	}

	// A request id the caller logs itself still gets the trace ids of the span in its context.
	buf.Reset()
	tp := sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	ctx, span := tp.Tracer("test").Start(ctx, "op")
	defer span.End()
	log.InfoContext(ctx, "explicit", "requestId", "req-2")
	if got := buf.String(); strings.Count(got, "requestId=") != 1 || strings.Count(got, "traceId=") != 1 || strings.Count(got, "spanId=") != 1 {
		t.Errorf("want each id once: %q", got)
	}
}

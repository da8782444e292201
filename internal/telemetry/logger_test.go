package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

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

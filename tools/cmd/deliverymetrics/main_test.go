package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

func TestRunPrintsTheSummaryForTheWindow(t *testing.T) {
	in, err := os.ReadFile("../../deliverymetrics/testdata/runs.json")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{"-days", "7", "-until", "2026-11-08T00:00:00Z"}, bytes.NewReader(in), &out, time.Now()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2026-11-01 to 2026-11-08 (7 days)") || !strings.Contains(out.String(), "3 to production") {
		t.Errorf("output:\n%s", out.String())
	}
	for _, bad := range [][]string{{"-days", "0"}, {"-until", "yesterday"}, {"extra"}} {
		if err := run(bad, strings.NewReader(""), &out, time.Now()); err == nil {
			t.Errorf("run(%q) accepted it", bad)
		}
	}
}

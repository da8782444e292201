package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunPrintsResult(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	def := write(t, dir, "def.json", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"v.$":"$.x"},"End":true}}}`)
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"run", def}, strings.NewReader(`{"x":7}`), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if got["status"] != "SUCCEEDED" || got["output"].(map[string]any)["v"] != float64(7) {
		t.Fatalf("got %v", got)
	}

	fail := write(t, dir, "fail.json", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}}`)
	out.Reset()
	if code := run(t.Context(), []string{"run", fail, def}, nil, &out, &errb); code != 1 {
		t.Fatalf("a failed execution must exit 1, got %d", code)
	}
	if !strings.Contains(out.String(), `"status":"FAILED","error":"E","cause":"C"`) {
		t.Fatalf("got %s", out.String())
	}

	out.Reset()
	errb.Reset()
	if code := run(t.Context(), []string{"run", def}, strings.NewReader(`{not json`), &out, &errb); code != 1 || !strings.Contains(errb.String(), "not valid JSON") {
		t.Fatalf("invalid input: exit %d, stderr %q", code, errb.String())
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := write(t, dir, "bad.json", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}`)
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"validate", bad}, nil, &out, &errb); code == 0 {
		t.Fatal("an invalid definition must exit non-zero")
	}
	if !strings.Contains(out.String(), "Missing 'Next' target: Nowhere at /States/A/Next") {
		t.Fatalf("got %q", out.String())
	}
	good := write(t, dir, "good.json", `{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`)
	out.Reset()
	if code := run(t.Context(), []string{"validate", good}, nil, &out, &errb); code != 0 {
		t.Fatalf("valid definition: exit %d, %s", code, out.String())
	}
}

func TestConformSummary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "a_pass.json", `{"name":"a_pass","definition":{"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"End":true}}},"input":{},"expected":{"status":"SUCCEEDED","output":1.0}}`)
	write(t, dir, "b_fail.json", `{"name":"b_fail","definition":{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},"input":{},"expected":{"status":"FAILED","error":"X"}}`)
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"conform", dir}, nil, &out, &errb); code != 0 {
		t.Fatalf("conform must exit 0 whatever the results, got %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || lines[2] != "1 passed, 1 failed" {
		t.Fatalf("got %q", out.String())
	}
	var first struct {
		Name string `json:"name"`
		Pass bool   `json:"pass"`
		Got  any    `json:"got"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Name != "a_pass" || !first.Pass || first.Got == nil {
		t.Fatalf("first line %q: %v", lines[0], err)
	}
}

// syncBuffer is a bytes.Buffer safe to read while serve writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeAnswersTheStepFunctionsAPIUntilInterrupted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0"}, nil, &out, &errb) }()
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == ""; {
		if m := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no endpoint printed: %q %q", out.String(), errb.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(`{"definition":"{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Succeed\"}}}"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.ValidateStateMachineDefinition")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"result":"OK"`) {
		t.Fatalf("validate: %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop when interrupted")
	}
}

package dynalite

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStartServesDynamoDBAndStopEndsIt(t *testing.T) {
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, s.Endpoint, strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=x")
	req.Header.Set("X-Amz-Date", "20260101T000000Z")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "TableNames") {
		t.Fatalf("ListTables: %d %s", resp.StatusCode, body)
	}
	s.Stop()
	s.Stop() // idempotent
	if resp, err := http.DefaultClient.Do(req.Clone(context.Background())); err == nil {
		_ = resp.Body.Close()
		t.Fatal("server still answers after Stop")
	}
	if _, err := os.Stat(s.tempDir); !os.IsNotExist(err) {
		t.Fatalf("temporary data dir left behind: %v", err)
	}
}

func TestFindStopsAtModuleRootWithClearError(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(sub, 0o750); err != nil {
		t.Fatal(err)
	}
	_, err := Find(sub)
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "npm ci") {
		t.Fatalf("Find = %v, want ErrNotInstalled telling how to install", err)
	}
	if _, err := Start(context.Background(), Options{Dir: sub}); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("Start = %v, want ErrNotInstalled", err)
	}
}

func TestFindWalksUpFromSubdirectory(t *testing.T) {
	got, err := Find(".")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(got, filepath.Join("dynalite", "cli.js")) {
		t.Fatalf("Find = %s", got)
	}
}

func TestStartWithoutNodeSaysSo(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Start(context.Background(), Options{})
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "node") {
		t.Fatalf("Start = %v, want ErrNotInstalled naming node", err)
	}
}

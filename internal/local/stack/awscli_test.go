package stack_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
)

// awsCLI sends one Step Functions call the way `aws stepfunctions ... --endpoint-url` does
// (botocore's JSON 1.0 protocol, its headers, a SigV4 signature the server cannot check) and
// returns the status and the decoded answer.
func awsCLI(t *testing.T, endpoint, operation string, params map[string]any) (int, map[string]any) {
	t.Helper()
	body, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	req.Header.Set("X-Amz-Target", "AWSStepFunctions."+operation)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("User-Agent", "aws-cli/2.22.0 md/awscrt#0.23.4 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#stepfunctions."+operation)
	req.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=local/"+now.Format("20060102")+
		"/us-east-1/states/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: answer %q is not JSON: %v", operation, b, err)
	}
	return res.StatusCode, out
}

// awsCLIRequests runs what the README and the banner show against a running stack:
// create-state-machine, start-sync-execution of it, and start-sync-execution of the report
// machine with the banner's input (the real handlers behind it).
func awsCLIRequests(t *testing.T, endpoint, banner string) {
	status, out := awsCLI(t, endpoint, "CreateStateMachine", map[string]any{
		"name": "hello", "type": "EXPRESS", "roleArn": "arn:aws:iam::123456789012:role/local",
		"definition": `{"StartAt":"Hi","States":{"Hi":{"Type":"Pass","Parameters":{"greeting.$":"$.who"},"End":true}}}`,
	})
	if status != http.StatusOK || out["stateMachineArn"] != "arn:aws:states:us-east-1:123456789012:stateMachine:hello" {
		t.Fatalf("create-state-machine: %d %v", status, out)
	}
	status, out = awsCLI(t, endpoint, "StartSyncExecution", map[string]any{
		"stateMachineArn": out["stateMachineArn"], "input": `{"who":"world"}`,
	})
	if status != http.StatusOK || out["status"] != "SUCCEEDED" || out["output"] != `{"greeting":"world"}` {
		t.Errorf("start-sync-execution hello: %d %v", status, out)
	}

	status, out = awsCLI(t, endpoint, "ListStateMachines", map[string]any{})
	if status != http.StatusOK || !strings.Contains(toJSON(t, out), `"name":"vehicle-report"`) {
		t.Errorf("list-state-machines lacks the loaded vehicle-report: %d %v", status, out)
	}

	// The banner's own command, its input taken from the banner.
	var line string
	for l := range strings.SplitSeq(banner, "\n") {
		if strings.Contains(l, "start-sync-execution") {
			line = l
		}
	}
	arn, input := between(line, "--state-machine-arn ", " "), between(line, "--input '", "'")
	if arn == "" || input == "" {
		t.Fatalf("no start-sync-execution command with an ARN and an input in the banner:\n%s", banner)
	}
	status, out = awsCLI(t, endpoint, "StartSyncExecution", map[string]any{"stateMachineArn": arn, "input": input})
	if status != http.StatusOK || out["status"] != "SUCCEEDED" {
		t.Fatalf("the banner's start-sync-execution: %d %v", status, out)
	}
	var report map[string]any
	if err := json.Unmarshal([]byte(out["output"].(string)), &report); err != nil || report["vin"] != string(world.DemoClean) || report["access"] != "public" {
		t.Errorf("the banner's start-sync-execution output: %v %v", out["output"], err)
	}

	status, out = awsCLI(t, endpoint, "StartSyncExecution", map[string]any{
		"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:nope", "input": "{}",
	})
	if status != http.StatusBadRequest || out["__type"] != "StateMachineDoesNotExist" {
		t.Errorf("an unknown machine: %d %v, want 400 StateMachineDoesNotExist", status, out)
	}
}

func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

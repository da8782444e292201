package stack

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// captureHTTP records the request the client would send and sends nothing: the switch to a
// deployed region is tested by configuration alone, without network.
type captureHTTP struct {
	req  *http.Request
	body []byte
}

var errNotSent = errors.New("not sent: captured by the test")

func (c *captureHTTP) Do(r *http.Request) (*http.Response, error) {
	c.req = r
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		c.body = b
	}
	return nil, errNotSent
}

func capturedStart(t *testing.T, cfg StepFunctions, localURL string) (*http.Request, map[string]string) {
	t.Helper()
	// The default chain finds these, so no credential source (IMDS, SSO) is asked.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	x, err := stepFunctionsExecutor(t.Context(), cfg, localURL, &sync.Map{})
	if err != nil {
		t.Fatal(err)
	}
	capture := &captureHTTP{}
	x.Client = sfn.New(x.Client.Options(), func(o *sfn.Options) { o.HTTPClient = capture })
	_, err = x.StartSyncExecution(t.Context(), "vehicle-report", []byte(`{"pathParameters":{}}`))
	if !errors.Is(err, errNotSent) {
		t.Fatalf("StartSyncExecution: %v, want the captured request", err)
	}
	if capture.req == nil {
		t.Fatal("no request")
	}
	body := capture.body
	var fields map[string]string
	if err := json.Unmarshal(body, &fields); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	return capture.req, fields
}

// TestStepFunctionsDeployedRegion: an ARN prefix sends the gateway's StartSyncExecution to that
// region's sync endpoint for the stage's machine, signed for that region, once (no retry).
func TestStepFunctionsDeployedRegion(t *testing.T) {
	req, fields := capturedStart(t, StepFunctions{
		ARNPrefix: "arn:aws:states:eu-central-1:111111111111:stateMachine:vehicle-data-alice-",
	}, "http://127.0.0.1:1")
	if req.URL.Host != "sync-states.eu-central-1.amazonaws.com" || req.URL.Scheme != "https" {
		t.Errorf("endpoint %s, want https://sync-states.eu-central-1.amazonaws.com", req.URL)
	}
	if got := fields["stateMachineArn"]; got != "arn:aws:states:eu-central-1:111111111111:stateMachine:vehicle-data-alice-vehicle-report" {
		t.Errorf("stateMachineArn %q", got)
	}
	if got := req.Header.Get("X-Amz-Target"); got != "AWSStepFunctions.StartSyncExecution" {
		t.Errorf("X-Amz-Target %q", got)
	}
	if auth := req.Header.Get("Authorization"); !strings.Contains(auth, "AKIDEXAMPLE/") || !strings.Contains(auth, "/eu-central-1/states/aws4_request") {
		t.Errorf("Authorization %q: want a SigV4 signature for eu-central-1 states", auth)
	}
}

// TestStepFunctionsEndpointOverride: an endpoint with the prefix goes to that endpoint, without
// the sync- host prefix; without a prefix the gateway calls the local engine's API.
func TestStepFunctionsEndpointOverride(t *testing.T) {
	req, fields := capturedStart(t, StepFunctions{
		ARNPrefix: "arn:aws:states:eu-west-1:222222222222:stateMachine:vehicle-data-qa-",
		Endpoint:  "http://127.0.0.1:9999",
	}, "http://127.0.0.1:1")
	if req.URL.Host != "127.0.0.1:9999" {
		t.Errorf("host %s, want the endpoint's", req.URL.Host)
	}
	if got := fields["stateMachineArn"]; got != "arn:aws:states:eu-west-1:222222222222:stateMachine:vehicle-data-qa-vehicle-report" {
		t.Errorf("stateMachineArn %q", got)
	}

	req, fields = capturedStart(t, StepFunctions{}, "http://127.0.0.1:8083")
	if req.URL.Host != "127.0.0.1:8083" {
		t.Errorf("local host %s, want the engine's API", req.URL.Host)
	}
	if got := fields["stateMachineArn"]; got != stateMachineArn("vehicle-report") {
		t.Errorf("local stateMachineArn %q", got)
	}
	// The local engine checks no signature, so the client spends nothing on one; a deployed
	// stage gets SigV4.
	if auth := req.Header.Get("Authorization"); auth != "" {
		t.Errorf("local request signed: %s", auth)
	}
	deployed, _ := capturedStart(t, StepFunctions{ARNPrefix: "arn:aws:states:eu-west-1:222222222222:stateMachine:vehicle-data-qa-"}, "")
	if auth := deployed.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") {
		t.Errorf("deployed request not signed: %q", auth)
	}
}

// TestStepFunctionsBadARNPrefix: a prefix that is not a state machine ARN stops the start,
// naming the shape it wants.
func TestStepFunctionsBadARNPrefix(t *testing.T) {
	for _, p := range []string{
		"vehicle-data-alice-",
		"arn:aws:states:eu-central-1:1111:stateMachine:x-",
		"arn:aws:lambda:eu-central-1:111111111111:function:x",
		"arn:aws:states:eu-central-1:111111111111:stateMachine:has space",
	} {
		_, err := stepFunctionsExecutor(t.Context(), StepFunctions{ARNPrefix: p}, "http://127.0.0.1:1", &sync.Map{})
		if err == nil || !strings.Contains(err.Error(), "want arn:aws:states:<region>") {
			t.Errorf("%q: %v, want an error naming the ARN shape", p, err)
		}
	}
}

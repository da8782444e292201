package gateway_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/acme-oem/vehicle-data/internal/local/gateway"
	"github.com/acme-oem/vehicle-data/statemachines/engine"
	"github.com/acme-oem/vehicle-data/statemachines/engine/server"
)

// TestStepFunctionsExecutor: the gateway's Executor over the sfn client against the engine's
// Step Functions API (a real HTTP server): the outcome of each execution as StartSyncExecution
// reports it, and an API error (unknown machine) as an error, not a result.
func TestStepFunctionsExecutor(t *testing.T) {
	srv := server.New(engine.New(engine.Options{}))
	t.Cleanup(srv.Close)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	machines := map[string]string{
		"echo": `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"vin.$":"$.vin","b":2,"a":1},"End":true}}}`,
		"fail": `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"VehicleData.NotFound","Cause":"{\"code\":\"NotFound\"}"}}}`,
	}
	for name, def := range machines {
		if _, err := srv.Load(name, []byte(def), nil, "EXPRESS", "arn:aws:iam::123456789012:role/r"); err != nil {
			t.Fatal(err)
		}
	}
	client := sfn.NewFromConfig(aws.Config{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""),
	}, server.Endpoint(hs.URL))
	x := gateway.StepFunctions{Client: client, ARN: func(n string) string {
		return "arn:aws:states:us-east-1:123456789012:stateMachine:" + n
	}}

	res, err := x.StartSyncExecution(t.Context(), "echo", []byte(`{"vin":"V1"}`))
	var out map[string]any
	if err != nil || res.Status != gateway.StatusSucceeded || json.Unmarshal([]byte(res.Output), &out) != nil ||
		!reflect.DeepEqual(out, map[string]any{"vin": "V1", "a": 1.0, "b": 2.0}) {
		t.Errorf("echo: %+v %v", res, err)
	}
	res, err = x.StartSyncExecution(t.Context(), "fail", []byte(`{}`))
	if err != nil || res.Status != gateway.StatusFailed || res.Error != "VehicleData.NotFound" || res.Cause != `{"code":"NotFound"}` {
		t.Errorf("fail: %+v %v", res, err)
	}
	if res, err := x.StartSyncExecution(t.Context(), "nope", []byte(`{}`)); err == nil {
		t.Errorf("unknown machine: %+v, want an error", res)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := x.StartSyncExecution(ctx, "echo", []byte(`{}`)); err == nil {
		t.Error("ended context: no error")
	}
	if _, err := (gateway.StepFunctions{}).StartSyncExecution(t.Context(), "echo", nil); err == nil {
		t.Error("no client: no error")
	}
}

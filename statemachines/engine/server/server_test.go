package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"go.uber.org/goleak"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
	"github.com/acme-oem/vehicle-data/statemachines/engine/server"
)

const role = "arn:aws:iam::123456789012:role/StepFunctions"

// stack is a server on loopback and an SDK client signed with made-up credentials.
type stack struct {
	client *sfn.Client
	url    string
	close  func()
}

var epochStart = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func newStack(t testing.TB, opts engine.Options) *stack {
	srv := server.New(engine.New(opts))
	hs := httptest.NewServer(srv)
	closeAll := func() {
		hs.Close()
		srv.Close()
	}
	if tt, ok := t.(*testing.T); ok && tt.Name() != "" {
		tt.Cleanup(closeAll)
	}
	client := sfn.New(sfn.Options{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "local-secret"}, nil
		}),
		RetryMaxAttempts: 1,
	}, server.Endpoint(hs.URL))
	return &stack{client: client, url: hs.URL, close: closeAll}
}

func (s *stack) create(t *testing.T, name, typ, def string) string {
	t.Helper()
	out, err := s.client.CreateStateMachine(t.Context(), &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(role), Type: types.StateMachineType(typ),
	})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return aws.ToString(out.StateMachineArn)
}

// apiCode is the AWS error code the SDK decoded.
func apiCode(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an API error, got %v", err)
	}
	return ae.ErrorCode()
}

const greeterDef = `{"StartAt":"A","States":{
	"A":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('hello {}', $.who)"},"Next":"B"},
	"B":{"Type":"Pass","End":true}}}`

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCreateDescribeListStartSync(t *testing.T) {
	t.Parallel()
	s := newStack(t, engine.Options{})
	arn := s.create(t, "greeter", "EXPRESS", greeterDef)
	if arn != "arn:aws:states:us-east-1:123456789012:stateMachine:greeter" {
		t.Fatalf("arn %s", arn)
	}
	d, err := s.client.DescribeStateMachine(t.Context(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Definition) != greeterDef || d.Type != types.StateMachineTypeExpress || d.Status != types.StateMachineStatusActive || aws.ToString(d.RoleArn) != role {
		t.Fatalf("describe: %+v", d)
	}
	l, err := s.client.ListStateMachines(t.Context(), &sfn.ListStateMachinesInput{})
	if err != nil || len(l.StateMachines) != 1 || aws.ToString(l.StateMachines[0].Name) != "greeter" {
		t.Fatalf("list: %+v %v", l, err)
	}

	res, err := s.client.StartSyncExecution(t.Context(), &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(`{"who":"world"}`), Name: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != types.SyncExecutionStatusSucceeded || aws.ToString(res.Output) != `{"greeting":"hello world"}` {
		t.Fatalf("sync: %s %s %s", res.Status, aws.ToString(res.Output), aws.ToString(res.Cause))
	}
	if !strings.HasPrefix(aws.ToString(res.ExecutionArn), "arn:aws:states:us-east-1:123456789012:express:greeter:first:") || res.StartDate == nil || res.StopDate == nil {
		t.Fatalf("sync shape: %+v", res)
	}

	// The same name and definition again is idempotent; another definition under it is not.
	if again := s.create(t, "greeter", "EXPRESS", greeterDef); again != arn {
		t.Fatalf("idempotent create gave %s", again)
	}
	_, err = s.client.CreateStateMachine(t.Context(), &sfn.CreateStateMachineInput{Name: aws.String("greeter"), Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`), RoleArn: aws.String(role), Type: types.StateMachineTypeExpress})
	if code := apiCode(t, err); code != "StateMachineAlreadyExists" {
		t.Fatalf("code %s", code)
	}
}

func TestSyncFailureCarriesAWSCause(t *testing.T) {
	t.Parallel()
	s := newStack(t, engine.Options{})
	arn := s.create(t, "failing", "EXPRESS", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","InputPath":"$.missing","End":true}}}`)
	res, err := s.client.StartSyncExecution(t.Context(), &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != types.SyncExecutionStatusFailed || aws.ToString(res.Error) != "States.Runtime" ||
		!strings.Contains(aws.ToString(res.Cause), "'B' (entered at the event id #4)") {
		t.Fatalf("got %s %s %s", res.Status, aws.ToString(res.Error), aws.ToString(res.Cause))
	}
}

func TestStartAsyncPollAndHistory(t *testing.T) {
	t.Parallel()
	s := newStack(t, engine.Options{Functions: engine.FunctionMap{
		"double": func(_ context.Context, payload []byte) ([]byte, error) {
			var in struct{ N int }
			if err := json.Unmarshal(payload, &in); err != nil {
				return nil, err
			}
			return []byte(`{"n":` + strconv.Itoa(2*in.N) + `}`), nil
		},
	}})
	arn := s.create(t, "doubler", "STANDARD", `{"StartAt":"Double","States":{
		"Double":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:double","Next":"Check"},
		"Check":{"Type":"Pass","InputPath":"$.nope","End":true}}}`)
	start, err := s.client.StartExecution(t.Context(), &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(`{"N":21}`), Name: aws.String("run-1")})
	if err != nil {
		t.Fatal(err)
	}
	execArn := aws.ToString(start.ExecutionArn)
	if execArn != "arn:aws:states:us-east-1:123456789012:execution:doubler:run-1" {
		t.Fatalf("execution arn %s", execArn)
	}
	d := poll(t, s, execArn)
	if d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "States.Runtime" || aws.ToString(d.Input) != `{"N":21}` {
		t.Fatalf("describe: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	// The cause cites the event id of Check's entry; the history holds that event.
	m := regexp.MustCompile(`entered at the event id #(\d+)`).FindStringSubmatch(aws.ToString(d.Cause))
	if m == nil {
		t.Fatalf("cause without an event id: %s", aws.ToString(d.Cause))
	}
	h, err := s.client.GetExecutionHistory(t.Context(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(execArn)})
	if err != nil {
		t.Fatal(err)
	}
	var typesSeen []string
	var cited *types.HistoryEvent
	for i, ev := range h.Events {
		typesSeen = append(typesSeen, string(ev.Type))
		if strconv.FormatInt(ev.Id, 10) == m[1] {
			cited = &h.Events[i]
		}
		if i > 0 && ev.PreviousEventId != h.Events[i-1].Id {
			t.Errorf("event %d: previous %d, want %d", ev.Id, ev.PreviousEventId, h.Events[i-1].Id)
		}
	}
	want := "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSucceeded TaskStateExited PassStateEntered ExecutionFailed"
	if got := strings.Join(typesSeen, " "); got != want {
		t.Fatalf("history\n got: %s\nwant: %s", got, want)
	}
	if cited == nil || cited.Type != types.HistoryEventTypePassStateEntered || aws.ToString(cited.StateEnteredEventDetails.Name) != "Check" ||
		aws.ToString(cited.StateEnteredEventDetails.Input) != `{"n":42}` {
		t.Fatalf("cited event: %+v", cited)
	}
	if ts := h.Events[2].TaskScheduledEventDetails; ts == nil || aws.ToString(ts.ResourceType) != "lambda" || aws.ToString(ts.Parameters) != `{"N":21}` {
		t.Fatalf("TaskScheduled details: %+v", ts)
	}
	if ef := h.Events[len(h.Events)-1].ExecutionFailedEventDetails; ef == nil || aws.ToString(ef.Error) != "States.Runtime" {
		t.Fatalf("ExecutionFailed details: %+v", ef)
	}

	l, err := s.client.ListExecutions(t.Context(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(arn)})
	if err != nil || len(l.Executions) != 1 || l.Executions[0].Status != types.ExecutionStatusFailed {
		t.Fatalf("list executions: %+v %v", l, err)
	}
	_, err = s.client.StartExecution(t.Context(), &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("run-1")})
	if code := apiCode(t, err); code != "ExecutionAlreadyExists" {
		t.Fatalf("reused name: %s", code)
	}
	// Express machines answer StartSyncExecution; a standard one refuses it as AWS does.
	_, err = s.client.StartSyncExecution(t.Context(), &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn)})
	if code := apiCode(t, err); code != "StateMachineTypeNotSupported" {
		t.Fatalf("sync on standard: %s", code)
	}
}

func poll(t *testing.T, s *stack, execArn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := s.client.DescribeExecution(t.Context(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execArn)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != types.ExecutionStatusRunning {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s still running", execArn)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A callback task waits for SendTaskSuccess or SendTaskFailure with the token its function
// received; StopExecution ends a waiting execution.
func TestCallbacksWithTaskTokens(t *testing.T) {
	t.Parallel()
	tokens := make(chan string, 4)
	s := newStack(t, engine.Options{Functions: engine.FunctionMap{
		"notify": func(_ context.Context, payload []byte) ([]byte, error) {
			var in struct{ Token string }
			if err := json.Unmarshal(payload, &in); err != nil {
				return nil, err
			}
			tokens <- in.Token
			return []byte(`{}`), nil
		},
	}})
	def := `{"StartAt":"Wait","States":{"Wait":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"Parameters":{"FunctionName":"notify","Payload":{"Token.$":"$$.Task.Token"}},"HeartbeatSeconds":30,"TimeoutSeconds":60,"End":true}}}`
	arn := s.create(t, "callback", "STANDARD", def)

	start := func(name string) (string, string) {
		out, err := s.client.StartExecution(t.Context(), &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case tok := <-tokens:
			return aws.ToString(out.ExecutionArn), tok
		case <-time.After(10 * time.Second):
			t.Fatal("the task never received its token")
		}
		return "", ""
	}

	ok, tok := start("succeeds")
	if _, err := s.client.SendTaskHeartbeat(t.Context(), &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(tok)}); err != nil {
		t.Fatal(err)
	}
	_, err := s.client.SendTaskSuccess(t.Context(), &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(`{"approved":true}`)})
	if err != nil {
		t.Fatal(err)
	}
	if d := poll(t, s, ok); d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"approved":true}` {
		t.Fatalf("after success: %s %s", d.Status, aws.ToString(d.Output))
	}
	// The token is spent: a second answer finds no task.
	_, err = s.client.SendTaskSuccess(t.Context(), &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(`{}`)})
	if code := apiCode(t, err); code != "TaskDoesNotExist" {
		t.Fatalf("spent token: %s", code)
	}

	failed, tok := start("fails")
	_, err = s.client.SendTaskFailure(t.Context(), &sfn.SendTaskFailureInput{TaskToken: aws.String(tok), Error: aws.String("Rejected"), Cause: aws.String("by the owner")})
	if err != nil {
		t.Fatal(err)
	}
	if d := poll(t, s, failed); d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "Rejected" || aws.ToString(d.Cause) != "by the owner" {
		t.Fatalf("after failure: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}

	stopped, _ := start("stopped")
	if _, err := s.client.StopExecution(t.Context(), &sfn.StopExecutionInput{ExecutionArn: aws.String(stopped), Error: aws.String("Cancelled"), Cause: aws.String("test")}); err != nil {
		t.Fatal(err)
	}
	if d := poll(t, s, stopped); d.Status != types.ExecutionStatusAborted || aws.ToString(d.Error) != "Cancelled" {
		t.Fatalf("after stop: %s %s", d.Status, aws.ToString(d.Error))
	}
}

func TestErrorsNameTheRuleAndChangeNothing(t *testing.T) {
	t.Parallel()
	s := newStack(t, engine.Options{})
	ctx := t.Context()
	unknown := "arn:aws:states:us-east-1:123456789012:stateMachine:nobody"
	for _, tc := range []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"invalid definition", func() error {
			_, err := s.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bad"), RoleArn: aws.String(role), Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}`)})
			return err
		}, "InvalidDefinition", "Missing 'Next' target: Nowhere at /States/A/Next"},
		{"definition not JSON", func() error {
			_, err := s.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bad"), RoleArn: aws.String(role), Definition: aws.String(`{not json`)})
			return err
		}, "InvalidDefinition", "INVALID_JSON_DESCRIPTION"},
		{"invalid name", func() error {
			_, err := s.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("has space"), RoleArn: aws.String(role), Definition: aws.String(greeterDef)})
			return err
		}, "InvalidName", "has space"},
		{"unknown state machine", func() error {
			_, err := s.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(unknown)})
			return err
		}, "StateMachineDoesNotExist", unknown},
		{"describe unknown", func() error {
			_, err := s.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(unknown)})
			return err
		}, "StateMachineDoesNotExist", unknown},
		{"malformed arn", func() error {
			_, err := s.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String("arn:nope")})
			return err
		}, "InvalidArn", "arn:nope"},
		{"unknown execution", func() error {
			_, err := s.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:execution:nobody:x")})
			return err
		}, "ExecutionDoesNotExist", "nobody:x"},
		{"unknown task token", func() error {
			_, err := s.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("no-such-token"), Output: aws.String(`{}`)})
			return err
		}, "TaskDoesNotExist", "not waiting"},
	} {
		err := tc.call()
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != tc.code || !strings.Contains(ae.ErrorMessage(), tc.msg) {
			t.Errorf("%s: got %v, want %s containing %q", tc.name, err, tc.code, tc.msg)
		}
	}
	l, err := s.client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	if err != nil || len(l.StateMachines) != 0 {
		t.Fatalf("rejected calls created something: %+v %v", l, err)
	}

	arn := s.create(t, "strict", "EXPRESS", greeterDef)
	_, err = s.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(`{"who":`)})
	if code := apiCode(t, err); code != "InvalidExecutionInput" {
		t.Fatalf("bad input: %s", code)
	}
	big := `{"x":"` + strings.Repeat("a", engine.MaxPayloadBytes) + `"}`
	_, err = s.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(big)})
	if code := apiCode(t, err); code != "InvalidExecutionInput" {
		t.Fatalf("oversized input: %s", code)
	}
}

func TestValidateUpdateDeleteAndTestState(t *testing.T) {
	t.Parallel()
	s := newStack(t, engine.Options{})
	ctx := t.Context()
	v, err := s.client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if v.Result != types.ValidateStateMachineDefinitionResultCodeFail || len(v.Diagnostics) == 0 || aws.ToString(v.Diagnostics[0].Location) != "/States/A" {
		t.Fatalf("validate: %+v", v)
	}
	v, err = s.client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(greeterDef)})
	if err != nil || v.Result != types.ValidateStateMachineDefinitionResultCodeOk {
		t.Fatalf("validate ok: %+v %v", v, err)
	}

	arn := s.create(t, "changing", "EXPRESS", greeterDef)
	if _, err := s.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn), Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"v2","End":true}}}`)}); err != nil {
		t.Fatal(err)
	}
	res, err := s.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn)})
	if err != nil || aws.ToString(res.Output) != `"v2"` {
		t.Fatalf("after update: %v %v", res, err)
	}
	_, err = s.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn), Definition: aws.String(`{"StartAt":"X","States":{}}`)})
	if code := apiCode(t, err); code != "InvalidDefinition" {
		t.Fatalf("bad update: %s", code)
	}
	if res, err = s.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn)}); err != nil || aws.ToString(res.Output) != `"v2"` {
		t.Fatalf("a rejected update changed the machine: %v %v", res, err)
	}
	if _, err := s.client.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn)})
	if code := apiCode(t, err); code != "StateMachineDoesNotExist" {
		t.Fatalf("after delete: %s", code)
	}

	ts, err := s.client.TestState(ctx, &sfn.TestStateInput{
		Definition: aws.String(`{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.a, $.b)"},"Next":"Later"}`),
		RoleArn:    aws.String(role), Input: aws.String(`{"a":2,"b":3}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if ts.Status != types.TestExecutionStatusSucceeded || aws.ToString(ts.Output) != `{"sum":5}` || aws.ToString(ts.NextState) != "Later" {
		t.Fatalf("test state: %s %s %s", ts.Status, aws.ToString(ts.Output), aws.ToString(ts.NextState))
	}
	ts, err = s.client.TestState(ctx, &sfn.TestStateInput{Definition: aws.String(`{"Type":"Fail","Error":"E","Cause":"C"}`), RoleArn: aws.String(role)})
	if err != nil || ts.Status != types.TestExecutionStatusFailed || aws.ToString(ts.Error) != "E" {
		t.Fatalf("test fail state: %+v %v", ts, err)
	}
}

// The protocol itself: any signature is accepted, an unknown operation is a 400 in AWS's shape.
func TestProtocolShapes(t *testing.T) {
	t.Parallel()
	s := newStack(t, engine.Options{})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.url, strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.DoSomethingElse")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=whatever/20240101/us-east-1/states/aws4_request, SignedHeaders=host, Signature=deadbeef")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest || body["__type"] != "UnknownOperationException" || resp.Header.Get("Content-Type") != "application/x-amz-json-1.0" {
		t.Fatalf("got %d %v %s", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	for _, bad := range []string{`[1,2]`, `{"name": 5}`, `not json`} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.url, strings.NewReader(bad))
		req.Header.Set("X-Amz-Target", "AWSStepFunctions.CreateStateMachine")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("body %s: status %d, want 400", bad, resp.StatusCode)
		}
	}
}

// A product loads its deployed definitions from Go, placeholders and all; clients then see
// them as if they had created them.
func TestLoadFromGoIsVisibleThroughTheAPI(t *testing.T) {
	t.Parallel()
	srv := server.New(engine.New(engine.Options{}))
	t.Cleanup(srv.Close)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	client := sfn.New(sfn.Options{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1}, server.Endpoint(hs.URL))
	arn, err := srv.Load("report", []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"${TableName}","End":true}}}`), map[string]string{"TableName": "cache"}, "EXPRESS", role)
	if err != nil {
		t.Fatal(err)
	}
	d, err := client.DescribeStateMachine(t.Context(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	if err != nil || !strings.Contains(aws.ToString(d.Definition), `"Result":"cache"`) {
		t.Fatalf("describe: %v %v", d, err)
	}
	res, err := client.StartSyncExecution(t.Context(), &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn)})
	if err != nil || aws.ToString(res.Output) != `"cache"` {
		t.Fatalf("start: %v %v", res, err)
	}
	if _, err := srv.Load("broken", []byte(`{"StartAt":"Z","States":{}}`), nil, "EXPRESS", role); err == nil {
		t.Fatal("an invalid definition loaded")
	}
}

// TestOutputKeepsMemberOrder: object members come back through the API in document order (and
// JSONPath templates in AWS's order), for sync and async executions alike.
func TestOutputKeepsMemberOrder(t *testing.T) {
	t.Parallel()
	s := newStack(t, engine.Options{})
	def := `{"StartAt":"P","States":{"P":{"Type":"Pass","ResultPath":"$.added","Parameters":{"zulu":1,"json.$":"States.JsonToString($.car)"},"End":true}}}`
	input := `{"car":{"vin":"X","make":"Audi"},"b":2,"a":1}`
	want := `{"car":{"vin":"X","make":"Audi"},"b":2,"a":1,"added":{"zulu":1,"json":"{\"vin\":\"X\",\"make\":\"Audi\"}"}}`
	express := s.create(t, "ordered", "EXPRESS", def)
	res, err := s.client.StartSyncExecution(t.Context(), &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(express), Input: aws.String(input)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(res.Output); got != want {
		t.Fatalf("sync output\n got: %s\nwant: %s", got, want)
	}
	standard := s.create(t, "ordered-std", "STANDARD", def)
	start, err := s.client.StartExecution(t.Context(), &sfn.StartExecutionInput{StateMachineArn: aws.String(standard), Input: aws.String(input)})
	if err != nil {
		t.Fatal(err)
	}
	d := poll(t, s, aws.ToString(start.ExecutionArn))
	if got := aws.ToString(d.Output); got != want || aws.ToString(d.Input) != input {
		t.Fatalf("describe: input %s output %s", aws.ToString(d.Input), got)
	}
}

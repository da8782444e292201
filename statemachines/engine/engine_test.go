package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

var epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

func newEngine(t testing.TB, opts engine.Options) (*engine.Engine, *engine.FakeClock) {
	t.Helper()
	clk := engine.NewFakeClock(epoch)
	if opts.Clock == nil {
		opts.Clock = clk
	}
	return engine.New(opts), clk
}

func mustLoad(t testing.TB, e *engine.Engine, name, def string) string {
	t.Helper()
	arn, err := e.Load(name, []byte(def), nil)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return arn
}

func run(t testing.TB, e *engine.Engine, name, input string) engine.Result {
	t.Helper()
	res, err := e.StartSyncExecution(context.Background(), name, []byte(input))
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	return res
}

func assertJSON(t testing.TB, got, want string) {
	t.Helper()
	g, err := value.Decode([]byte(got))
	if err != nil {
		t.Fatalf("output %q is not JSON: %v", got, err)
	}
	w, err := value.Decode([]byte(want))
	if err != nil {
		t.Fatalf("want %q is not JSON: %v", want, err)
	}
	if !value.Equal(g, w) {
		t.Fatalf("output\n got: %s\nwant: %s", got, want)
	}
}

func assertFailed(t testing.TB, res engine.Result, wantErr, causePart string) {
	t.Helper()
	if res.Status != engine.StatusFailed || res.Error != wantErr || !strings.Contains(res.Cause, causePart) {
		t.Fatalf("got status=%s error=%q cause=%q; want FAILED %q with cause containing %q", res.Status, res.Error, res.Cause, wantErr, causePart)
	}
}

type typedErr struct{}

func (typedErr) Error() string     { return "vin unknown" }
func (typedErr) ErrorType() string { return "VehicleNotFound" }

func TestLambdaInvokeResultShapeAndPlainArn(t *testing.T) {
	t.Parallel()
	fns := engine.FunctionMap{
		"echo": func(_ context.Context, p []byte) ([]byte, error) { return p, nil },
	}
	e, _ := newEngine(t, engine.Options{Functions: fns})
	mustLoad(t, e, "m", `{"StartAt":"Invoke","States":{
		"Invoke":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
			"Parameters":{"FunctionName":"arn:aws:lambda:us-east-1:123456789012:function:echo:live","Payload":{"vin.$":"$.vin"}},
			"ResultSelector":{"payload.$":"$.Payload","status.$":"$.StatusCode","version.$":"$.ExecutedVersion"},
			"ResultPath":"$.invoke","Next":"Plain"},
		"Plain":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo","InputPath":"$.invoke.payload","ResultPath":"$.plain","End":true}}}`)
	res := run(t, e, "m", `{"vin":"WVW123"}`)
	if res.Status != engine.StatusSucceeded {
		t.Fatalf("status %s: %s %s", res.Status, res.Error, res.Cause)
	}
	assertJSON(t, res.Output, `{"vin":"WVW123","invoke":{"payload":{"vin":"WVW123"},"status":200,"version":"$LATEST"},"plain":{"vin":"WVW123"}}`)
}

func TestLambdaErrorsAsAwsReportsThem(t *testing.T) {
	t.Parallel()
	fns := engine.FunctionMap{
		"plain": func(context.Context, []byte) ([]byte, error) { return nil, errors.New("boom") },
		"typed": func(context.Context, []byte) ([]byte, error) { return nil, fmt.Errorf("lookup: %w", typedErr{}) },
		"panic": func(context.Context, []byte) ([]byte, error) { panic("kaput") },
	}
	e, _ := newEngine(t, engine.Options{Functions: fns})
	for _, tc := range []struct{ fn, wantErr, wantCause string }{
		{"plain", "errorString", `{"errorMessage":"boom","errorType":"errorString"}`},
		{"typed", "VehicleNotFound", `{"errorMessage":"lookup: vin unknown","errorType":"VehicleNotFound"}`},
		{"panic", "string", `{"errorMessage":"kaput","errorType":"string"}`},
		{"missing", "Lambda.ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing"},
	} {
		mustLoad(t, e, "m-"+tc.fn, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"`+tc.fn+`"},"End":true}}}`)
		res := run(t, e, "m-"+tc.fn, `{}`)
		assertFailed(t, res, tc.wantErr, tc.wantCause)
	}
}

func TestRetryUsesVirtualClockAndBackoff(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	fns := engine.FunctionMap{"flaky": func(context.Context, []byte) ([]byte, error) {
		if calls.Add(1) < 3 {
			return nil, errors.New("try again")
		}
		return []byte(`"ok"`), nil
	}}
	e, clk := newEngine(t, engine.Options{Functions: fns})
	mustLoad(t, e, "m", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:flaky",
		"Retry":[{"ErrorEquals":["States.Timeout"],"MaxAttempts":0},{"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":10,"BackoffRate":3,"MaxAttempts":2}],"End":true}}}`)
	start := time.Now()
	res := run(t, e, "m", `{}`)
	if res.Status != engine.StatusSucceeded || res.Output != `"ok"` {
		t.Fatalf("got %+v", res)
	}
	if got := clk.Now().Sub(epoch); got != 40*time.Second {
		t.Fatalf("virtual time spent retrying = %v, want 10s+30s", got)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("retries waited in real time")
	}
	calls.Store(0)
	mustLoad(t, e, "zero", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:flaky",
		"Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":0}],"End":true}}}`)
	assertFailed(t, run(t, e, "zero", `{}`), "errorString", "try again")
	if calls.Load() != 1 {
		t.Fatalf("MaxAttempts 0 made %d calls, want 1", calls.Load())
	}
}

func TestMaxDelayAndFullJitter(t *testing.T) {
	t.Parallel()
	fns := engine.FunctionMap{"fail": func(context.Context, []byte) ([]byte, error) { return nil, errors.New("no") }}
	e, clk := newEngine(t, engine.Options{Functions: fns, Jitter: func() float64 { return 0.5 }})
	mustLoad(t, e, "m", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:fail",
		"Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":4,"BackoffRate":10,"MaxAttempts":3,"MaxDelaySeconds":20,"JitterStrategy":"FULL"}],"End":true}}}`)
	assertFailed(t, run(t, e, "m", `{}`), "errorString", "no")
	// Delays 4, 40->20, 400->20, each halved by the jitter.
	if got := clk.Now().Sub(epoch); got != 22*time.Second {
		t.Fatalf("virtual time = %v, want 22s", got)
	}
}

func TestCatchPutsErrorAtResultPath(t *testing.T) {
	t.Parallel()
	fns := engine.FunctionMap{"fail": func(context.Context, []byte) ([]byte, error) { return nil, typedErr{} }}
	e, _ := newEngine(t, engine.Options{Functions: fns})
	mustLoad(t, e, "m", `{"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:fail",
			"Catch":[{"ErrorEquals":["Other"],"Next":"Wrong"},{"ErrorEquals":["VehicleNotFound"],"ResultPath":"$.err","Next":"Handled"}],"End":true},
		"Wrong":{"Type":"Fail","Error":"Wrong"},
		"Handled":{"Type":"Pass","End":true}}}`)
	res := run(t, e, "m", `{"vin":"X"}`)
	assertJSON(t, res.Output, `{"vin":"X","err":{"Error":"VehicleNotFound","Cause":"{\"errorMessage\":\"vin unknown\",\"errorType\":\"VehicleNotFound\"}"}}`)
}

func TestRuntimeErrorsCiteEnteredEventID(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{})
	mustLoad(t, e, "m", `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Next":"B"},
		"B":{"Type":"Pass","InputPath":"$.missing","End":true}}}`)
	assertFailed(t, run(t, e, "m", `{}`), "States.Runtime",
		"An error occurred while executing the state 'B' (entered at the event id #4). Invalid path '$.missing' : No results for path: $['missing']")
	// States.ALL does not catch States.Runtime.
	mustLoad(t, e, "m2", `{"StartAt":"M","States":{
		"M":{"Type":"Map","ItemsPath":"$.items","Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],
			"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","OutputPath":"$.nope","End":true}}},"End":true},
		"Caught":{"Type":"Pass","End":true}}}`)
	assertFailed(t, run(t, e, "m2", `{"items":[{}]}`), "States.Runtime", "state 'P' (entered at the event id #5)")
}

func TestPayloadLimit(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", engine.MaxPayloadBytes)
	fns := engine.FunctionMap{"big": func(context.Context, []byte) ([]byte, error) { return json.Marshal(big) }}
	e, _ := newEngine(t, engine.Options{Functions: fns})
	mustLoad(t, e, "m", `{"StartAt":"Fetch","States":{"Fetch":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:big",
		"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Never"}],"End":true},"Never":{"Type":"Pass","End":true}}}`)
	assertFailed(t, run(t, e, "m", `{}`), "States.DataLimitExceeded",
		"The state/task 'Fetch' returned a result with a size exceeding the maximum number of bytes service limit.")
	_, err := e.StartSyncExecution(context.Background(), "m", []byte(`"`+big+`"`))
	if !errors.Is(err, engine.ErrInvalidExecutionInput) {
		t.Fatalf("oversized input: got %v", err)
	}
}

func TestInvalidInputAndUnknownMachine(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{})
	mustLoad(t, e, "m", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)
	if _, err := e.StartSyncExecution(context.Background(), "m", []byte(`{"a":`)); !errors.Is(err, engine.ErrInvalidExecutionInput) {
		t.Fatalf("invalid JSON: got %v", err)
	}
	if _, err := e.StartSyncExecution(context.Background(), "nope", []byte(`{}`)); !errors.Is(err, engine.ErrStateMachineDoesNotExist) {
		t.Fatalf("unknown machine: got %v", err)
	}
}

func TestValidationNamesStateAndField(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{})
	for _, tc := range []struct{ name, def, want string }{
		{"missing target", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Z"}}}`, "MISSING_TRANSITION_TARGET: Missing 'Next' target: Z at /States/A/Next"},
		{"jsonpath field in jsonata", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.x","End":true}}}`, "/States/A/InputPath"},
		{"bad jsonata", `{"StartAt":"A","States":{"A":{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $states.input.( %}","End":true}}}`, "/States/A/Output"},
		{"unknown language", `{"QueryLanguage":"XPath","StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`, "/QueryLanguage"},
		{"unknown resource", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}}`, "arn:aws:states:::sqs:sendMessage"},
		{"next and end", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A","End":true}}}`, "at /States/A"},
		{"unknown field", `{"StartAt":"A","States":{"A":{"Type":"Pass","Reslt":1,"End":true}}}`, "/States/A/Reslt"},
		{"bad path", `{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"no-dollar","End":true}}}`, "/States/A/InputPath"},
		{"bad retry", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Retry":[{"ErrorEquals":[]}],"End":true}}}`, "/States/A/Retry/0/ErrorEquals"},
		{"wait twice", `{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":1,"SecondsPath":"$.s","End":true}}}`, "at /States/A"},
		{"nested", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","Next":"Y"}}}],"End":true}}}`, "/States/P/Branches/0/States/X/Next"},
		{"not json", `{"StartAt":`, "INVALID_JSON_DESCRIPTION"},
		{"map label", `{"StartAt":"M","States":{"M":{"Type":"Map","Label":"has space","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`, "/States/M/Label"},
		{"map both", `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,"MaxConcurrencyPath":"$.m","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`, "'MaxConcurrency' and 'MaxConcurrencyPath'"},
	} {
		_, err := e.Load("m", []byte(tc.def), nil)
		var ve *engine.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want a ValidationError mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestJSONataCanBeDisabled(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $states.input.n + 1 %}","End":true}}}`
	e, _ := newEngine(t, engine.Options{})
	mustLoad(t, e, "m", def)
	assertJSON(t, run(t, e, "m", `{"n":41}`).Output, `42`)
	off, _ := newEngine(t, engine.Options{DisableJSONata: true})
	if _, err := off.Load("m", []byte(def), nil); err == nil || !strings.Contains(err.Error(), "/States/A/QueryLanguage") {
		t.Fatalf("DisableJSONata: got %v", err)
	}
}

func TestSubstitutions(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{Functions: engine.FunctionMap{"resolver": func(_ context.Context, p []byte) ([]byte, error) { return p, nil }}})
	_, err := e.Load("m", []byte(`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${Fn}","Parameters":{"table":"${Table}"},"End":true}}}`),
		map[string]string{"Fn": "arn:aws:lambda:us-east-1:1:function:resolver", "Table": `cache"quoted`})
	if err != nil {
		t.Fatal(err)
	}
	assertJSON(t, run(t, e, "m", `{}`).Output, `{"table":"cache\"quoted"}`)
}

func TestWaitAndMachineTimeoutOnVirtualClock(t *testing.T) {
	t.Parallel()
	e, clk := newEngine(t, engine.Options{})
	// STANDARD: an Express execution may not last an hour.
	if _, err := e.LoadWith("wait", []byte(`{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s","Next":"U"},"U":{"Type":"Wait","Timestamp":"2024-01-02T04:00:00Z","End":true}}}`), engine.LoadOptions{Type: "STANDARD"}); err != nil {
		t.Fatal(err)
	}
	if res := run(t, e, "wait", `{"s":3600}`); res.Status != engine.StatusSucceeded {
		t.Fatalf("got %+v", res)
	}
	if got := clk.Now(); !got.Equal(epoch.Add(time.Hour)) {
		t.Fatalf("clock at %v, want %v (past timestamp must not wait)", got, epoch.Add(time.Hour))
	}
	mustLoad(t, e, "slow", `{"TimeoutSeconds":10,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}}`)
	res := run(t, e, "slow", `{}`)
	if res.Status != engine.StatusTimedOut || res.Error != "States.Timeout" {
		t.Fatalf("got %+v, want TIMED_OUT", res)
	}
}

// TestContextDeadlineEndsExecution runs alone (not parallel) so goleak sees only its goroutines.
func TestContextDeadlineEndsExecution(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := engine.New(engine.Options{}) // real clock: the waits would take an hour
	mustLoad(t, e, "m", `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
		{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}},
		{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"W2","States":{"W2":{"Type":"Wait","Seconds":3600,"End":true}}},"End":true}}}]}}}`)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res, err := e.StartSyncExecution(ctx, "m", []byte(`{"items":[1,2,3,4,5]}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != engine.StatusTimedOut || res.Error != "States.Timeout" {
		t.Fatalf("got %+v, want TIMED_OUT", res)
	}
}

func TestTaskTimeout(t *testing.T) {
	t.Parallel()
	fns := engine.FunctionMap{"hang": func(ctx context.Context, _ []byte) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	e, _ := newEngine(t, engine.Options{Functions: fns})
	mustLoad(t, e, "m", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:hang","TimeoutSeconds":1,
		"Catch":[{"ErrorEquals":["States.Timeout"],"ResultPath":"$.timeout","Next":"Late"}],"End":true},"Late":{"Type":"Pass","End":true}}}`)
	assertJSON(t, run(t, e, "m", `{}`).Output, `{"timeout":{"Error":"States.Timeout","Cause":""}}`)
}

func TestNestedStartSyncExecution(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{})
	childArn := mustLoad(t, e, "ownership", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.caller","StringEquals":"owner","Next":"Owner"}],"Default":"Deny"},
		"Owner":{"Type":"Pass","Result":{"access":"owner"},"End":true},"Deny":{"Type":"Fail","Error":"Forbidden","Cause":"not the owner"}}}`)
	mustLoad(t, e, "report", `{"StartAt":"Auth","States":{"Auth":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:sfn:startSyncExecution",
		"Parameters":{"StateMachineArn":"`+childArn+`","Input.$":"$"},"ResultSelector":{"status.$":"$.Status","output.$":"States.StringToJson($.Output)"},"End":true}}}`)
	assertJSON(t, run(t, e, "report", `{"caller":"owner"}`).Output, `{"status":"SUCCEEDED","output":{"access":"owner"}}`)

	mustLoad(t, e, "raw", `{"StartAt":"Auth","States":{"Auth":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:sfn:startSyncExecution",
		"Parameters":{"StateMachineArn":"`+childArn+`","Input":"{\"caller\":\"stranger\"}"},"End":true}}}`)
	res := run(t, e, "raw", `{}`)
	var out map[string]any
	if err := json.Unmarshal([]byte(res.Output), &out); err != nil {
		t.Fatal(err)
	}
	if out["Status"] != "FAILED" || out["Error"] != "Forbidden" || out["Cause"] != "not the owner" || out["Input"] != `{"caller":"stranger"}` {
		t.Fatalf("got %v", out)
	}
	mustLoad(t, e, "missing", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:sfn:startSyncExecution","Parameters":{"StateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:none"},"End":true}}}`)
	assertFailed(t, run(t, e, "missing", `{}`), "Sfn.StateMachineDoesNotExistException", "stateMachine:none")
}

func TestVariableScopes(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{})
	mustLoad(t, e, "m", `{"StartAt":"Set","States":{
		"Set":{"Type":"Pass","Assign":{"x":1,"items":[1,2]},"Next":"Map"},
		"Map":{"Type":"Map","ItemsPath":"$items","ItemProcessor":{"StartAt":"Inner","States":{"Inner":{"Type":"Pass","Assign":{"inner.$":"$x"},"Parameters":{"x.$":"$x"},"End":true}}},"Next":"Read"},
		"Read":{"Type":"Pass","Parameters":{"mapped.$":"$","x.$":"$x"},"End":true}}}`)
	assertJSON(t, run(t, e, "m", `{}`).Output, `{"mapped":[{"x":1},{"x":1}],"x":1}`)
	mustLoad(t, e, "leak", `{"StartAt":"Map","States":{
		"Map":{"Type":"Map","ItemProcessor":{"StartAt":"Inner","States":{"Inner":{"Type":"Pass","Assign":{"inner":1},"End":true}}},"Next":"Read"},
		"Read":{"Type":"Pass","Parameters":{"v.$":"$inner"},"End":true}}}`)
	if res := run(t, e, "leak", `[1]`); res.Status != engine.StatusFailed {
		t.Fatalf("a variable assigned inside a Map iteration leaked out: %+v", res)
	}
}

func TestTraceHasNoDataByDefault(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var events []engine.Event
	e, _ := newEngine(t, engine.Options{Trace: func(ev engine.Event) {
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
	}})
	mustLoad(t, e, "m", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Succeed"}}}`)
	run(t, e, "m", `{"vin":"SECRET-VIN"}`)
	want := []string{"StateEntered A Pass 2", "StateExited A Pass 3", "StateEntered B Succeed 4", "StateExited B Succeed 5"}
	if len(events) != len(want) {
		t.Fatalf("got %d events, want %d", len(events), len(want))
	}
	for i, ev := range events {
		if got := fmt.Sprintf("%s %s %s %d", ev.Kind, ev.State, ev.StateType, ev.ID); got != want[i] {
			t.Errorf("event %d = %q, want %q", i, got, want[i])
		}
		if ev.Input != nil || ev.Output != nil {
			t.Errorf("event %d carries execution data without TraceData", i)
		}
	}
}

// A trace hook attaches what it records to the request that caused the execution: every event
// carries the caller's context and the machine's name.
func TestTraceEventsCarryContextAndMachine(t *testing.T) {
	t.Parallel()
	type key struct{}
	var mu sync.Mutex
	var events []engine.Event
	e, _ := newEngine(t, engine.Options{Trace: func(ev engine.Event) {
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
	}})
	mustLoad(t, e, "m", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)
	ctx := context.WithValue(context.Background(), key{}, "request-1")
	if _, err := e.StartSyncExecution(ctx, "m", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Fatalf("got %d events, want 2", len(events))
	}
	for i, ev := range events {
		if ev.StateMachine != "m" {
			t.Errorf("event %d: StateMachine = %q, want m", i, ev.StateMachine)
		}
		if ev.Context == nil || ev.Context.Value(key{}) != "request-1" {
			t.Errorf("event %d does not carry the caller's context", i)
		}
	}
}

func TestConcurrentExecutions(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{})
	mustLoad(t, e, "m", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
		{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"a.$":"$.n"},"End":true}}},
		{"StartAt":"B","States":{"B":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}}],"End":true}}}`)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Go(func() {
			res, err := e.StartSyncExecution(context.Background(), "m", fmt.Appendf(nil, `{"n":%d,"items":[%d,%d]}`, i, i, i))
			if err != nil {
				errs <- err
				return
			}
			if want := fmt.Sprintf(`[{"a":%d},[%d,%d]]`, i, i, i); res.Output != want {
				errs <- fmt.Errorf("execution %d: got %s want %s", i, res.Output, want)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestDistributedMapToleratedFailures(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{})
	def := func(tolerance string) string {
		return `{"StartAt":"M","States":{"M":{"Type":"Map",` + tolerance + `"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},
			"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":2,"Next":"Bad"}],"Default":"Ok"},
			"Bad":{"Type":"Fail","Error":"BadItem","Cause":"two"},"Ok":{"Type":"Pass","End":true}}},"End":true}}}`
	}
	mustLoad(t, e, "count1", def(`"ToleratedFailureCount":1,`))
	assertJSON(t, run(t, e, "count1", `[1,2,3,4]`).Output, `[1,{"Error":"BadItem","Cause":"two"},3,4]`)
	mustLoad(t, e, "pct20", def(`"ToleratedFailurePercentage":20,`))
	assertFailed(t, run(t, e, "pct20", `[1,2,3,4]`), "States.ExceedToleratedFailureThreshold", "The specified tolerated failure threshold was exceeded")
	mustLoad(t, e, "none", def(``))
	assertFailed(t, run(t, e, "none", `[1,2]`), "States.ExceedToleratedFailureThreshold", "threshold")
	if res := run(t, e, "none", `[1,3]`); res.Status != engine.StatusSucceeded {
		t.Fatalf("no failures must succeed: %+v", res)
	}
}

func TestParallelFailureStopsSiblings(t *testing.T) {
	t.Parallel()
	fns := engine.FunctionMap{"slow": func(ctx context.Context, _ []byte) ([]byte, error) {
		<-ctx.Done() // only returns because the failing sibling cancels it
		return nil, ctx.Err()
	}}
	e := engine.New(engine.Options{Functions: fns})
	mustLoad(t, e, "m", `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
		{"StartAt":"S","States":{"S":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:slow","End":true}}},
		{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"first"}}}]}}}`)
	assertFailed(t, run(t, e, "m", `{}`), "Boom", "first")
}

func TestCustomIntegration(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{Integrations: map[string]engine.Integration{
		"arn:aws:states:::sqs:sendMessage": engine.IntegrationFunc(func(_ context.Context, req engine.TaskRequest) (any, error) {
			return map[string]any{"MessageId": "m-1", "Body": req.Parameters.(*value.Object).Value("MessageBody")}, nil
		}),
	}})
	mustLoad(t, e, "m", `{"StartAt":"Q","States":{"Q":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","Parameters":{"MessageBody.$":"$.msg"},"End":true}}}`)
	assertJSON(t, run(t, e, "m", `{"msg":"hi"}`).Output, `{"MessageId":"m-1","Body":"hi"}`)
}

func TestValidationReachability(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{})
	_, err := e.Load("m", []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true},"Orphan":{"Type":"Pass","End":true}}}`), nil)
	if err == nil || !strings.Contains(err.Error(), "UNREACHABLE_STATE") || !strings.Contains(err.Error(), "/States/Orphan") {
		t.Fatalf("got %v", err)
	}
	_, err = e.Load("m", []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}}`), nil)
	if err == nil || !strings.Contains(err.Error(), "MISSING_TERMINAL_STATE") {
		t.Fatalf("got %v", err)
	}
}

func TestExpressExecutionsEndAfterFiveMinutes(t *testing.T) {
	t.Parallel()
	e, clk := newEngine(t, engine.Options{})
	mustLoad(t, e, "loop", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Variable":"$.stop","IsPresent":true,"Next":"Done"}],"Default":"W"},"Done":{"Type":"Succeed"}}}`)
	res := run(t, e, "loop", `{}`)
	if res.Status != engine.StatusTimedOut || clk.Now().Sub(epoch) != 5*time.Minute {
		t.Fatalf("got %+v after %v of virtual time", res, clk.Now().Sub(epoch))
	}
}

func TestWaitForTaskToken(t *testing.T) {
	t.Parallel()
	var e *engine.Engine
	fns := engine.FunctionMap{"notify": func(_ context.Context, p []byte) ([]byte, error) {
		var in struct{ Token, Outcome string }
		if err := json.Unmarshal(p, &in); err != nil {
			return nil, err
		}
		go func() { // the callback arrives later, from elsewhere
			var err error
			if in.Outcome == "ok" {
				err = e.SendTaskSuccess(in.Token, []byte(`{"approved":true}`))
			} else {
				err = e.SendTaskFailure(in.Token, "Rejected", "owner said no")
			}
			if err != nil {
				t.Errorf("send: %v", err)
			}
		}()
		return []byte(`{}`), nil
	}}
	e, _ = newEngine(t, engine.Options{Functions: fns})
	mustLoad(t, e, "m", `{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"Parameters":{"FunctionName":"notify","Payload":{"Token.$":"$$.Task.Token","Outcome.$":"$.outcome"}},"TimeoutSeconds":30,"ResultPath":"$.answer","End":true}}}`)
	assertJSON(t, run(t, e, "m", `{"outcome":"ok"}`).Output, `{"outcome":"ok","answer":{"approved":true}}`)
	assertFailed(t, run(t, e, "m", `{"outcome":"no"}`), "Rejected", "owner said no")
	if err := e.SendTaskSuccess("no-such-token", []byte(`{}`)); !errors.Is(err, engine.ErrTaskDoesNotExist) {
		t.Fatalf("unknown token: got %v", err)
	}
}

func TestJSONataTaskArgumentsOutputAndCatch(t *testing.T) {
	t.Parallel()
	fns := engine.FunctionMap{
		"echo": func(_ context.Context, p []byte) ([]byte, error) { return p, nil },
		"fail": func(context.Context, []byte) ([]byte, error) { return nil, typedErr{} },
	}
	e, _ := newEngine(t, engine.Options{Functions: fns})
	mustLoad(t, e, "m", `{"QueryLanguage":"JSONata","StartAt":"Call","States":{
		"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
			"Arguments":{"FunctionName":"echo","Payload":{"vin":"{% $states.input.vin %}"}},
			"Assign":{"status":"{% $states.result.StatusCode %}"},
			"Output":"{% $states.result.Payload %}","Next":"Fail"},
		"Fail":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:fail",
			"Catch":[{"ErrorEquals":["VehicleNotFound"],"Output":{"error":"{% $states.errorOutput.Error %}","vin":"{% $states.input.vin %}","status":"{% $status %}"},"Next":"Done"}],"End":true},
		"Done":{"Type":"Succeed"}}}`)
	assertJSON(t, run(t, e, "m", `{"vin":"WVW1"}`).Output, `{"error":"VehicleNotFound","vin":"WVW1","status":200}`)
}

// TestPassChainAllocations guards the hot path: a state that only forwards its input must not
// allocate (an escaping per-state struct once tripled the allocations of every execution).
// Not parallel: AllocsPerRun counts every goroutine's allocations.
func TestPassChainAllocations(t *testing.T) {
	e, _ := newEngine(t, engine.Options{})
	mustLoad(t, e, "chain", passChain(20))
	in := []byte(`{"vin":"WVWZZZ1JZXW000001"}`)
	allocs := testing.AllocsPerRun(50, func() {
		if _, err := e.StartSyncExecution(context.Background(), "chain", in); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 20 {
		t.Fatalf("a 20-state Pass chain allocates %.0f times per execution, want at most 20 (per-execution setup only)", allocs)
	}
}

func TestJSONataWaitForTaskToken(t *testing.T) {
	t.Parallel()
	var e *engine.Engine
	fns := engine.FunctionMap{"notify": func(_ context.Context, p []byte) ([]byte, error) {
		var in struct{ Token string }
		if err := json.Unmarshal(p, &in); err != nil {
			return nil, err
		}
		go func() {
			if err := e.SendTaskSuccess(in.Token, []byte(`"approved"`)); err != nil {
				t.Errorf("send: %v", err)
			}
		}()
		return nil, nil
	}}
	e, _ = newEngine(t, engine.Options{Functions: fns})
	mustLoad(t, e, "m", `{"QueryLanguage":"JSONata","StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"Arguments":{"FunctionName":"notify","Payload":{"Token":"{% $states.context.Task.Token %}"}},"TimeoutSeconds":30,"End":true}}}`)
	assertJSON(t, run(t, e, "m", `{}`).Output, `"approved"`)
}

func TestPanickingIntegrationFailsExecutionNotProcess(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, engine.Options{Integrations: map[string]engine.Integration{
		"arn:aws:states:::buggy:call": engine.IntegrationFunc(func(context.Context, engine.TaskRequest) (any, error) { panic("bug") }),
	}})
	mustLoad(t, e, "m", `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
		{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::buggy:call","End":true}}},
		{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}]}}}`)
	assertFailed(t, run(t, e, "m", `{}`), "States.Runtime", "Internal error in the local engine: bug")
	mustLoad(t, e, "seq", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::buggy:call","End":true}}}`)
	assertFailed(t, run(t, e, "seq", `{}`), "States.Runtime", "bug")
}

func TestStartExecutionIsFireAndForget(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var got atomic.Value
	fns := engine.FunctionMap{"slow": func(_ context.Context, in []byte) ([]byte, error) {
		<-release
		got.Store(string(in))
		return []byte(`{}`), nil
	}}
	e, _ := newEngine(t, engine.Options{Functions: fns})
	childArn := mustLoad(t, e, "child", `{"TimeoutSeconds":5,"StartAt":"S","States":{"S":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:slow","End":true}}}`)
	mustLoad(t, e, "parent", `{"TimeoutSeconds":2,"StartAt":"Start","States":{"Start":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution",
		"Parameters":{"StateMachineArn":"`+childArn+`","Input":{"vin.$":"$.vin"}},"ResultSelector":{"arn.$":"$.ExecutionArn","start.$":"$.StartDate"},"End":true}}}`)
	// The parent ends while the child still waits: the task does not wait for it.
	res := run(t, e, "parent", `{"vin":"V1"}`)
	var out struct {
		Arn   string `json:"arn"`
		Start string `json:"start"`
	}
	if err := json.Unmarshal([]byte(res.Output), &out); err != nil || res.Status != engine.StatusSucceeded {
		t.Fatalf("parent %+v: %v", res, err)
	}
	if !strings.Contains(out.Arn, ":express:child:") || out.Start == "" {
		t.Fatalf("task result %+v", out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	if err := e.Drain(ctx); err == nil {
		t.Fatal("Drain returned while the child was still running")
	}
	cancel()
	close(release)
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	// The child outlived the parent's task and got the input as a JSON document.
	if got.Load() != `{"vin":"V1"}` {
		t.Fatalf("child input %v", got.Load())
	}

	mustLoad(t, e, "missing", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution","Parameters":{"StateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:none"},"End":true}}}`)
	assertFailed(t, run(t, e, "missing", `{}`), "Sfn.StateMachineDoesNotExistException", "stateMachine:none")
}

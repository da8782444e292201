// Package engine is a local AWS Step Functions engine: it validates Amazon States Language
// definitions (JSONPath and JSONata query languages) and runs them synchronously, the way the
// product's Express state machines run behind API Gateway's StartSyncExecution. It is its own Go
// module (github.com/acme-oem/vehicle-data/statemachines/engine) with the AWS-recorded corpus
// in testdata/conformance/sfn; cmd/asl runs it by hand.
//
// # Use
//
//	eng := engine.New(engine.Options{
//		Functions: engine.FunctionMap{"validate-vin": handler}, // Lambda handlers, in-process
//		DynamoDB:  dynamoClient,                                // *dynamodb.Client (dynalite locally)
//	})
//	arn, err := eng.Load("vehicle-report", definition, map[string]string{
//		"ValidateVinFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:validate-vin",
//		"TableName":              "vehicle-cache", // ${Name} placeholders, as CDK substitutes them
//	})
//	res, err := eng.StartSyncExecution(ctx, arn, input) // res.Status SUCCEEDED|FAILED|TIMED_OUT
//
// Load rejects what CreateStateMachine would reject with a *ValidationError whose problems name
// the state and field (a JSON pointer such as /States/Lookup/Next). StartSyncExecution returns an
// error only when no execution starts (unknown machine, input that is not JSON or exceeds 256 KiB);
// a failing execution is a Result with Error and Cause worded as AWS words them. When ctx ends,
// the execution stops as TIMED_OUT and all of its goroutines have exited on return; so does an
// Express execution (Load's default; LoadWith can load STANDARD machines) after AWS's 5-minute
// limit, or any execution after the definition's TimeoutSeconds. An Engine is safe for
// concurrent executions.
//
// Start runs an execution asynchronously (StartExecution): Execution.Wait, Result and Stop
// (ABORTED), and with RunOptions.History the history events GetExecutionHistory returns, with
// the ids error causes cite. TestState runs one state definition and reports its next state.
// Package server serves all of this over the Step Functions API (cmd/asl: asl serve).
//
// # Semantics
//
// All state types (Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map with Iterator or
// ItemProcessor, INLINE or DISTRIBUTED over inline items), the JSONPath data flow (InputPath,
// Parameters, ResultSelector, ResultPath, OutputPath, the context object "$$", intrinsic
// functions), variables (Assign; a Parallel branch or Map iteration reads outer variables and
// assigns into its own scope), Retry (IntervalSeconds, MaxAttempts, BackoffRate,
// MaxDelaySeconds, JitterStrategy) and Catch, Task TimeoutSeconds(Path), the machine's
// TimeoutSeconds and the 256 KiB payload limit (States.DataLimitExceeded). Runtime errors
// carry AWS's cause, including "(entered at the event id #N)": history events are counted as
// AWS numbers them (ExecutionStarted = 1, then each state's entered/exited, task scheduled /
// started / finished, Map and Parallel start and iteration events); a distributed Map's items
// run as child executions with their own numbering. As AWS documents, States.Runtime is
// terminal (never retried or caught), States.ALL does not match States.DataLimitExceeded, and
// States.TaskFailed matches any error but States.Timeout. HeartbeatSeconds applies to callback
// (.waitForTaskToken) tasks; Task timeouts run on real time even with a FakeClock.
//
// "QueryLanguage": "JSONata" (for the machine or per state, mixed with JSONPath states) runs
// through package jsonata: Arguments, Output, Assign, Items, ItemSelector, Choice Condition,
// Wait Seconds/Timestamp, Fail Error/Cause and the Map/Task numeric fields take "{% %}"
// expressions over $states.input, $states.result, $states.errorOutput, $states.context and the
// workflow variables; failures are States.QueryEvaluationError with AWS's causes. Load checks
// the expressions as CreateStateMachine does (INVALID_JSONATA_EXPRESSION for one that does not
// parse, UNSUPPORTED_JSONATA_EXPRESSION for a top-level field name, "$" or "$$") and refuses a
// state declaring JSONPath under a JSONata machine.
// Options.DisableJSONata rejects such definitions at load instead.
//
// # Structure
//
// One interpreter core runs every state (exec.go): the effective input, the kind's action,
// Assign and the shaping of the result, then the output; Task, Parallel and Map run it under the
// one Retry and Catch loop. The query language sits behind the dataFlow interface and the field
// functions the parser compiles (jsonpath_flow.go, jsonata_flow.go); each state kind is a small
// action type (actions.go); Map and Parallel fan out on goroutines (mapparallel.go).
//
// # Integrations
//
// Task resources resolve through a registry of ARN patterns ('*' wildcards; Options.Integrations
// adds or overrides entries): arn:aws:states:::lambda:invoke (the Invoke response with the
// decoded Payload) and arn:aws:lambda:REGION:ACCOUNT:function:NAME (the payload itself), both
// calling Options.Functions; arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem|query
// through Options.DynamoDB, with typed attribute values, the SdkHttpMetadata/SdkResponseMetadata
// members AWS adds, no "Item" on a getItem miss, and DynamoDB.<ErrorCode> errors; and
// arn:aws:states:::aws-sdk:sfn:startSyncExecution against machines loaded in the same engine,
// and arn:aws:states:::states:startExecution (fire-and-forget: the task answers {ExecutionArn,
// StartDate} at once and the child runs on, bounded by its own TimeoutSeconds; Engine.Drain waits
// for such children).
// A resource no pattern matches is rejected at load. Any of them may end in .waitForTaskToken:
// the task then exposes $$.Task.Token and waits (bounded by TimeoutSeconds and
// HeartbeatSeconds) for Engine.SendTaskSuccess, SendTaskFailure or SendTaskHeartbeat. A Lambda handler's error becomes
// Error = its errorType (ErrorType() string when the error has it, else the Go type name as
// aws-lambda-go reports it) and Cause = {"errorMessage","errorType"}; a panic is recovered and
// reported the same way.
//
// # Time and observability
//
// Wait states, retry intervals and TimeoutSeconds use Options.Clock: RealClock in production,
// FakeClock in tests (sleeping advances it instantly). Options.Trace receives StateEntered and
// StateExited events with names, types, event ids and timings; execution data is added only
// with Options.TraceData, because inputs and outputs may hold personal data. The engine logs
// nothing.
package engine

// Package server serves an Engine over the AWS Step Functions API (the JSON 1.0 protocol:
// POST with X-Amz-Target: AWSStepFunctions.<Operation> and an application/x-amz-json-1.0
// body), so the AWS SDKs, the AWS CLI and the local gateway reach local state machines as they
// reach AWS. Requests are accepted whatever their SigV4 signature: this is a local endpoint.
//
//	eng := engine.New(engine.Options{Functions: fns, DynamoDB: db})
//	srv := server.New(eng)
//	defer srv.Close()
//	http.ListenAndServe("127.0.0.1:8083", srv)
//
// State machines created through the API or with Server.Load (from Go, with ${Name}
// placeholders) are listed and described; machines loaded into the Engine directly
// (Engine.Load) can be started but are not listed. Lambda functions and other Task resources
// run in-process through the Engine's Options (Functions, Integrations, DynamoDB).
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

// maxRequestBytes bounds a request body: a definition may be 1 MiB, an input 256 KiB.
const maxRequestBytes = 2 << 20

// Server is an http.Handler speaking the Step Functions API against an Engine.
type Server struct {
	eng *engine.Engine

	// ctx bounds the asynchronous executions (StartExecution): Close ends them.
	ctx    context.Context
	cancel context.CancelFunc

	mu         sync.Mutex
	machines   map[string]*machineRecord   // by ARN
	executions map[string]*executionRecord // by ARN
	order      []string                    // execution ARNs, oldest first
}

type machineRecord struct {
	arn, name, definition, roleArn, typ string
	created, updated                    time.Time
}

type executionRecord struct {
	x          *engine.Execution
	machineArn string
}

// New serves eng.
func New(eng *engine.Engine) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{eng: eng, ctx: ctx, cancel: cancel, machines: map[string]*machineRecord{}, executions: map[string]*executionRecord{}}
}

// Close stops the running asynchronous executions and waits for them to end.
func (s *Server) Close() {
	s.cancel()
	s.mu.Lock()
	recs := make([]*executionRecord, 0, len(s.executions))
	for _, r := range s.executions {
		recs = append(recs, r)
	}
	s.mu.Unlock()
	for _, r := range recs {
		<-r.x.Done()
	}
}

// apiError is an AWS error answer: {"__type": code, "message": ...} with its HTTP status.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func badRequest(code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, message: fmt.Sprintf(format, args...)}
}

type handler func(s *Server, r *http.Request, body []byte) (any, error)

var operations = map[string]handler{
	"CreateStateMachine":             (*Server).createStateMachine,
	"UpdateStateMachine":             (*Server).updateStateMachine,
	"DescribeStateMachine":           (*Server).describeStateMachine,
	"ListStateMachines":              (*Server).listStateMachines,
	"DeleteStateMachine":             (*Server).deleteStateMachine,
	"ValidateStateMachineDefinition": (*Server).validateDefinition,
	"StartExecution":                 (*Server).startExecution,
	"StartSyncExecution":             (*Server).startSyncExecution,
	"DescribeExecution":              (*Server).describeExecution,
	"ListExecutions":                 (*Server).listExecutions,
	"StopExecution":                  (*Server).stopExecution,
	"GetExecutionHistory":            (*Server).getExecutionHistory,
	"SendTaskSuccess":                (*Server).sendTaskSuccess,
	"SendTaskFailure":                (*Server).sendTaskFailure,
	"SendTaskHeartbeat":              (*Server).sendTaskHeartbeat,
	"TestState":                      (*Server).testState,
}

// ServeHTTP answers one API call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, &apiError{status: http.StatusMethodNotAllowed, code: "UnknownOperationException", message: "Step Functions API calls are POST requests"})
		return
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "AWSStepFunctions.")
	h := operations[op]
	if !ok || h == nil {
		writeError(w, badRequest("UnknownOperationException", "Unknown operation %q (X-Amz-Target must be AWSStepFunctions.<Operation>)", target))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		writeError(w, &apiError{status: http.StatusRequestEntityTooLarge, code: "ValidationException", message: "The request body exceeds 2 MiB or could not be read"})
		return
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	out, err := h(s, r, body)
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{status: http.StatusInternalServerError, code: "InternalFailure", message: "internal error"}
		}
		writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("X-Amzn-ErrorType", e.code)
	writeJSON(w, e.status, map[string]string{"__type": e.code, "message": e.message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"__type":"InternalFailure","message":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(status)
	_, _ = w.Write(b) // the client went away: nothing left to tell it
}

// decode reads a request into v; unknown members are ignored, as AWS ignores them.
func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return badRequest("SerializationException", "The request body is not a valid JSON object of the operation's shape: %v", err)
	}
	return nil
}

// epoch renders a time as the JSON protocol does: seconds since the epoch.
func epoch(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixMilli()) / 1000
}

var (
	nameRE       = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)
	machineArnRE = regexp.MustCompile(`^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]{1,80}$`)
	execArnRE    = regexp.MustCompile(`^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:(execution|express):[A-Za-z0-9_-]{1,80}:[A-Za-z0-9_-]{1,80}(:[0-9a-f-]{36})?$`)
)

func checkMachineArn(arn string) error {
	if !machineArnRE.MatchString(arn) {
		return badRequest("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", arn)
	}
	return nil
}

func checkExecutionArn(arn string) error {
	if !execArnRE.MatchString(arn) {
		return badRequest("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", arn)
	}
	return nil
}

func machineMissing(arn string) error {
	return badRequest("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
}

func executionMissing(arn string) error {
	return badRequest("ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn)
}

// definitionError turns a rejected definition into InvalidDefinition with its problems.
func definitionError(err error) error {
	var ve *engine.ValidationError
	if errors.As(err, &ve) {
		return badRequest("InvalidDefinition", "%s", ve.Error())
	}
	return badRequest("InvalidDefinition", "Invalid State Machine Definition: '%v'", err)
}

func sortedMachines(m map[string]*machineRecord) []*machineRecord {
	out := make([]*machineRecord, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

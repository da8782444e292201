package engine

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// Handler is a Lambda function run in-process: it gets the invocation payload (JSON) and
// returns the response payload (JSON). It must honour ctx: a Task's TimeoutSeconds and the
// execution's deadline arrive through it.
type Handler = func(ctx context.Context, payload []byte) ([]byte, error)

// Functions resolves Lambda function names (the NAME of arn:aws:lambda:...:function:NAME, or a
// lambda:invoke FunctionName) to handlers.
type Functions interface {
	Lookup(name string) (func(ctx context.Context, payload []byte) ([]byte, error), bool)
}

// FunctionMap is a Functions backed by a map.
type FunctionMap map[string]Handler

// Lookup returns the handler registered under name.
func (m FunctionMap) Lookup(name string) (func(ctx context.Context, payload []byte) ([]byte, error), bool) {
	h, ok := m[name]
	return h, ok
}

// functionName extracts the function name from a name, a partial ARN ("ACCT:function:NAME")
// or a full ARN, dropping any version or alias qualifier.
func functionName(s string) string {
	if i := strings.Index(s, "function:"); i >= 0 {
		s = s[i+len("function:"):]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	return s
}

// lambdaInvoke implements arn:aws:states:::lambda:invoke: the result wraps the payload in the
// Invoke API response as Step Functions returns it.
func (e *Engine) lambdaInvoke(ctx context.Context, req TaskRequest) (any, error) {
	params, _ := req.Parameters.(*value.Object)
	fn, _ := params.Value("FunctionName").(string)
	if fn == "" {
		return nil, &value.Error{Name: errRuntime, Cause: "The field 'FunctionName' is required by arn:aws:states:::lambda:invoke and must be a string"}
	}
	payload, ok := params.Get("Payload")
	if !ok {
		payload = value.NewObject(0)
	}
	out, size, reqID, err := e.callLambda(ctx, fn, payload)
	if err != nil {
		return nil, err
	}
	now := e.clock.Now().UTC().Format(time.RFC1123)
	headers := map[string]any{
		"Connection":                     "keep-alive",
		"Content-Length":                 strconv.Itoa(size),
		"Content-Type":                   "application/json",
		"Date":                           now,
		"X-Amz-Executed-Version":         "$LATEST",
		"x-amzn-Remapped-Content-Length": "0",
		"x-amzn-RequestId":               reqID,
	}
	all := make(map[string]any, len(headers))
	for k, v := range headers {
		all[k] = []any{v}
	}
	return value.FromMap(map[string]any{
		"ExecutedVersion": "$LATEST",
		"Payload":         out,
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": all,
			"HttpHeaders":    headers,
			"HttpStatusCode": value.Int(200),
		},
		"SdkResponseMetadata": map[string]any{"RequestId": reqID},
		"StatusCode":          value.Int(200),
	}), nil
}

// lambdaFunction implements plain function ARNs: the result is the payload itself.
func (e *Engine) lambdaFunction(ctx context.Context, req TaskRequest) (any, error) {
	out, _, _, err := e.callLambda(ctx, req.Resource, req.Parameters)
	return out, err
}

// callLambda returns the decoded response payload, its size in bytes and the request id.
func (e *Engine) callLambda(ctx context.Context, fn string, payload any) (any, int, string, error) {
	reqID := uuid.NewString()
	name := functionName(fn)
	var h Handler
	ok := false
	if e.opts.Functions != nil {
		h, ok = e.opts.Functions.Lookup(name)
	}
	if !ok || h == nil {
		arn := "arn:aws:lambda:" + e.opts.Region + ":" + e.opts.Account + ":function:" + name
		return nil, 0, reqID, &value.Error{
			Name:  "Lambda.ResourceNotFoundException",
			Cause: "Function not found: " + arn + " (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: " + reqID + "; Proxy: null)",
		}
	}
	body, err := encodeJSON(payload)
	if err != nil {
		return nil, 0, reqID, &value.Error{Name: errRuntime, Cause: "The Lambda payload could not be serialized: " + err.Error()}
	}
	resp, err := invokeRecovering(ctx, h, body)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return nil, 0, reqID, err // the engine turns this into States.Timeout
		}
		return nil, 0, reqID, lambdaError(err)
	}
	if len(strings.TrimSpace(string(resp))) == 0 {
		return nil, 0, reqID, nil
	}
	out, derr := decodeJSON(resp)
	if derr != nil {
		// Lambda returns any bytes; Step Functions keeps a non-JSON payload as a string.
		return string(resp), len(resp), reqID, nil // not an error: Lambda returns any bytes
	}
	return out, len(resp), reqID, nil
}

// panicError is a handler panic, reported the way aws-lambda-go reports one.
type panicError struct {
	value any
}

func (p *panicError) Error() string { return fmt.Sprint(p.value) }

func (p *panicError) ErrorType() string { return goTypeName(p.value) }

func invokeRecovering(ctx context.Context, h Handler, body []byte) (resp []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			resp, err = nil, &panicError{value: v}
		}
	}()
	return h(ctx, body)
}

// lambdaError shapes a handler error as Step Functions reports a Lambda function error: the
// error name is the errorType and the cause the function's error payload.
func lambdaError(err error) *value.Error {
	typ := goTypeName(err)
	var typed interface{ ErrorType() string }
	if errors.As(err, &typed) {
		typ = typed.ErrorType()
	}
	cause, _ := value.Marshal(map[string]any{"errorMessage": err.Error(), "errorType": typ})
	return &value.Error{Name: typ, Cause: string(cause)}
}

// goTypeName names a value's type as aws-lambda-go does in errorType (no package, no pointer).
func goTypeName(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return "error"
	}
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}

// Package apigw is what API Gateway and the local gateway share: the integration request mapping
// template CDK deploys and its Go twin the local gateway runs, so both start a state machine with
// the same input. It is deployable code's (CDK's) door to the template; nothing local lives here.
package apigw

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/acme-oem/vehicle-data/internal/oidc"
)

// RequestTemplate is the API Gateway (REST) integration request mapping template that CDK attaches
// to every route carrying x-state-machine: it calls states:StartSyncExecution with the input that
// BuildInput produces locally (internal/local/gateway). The two must stay in step: the state machines see the same input
// whether API Gateway or the local gateway started them. ${StateMachineArn} is substituted by CDK.
//
// Why it looks the way it does:
//   - The Lambda authorizer is a REQUEST authorizer WITHOUT identity sources (and so without
//     result caching): with an identity source API Gateway would answer 401 itself when the
//     Authorization header is missing, but the vehicle route is open to anonymous callers, who get
//     the public view. The authorizer returns context {sub, role}; role "anonymous" and sub "" when
//     no header was sent.
//   - Path parameters are copied verbatim; API Gateway does not enforce the OpenAPI pattern on
//     path parameters, which is why the first state (the VIN validation step) validates again and
//     fails with VehicleData.Invalid naming the same field and rule as the local gateway.
//   - "input" is a JSON string inside the StartSyncExecution request, hence the escaped quotes;
//     $util.escapeJavaScript is used for the values a client controls. It escapes a single quote
//     as \' which is not valid JSON: such a VIN then fails the execution's input parsing (400 from
//     StartSyncExecution, mapped to 400 by the integration response), never a 500.
//   - A route with a request body passes it, as validated JSON, under "body" ($input.json('$')
//     is the body re-serialised as JSON, escaped to fit in the input string).
//   - Query parameters go under "query" (an object, so they can never shadow a path parameter
//     or the caller), absent when there are none; locally only the ones the operation declares,
//     validated. caller.dealerId is present only for a dealer account with a dealer id claim.
//   - requestId is API Gateway's own id, never a client header: the access log and the state
//     machine's logs correlate on it.
const RequestTemplate = `#set($path = $input.params().path)
#set($qs = $input.params().querystring)
{
  "stateMachineArn": "${StateMachineArn}",
  "input": "{#foreach($name in $path.keySet())\"$name\": \"$util.escapeJavaScript($path.get($name))\", #end#if(!$qs.isEmpty())\"query\": {#foreach($name in $qs.keySet())\"$name\": \"$util.escapeJavaScript($qs.get($name))\"#if($foreach.hasNext), #end#end}, #end\"caller\": {\"sub\": \"$util.escapeJavaScript($context.authorizer.sub)\", \"role\": \"$context.authorizer.role\"#if("$!context.authorizer.dealerId" != ""), \"dealerId\": \"$context.authorizer.dealerId\"#end}, #if($input.body != "")\"body\": $util.escapeJavaScript($input.json('$')), #end\"requestId\": \"$context.requestId\"}"
}`

// RequestHeadersFragment is the part of the input template that an operation with declared
// header parameters adds (CDK inserts it before "caller", one entry per declared name, e.g.
// Idempotency-Key, If-Match): the state machine reads $.headers.<Name>, "" when absent.
const RequestHeadersFragment = `\"headers\": {#foreach($h in $declaredHeaders)\"$h\": \"$util.escapeJavaScript($input.params().header.get($h))\"#if($foreach.hasNext), #end#end}, `

// ResponseEnvelopeTemplate is the integration response template CDK attaches to operations with
// x-response-envelope: true. The state machine's output is {headers, body}; each header the
// operation declares on its success response (ETag, Location) is set with responseOverride and
// the body is the response body (a 204 has none).
const ResponseEnvelopeTemplate = `#set($out = $util.parseJson($input.path('$.output')))
#foreach($h in $declaredResponseHeaders)#if($out.headers.get($h))#set($context.responseOverride.header[$h] = $out.headers.get($h))#end#end
#if($out.body)$util.toJson($out.body)#end`

// CallerInput is the caller as the state machines receive it.
type CallerInput struct {
	Sub      string `json:"sub"`
	Role     string `json:"role"`
	DealerID string `json:"dealerId,omitempty"` // only for a dealer account with a dealer id claim
}

// Request is what the integration passes to the state machine: the route's path parameters,
// its declared query parameters and headers, the validated body and the caller.
type Request struct {
	Params  map[string]string
	Query   map[string]string
	Headers map[string]string
	Body    []byte
	Caller  oidc.Caller
}

// BuildInput is RequestTemplate in Go: every path parameter by its name at the top level, the
// validated JSON body (if any) under "body", the declared query parameters and headers, then the
// caller and the request id. Reserved names win over path parameters of the same name so a route
// can never smuggle a caller in.
func BuildInput(req Request, requestID string) ([]byte, error) {
	in := make(map[string]any, len(req.Params)+5)
	for name, value := range req.Params {
		in[name] = value
	}
	if len(bytes.TrimSpace(req.Body)) > 0 {
		if !json.Valid(req.Body) {
			return nil, errors.New("encode state machine input: the body is not JSON")
		}
		in["body"] = json.RawMessage(req.Body)
	}
	if len(req.Query) > 0 {
		in["query"] = req.Query
	}
	if req.Headers != nil {
		in["headers"] = req.Headers
	}
	in["caller"] = CallerInput{Sub: req.Caller.Subject, Role: string(req.Caller.Role), DealerID: req.Caller.DealerID}
	in["requestId"] = requestID
	b, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("encode state machine input: %w", err)
	}
	return b, nil
}

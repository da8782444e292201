// Package apigw is what API Gateway and the local gateway share: the integration request mapping
// template CDK deploys and its Go twin the local gateway runs, so both start a state machine with
// the same input. It is deployable code's (CDK's) door to the template; nothing local lives here.
package apigw

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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
// header parameters adds (RequestTemplateFor inserts it before "caller", with $declaredHeaders
// the declared names, e.g. Idempotency-Key, If-Match): the state machine reads
// $.headers.<Name>, "" when absent. A header value is escaped twice because it sits in a JSON
// string (the input) inside a JSON string (the StartSyncExecution request): an If-Match carries
// the ETag's double quotes, which one escape would turn into the end of the input's string.
// escapeJavaScript's \' is no JSON escape, so each pass turns it back into a plain quote.
const RequestHeadersFragment = `\"headers\": {#foreach($h in $declaredHeaders)#set($v = "$!input.params().header.get($h)")#set($v = $util.escapeJavaScript($v).replaceAll("\\'", "'"))#set($v = $util.escapeJavaScript($v).replaceAll("\\'", "'"))\"$h\": \"$v\"#if($foreach.hasNext), #end#end}, `

// RequestTemplateFor is the request template of an operation declaring the header parameters
// headers: RequestTemplate with RequestHeadersFragment before the caller. Without headers it is
// RequestTemplate itself, so the input has no "headers" key (as BuildInput without Headers).
func RequestTemplateFor(headers []string) string {
	if len(headers) == 0 {
		return RequestTemplate
	}
	quoted := make([]string, len(headers))
	for i, h := range headers {
		quoted[i] = `"` + h + `"`
	}
	return "#set($declaredHeaders = [" + strings.Join(quoted, ", ") + "])\n" +
		strings.Replace(RequestTemplate, `\"caller\": {`, RequestHeadersFragment+`\"caller\": {`, 1)
}

// ResponseEnvelopeTemplate is the SUCCEEDED branch of the integration response template of an
// x-response-envelope operation, as internal/local/gateway unwraps the envelope: each of the
// declared response headers the output's headers carry is set with responseOverride, and the
// body is the output's body (nothing for a 204). notEnvelope is what to answer when the output
// is no envelope (locally a 500).
//
// API Gateway's VTL can parse JSON ($util.parseJson) but not write it back, so the body is cut
// out of the output text: it is the value of the top-level "body" key, which
// functions/listings.Envelope marshals after "headers" (Step Functions keeps the key order of the
// Lambda's payload; the template also copes with body first). `"body":` cannot occur inside a
// header value, whose quotes are escaped. The output is compact JSON (no spaces after colons).
func ResponseEnvelopeTemplate(headers []string, noContent bool, notEnvelope string) string {
	var b strings.Builder
	b.WriteString("#set($out = $input.path('$.output'))\n#set($envelope = $util.parseJson($out))\n")
	for _, h := range headers {
		fmt.Fprintf(&b, "#if(\"$!envelope.headers.get('%s')\" != \"\")\n#set($context.responseOverride.header.%s = $envelope.headers.get('%s'))\n#end\n", h, h, h)
	}
	if noContent {
		return b.String()
	}
	b.WriteString("#set($at = $out.indexOf('\"body\":'))\n")
	b.WriteString("#if($at < 0 || \"$!envelope.body\" == \"\")\n" + notEnvelope + "\n")
	b.WriteString("#else\n#set($from = $at + 7)\n#set($to = $out.indexOf(',\"headers\":', $from))\n")
	b.WriteString("#if($to < 0)\n#set($to = $out.lastIndexOf('}'))\n#end\n")
	b.WriteString("$out.substring($from, $to)\n#end\n")
	return b.String()
}

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

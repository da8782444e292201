package stack

import (
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

// declared is what api/openapi.yaml says about one operation's headers, read here with the
// OpenAPI loader directly rather than through contract.Parse, which the stack is built with.
type declared struct {
	requestHeaders  map[string]bool // name: required
	envelope        bool
	success         int
	responseHeaders []string // on the success response
}

func declaredHeaders(t *testing.T) map[string]declared {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(sources.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]declared{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			d := declared{requestHeaders: map[string]bool{}}
			for _, p := range op.Parameters {
				if p.Value.In == "header" {
					d.requestHeaders[p.Value.Name] = p.Value.Required
				}
			}
			d.envelope, _ = op.Extensions["x-response-envelope"].(bool)
			for code := range op.Responses.Map() {
				if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 && (d.success == 0 || n < d.success) {
					d.success = n
				}
			}
			for name := range op.Responses.Status(d.success).Value.Headers {
				d.responseHeaders = append(d.responseHeaders, name)
			}
			sort.Strings(d.responseHeaders)
			out[op.OperationID] = d
		}
	}
	return out
}

var declaredListRE = regexp.MustCompile(`^#set\(\$declaredHeaders = \[([^\]]*)\]\)\n`)

// The headers each API Gateway method passes to its state machine are exactly the header
// parameters the contract declares (required where it says so), and every x-response-envelope
// operation answers its success status with the declared response headers taken from the
// envelope, as the local gateway does.
func TestDeclaredHeadersReachTheMachineAndEnvelopesAnswer(t *testing.T) {
	want := declaredHeaders(t)
	// The listing routes this is about, so an empty reading of the contract cannot pass.
	_, ifMatch := want["updateListing"].requestHeaders["If-Match"]
	if !want["createListing"].requestHeaders["Idempotency-Key"] || !ifMatch ||
		!want["createListing"].envelope || !slices.Contains(want["createListing"].responseHeaders, "Location") {
		t.Fatalf("the contract's listing headers are not as this test expects: %+v %+v", want["createListing"], want["updateListing"])
	}
	for _, stage := range stages() {
		d := synth(t, stage).doc
		seen := map[string]bool{}
		for _, id := range d.ofType("AWS::ApiGateway::Method") {
			m := d.Resources[id].Properties
			opID := str(m["OperationName"])
			w, ok := want[opID]
			if !ok {
				t.Fatalf("%s: method %s has no operation %q in the contract", stage, id, opID)
			}
			seen[opID] = true
			// Method request: the declared headers, required as declared, and no others.
			got := map[string]bool{}
			for k, v := range props(m["RequestParameters"]) {
				if name, ok := strings.CutPrefix(k, "method.request.header."); ok {
					got[name] = v == true
				}
			}
			if !maps.Equal(got, w.requestHeaders) {
				t.Errorf("%s: %s: method request headers %v, contract %v", stage, opID, got, w.requestHeaders)
			}
			integ := props(m["Integration"])
			if integ["Type"] == "MOCK" {
				continue
			}
			reqTmpl := join(props(integ["RequestTemplates"])["application/json"], func(string) string { return "<arn>" })
			var passed []string
			if mm := declaredListRE.FindStringSubmatch(reqTmpl); mm != nil {
				for _, q := range strings.Split(mm[1], ", ") {
					passed = append(passed, strings.Trim(q, `"`))
				}
			}
			sort.Strings(passed)
			wantNames := make([]string, 0, len(w.requestHeaders))
			for n := range w.requestHeaders {
				wantNames = append(wantNames, n)
			}
			sort.Strings(wantNames)
			if !slices.Equal(passed, wantNames) {
				t.Errorf("%s: %s: the request template passes headers %v, the contract declares %v", stage, opID, passed, wantNames)
			}
			if hasInput := strings.Contains(reqTmpl, `\"headers\": {`); hasInput != (len(wantNames) > 0) {
				t.Errorf("%s: %s: input carries headers = %v, want %v", stage, opID, hasInput, len(wantNames) > 0)
			}

			// Integration response: the success status, and for envelopes the declared
			// headers from the envelope and the body cut out of it (none for 204).
			resps := list(integ["IntegrationResponses"])
			resp := str(props(props(resps[0])["ResponseTemplates"])["application/json"])
			if !strings.Contains(resp, "#if($status == \"SUCCEEDED\")\n#set($context.responseOverride.status = "+strconv.Itoa(w.success)+")\n") {
				t.Errorf("%s: %s: success status is not %d:\n%s", stage, opID, w.success, resp)
			}
			if !strings.Contains(resp, "#set($context.responseOverride.header.X-Request-Id = $context.requestId)") {
				t.Errorf("%s: %s: no X-Request-Id", stage, opID)
			}
			if strings.Contains(resp, "$envelope") != w.envelope {
				t.Errorf("%s: %s: envelope unwrapped = %v, contract x-response-envelope = %v", stage, opID, !w.envelope, w.envelope)
			}
			if w.envelope {
				for _, h := range w.responseHeaders {
					line := "#set($context.responseOverride.header." + h + " = $envelope.headers.get('" + h + "'))"
					if strings.Contains(resp, line) == (h == RequestIDHeader) {
						t.Errorf("%s: %s: response header %s from the envelope: want %v", stage, opID, h, h != RequestIDHeader)
					}
				}
				if strings.Contains(resp, "$out.substring(") == (w.success == 204) {
					t.Errorf("%s: %s: body for a %d:\n%s", stage, opID, w.success, resp)
				}
			}
			// Method response of the success status declares the headers it may carry.
			var declaredOut []string
			for _, r := range list(m["MethodResponses"]) {
				if str(props(r)["StatusCode"]) == strconv.Itoa(w.success) {
					for k := range props(props(r)["ResponseParameters"]) {
						declaredOut = append(declaredOut, strings.TrimPrefix(k, "method.response.header."))
					}
				}
			}
			sort.Strings(declaredOut)
			wantOut := []string{RequestIDHeader}
			if w.envelope {
				wantOut = append([]string(nil), w.responseHeaders...)
				if !slices.Contains(wantOut, RequestIDHeader) {
					wantOut = append(wantOut, RequestIDHeader)
				}
			}
			sort.Strings(wantOut)
			if !slices.Equal(declaredOut, wantOut) {
				t.Errorf("%s: %s: method response %d declares %v, want %v", stage, opID, w.success, declaredOut, wantOut)
			}
		}
		for _, op := range []string{"createListing", "updateListing", "withdrawListing", "getListing"} {
			if !seen[op] {
				t.Errorf("%s: %s is not deployed (listings are on everywhere)", stage, op)
			}
		}
	}
}

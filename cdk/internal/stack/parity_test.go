package stack

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/cdk/internal/contract"
	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

// Each state machine's synthesized definition, with its substitutions resolved, is the file in
// statemachines/: the definition is the file verbatim, and every placeholder is substituted with
// exactly the resource the local stack resolves it to (the step's function, the table, the
// nested machine).
func TestStateMachinesEqualTheirFiles(t *testing.T) {
	srcs, err := sources.StateMachines(mustRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, stage := range stages() {
		d := synth(t, stage).doc
		if got := len(d.ofType("AWS::StepFunctions::StateMachine")); got != len(srcs) {
			t.Fatalf("%s: %d state machines, want %d", stage, got, len(srcs))
		}
		for _, src := range srcs {
			_, sm := d.byProp(t, "AWS::StepFunctions::StateMachine", "StateMachineName", "vehicle-data-"+stage+"-"+src.Name)
			if sm.Properties["StateMachineType"] != "EXPRESS" {
				t.Errorf("%s/%s: type %v", stage, src.Name, sm.Properties["StateMachineType"])
			}
			// Resolve every substitution to the name of what it points at, then substitute.
			subs := props(sm.Properties["DefinitionSubstitutions"])
			resolved := map[string]string{}
			for ph, v := range subs {
				id := refOf(v)
				r, ok := d.Resources[id]
				if !ok {
					t.Fatalf("%s/%s: ${%s} points at %v", stage, src.Name, ph, v)
				}
				switch r.Type {
				case "AWS::Lambda::Alias":
					fn := d.Resources[refOf(r.Properties["FunctionName"])]
					resolved[ph] = "function:" + str(fn.Properties["FunctionName"]) + ":" + str(r.Properties["Name"])
				case "AWS::DynamoDB::Table":
					resolved[ph] = "table:" + str(r.Properties["TableName"])
				case "AWS::StepFunctions::StateMachine":
					resolved[ph] = "stateMachine:" + str(r.Properties["StateMachineName"])
				default:
					t.Errorf("%s/%s: ${%s} points at a %s", stage, src.Name, ph, r.Type)
				}
			}
			// What the local stack substitutes, named the same way.
			want := map[string]string{}
			for _, g := range sources.PlaceholderRE.FindAllStringSubmatch(src.Definition, -1) {
				ph := g[1]
				switch {
				case ph == sources.TablePlaceholder:
					want[ph] = "table:vehicle-data-" + stage
				case strings.HasSuffix(ph, "StateMachineArn"):
					for _, m := range srcs {
						if sources.StateMachinePlaceholder(m.Name) == ph {
							want[ph] = "stateMachine:vehicle-data-" + stage + "-" + m.Name
						}
					}
				default:
					for _, st := range mustSteps(t) {
						if sources.Placeholder(st.Name) == ph {
							want[ph] = "function:vehicle-data-" + stage + "-" + st.Name + ":" + AliasName
						}
					}
				}
			}
			if fmt.Sprint(resolved) != fmt.Sprint(want) {
				t.Errorf("%s/%s: substitutions\n got %v\nwant %v", stage, src.Name, resolved, want)
			}
			def := str(sm.Properties["DefinitionString"])
			if def != src.Definition {
				t.Errorf("%s/%s: the synthesized definition differs from statemachines/%s.asl.json", stage, src.Name, src.Name)
			}
			subst := func(s string, values map[string]string) string {
				return sources.PlaceholderRE.ReplaceAllStringFunc(s, func(m string) string { return values[m[2:len(m)-1]] })
			}
			if subst(def, resolved) != subst(src.Definition, want) {
				t.Errorf("%s/%s: resolved definitions differ", stage, src.Name)
			}
			// X-Ray on; errors only, never execution data (personal data).
			if !strings.Contains(str(sm.Properties["TracingConfiguration"]), `"Enabled":true`) {
				t.Errorf("%s/%s: tracing off", stage, src.Name)
			}
			lc := props(sm.Properties["LoggingConfiguration"])
			if lc["Level"] != "ERROR" || lc["IncludeExecutionData"] != false {
				t.Errorf("%s/%s: logging %v", stage, src.Name, lc)
			}
		}
	}
}

// apiPath rebuilds a method's path from its resource chain.
func apiPath(d template, resourceID any) string {
	id := refOf(resourceID)
	if id == "" {
		return "" // the root resource (Fn::GetAtt RootResourceId)
	}
	r := d.Resources[id]
	if r.Type == "AWS::ApiGateway::RestApi" {
		return "" // the root resource
	}
	return apiPath(d, r.Properties["ParentId"]) + "/" + str(r.Properties["PathPart"])
}

// The API's methods are the OpenAPI operations: path, method, the authorizer on secured ones,
// the state machine the operation names, and the mapping templates.
func TestAPIMethodsEqualTheContract(t *testing.T) {
	ops, err := contract.Parse(sources.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	for _, stage := range stages() {
		d := synth(t, stage).doc
		authorizers := d.ofType("AWS::ApiGateway::Authorizer")
		if len(authorizers) != 1 {
			t.Fatalf("%s: authorizers %v", stage, authorizers)
		}
		auth := d.Resources[authorizers[0]]
		if auth.Properties["Type"] != "REQUEST" || auth.Properties["AuthorizerResultTtlInSeconds"] != float64(0) || str(auth.Properties["IdentitySource"]) != "" {
			t.Errorf("%s: the authorizer must be a REQUEST authorizer without identity sources or caching: %v", stage, auth.Properties)
		}
		var got []string
		for _, id := range d.ofType("AWS::ApiGateway::Method") {
			m := d.Resources[id].Properties
			path := apiPath(d, m["ResourceId"])
			key := m["HttpMethod"].(string) + " " + path
			got = append(got, key)
			i := slices.IndexFunc(ops, func(o contract.Operation) bool { return o.Method+" "+o.Path == key })
			if i < 0 {
				t.Errorf("%s: method %s is not in the contract", stage, key)
				continue
			}
			op := ops[i]
			if op.Secured != (m["AuthorizationType"] == "CUSTOM" && refOf(m["AuthorizerId"]) == authorizers[0]) {
				t.Errorf("%s: %s: authorization %v, contract secured=%v", stage, key, m["AuthorizationType"], op.Secured)
			}
			if !op.Secured && m["AuthorizationType"] != "NONE" {
				t.Errorf("%s: %s: public operation with authorization %v", stage, key, m["AuthorizationType"])
			}
			integ := props(m["Integration"])
			for _, p := range op.PathParams {
				if props(m["RequestParameters"])["method.request.path."+p] != true {
					t.Errorf("%s: %s: path parameter %s not required", stage, key, p)
				}
			}
			if (op.Body != nil) != (m["RequestModels"] != nil) || refOf(m["RequestValidatorId"]) == "" {
				t.Errorf("%s: %s: request validation (body model %v, validator %v)", stage, key, m["RequestModels"], m["RequestValidatorId"])
			}
			if op.Health {
				if integ["Type"] != "MOCK" {
					t.Errorf("%s: %s: health integration %v", stage, key, integ["Type"])
				}
				continue
			}
			if !strings.Contains(str(integ["Uri"]), ":states:action/StartSyncExecution") {
				t.Errorf("%s: %s: integration %v does not call StartSyncExecution", stage, key, integ["Uri"])
			}
			smID, _ := d.byProp(t, "AWS::StepFunctions::StateMachine", "StateMachineName", "vehicle-data-"+stage+"-"+op.Machine)
			tmpl := join(props(integ["RequestTemplates"])["application/json"], func(ref string) string {
				if ref == smID {
					return "${StateMachineArn}"
				}
				return "<" + ref + ">"
			})
			if tmpl != sources.RequestTemplateFor(headerNames(op)) {
				t.Errorf("%s: %s: the request template is not internal/gateway's, starting %s:\n%s", stage, key, op.Machine, tmpl)
			}
			responses := list(integ["IntegrationResponses"])
			if len(responses) == 0 || str(props(props(responses[0])["ResponseTemplates"])["application/json"]) != OperationResponseTemplate(op) {
				t.Errorf("%s: %s: the default integration response is not the error-table template", stage, key)
			}
		}
		// Exactly the operations whose feature is on in this environment (x-feature).
		features, err := sources.Features(synth(t, stage).stack.target.Env)
		if err != nil {
			t.Fatal(err)
		}
		enabled, err := contract.Enabled(ops, features)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, o := range enabled {
			want = append(want, o.Method+" "+o.Path)
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: methods\n got %v\nwant %v", stage, got, want)
		}
	}
}

// The response template maps FAILED by every error name of internal/apperr's table to its
// status, TIMED_OUT to 504, and anything else to 500 without its cause.
func TestResponseMappingCoversEveryErrorCode(t *testing.T) {
	tmpl := ResponseTemplate(201)
	if !strings.Contains(tmpl, "#if($status == \"SUCCEEDED\")\n#set($context.responseOverride.status = 201)\n$input.path('$.output')") {
		t.Errorf("success branch:\n%s", tmpl)
	}
	if !strings.Contains(tmpl, "#elseif($status == \"TIMED_OUT\" || $input.path('$.error') == \"States.Timeout\")\n#set($context.responseOverride.status = 504)") {
		t.Errorf("timeout branch:\n%s", tmpl)
	}
	for _, e := range sources.Errors() {
		branch := regexp.MustCompile(`\(\$error == "` + regexp.QuoteMeta(e.StateError) + `"\)\n#set\(\$context\.responseOverride\.status = (\d+)\)`)
		m := branch.FindStringSubmatch(tmpl)
		if e.Code == sources.InternalCode {
			if m != nil {
				t.Errorf("%s must take the generic branch (its cause is internal)", e.StateError)
			}
			continue
		}
		if m == nil || m[1] != fmt.Sprint(e.Status) {
			t.Errorf("%s: want status %d, branch %v", e.StateError, e.Status, m)
		}
	}
	if !strings.Contains(tmpl, "#set($context.responseOverride.status = 401)\n#set($context.responseOverride.header.WWW-Authenticate = '"+sources.Challenge()+"')") {
		t.Errorf("a 401 without a challenge:\n%s", tmpl)
	}
	if !strings.Contains(tmpl, "#else\n#set($context.responseOverride.status = 500)\n"+errorJSON("INTERNAL", "internal error", "", "")) {
		t.Errorf("no generic 500 branch:\n%s", tmpl)
	}
	// The branches must nest correctly: every #if closes.
	if strings.Count(tmpl, "#if(") != strings.Count(tmpl, "#end") {
		t.Errorf("unbalanced template: %d #if, %d #end", strings.Count(tmpl, "#if("), strings.Count(tmpl, "#end"))
	}
	// The errors the gateway answers itself also speak the contract's error shape.
	for _, stage := range stages() {
		d := synth(t, stage).doc
		for _, id := range d.ofType("AWS::ApiGateway::GatewayResponse") {
			body := str(props(d.Resources[id].Properties["ResponseTemplates"])["application/json"])
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if json.Unmarshal([]byte(body), &e) != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Errorf("%s: gateway response %s: %s", stage, id, body)
			}
			// Only the missing-parameter answer carries API Gateway's message (parameter names,
			// never a value); every other one is fixed text.
			typ := d.Resources[id].Properties["ResponseType"]
			if strings.Contains(body, "$context") != (typ == "BAD_REQUEST_PARAMETERS") {
				t.Errorf("%s: gateway response %s (%v): %s", stage, id, typ, body)
			}
			if typ == "BAD_REQUEST_PARAMETERS" && e.Error.Message != MissingParametersMessage {
				t.Errorf("%s: a missing parameter is answered %q, not naming it", stage, e.Error.Message)
			}
		}
	}
}

// join renders a string or an Fn::Join of strings and Refs, naming each Ref with name.
func join(v any, name func(ref string) string) string {
	if s, ok := v.(string); ok {
		return s
	}
	if r := refOf(v); r != "" {
		return name(r)
	}
	j := list(props(v)["Fn::Join"])
	if len(j) != 2 {
		return str(v)
	}
	var parts []string
	for _, p := range list(j[1]) {
		parts = append(parts, join(p, name))
	}
	return strings.Join(parts, j[0].(string))
}

func mustRoot(t *testing.T) string {
	t.Helper()
	root, err := sources.Root()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func mustSteps(t *testing.T) []sources.Step {
	t.Helper()
	var steps []sources.Step
	for _, f := range sources.Functions() {
		if f.Name != sources.AuthorizerName {
			steps = append(steps, f)
		}
	}
	return steps
}

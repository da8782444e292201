package catalog_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
)

// apiGatewayLimit is API Gateway's integration timeout, the outermost budget.
const apiGatewayLimit = 29

type state struct {
	Type           string          `json:"Type"`
	Resource       string          `json:"Resource"`
	Parameters     json.RawMessage `json:"Parameters"`
	TimeoutSeconds int             `json:"TimeoutSeconds"`
	Retry          []struct {
		ErrorEquals []string `json:"ErrorEquals"`
	} `json:"Retry"`
	Branches []machineDef `json:"Branches"`
}

type machineDef struct {
	TimeoutSeconds int              `json:"TimeoutSeconds"`
	States         map[string]state `json:"States"`
}

// walk visits every state, nested branches included.
func walk(m machineDef, fn func(name string, s state)) {
	for name, s := range m.States {
		fn(name, s)
		for _, b := range s.Branches {
			walk(b, fn)
		}
	}
}

func loadDef(t *testing.T, name string) machineDef {
	t.Helper()
	var m machineDef
	if err := json.Unmarshal(readASL(t, name), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// DESIGN.md principle 4: API Gateway 29 s > state machine > Task > Lambda timeout, and state
// machine Retry covers Lambda service errors only.
func TestTimeBudgetsNestAndRetriesCoverLambdaErrorsOnly(t *testing.T) {
	report, auth := loadDef(t, "vehicle-report"), loadDef(t, "ownership-authorization")
	if report.TimeoutSeconds == 0 || report.TimeoutSeconds >= apiGatewayLimit {
		t.Fatalf("vehicle-report TimeoutSeconds %d, want 0 < x < %d", report.TimeoutSeconds, apiGatewayLimit)
	}
	lambdaTimeout := map[string]time.Duration{}
	for _, s := range catalog.Steps() {
		lambdaTimeout[catalog.Placeholder(s.Name)] = s.Timeout
	}
	serviceErrors := []string{"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"}
	placeholder := regexp.MustCompile(`^\$\{(\w+)\}$`)
	type named struct {
		name string
		m    machineDef
	}
	defs := []named{{"vehicle-report", report}, {"ownership-authorization", auth}}
	// Every other machine's Lambda tasks must fit the catalog's timeouts too.
	paths, _ := filepath.Glob("../../statemachines/*.asl.json")
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".asl.json")
		if name != "vehicle-report" && name != "ownership-authorization" {
			defs = append(defs, named{name, loadDef(t, name)})
		}
	}
	// A nested machine is named by its ${<Machine>StateMachineArn} placeholder.
	machineArn := regexp.MustCompile(`^\$\{(\w+)StateMachineArn\}$`)
	byArn := map[string]machineDef{}
	for _, def := range defs {
		var pascal strings.Builder
		for _, part := range strings.Split(def.name, "-") {
			pascal.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
		byArn[pascal.String()] = def.m
	}
	for _, def := range defs {
		if def.m.TimeoutSeconds == 0 || def.m.TimeoutSeconds >= apiGatewayLimit {
			t.Errorf("%s: TimeoutSeconds %d, want 0 < x < %d", def.name, def.m.TimeoutSeconds, apiGatewayLimit)
		}
		walk(def.m, func(name string, s state) {
			if s.Type != "Task" {
				return
			}
			if s.TimeoutSeconds == 0 || s.TimeoutSeconds >= def.m.TimeoutSeconds {
				t.Errorf("%s/%s: TimeoutSeconds %d, want 0 < x < %d", def.name, name, s.TimeoutSeconds, def.m.TimeoutSeconds)
			}
			for _, r := range s.Retry {
				for _, e := range r.ErrorEquals {
					if !slices.Contains(serviceErrors, e) {
						t.Errorf("%s/%s retries %s: only Lambda service errors are retried here", def.name, name, e)
					}
				}
			}
			switch {
			case s.Resource == "arn:aws:states:::lambda:invoke":
				var p struct{ FunctionName string }
				_ = json.Unmarshal(s.Parameters, &p)
				m := placeholder.FindStringSubmatch(p.FunctionName)
				if m == nil {
					t.Errorf("%s/%s: FunctionName %q is not a registry placeholder", def.name, name, p.FunctionName)
					return
				}
				lt, ok := lambdaTimeout[m[1]]
				if !ok {
					t.Errorf("%s/%s: %s names no registered step", def.name, name, m[1])
				}
				if time.Duration(s.TimeoutSeconds)*time.Second <= lt {
					t.Errorf("%s/%s: Task TimeoutSeconds %d must exceed the Lambda timeout %v", def.name, name, s.TimeoutSeconds, lt)
				}
				if len(s.Retry) == 0 {
					t.Errorf("%s/%s: no Retry on Lambda service errors", def.name, name)
				}
			case strings.HasSuffix(s.Resource, ":sfn:startSyncExecution"):
				nested := auth.TimeoutSeconds
				var p struct{ StateMachineArn string }
				_ = json.Unmarshal(s.Parameters, &p)
				if m := machineArn.FindStringSubmatch(p.StateMachineArn); m != nil {
					if n, ok := byArn[m[1]]; ok {
						nested = n.TimeoutSeconds
					} else {
						t.Errorf("%s/%s: starts %s, which no statemachines/*.asl.json is", def.name, name, p.StateMachineArn)
					}
				}
				if s.TimeoutSeconds <= nested {
					t.Errorf("%s/%s: TimeoutSeconds %d must exceed the nested machine's %d", def.name, name, s.TimeoutSeconds, nested)
				}
			case strings.HasPrefix(s.Resource, "arn:aws:states:::states:startExecution"):
				// A started machine is not nested: its budget is its own, and the starter must
				// not wait for it (.sync would put its whole budget inside the starter's).
				if s.Resource != "arn:aws:states:::states:startExecution" {
					t.Errorf("%s/%s: %s waits for the started machine; start it fire-and-forget", def.name, name, s.Resource)
				}
			}
		})
	}
}

// The plan and merge steps rely on the state machine reading exactly the cache items the
// repository writes.
func TestReportReadsTheCacheItemsTheRepositoryWrites(t *testing.T) {
	var sks []string
	walk(loadDef(t, "vehicle-report"), func(_ string, s state) {
		if s.Resource != "arn:aws:states:::dynamodb:getItem" {
			return
		}
		var p struct {
			Key struct {
				SK struct{ S string } `json:"sk"`
			}
		}
		_ = json.Unmarshal(s.Parameters, &p)
		sks = append(sks, p.Key.SK.S)
	})
	want := dynamo.StateMachineCacheKeys()
	slices.Sort(sks)
	slices.Sort(want)
	if !slices.Equal(sks, want) {
		t.Fatalf("state machine reads %v, repository keys %v", sks, want)
	}
}

func TestPlaceholdersAndSubstitutions(t *testing.T) {
	if got := catalog.Placeholder(catalog.FetchVehicleMaster); got != "FetchVehicleMasterFunctionArn" {
		t.Fatalf("Placeholder = %s", got)
	}
	subs := catalog.Substitutions(func(n string) string { return "arn:" + n })
	if len(subs) != len(catalog.Steps()) || subs["ValidateVinFunctionArn"] != "arn:validate-vin" {
		t.Fatalf("Substitutions = %v", subs)
	}
	// Every ${...} in the definitions is a step placeholder or ${TableName} or a state machine ARN (${<Machine>StateMachineArn}, as CDK and internal/local/stack name them).
	re := regexp.MustCompile(`\$\{(\w+)\}`)
	machines := map[string]bool{}
	for _, name := range []string{"vehicle-report", "ownership-authorization", "report-refresh"} {
		machines[pascal(name)+"StateMachineArn"] = true
	}
	for _, name := range []string{"vehicle-report", "ownership-authorization", "report-refresh"} {
		for _, m := range re.FindAllStringSubmatch(string(readASL(t, name)), -1) {
			if _, ok := subs[m[1]]; !ok && m[1] != "TableName" && !machines[m[1]] {
				t.Errorf("%s: unknown placeholder ${%s}", name, m[1])
			}
		}
	}
}

// pascal is the machine's name as its ARN placeholder spells it: report-refresh -> ReportRefresh.
func pascal(name string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(name, "-") {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func readASL(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../statemachines/" + name + ".asl.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

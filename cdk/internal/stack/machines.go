package stack

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

type machine struct {
	src    sources.Machine
	sm     awsstepfunctions.StateMachine
	role   awsiam.Role
	steps  []string // registry names of the functions it invokes
	nested []string // state machines it starts
}

type machines struct {
	byName map[string]*machine
	order  []string // dependencies first
}

// integrations maps the ASL's optimised DynamoDB integrations to the IAM action each needs.
var dynamoIntegrations = map[string]string{
	"arn:aws:states:::dynamodb:getItem":    "dynamodb:GetItem",
	"arn:aws:states:::dynamodb:putItem":    "dynamodb:PutItem",
	"arn:aws:states:::dynamodb:updateItem": "dynamodb:UpdateItem",
	"arn:aws:states:::dynamodb:deleteItem": "dynamodb:DeleteItem",
}

const (
	lambdaInvoke     = "arn:aws:states:::lambda:invoke"
	startSyncExecute = "arn:aws:states:::aws-sdk:sfn:startSyncExecution"
	startExecute     = "arn:aws:states:::states:startExecution" // fire-and-forget
)

// startActions maps each Task resource that starts a machine to the IAM action it needs.
var startActions = map[string]string{
	startSyncExecute: "states:StartSyncExecution",
	startExecute:     "states:StartExecution",
}

// startedBy maps each StateMachineArn placeholder a definition's start tasks name to the IAM
// action those tasks need, so a machine may start each machine only the way it does.
func startedBy(def string) (map[string]string, error) {
	var doc any
	if err := json.Unmarshal([]byte(def), &doc); err != nil {
		return nil, fmt.Errorf("decode definition: %w", err)
	}
	out := map[string]string{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			r, _ := x["Resource"].(string)
			if a, ok := startActions[r]; ok && x["Type"] == "Task" {
				p, _ := x["Parameters"].(map[string]any)
				arn, _ := p["StateMachineArn"].(string)
				if g := sources.PlaceholderRE.FindStringSubmatch(arn); g != nil {
					out[g[1]] = a
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
	return out, nil
}

// resourcesOf lists every Task Resource of a definition, nested branches included.
func resourcesOf(def string) ([]string, error) {
	var doc any
	if err := json.Unmarshal([]byte(def), &doc); err != nil {
		return nil, fmt.Errorf("decode definition: %w", err)
	}
	set := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["Resource"].(string); ok && x["Type"] == "Task" {
				set[r] = true
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out, nil
}

func newMachines(s *Stack) (*machines, error) {
	srcs, err := sources.StateMachines(s.props.Root)
	if err != nil {
		return nil, err
	}
	stepByPlaceholder := map[string]string{}
	for name := range s.functions.steps {
		stepByPlaceholder[sources.Placeholder(name)] = name
	}
	machineByPlaceholder := map[string]string{}
	for _, m := range srcs {
		machineByPlaceholder[sources.StateMachinePlaceholder(m.Name)] = m.Name
	}
	ms := &machines{byName: map[string]*machine{}}
	for _, src := range srcs {
		m := &machine{src: src}
		seen := map[string]bool{}
		for _, g := range sources.PlaceholderRE.FindAllStringSubmatch(src.Definition, -1) {
			ph := g[1]
			if seen[ph] {
				continue
			}
			seen[ph] = true
			switch {
			case ph == sources.TablePlaceholder:
			case stepByPlaceholder[ph] != "":
				m.steps = append(m.steps, stepByPlaceholder[ph])
			case machineByPlaceholder[ph] != "":
				m.nested = append(m.nested, machineByPlaceholder[ph])
			default:
				return nil, fmt.Errorf("state machine %s: ${%s} is neither a registry step, a state machine nor the table", src.Name, ph)
			}
		}
		sort.Strings(m.steps)
		sort.Strings(m.nested)
		ms.byName[src.Name] = m
	}
	// Nested machines first: a machine's substitutions reference the ARNs of those it starts.
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(n string, path []string) error
	visit = func(n string, path []string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("state machines start each other in a cycle: %s", strings.Join(append(path, n), " -> "))
		case 2:
			return nil
		}
		state[n] = 1
		for _, d := range ms.byName[n].nested {
			if err := visit(d, append(path, n)); err != nil {
				return err
			}
		}
		state[n] = 2
		ms.order = append(ms.order, n)
		return nil
	}
	for _, src := range srcs {
		if err := visit(src.Name, nil); err != nil {
			return nil, err
		}
	}
	for _, n := range ms.order {
		if err := ms.build(s, ms.byName[n]); err != nil {
			return nil, err
		}
	}
	return ms, nil
}

func (ms *machines) build(s *Stack, m *machine) error {
	id := pascal(m.src.Name)
	name := s.name(m.src.Name)
	role := awsiam.NewRole(s.Stack, jsii.String(id+"StateMachineRole"), &awsiam.RoleProps{
		RoleName:  jsii.String(name + "-sfn"),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("states.amazonaws.com"), nil),
	})
	m.role = role
	subs := map[string]*string{}
	for _, step := range m.steps {
		f := s.functions.steps[step]
		subs[sources.Placeholder(step)] = f.alias.FunctionArn()
	}
	if len(m.steps) > 0 {
		arns := make([]*string, 0, len(m.steps))
		for _, step := range m.steps {
			arns = append(arns, s.functions.steps[step].alias.FunctionArn())
		}
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("InvokeItsSteps"),
			Actions:   jsii.Strings("lambda:InvokeFunction"),
			Resources: &arns,
		}))
	}
	if len(m.nested) > 0 {
		how, err := startedBy(m.src.Definition)
		if err != nil {
			return fmt.Errorf("state machine %s: %w", m.src.Name, err)
		}
		byAction := map[string][]*string{}
		for _, n := range m.nested {
			arn := ms.byName[n].sm.StateMachineArn()
			subs[sources.StateMachinePlaceholder(n)] = arn
			a, ok := how[sources.StateMachinePlaceholder(n)]
			if !ok {
				return fmt.Errorf("state machine %s names %s outside a start task's StateMachineArn", m.src.Name, n)
			}
			byAction[a] = append(byAction[a], arn)
		}
		for _, x := range []struct{ action, sid string }{
			{"states:StartSyncExecution", "StartNestedMachines"},
			{"states:StartExecution", "StartMachinesFireAndForget"},
		} {
			if arns := byAction[x.action]; len(arns) > 0 {
				a := x.action
				role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:       jsii.String(x.sid),
					Actions:   jsii.Strings(a),
					Resources: &arns,
				}))
			}
		}
	}
	resources, err := resourcesOf(m.src.Definition)
	if err != nil {
		return fmt.Errorf("state machine %s: %w", m.src.Name, err)
	}
	var tableActions []string
	for _, r := range resources {
		if a, ok := dynamoIntegrations[r]; ok {
			tableActions = append(tableActions, a)
			continue
		}
		if _, start := startActions[r]; r != lambdaInvoke && !start {
			return fmt.Errorf("state machine %s: Task resource %s: the stack does not know which permission it needs", m.src.Name, r)
		}
	}
	if strings.Contains(m.src.Definition, "${"+sources.TablePlaceholder+"}") {
		subs[sources.TablePlaceholder] = s.data.table.TableName()
	}
	if len(tableActions) > 0 {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("TableAccess"),
			Actions:   jsii.Strings(tableActions...),
			Resources: &[]*string{s.data.table.TableArn()},
		}))
	}
	// Express state machine logs: errors only, and never the execution's input or output,
	// which carry VINs, owners' names and ownership codes (personal data, DESIGN.md principle 5).
	lg := s.logGroup(id+"StateMachineLogs", "/aws/vendedlogs/states/"+name)
	m.sm = awsstepfunctions.NewStateMachine(s.Stack, jsii.String(id+"StateMachine"), &awsstepfunctions.StateMachineProps{
		StateMachineName:        jsii.String(name),
		StateMachineType:        awsstepfunctions.StateMachineType_EXPRESS,
		DefinitionBody:          awsstepfunctions.DefinitionBody_FromString(jsii.String(m.src.Definition)),
		DefinitionSubstitutions: &subs,
		Role:                    role,
		TracingEnabled:          jsii.Bool(true),
		Logs: &awsstepfunctions.LogOptions{
			Destination:          lg,
			Level:                awsstepfunctions.LogLevel_ERROR,
			IncludeExecutionData: jsii.Bool(false),
		},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(m.sm, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-SF1"),
		Reason: jsii.String("Express executions log errors only, without execution data (personal data); X-Ray traces every execution. " +
			"ALL would log every state transition of the hot report path for no operational gain."),
	}}, jsii.Bool(false))
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("X-Ray tracing and Step Functions' log delivery to CloudWatch Logs (logs:CreateLogDelivery and related actions) " +
			"support no resource-level permissions: AWS requires Resource \"*\" for them."),
		AppliesTo: &[]interface{}{jsii.String("Resource::*")},
	}}, jsii.Bool(true))
	return nil
}

// pascal turns kebab-case into PascalCase for construct ids.
func pascal(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// Package stack is the vehicle-data stack: everything one environment (or developer stage) runs
// in AWS, built from the product's single sources (cdk/internal/sources) and one environment's
// settings (cdk/environments.json).
package stack

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-oem/vehicle-data/cdk/internal/envconfig"
	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

// Props configure one stack.
type Props struct {
	Target envconfig.Target
	// Root is the repository root (statemachines/, api/, frontend/).
	Root string
	// LambdaAssetDir holds bootstrap, the Lambda binary from `make build`.
	LambdaAssetDir string
	// SiteDir is the site's build (frontend/dist); empty deploys config.json alone.
	SiteDir string
}

// Stack is the built stack with the parts tests and other constructs refer to.
type Stack struct {
	Stack  awscdk.Stack
	target envconfig.Target
	props  Props

	data      *data
	functions *functions
	machines  *machines
	identity  *identity
	network   *network // nil without environments.json's network
	api       *restAPI
	site      *site
	ops       *ops
}

// New builds the stack of one target. Errors in the sources (an unknown placeholder, a route
// naming a missing state machine) are returned, not deployed.
func New(scope constructs.Construct, p Props) (*Stack, error) {
	t := p.Target
	st := awscdk.NewStack(scope, jsii.String(envconfig.StackName(t.Stage)), &awscdk.StackProps{
		Env:         &awscdk.Environment{Account: jsii.String(t.Account), Region: jsii.String(t.Region)},
		Description: jsii.String(fmt.Sprintf("Vehicle data platform, stage %s (environment %s)", t.Stage, t.Env)),
		// Termination protection where data must survive a mistaken destroy.
		TerminationProtection: jsii.Bool(!t.Developer && t.Env != "dev"),
	})
	awscdk.Tags_Of(st).Add(jsii.String("application"), jsii.String("vehicle-data"), nil)
	awscdk.Tags_Of(st).Add(jsii.String("environment"), jsii.String(t.Env), nil)
	awscdk.Tags_Of(st).Add(jsii.String("stage"), jsii.String(t.Stage), nil)
	s := &Stack{Stack: st, target: t, props: p}

	features, err := sources.Features(t.Env)
	if err != nil {
		return nil, err
	}
	s.data = newData(s)
	s.identity = newIdentity(s)
	s.network = newNetwork(s)
	s.functions = newFunctions(s, sources.Functions())
	s.identity.addPreTokenTrigger(s.functions.preToken.alias)
	if s.machines, err = newMachines(s); err != nil {
		return nil, err
	}
	if s.api, err = newRestAPI(s, features); err != nil {
		return nil, err
	}
	if s.site, err = newSite(s, features); err != nil {
		return nil, err
	}
	s.ops = newOps(s)
	newCatalogueAlarms(s)
	newCanary(s)
	out := func(id string, v *string, desc string) {
		awscdk.NewCfnOutput(st, jsii.String(id), &awscdk.CfnOutputProps{Value: v, Description: jsii.String(desc)})
	}
	out("SiteUrl", s.site.url, "The site; the API is under /api")
	out("ApiUrl", s.api.api.Url(), "The API stage's own endpoint (prefer the site's /api)")
	out("UserPoolId", s.identity.pool.UserPoolId(), "Cognito user pool (acceptance test users live here)")
	out("UserPoolClientId", s.identity.client.UserPoolClientId(), "The site's app client")
	if s.target.TestUsers {
		out("AcceptanceClientId", s.identity.client.UserPoolClientId(), "The app client the acceptance suite signs its test users in with (admin auth, test users only)")
	}
	out("HostedUiUrl", jsii.String(hostedUIOrigin(s)), "Cognito hosted UI")
	if !t.Developer {
		newGithubDeployRole(s)
	}
	return s, nil
}

// name is a physical resource name: every one carries the stage, so stages share an account.
func (s *Stack) name(parts ...string) string {
	n := "vehicle-data-" + s.target.Stage
	for _, p := range parts {
		n += "-" + p
	}
	return n
}

// removal keeps data outside dev and developer stages.
func (s *Stack) removal() awscdk.RemovalPolicy {
	if s.disposable() {
		return awscdk.RemovalPolicy_DESTROY
	}
	return awscdk.RemovalPolicy_RETAIN
}

// disposable: dev and developer stages hold nothing that must survive a destroy.
func (s *Stack) disposable() bool { return s.target.Developer || s.target.Env == "dev" }

func (s *Stack) retention() awslogs.RetentionDays {
	days := s.target.Sizes.LogRetentionDays
	// CloudWatch accepts only certain values; take the smallest allowed one that keeps at least
	// the configured days.
	for _, r := range []struct {
		d float64
		r awslogs.RetentionDays
	}{{1, awslogs.RetentionDays_ONE_DAY}, {3, awslogs.RetentionDays_THREE_DAYS}, {5, awslogs.RetentionDays_FIVE_DAYS},
		{7, awslogs.RetentionDays_ONE_WEEK}, {14, awslogs.RetentionDays_TWO_WEEKS}, {30, awslogs.RetentionDays_ONE_MONTH},
		{60, awslogs.RetentionDays_TWO_MONTHS}, {90, awslogs.RetentionDays_THREE_MONTHS}, {180, awslogs.RetentionDays_SIX_MONTHS},
		{365, awslogs.RetentionDays_ONE_YEAR}} {
		if days <= r.d {
			return r.r
		}
	}
	return awslogs.RetentionDays_ONE_YEAR
}

// logGroup creates a log group with the stage's retention.
func (s *Stack) logGroup(id, name string) awslogs.LogGroup {
	return awslogs.NewLogGroup(s.Stack, jsii.String(id), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String(name),
		Retention:     s.retention(),
		RemovalPolicy: s.removal(),
	})
}

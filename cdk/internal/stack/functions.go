package stack

import (
	"fmt"
	"slices"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

// AliasName is the alias every state machine and the API invoke: CodeDeploy shifts it between
// versions.
const AliasName = "live"

type function struct {
	step     sources.Step
	fn       awslambda.Function
	alias    awslambda.Alias
	logGroup awslogs.LogGroup
	group    awscodedeploy.LambdaDeploymentGroup
}

type functions struct {
	steps      map[string]*function // by registry name
	order      []string
	authorizer *function
	preToken   *function
	// sharePage is built with the site (newSharePage), which owns the bucket it reads.
	sharePage     *function
	sharePageURL  awslambda.FunctionUrl
	sharePageStep sources.Step
	app           awscodedeploy.LambdaApplication
}

func newFunctions(s *Stack, fns []sources.Step) *functions {
	f := &functions{
		steps: map[string]*function{},
		app: awscodedeploy.NewLambdaApplication(s.Stack, jsii.String("Deployments"), &awscodedeploy.LambdaApplicationProps{
			ApplicationName: jsii.String(s.name()),
		}),
	}
	legacy := map[string]string{
		sources.EnvVehicleMaster: s.target.Legacy.VehicleMasterURL,
		sources.EnvWorkshop:      s.target.Legacy.WorkshopURL,
		sources.EnvRegistry:      s.target.Legacy.RegistryURL,
		sources.EnvRecalls:       s.target.Legacy.RecallsURL,
		sources.EnvOffers:        s.target.Legacy.OffersURL,
		sources.EnvDealerStock:   s.target.Legacy.DealerStockURL,
	}
	for _, st := range fns {
		if st.Name == sources.SharePageName {
			f.sharePageStep = st
			continue
		}
		env := map[string]*string{
			sources.EnvHandler: jsii.String(st.Name),
		}
		for _, need := range append(slices.Clone(st.Needs), st.Optional...) {
			switch need {
			case sources.EnvPseudonymKey:
				// CloudFormation resolves the secret at deploy time; the value never enters the
				// template or cdk.out.
				env[need] = s.data.pseudonymKey.SecretValue().UnsafeUnwrap()
			case sources.EnvTableName:
				env[need] = s.data.table.TableName()
			case sources.EnvOwnershipPepper:
				env[need] = s.data.pepper.SecretValue().UnsafeUnwrap()
			case sources.EnvOIDCIssuer:
				env[need] = s.identity.issuer()
			case sources.EnvOIDCAudience:
				// Cognito access tokens name the app client in client_id, not aud.
				env[need] = s.identity.client.UserPoolClientId()
			case sources.EnvOIDCAudienceClaim:
				env[need] = jsii.String(sources.AudienceClaimClientID)
			case sources.EnvOIDCRoleClaim:
				// The roles are the user's Cognito groups (identity.go creates them).
				env[need] = jsii.String("cognito:groups")
			case sources.EnvCodeSender:
				env[need] = jsii.String(s.target.CodeDelivery.Sender)
			case sources.EnvSiteURL:
				u, ok := knownSiteURL(s)
				if !ok {
					continue // a developer stage: site-relative share links
				}
				env[need] = jsii.String(u)
			case sources.EnvOIDCJWKSURL:
				// Saves each cold authorizer the discovery request.
				env[need] = jsii.String(*s.identity.issuer() + "/.well-known/jwks.json")
			default:
				u, ok := legacy[need]
				if !ok && slices.Contains(st.Optional, need) {
					continue // an optional setting the stack does not provide keeps its default
				}
				if !ok {
					panic(fmt.Sprintf("function %s needs %s, which the stack cannot provide", st.Name, need))
				}
				env[need] = jsii.String(u)
			}
		}
		fn := newFunction(s, f, st, env)
		if st.UsesTable {
			fn.fn.Role().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("TableAccess"),
				Actions:   jsii.Strings(sources.TableActions()...),
				Resources: &[]*string{s.data.table.TableArn(), s.data.indexArn()},
			}))
			cdknag.NagSuppressions_AddResourceSuppressions(fn.fn.Role(), &[]*cdknag.NagPackSuppression{{
				Id:        jsii.String("AwsSolutions-IAM5"),
				Reason:    jsii.String("The grants of a subject are listed through the table's GSI; the wildcard covers this table's indexes only."),
				AppliesTo: &[]interface{}{&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::<Table[0-9A-F]{8}\.Arn>\/index\/\*$/g`)}},
			}}, jsii.Bool(true))
		}
		if slices.Contains(st.Needs, sources.EnvCodeSender) {
			grantCodeDelivery(s, fn)
		}
		if st.Name == sources.AuthorizerName {
			f.authorizer = fn
			continue
		}
		if st.Name == sources.PreTokenName {
			f.preToken = fn
			continue
		}
		f.steps[st.Name] = fn
		f.order = append(f.order, st.Name)
	}
	sort.Strings(f.order)
	return f
}

func newFunction(s *Stack, f *functions, st sources.Step, env map[string]*string) *function {
	name := s.name(st.Name)
	id := pascal(st.Name)
	lg := s.logGroup(id+"Logs", "/aws/lambda/"+name)
	// Our own role instead of AWSLambdaBasicExecutionRole: logging is allowed to its log group
	// only.
	role := awsiam.NewRole(s.Stack, jsii.String(id+"Role"), &awsiam.RoleProps{
		RoleName:  jsii.String(name),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
	})
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("Logs"),
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: &[]*string{lg.LogGroupArn()},
	}))
	props := &awslambda.FunctionProps{
		FunctionName:  jsii.String(name),
		Runtime:       awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:  awslambda.Architecture_ARM_64(),
		Handler:       jsii.String("bootstrap"),
		Code:          awslambda.Code_FromAsset(jsii.String(s.props.LambdaAssetDir), nil),
		Timeout:       awscdk.Duration_Millis(jsii.Number(float64(st.Timeout.Milliseconds()))),
		MemorySize:    jsii.Number(float64(st.MemoryMB)),
		Tracing:       awslambda.Tracing_ACTIVE,
		Environment:   &env,
		LogGroup:      lg,
		Role:          role,
		LoggingFormat: awslambda.LoggingFormat_JSON,
		Description:   jsii.String("vehicle-data step " + st.Name),
	}
	inVPC := s.network.place(st, props)
	fn := awslambda.NewFunction(s.Stack, jsii.String(id), props)
	if inVPC {
		// Lambda attaches the function's network interfaces with the execution role; CDK adds
		// this policy only to roles it creates itself.
		role.AddManagedPolicy(awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("service-role/AWSLambdaVPCAccessExecutionRole")))
		allowENIs(role)
	}
	alias := awslambda.NewAlias(s.Stack, jsii.String(id+"Alias"), &awslambda.AliasProps{
		AliasName: jsii.String(AliasName),
		Version:   fn.CurrentVersion(),
	})
	config := awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES()
	if s.target.Developer {
		// A developer stage is for fast iteration; nobody else's traffic is at risk.
		config = awscodedeploy.LambdaDeploymentConfig_ALL_AT_ONCE()
	}
	group := awscodedeploy.NewLambdaDeploymentGroup(s.Stack, jsii.String(id+"Deployment"), &awscodedeploy.LambdaDeploymentGroupProps{
		Application:         f.app,
		DeploymentGroupName: jsii.String(name),
		Alias:               alias,
		DeploymentConfig:    config,
		AutoRollback: &awscodedeploy.AutoRollbackConfig{
			FailedDeployment:  jsii.Bool(true),
			DeploymentInAlarm: jsii.Bool(true),
		},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(group, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM4"),
		Reason:    jsii.String("CodeDeploy's service role uses AWS's AWSCodeDeployRoleForLambdaLimited, scoped by AWS to Lambda alias shifting."),
		AppliesTo: &[]interface{}{jsii.String("Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited")},
	}}, jsii.Bool(true))
	suppressXRay(role)
	return &function{step: st, fn: fn, alias: alias, logGroup: lg, group: group}
}

// suppressXRay documents the one wildcard resource Lambda's and Step Functions' tracing needs.
func suppressXRay(c interface{}) {
	cdknag.NagSuppressions_AddResourceSuppressions(c, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level permissions: AWS requires Resource \"*\"."),
		AppliesTo: &[]interface{}{jsii.String("Resource::*")},
	}}, jsii.Bool(true))
}

// all lists the step functions in name order, then the authorizer, the pre token trigger and
// the share page (once the site has built it).
func (f *functions) all() []*function {
	out := make([]*function, 0, len(f.order)+3)
	for _, n := range f.order {
		out = append(out, f.steps[n])
	}
	out = append(out, f.authorizer, f.preToken)
	if f.sharePage != nil {
		out = append(out, f.sharePage)
	}
	return out
}

// knownSiteURL is the site's origin when it is known before deploy: an environment's own domain.
// A developer stage's is its distribution's generated domain, and the functions the
// distribution depends on (the API's steps, the share page) cannot name it without a cycle.
func knownSiteURL(s *Stack) (string, bool) {
	if s.target.Developer || s.target.DomainName == "" {
		return "", false
	}
	return "https://" + s.target.DomainName, true
}

// grantCodeDelivery lets a function send one-time codes: SMS through SNS, e-mail through SES.
func grantCodeDelivery(s *Stack, fn *function) {
	role := fn.fn.Role()
	// An SMS goes to a phone number, which has no ARN: IAM evaluates a direct publish against
	// Resource "*", so "*" is the only resource that allows it. The Deny below takes every topic
	// and platform endpoint (all SNS ARNs) back out, so the grant is SMS only.
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("CodesBySMS"),
		Actions:   jsii.Strings("sns:Publish"),
		Resources: jsii.Strings("*"),
	}))
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("NoTopicPublish"),
		Effect:    awsiam.Effect_DENY,
		Actions:   jsii.Strings("sns:Publish"),
		Resources: jsii.Strings("arn:aws:sns:*:*:*"),
	}))
	cd := s.target.CodeDelivery
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("CodesByEmail"),
		Actions: jsii.Strings("ses:SendEmail"),
		Resources: &[]*string{awscdk.Arn_Format(&awscdk.ArnComponents{
			Service: jsii.String("ses"), Resource: jsii.String("identity"), ResourceName: jsii.String(cd.EmailIdentity),
		}, s.Stack)},
		// Only as the configured sender.
		Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{"ses:FromAddress": cd.Sender}},
	}))
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("SMS to a phone number has no resource ARN, so sns:Publish must name Resource *; " +
			"an explicit Deny on every SNS ARN (topics, endpoints) limits it to SMS."),
		AppliesTo: &[]interface{}{jsii.String("Resource::*")},
	}}, jsii.Bool(true))
}

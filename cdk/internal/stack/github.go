package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// GithubOIDCHost is GitHub Actions' OIDC token issuer.
const GithubOIDCHost = "token.actions.githubusercontent.com"

// BootstrapRoles are the CDK bootstrap roles the deploy role may assume: with them the CDK CLI
// publishes assets and lets CloudFormation deploy; the deploy role itself can do nothing else.
var BootstrapRoles = []string{"deploy", "file-publishing", "image-publishing", "lookup"}

// AcceptanceUserActions are what the acceptance stage does with its test users, on the user pool
// of an environment with test users only.
var AcceptanceUserActions = []string{"cognito-idp:AdminGetUser", "cognito-idp:AdminCreateUser",
	"cognito-idp:AdminSetUserPassword", "cognito-idp:AdminAddUserToGroup", "cognito-idp:AdminInitiateAuth"}

// newGithubDeployRole is the role the pipeline assumes through GitHub's OIDC provider, for this
// environment only: the token must come from the repository's workflow running in the GitHub
// environment of the same name (where prod's required reviewers apply).
func newGithubDeployRole(s *Stack) awsiam.Role {
	t := s.target
	var providerArn *string
	if t.CreateGithubOidcProvider {
		// The native resource (no custom resource): one per account, see environments.json.
		p := awsiam.NewCfnOIDCProvider(s.Stack, jsii.String("GithubOidc"), &awsiam.CfnOIDCProviderProps{
			Url:          jsii.String("https://" + GithubOIDCHost),
			ClientIdList: jsii.Strings("sts.amazonaws.com"),
		})
		p.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
		providerArn = p.AttrArn()
	} else {
		providerArn = jsii.String("arn:" + *awscdk.Aws_PARTITION() + ":iam::" + t.Account + ":oidc-provider/" + GithubOIDCHost)
	}
	role := awsiam.NewRole(s.Stack, jsii.String("GithubDeployRole"), &awsiam.RoleProps{
		RoleName:    jsii.String("vehicle-data-" + t.Env + "-github-deploy"),
		Description: jsii.String("GitHub Actions deploys " + t.Repository + " to " + t.Env),
		AssumedBy: awsiam.NewWebIdentityPrincipal(providerArn, &map[string]interface{}{
			"StringEquals": map[string]interface{}{
				GithubOIDCHost + ":aud": "sts.amazonaws.com",
				GithubOIDCHost + ":sub": "repo:" + t.Repository + ":environment:" + t.Env,
			},
		}),
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(1)),
	})
	qualifier := *awscdk.DefaultStackSynthesizer_DEFAULT_QUALIFIER()
	var arns []*string
	for _, r := range BootstrapRoles {
		arns = append(arns, jsii.String("arn:"+*awscdk.Aws_PARTITION()+":iam::"+t.Account+":role/cdk-"+qualifier+"-"+r+"-role-"+t.Account+"-"+t.Region))
	}
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("AssumeCdkBootstrapRoles"),
		Actions:   jsii.Strings("sts:AssumeRole", "sts:TagSession"),
		Resources: &arns,
	}))
	if t.TestUsers {
		// The acceptance stage after the dev deploy reads the stack's outputs and signs its test
		// users in (.github/scripts/acceptance-tokens.sh); only where test users exist.
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("AcceptanceOutputs"),
			Actions:   jsii.Strings("cloudformation:DescribeStacks"),
			Resources: &[]*string{s.Stack.StackId()},
		}))
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("AcceptanceUsers"),
			Actions:   jsii.Strings(AcceptanceUserActions...),
			Resources: &[]*string{s.identity.pool.UserPoolArn()},
		}))
	}
	awscdk.NewCfnOutput(s.Stack, jsii.String("GithubDeployRoleArn"), &awscdk.CfnOutputProps{
		Value:       role.RoleArn(),
		Description: jsii.String("Role the deploy workflow assumes for " + t.Env),
	})
	return role
}

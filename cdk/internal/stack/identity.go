package stack

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

type identity struct {
	pool   awscognito.UserPool
	client awscognito.UserPoolClient
	domain awscognito.UserPoolDomain
}

// OEMProviderName is the OEM's OpenID Connect provider as Cognito names it (functions/pretoken
// recognises federated users by it).
const OEMProviderName = sources.OEMProviderName

// OEMDealerClaim is the claim of the OEM provider's tokens that carries a dealer's id.
const OEMDealerClaim = "dealer_id"

func newIdentity(s *Stack) *identity {
	t := s.target
	pool := awscognito.NewUserPool(s.Stack, jsii.String("Users"), &awscognito.UserPoolProps{
		UserPoolName:      jsii.String(s.name()),
		SelfSignUpEnabled: jsii.Bool(false),
		SignInAliases:     &awscognito.SignInAliases{Email: jsii.Bool(true)},
		AccountRecovery:   awscognito.AccountRecovery_NONE,
		PasswordPolicy: &awscognito.PasswordPolicy{
			MinLength: jsii.Number(14), RequireDigits: jsii.Bool(true), RequireLowercase: jsii.Bool(true),
			RequireUppercase: jsii.Bool(true), RequireSymbols: jsii.Bool(true),
			TempPasswordValidity: awscdk.Duration_Days(jsii.Number(1)),
		},
		Mfa:                          awscognito.Mfa_REQUIRED,
		MfaSecondFactor:              &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)},
		FeaturePlan:                  awscognito.FeaturePlan_PLUS,
		StandardThreatProtectionMode: awscognito.StandardThreatProtectionMode_FULL_FUNCTION,
		// The OEM provider's dealer id, mapped at every federated sign-in; the pre token trigger
		// copies it into access tokens. Not mutable would forbid that update.
		CustomAttributes: &map[string]awscognito.ICustomAttribute{
			strings.TrimPrefix(sources.DealerAttribute, "custom:"): awscognito.NewStringAttribute(&awscognito.StringAttributeProps{
				MinLen: jsii.Number(1), MaxLen: jsii.Number(64), Mutable: jsii.Bool(true),
			}),
		},
		DeletionProtection: jsii.Bool(!s.disposable()),
		RemovalPolicy:      s.removal(),
	})
	// The client secret of the OEM's provider is kept in Secrets Manager (created out of band);
	// CloudFormation resolves it at deploy time, so it never appears in the template.
	secret := awscdk.SecretValue_SecretsManager(jsii.String(t.OIDC.ClientSecretName), nil)
	oem := awscognito.NewUserPoolIdentityProviderOidc(s.Stack, jsii.String("OEMProvider"), &awscognito.UserPoolIdentityProviderOidcProps{
		UserPool:               pool,
		Name:                   jsii.String(OEMProviderName),
		ClientId:               jsii.String(t.OIDC.ClientID),
		ClientSecret:           secret.UnsafeUnwrap(),
		IssuerUrl:              jsii.String(t.OIDC.IssuerURL),
		Scopes:                 jsii.Strings("openid", "email", "profile"),
		AttributeRequestMethod: awscognito.OidcAttributeRequestMethod_GET,
		AttributeMapping: &awscognito.AttributeMapping{
			Email: awscognito.ProviderAttribute_Other(jsii.String("email")),
			Custom: &map[string]awscognito.ProviderAttribute{
				sources.DealerAttribute: awscognito.ProviderAttribute_Other(jsii.String(OEMDealerClaim)),
			},
		},
	})
	// The roles the authorizer reads (cognito:groups) are these groups.
	for _, role := range sources.Roles() {
		awscognito.NewCfnUserPoolGroup(s.Stack, jsii.String("Group"+pascal(role)), &awscognito.CfnUserPoolGroupProps{
			UserPoolId:  pool.UserPoolId(),
			GroupName:   jsii.String(role),
			Description: jsii.String("Callers with the " + role + " role"),
		})
	}
	domain := pool.AddDomain(jsii.String("HostedUI"), &awscognito.UserPoolDomainOptions{
		CognitoDomain: &awscognito.CognitoDomainOptions{DomainPrefix: jsii.String(domainPrefix(s))},
	})
	providers := []awscognito.UserPoolClientIdentityProvider{awscognito.UserPoolClientIdentityProvider_Custom(jsii.String(OEMProviderName))}
	if t.TestUsers {
		providers = append(providers, awscognito.UserPoolClientIdentityProvider_COGNITO())
	}
	id := &identity{pool: pool, domain: domain}
	id.client = pool.AddClient(jsii.String("Site"), &awscognito.UserPoolClientOptions{
		UserPoolClientName: jsii.String(s.name("site")),
		// A browser app: no secret; the authorization code flow with PKCE.
		GenerateSecret: jsii.Bool(false),
		// Where test users exist (dev), the deploy workflow signs the acceptance suite's users in
		// with admin auth (.github/scripts/acceptance-tokens.sh): their access tokens name this
		// client, so the authorizer accepts them as it accepts the site's.
		AuthFlows: &awscognito.AuthFlow{UserSrp: jsii.Bool(t.TestUsers), AdminUserPassword: jsii.Bool(t.TestUsers)},
		OAuth: &awscognito.OAuthSettings{
			Flows:  &awscognito.OAuthFlows{AuthorizationCodeGrant: jsii.Bool(true)},
			Scopes: &[]awscognito.OAuthScope{awscognito.OAuthScope_OPENID(), awscognito.OAuthScope_EMAIL(), awscognito.OAuthScope_PROFILE()},
			// Set to the site's URL once the distribution exists (site.go).
			CallbackUrls: jsii.Strings("https://localhost/auth/callback"),
		},
		SupportedIdentityProviders: &providers,
		// Cognito updates a mapped attribute only if the client may write it, so the client writes
		// the mapped ones and no more. A user of the pool's own directory could write
		// custom:dealer_id with a token of the aws.cognito.signin.user.admin scope (the test users'
		// auth flows give one); functions/pretoken copies the value only for OEM-federated dealers.
		WriteAttributes: awscognito.NewClientAttributes().
			WithStandardAttributes(&awscognito.StandardAttributesMask{Email: jsii.Bool(true)}).
			WithCustomAttributes(jsii.String(strings.TrimPrefix(sources.DealerAttribute, "custom:"))),
		PreventUserExistenceErrors: jsii.Bool(true),
		AccessTokenValidity:        awscdk.Duration_Hours(jsii.Number(1)),
		IdTokenValidity:            awscdk.Duration_Hours(jsii.Number(1)),
		RefreshTokenValidity:       awscdk.Duration_Hours(jsii.Number(12)),
		EnableTokenRevocation:      jsii.Bool(true),
	})
	id.client.Node().AddDependency(oem)
	cdknag.NagSuppressions_AddResourceSuppressions(pool, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("AwsSolutions-COG2"),
		Reason: jsii.String("MFA is required (OTP) for the pool's own users; federated OEM users get MFA from the OEM's identity provider."),
	}}, jsii.Bool(false))
	return id
}

// addPreTokenTrigger makes fn (the pre token generation trigger, an alias so CodeDeploy shifts it
// like the other functions) put the dealer id into access tokens: the V2_0 event, the only one
// that can change ACCESS tokens, needs the Essentials or Plus feature plan (the pool has Plus).
func (id *identity) addPreTokenTrigger(fn awslambda.IFunction) {
	id.pool.AddTrigger(awscognito.UserPoolOperation_PRE_TOKEN_GENERATION_CONFIG(), fn, awscognito.LambdaVersion_V2_0)
}

// domainPrefix is the hosted UI prefix: the configured one, or a stage-specific one.
func domainPrefix(s *Stack) string {
	if s.target.Developer {
		return s.target.AuthDomainPrefix + "-" + s.target.Stage
	}
	return s.target.AuthDomainPrefix
}

// issuer is the issuer of the pool's tokens.
func (id *identity) issuer() *string { return id.pool.UserPoolProviderUrl() }

package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

type identity struct {
	pool   awscognito.UserPool
	client awscognito.UserPoolClient
	domain awscognito.UserPoolDomain
}

// OEMProviderName is the OEM's OpenID Connect provider as Cognito names it.
const OEMProviderName = "OEM"

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
		DeletionProtection:           jsii.Bool(!s.disposable()),
		RemovalPolicy:                s.removal(),
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

// domainPrefix is the hosted UI prefix: the configured one, or a stage-specific one.
func domainPrefix(s *Stack) string {
	if s.target.Developer {
		return s.target.AuthDomainPrefix + "-" + s.target.Stage
	}
	return s.target.AuthDomainPrefix
}

// issuer is the issuer of the pool's tokens.
func (id *identity) issuer() *string { return id.pool.UserPoolProviderUrl() }

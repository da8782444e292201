package stack

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53targets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3deployment"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

type site struct {
	bucket       awss3.Bucket
	distribution awscloudfront.Distribution
	headers      awscloudfront.ResponseHeadersPolicy
	// url is the site's origin ("https://..."), a token for developer stages.
	url *string
	// config is the config.json the site reads.
	config map[string]any
}

// spaRouting serves index.html for the site's client-side routes (paths without a file
// extension); /api/* has its own behaviour and never reaches this function.
const spaRouting = `function handler(event) {
  var request = event.request;
  if (request.uri.indexOf('.') === -1) { request.uri = '/index.html'; }
  return request;
}`

// apiDomain is the host of the API's own endpoint.
func apiDomain(s *Stack) string {
	return fmt.Sprintf("%s.execute-api.%s.%s", *s.api.api.RestApiId(), s.target.Region, *awscdk.Aws_URL_SUFFIX())
}

// hostedUIOrigin is the Cognito hosted UI's origin, known before deploy.
func hostedUIOrigin(s *Stack) string {
	return "https://" + domainPrefix(s) + ".auth." + s.target.Region + ".amazoncognito.com"
}

func newSite(s *Stack, features map[string]bool) (*site, error) {
	t := s.target
	headers, err := sources.SecurityHeaders(s.props.Root)
	if err != nil {
		return nil, err
	}
	st := &site{}
	st.bucket = awss3.NewBucket(s.Stack, jsii.String("SiteBucket"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		Versioned:         jsii.Bool(true), // a bad site deploy rolls back by restoring versions
		RemovalPolicy:     s.removal(),
		AutoDeleteObjects: jsii.Bool(s.disposable()),
	})
	cdknag.NagSuppressions_AddResourceSuppressions(st.bucket, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-S1"),
		Reason: jsii.String("The bucket holds only the public static build, read solely by CloudFront through OAC; " +
			"request logs would add client IPs and paths with VINs (personal data) and nothing to operate on."),
	}}, jsii.Bool(false))

	policy, err := headersPolicy(s, headers)
	if err != nil {
		return nil, err
	}
	st.headers = policy
	spa := awscloudfront.NewFunction(s.Stack, jsii.String("SpaRouting"), &awscloudfront.FunctionProps{
		FunctionName: jsii.String(s.name("spa-routing")),
		Code:         awscloudfront.FunctionCode_FromInline(jsii.String(spaRouting)),
		Runtime:      awscloudfront.FunctionRuntime_JS_2_0(),
	})
	apiDomain := apiDomain(s)
	props := &awscloudfront.DistributionProps{
		Comment:           jsii.String(s.name()),
		DefaultRootObject: jsii.String("index.html"),
		HttpVersion:       awscloudfront.HttpVersion_HTTP2_AND_3,
		PriceClass:        awscloudfront.PriceClass_PRICE_CLASS_100,
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:                awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(st.bucket, nil),
			ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			ResponseHeadersPolicy: policy,
			CachePolicy:           awscloudfront.CachePolicy_CACHING_OPTIMIZED(),
			FunctionAssociations: &[]*awscloudfront.FunctionAssociation{{
				Function: spa, EventType: awscloudfront.FunctionEventType_VIEWER_REQUEST,
			}},
		},
		// The API on the same origin: no CORS, and the site's CSP connect-src 'self' holds.
		AdditionalBehaviors: &map[string]*awscloudfront.BehaviorOptions{
			"/api/*": {
				Origin: awscloudfrontorigins.NewHttpOrigin(jsii.String(apiDomain), &awscloudfrontorigins.HttpOriginProps{
					OriginPath:         jsii.String("/" + StageName),
					ProtocolPolicy:     awscloudfront.OriginProtocolPolicy_HTTPS_ONLY,
					OriginSslProtocols: &[]awscloudfront.OriginSslPolicy{awscloudfront.OriginSslPolicy_TLS_V1_2},
				}),
				ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_HTTPS_ONLY,
				AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_ALL(),
				CachePolicy:           awscloudfront.CachePolicy_CACHING_DISABLED(),
				OriginRequestPolicy:   awscloudfront.OriginRequestPolicy_ALL_VIEWER_EXCEPT_HOST_HEADER(),
				ResponseHeadersPolicy: policy,
			},
			// A shared listing link: the page with the listing's Open Graph tags.
			"/l/*": sharePageBehavior(s, st.bucket, policy),
		},
	}
	if !t.Developer {
		props.DomainNames = jsii.Strings(t.DomainName)
		// Only with a certificate of our own; CloudFront's default one fixes the policy.
		props.MinimumProtocolVersion = awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021
		props.Certificate = awscertificatemanager.Certificate_FromCertificateArn(s.Stack, jsii.String("SiteCertificate"), jsii.String(t.CertificateArn))
	}
	st.distribution = awscloudfront.NewDistribution(s.Stack, jsii.String("Site"), props)
	allowSharePageInvoke(s, st.distribution)
	suppressions := []*cdknag.NagPackSuppression{
		{Id: jsii.String("AwsSolutions-CFR1"), Reason: jsii.String("The OEM sells in many countries; no geographic restriction is wanted.")},
		{Id: jsii.String("AwsSolutions-CFR2"), Reason: jsii.String("A CLOUDFRONT-scope web ACL must live in us-east-1; the API behind /api/* has its regional web ACL with managed rules and a rate limit, the rest is a static build.")},
		{Id: jsii.String("AwsSolutions-CFR3"), Reason: jsii.String("CloudFront access logs would record client IPs and paths carrying VINs (personal data); API access is logged by API Gateway without paths.")},
	}
	if t.Developer {
		suppressions = append(suppressions, &cdknag.NagPackSuppression{
			Id:     jsii.String("AwsSolutions-CFR4"),
			Reason: jsii.String("A developer stage uses CloudFront's default certificate (no domain of its own), which fixes the minimum TLS version."),
		})
	}
	cdknag.NagSuppressions_AddResourceSuppressions(st.distribution, &suppressions, jsii.Bool(false))

	if t.Developer {
		st.url = jsii.String("https://" + *st.distribution.DistributionDomainName())
	} else {
		st.url = jsii.String("https://" + t.DomainName)
		zone := awsroute53.HostedZone_FromHostedZoneAttributes(s.Stack, jsii.String("Zone"), &awsroute53.HostedZoneAttributes{
			HostedZoneId: jsii.String(t.HostedZoneID), ZoneName: jsii.String(t.HostedZoneName),
		})
		target := awsroute53.RecordTarget_FromAlias(awsroute53targets.NewCloudFrontTarget(st.distribution))
		awsroute53.NewARecord(s.Stack, jsii.String("SiteAlias"), &awsroute53.ARecordProps{Zone: zone, RecordName: jsii.String(t.DomainName), Target: target})
		awsroute53.NewAaaaRecord(s.Stack, jsii.String("SiteAliasV6"), &awsroute53.AaaaRecordProps{Zone: zone, RecordName: jsii.String(t.DomainName), Target: target})
	}
	// The hosted UI sends the user back to the site.
	client := s.identity.client.Node().DefaultChild().(awscognito.CfnUserPoolClient)
	client.SetCallbackUrLs(&[]*string{jsii.String(*st.url + "/auth/callback")})
	client.SetLogoutUrLs(&[]*string{jsii.String(*st.url + "/")})

	st.config = map[string]any{
		"environment": t.Env,
		"stage":       t.Stage,
		"apiBaseUrl":  "/api",
		"features":    features,
		"auth": map[string]any{
			"hostedUiUrl": hostedUIOrigin(s),
			"issuer":      s.identity.issuer(),
			"clientId":    s.identity.client.UserPoolClientId(),
			"redirectUri": *st.url + "/auth/callback",
			"logoutUri":   *st.url + "/",
			"scopes":      []string{"openid", "email", "profile"},
		},
	}
	deploySources := []awss3deployment.ISource{awss3deployment.Source_JsonData(jsii.String("config.json"), st.config, nil)}
	if dir := s.props.SiteDir; dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("site build %s: %w", dir, err)
		}
		deploySources = append([]awss3deployment.ISource{awss3deployment.Source_Asset(jsii.String(dir), nil)}, deploySources...)
	}
	deployment := awss3deployment.NewBucketDeployment(s.Stack, jsii.String("SiteContent"), &awss3deployment.BucketDeploymentProps{
		DestinationBucket: st.bucket,
		Sources:           &deploySources,
		Distribution:      st.distribution,
		DistributionPaths: jsii.Strings("/*"),
		MemoryLimit:       jsii.Number(512),
		Prune:             jsii.Bool(true),
	})
	cdknag.NagSuppressions_AddResourceSuppressions(deployment.HandlerRole(), &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("CDK's BucketDeployment handler copies every object of the asset into the site bucket (object wildcards on those two buckets " +
			"and s3 action groups are CDK's grant) and invalidates the distribution, for which CDK grants cloudfront:CreateInvalidation/GetInvalidation on \"*\"."),
	}}, jsii.Bool(true))
	cdknag.NagSuppressions_AddStackSuppressions(s.Stack, &[]*cdknag.NagPackSuppression{
		{Id: jsii.String("AwsSolutions-IAM4"), Reason: jsii.String("CDK's BucketDeployment custom resource (copies the site build into the bucket at deploy time) uses AWSLambdaBasicExecutionRole; it runs only during deployments."),
			AppliesTo: &[]interface{}{jsii.String("Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")}},
		{Id: jsii.String("AwsSolutions-L1"), Reason: jsii.String("The runtimes of CDK's own custom resource functions (BucketDeployment, auto-delete objects) are pinned by the CDK version, not by this app.")},
	}, jsii.Bool(true))
	return st, nil
}

// headersPolicy turns frontend/security-headers.json into a response headers policy: the
// headers CloudFront models as security headers go into their typed settings, the rest into
// custom headers. The Cognito hosted UI is appended to connect-src: the site exchanges its
// authorization code there.
func headersPolicy(s *Stack, headers map[string]string) (awscloudfront.ResponseHeadersPolicy, error) {
	sec := &awscloudfront.ResponseSecurityHeadersBehavior{}
	var custom []*awscloudfront.ResponseCustomHeader
	names := make([]string, 0, len(headers))
	for n := range headers {
		names = append(names, n)
	}
	sort.Strings(names)
	enum := func(v string) string { return strings.ToUpper(strings.ReplaceAll(v, "-", "_")) }
	for _, n := range names {
		v := headers[n]
		switch strings.ToLower(n) {
		case "content-security-policy":
			sec.ContentSecurityPolicy = &awscloudfront.ResponseHeadersContentSecurityPolicy{
				ContentSecurityPolicy: jsii.String(withConnectSrc(v, hostedUIOrigin(s))), Override: jsii.Bool(true),
			}
		case "x-content-type-options":
			if v != "nosniff" {
				return nil, fmt.Errorf("security headers: X-Content-Type-Options %q: CloudFront only sets nosniff", v)
			}
			sec.ContentTypeOptions = &awscloudfront.ResponseHeadersContentTypeOptions{Override: jsii.Bool(true)}
		case "referrer-policy":
			sec.ReferrerPolicy = &awscloudfront.ResponseHeadersReferrerPolicy{
				ReferrerPolicy: awscloudfront.HeadersReferrerPolicy(enum(v)), Override: jsii.Bool(true),
			}
		case "x-frame-options":
			sec.FrameOptions = &awscloudfront.ResponseHeadersFrameOptions{
				FrameOption: awscloudfront.HeadersFrameOption(enum(v)), Override: jsii.Bool(true),
			}
		case "strict-transport-security", "x-xss-protection":
			return nil, fmt.Errorf("security headers: %s is not mapped yet; add it to cdk/internal/stack/site.go", n)
		default:
			custom = append(custom, &awscloudfront.ResponseCustomHeader{Header: jsii.String(n), Value: jsii.String(v), Override: jsii.Bool(true)})
		}
	}
	// HSTS is the deployed site's alone (the local stack serves plain http on localhost, where the
	// header would mean nothing), so it is set here rather than in frontend/security-headers.json.
	// Two years, this host only: the OEM's other hosts under the zone are not ours to pin.
	sec.StrictTransportSecurity = &awscloudfront.ResponseHeadersStrictTransportSecurity{
		AccessControlMaxAge: awscdk.Duration_Days(jsii.Number(730)),
		IncludeSubdomains:   jsii.Bool(false),
		Override:            jsii.Bool(true),
	}
	props := &awscloudfront.ResponseHeadersPolicyProps{
		ResponseHeadersPolicyName: jsii.String(s.name("headers")),
		SecurityHeadersBehavior:   sec,
	}
	if len(custom) > 0 {
		props.CustomHeadersBehavior = &awscloudfront.ResponseCustomHeadersBehavior{CustomHeaders: &custom}
	}
	return awscloudfront.NewResponseHeadersPolicy(s.Stack, jsii.String("SiteHeaders"), props), nil
}

// withConnectSrc appends origin to the CSP's connect-src (adding the directive when missing).
func withConnectSrc(csp, origin string) string {
	parts := strings.Split(csp, ";")
	for i, p := range parts {
		f := strings.Fields(p)
		if len(f) > 0 && f[0] == "connect-src" {
			parts[i] = " " + strings.Join(append(f, origin), " ")
			return strings.TrimSpace(strings.Join(parts, ";"))
		}
	}
	return strings.TrimSpace(csp) + "; connect-src 'self' " + origin
}

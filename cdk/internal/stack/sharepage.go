package stack

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

// SharePageMaxAge bounds how long CloudFront keeps a share page; the function asks for a minute
// (functions/sharepage), and a stand-in answered while the API is down says no-store.
const SharePageMaxAge = 5

// sharePageBehavior deploys the share-page function (functions/sharepage) and the behaviour that
// sends the site's /l/* paths to it: a link-preview crawler runs no JavaScript, so the listing's
// Open Graph tags must be in the HTML CloudFront serves. Its function URL takes only requests
// CloudFront signs (origin access control); nothing from the viewer reaches it but the path (no
// cookie, no Authorization, no query string), so one cached page per listing serves everyone.
func sharePageBehavior(s *Stack, bucket awss3.IBucket, headers awscloudfront.IResponseHeadersPolicy) *awscloudfront.BehaviorOptions {
	f := s.functions
	env := map[string]*string{
		sources.EnvHandler:    jsii.String(f.sharePageStep.Name),
		sources.EnvSiteBucket: bucket.BucketName(),
		// Built from the API's id rather than its stage URL: the stage depends on the
		// authorizer, which depends on the app client, whose callback URLs name the distribution
		// on a developer stage; the stage URL would close that circle.
		sources.EnvAPIURL: jsii.String(fmt.Sprintf("https://%s/%s", apiDomain(s), StageName)),
	}
	if u, ok := knownSiteURL(s); ok {
		env[sources.EnvSiteURL] = jsii.String(u)
	}
	fn := newFunction(s, f, f.sharePageStep, env)
	// index.html only: the page needs nothing else of the bucket.
	fn.fn.Role().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("SiteIndex"),
		Actions:   jsii.Strings("s3:GetObject"),
		Resources: &[]*string{bucket.ArnForObjects(jsii.String("index.html"))},
	}))
	f.sharePage = fn
	url := fn.alias.AddFunctionUrl(&awslambda.FunctionUrlOptions{AuthType: awslambda.FunctionUrlAuthType_AWS_IAM})
	f.sharePageURL = url
	cache := awscloudfront.NewCachePolicy(s.Stack, jsii.String("SharePageCache"), &awscloudfront.CachePolicyProps{
		CachePolicyName:            jsii.String(s.name("share-page")),
		Comment:                    jsii.String("Share pages: keyed by path alone, kept as the function says (a minute), at most five"),
		DefaultTtl:                 awscdk.Duration_Minutes(jsii.Number(1)),
		MinTtl:                     awscdk.Duration_Seconds(jsii.Number(0)),
		MaxTtl:                     awscdk.Duration_Minutes(jsii.Number(SharePageMaxAge)),
		HeaderBehavior:             awscloudfront.CacheHeaderBehavior_None(),
		CookieBehavior:             awscloudfront.CacheCookieBehavior_None(),
		QueryStringBehavior:        awscloudfront.CacheQueryStringBehavior_None(),
		EnableAcceptEncodingGzip:   jsii.Bool(true),
		EnableAcceptEncodingBrotli: jsii.Bool(true),
	})
	return &awscloudfront.BehaviorOptions{
		Origin:                awscloudfrontorigins.FunctionUrlOrigin_WithOriginAccessControl(url, nil),
		ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
		AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
		CachedMethods:         awscloudfront.CachedMethods_CACHE_GET_HEAD(),
		CachePolicy:           cache,
		ResponseHeadersPolicy: headers,
		Compress:              jsii.Bool(true),
	}
}

// sharePageAlarm rolls a failing share-page deployment back and pages: shared links would show
// an error page instead of the car.
func sharePageAlarm(s *Stack, alarm func(string, awscloudwatch.IMetric, float64, string, float64) awscloudwatch.Alarm) {
	f := s.functions.sharePage
	errs := f.alias.MetricErrors(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(1)), Statistic: jsii.String("Sum")})
	f.group.AddAlarm(alarm("share-page-errors", errs, 0, "The share-page function failed: shared listing links answer an error", 2))
}

// allowSharePageInvoke completes CloudFront's grant: CDK's origin access control grants
// lambda:InvokeFunctionUrl, and since October 2025 a function URL also needs lambda:InvokeFunction
// from the same caller (Lambda's dual authorization for URLs, enforced for all URLs from November
// 2026), here only through the URL.
func allowSharePageInvoke(s *Stack, distribution awscloudfront.IDistribution) {
	awslambda.NewCfnPermission(s.Stack, jsii.String("SharePageInvokeFromSite"), &awslambda.CfnPermissionProps{
		Action:                jsii.String("lambda:InvokeFunction"),
		FunctionName:          s.functions.sharePageURL.FunctionArn(),
		Principal:             jsii.String("cloudfront.amazonaws.com"),
		SourceArn:             distribution.DistributionArn(),
		InvokedViaFunctionUrl: jsii.Bool(true),
	})
}

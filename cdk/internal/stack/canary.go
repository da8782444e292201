package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssynthetics"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// canaryScript looks up the public report of the OEM's test vehicle through the API, then opens
// a share page of the site in the browser. Authorization headers are never recorded.
const canaryScript = `const synthetics = require('Synthetics');
const log = require('SyntheticsLogger');

exports.handler = async function () {
  synthetics.getConfiguration().setConfig({ restrictedHeaders: ['authorization', 'cookie'], includeResponseBody: false });
  const site = new URL(process.env.SITE_URL);
  await synthetics.executeHttpStep('publicReport', {
    hostname: site.hostname, method: 'GET', port: 443, protocol: 'https:',
    path: '/api/vehicles/' + process.env.CANARY_VIN,
    headers: { Accept: 'application/json' },
  }, async function (res) {
    return new Promise(function (resolve, reject) {
      let body = '';
      res.on('data', function (d) { body += d; });
      res.on('end', function () {
        if (res.statusCode !== 200) { return reject(new Error('report answered ' + res.statusCode)); }
        try {
          const report = JSON.parse(body);
          if (report.access !== 'public') { return reject(new Error('an anonymous report must be public')); }
        } catch (e) { return reject(new Error('report is not JSON')); }
        resolve();
      });
    });
  });
  await synthetics.executeStep('sharePage', async function () {
    const page = await synthetics.getPage();
    const res = await page.goto(process.env.SITE_URL + process.env.CANARY_SHARE_PATH, { waitUntil: 'networkidle0', timeout: 30000 });
    if (!res || res.status() !== 200) { throw new Error('share page answered ' + (res ? res.status() : 'nothing')); }
    // The preview card is in the HTML as served (the share-page function), not added by script.
    if (!(await res.text()).includes('<meta property="og:title"')) { throw new Error('share page lacks its Open Graph tags'); }
    log.info('share page loaded');
  });
};
`

// CanaryName is the canary of a stage (at most 21 characters: the stage name is bounded for it).
func CanaryName(stage string) string { return "vd-" + stage + "-report" }

func newCanary(s *Stack) awssynthetics.Canary {
	bucket := awss3.NewBucket(s.Stack, jsii.String("CanaryArtifacts"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_DESTROY,
		AutoDeleteObjects: jsii.Bool(true),
		LifecycleRules:    &[]*awss3.LifecycleRule{{Expiration: awscdk.Duration_Days(jsii.Number(14))}},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(bucket, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("AwsSolutions-S1"),
		Reason: jsii.String("Holds only the canary's own screenshots and HAR files for 14 days; access logs would record nothing of interest."),
	}}, jsii.Bool(false))
	name := CanaryName(s.target.Stage)
	// Our own role: the construct's default grants s3:ListAllMyBuckets and more on "*".
	role := awsiam.NewRole(s.Stack, jsii.String("CanaryRole"), &awsiam.RoleProps{
		RoleName:  jsii.String(s.name("canary")),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
	})
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("Artifacts"),
		Actions:   jsii.Strings("s3:PutObject", "s3:GetBucketLocation"),
		Resources: &[]*string{bucket.BucketArn(), bucket.ArnForObjects(jsii.String("*"))},
	}))
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("Logs"),
		Actions:   jsii.Strings("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: jsii.Strings("arn:" + *awscdk.Aws_PARTITION() + ":logs:" + s.target.Region + ":" + s.target.Account + ":log-group:/aws/lambda/cwsyn-" + name + "-*"),
	}))
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("Tracing"),
		Actions:   jsii.Strings("xray:PutTraceSegments", "xray:PutTelemetryRecords"),
		Resources: jsii.Strings("*"),
	}))
	// Synthetics requires ListAllMyBuckets (it has no resource-level permissions).
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ListBuckets"),
		Actions:   jsii.Strings("s3:ListAllMyBuckets"),
		Resources: jsii.Strings("*"),
	}))
	// PutMetricData has no resource-level permissions; the condition limits it to the
	// Synthetics namespace.
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("Metrics"),
		Actions:    jsii.Strings("cloudwatch:PutMetricData"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{"cloudwatch:namespace": "CloudWatchSynthetics"}},
	}))
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("Synthetics writes its artifacts under generated keys, its log group is named by the service (cwsyn-<name>-<id>), " +
			"s3:ListAllMyBuckets and cloudwatch:PutMetricData have no resource-level permissions (the latter is limited to the CloudWatchSynthetics namespace)."),
	}}, jsii.Bool(true))
	canary := awssynthetics.NewCanary(s.Stack, jsii.String("Canary"), &awssynthetics.CanaryProps{
		CanaryName: jsii.String(name),
		Runtime:    awssynthetics.Runtime_SYNTHETICS_NODEJS_PUPPETEER_9_1(),
		Test: awssynthetics.Test_Custom(&awssynthetics.CustomTestOptions{
			Code:    awssynthetics.Code_FromInline(jsii.String(canaryScript)),
			Handler: jsii.String("index.handler"),
		}),
		Schedule: awssynthetics.Schedule_Rate(awscdk.Duration_Minutes(jsii.Number(5))),
		EnvironmentVariables: &map[string]*string{
			"SITE_URL":          s.site.url,
			"CANARY_VIN":        jsii.String(s.target.Canary.VIN),
			"CANARY_SHARE_PATH": jsii.String(s.target.Canary.SharePath),
		},
		ArtifactsBucketLocation: &awssynthetics.ArtifactsBucketLocation{Bucket: bucket},
		Role:                    role,
		ActiveTracing:           jsii.Bool(true),
		StartAfterCreation:      jsii.Bool(true),
		Timeout:                 awscdk.Duration_Minutes(jsii.Number(1)),
		SuccessRetentionPeriod:  awscdk.Duration_Days(jsii.Number(7)),
		FailureRetentionPeriod:  awscdk.Duration_Days(jsii.Number(14)),
	})
	a := awscloudwatch.NewAlarm(s.Stack, jsii.String("AlarmCanary"), &awscloudwatch.AlarmProps{
		AlarmName:          jsii.String(s.name("canary")),
		AlarmDescription:   jsii.String("The synthetic check (public report and share page) failed twice in a row"),
		Metric:             canary.MetricSuccessPercent(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5))}),
		Threshold:          jsii.Number(100),
		EvaluationPeriods:  jsii.Number(2),
		DatapointsToAlarm:  jsii.Number(2),
		ComparisonOperator: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
		// No data means the canary did not run: that is a failure too.
		TreatMissingData: awscloudwatch.TreatMissingData_BREACHING,
	})
	a.AddAlarmAction(awscloudwatchactions.NewSnsAction(s.ops.topic))
	s.ops.alarms["canary"] = a
	return canary
}

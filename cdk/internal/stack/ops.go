package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

type ops struct {
	topic  awssns.Topic
	alarms map[string]awscloudwatch.Alarm // by short name
	// rollback are the alarms CodeDeploy watches while it shifts traffic to a new version.
	rollback  []awscloudwatch.IAlarm
	dashboard awscloudwatch.Dashboard
}

// MetricsNamespace is where the stack's own metrics (from log metric filters) go.
const MetricsNamespace = "VehicleData"

func newOps(s *Stack) *ops {
	o := &ops{alarms: map[string]awscloudwatch.Alarm{}}
	key := awskms.NewKey(s.Stack, jsii.String("AlarmsKey"), &awskms.KeyProps{
		Alias:             jsii.String("alias/" + s.name("alarms")),
		Description:       jsii.String("Encrypts the alarm topic"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     s.removal(),
	})
	// CloudWatch must encrypt what it publishes to the topic (AWS-managed SNS keys do not allow it).
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"), // in a key policy, "*" is this key
	}), nil)
	o.topic = awssns.NewTopic(s.Stack, jsii.String("Alarms"), &awssns.TopicProps{
		TopicName:  jsii.String(s.name("alarms")),
		MasterKey:  key,
		EnforceSSL: jsii.Bool(true),
	})
	action := awscloudwatchactions.NewSnsAction(o.topic)
	alarm := func(short string, metric awscloudwatch.IMetric, threshold float64, desc string, periods float64) awscloudwatch.Alarm {
		a := awscloudwatch.NewAlarm(s.Stack, jsii.String("Alarm"+pascal(short)), &awscloudwatch.AlarmProps{
			AlarmName:          jsii.String(s.name(short)),
			AlarmDescription:   jsii.String(desc),
			Metric:             metric,
			Threshold:          jsii.Number(threshold),
			EvaluationPeriods:  jsii.Number(periods),
			DatapointsToAlarm:  jsii.Number(periods),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		a.AddAlarmAction(action)
		o.alarms[short] = a
		return a
	}
	minute := awscdk.Duration_Minutes(jsii.Number(1))
	apiName := s.name()
	apiMetric := func(name, stat string, dims map[string]*string) awscloudwatch.Metric {
		d := map[string]*string{"ApiName": jsii.String(apiName), "Stage": jsii.String(StageName)}
		for k, v := range dims {
			d[k] = v
		}
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/ApiGateway"), MetricName: jsii.String(name),
			DimensionsMap: &d, Statistic: jsii.String(stat), Period: minute,
		})
	}

	// The 5xx rate: 5XXError is 0 or 1 per request, so its average is the rate.
	api5xx := alarm("api-5xx-rate", apiMetric("5XXError", "Average", nil), s.target.Sizes.Error5xxRate,
		"Share of API requests answered 5xx", 3)
	o.rollback = append(o.rollback, api5xx)

	var latencyWidgets []awscloudwatch.IMetric
	for _, op := range s.api.ops {
		m := apiMetric("Latency", "p99", map[string]*string{"Resource": jsii.String(op.Path), "Method": jsii.String(op.Method)})
		a := alarm("p99-"+op.ID, m, s.target.Sizes.P99LatencyMs, "p99 latency of "+op.Method+" "+op.Path, 5)
		o.rollback = append(o.rollback, a)
		latencyWidgets = append(latencyWidgets, m)
	}

	var machineWidgets []awscloudwatch.IMetric
	for _, n := range s.machines.order {
		sm := s.machines.byName[n].sm
		timedOut := sm.MetricTimedOut(&awscloudwatch.MetricOptions{Period: minute, Statistic: jsii.String("Sum")})
		// Failures include the domain's answers (404, 409, ...), so the alarm watches their rate
		// against the started executions, not their count.
		failed := sm.MetricFailed(&awscloudwatch.MetricOptions{Period: minute, Statistic: jsii.String("Sum")})
		started := sm.MetricStarted(&awscloudwatch.MetricOptions{Period: minute, Statistic: jsii.String("Sum")})
		rate := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression:   jsii.String("IF(started > 0, failed / started, 0)"),
			UsingMetrics: &map[string]awscloudwatch.IMetric{"failed": failed, "started": started},
			Period:       minute,
			Label:        jsii.String(n + " failure rate"),
		})
		// CodeDeploy watches at most 10 alarms per deployment group: timeouts roll back, the
		// failure rate (noisy with domain errors) only pages.
		o.rollback = append(o.rollback, alarm(n+"-timeouts", timedOut, 0, "Executions of "+n+" that timed out", 2))
		alarm(n+"-failure-rate", rate, 0.5, "Share of "+n+" executions that failed (domain errors included)", 5)
		machineWidgets = append(machineWidgets, failed, timedOut)
	}

	// Breaker openings: legacyclients/transport logs each state change; a metric filter on
	// every function that calls a legacy system counts the openings.
	breakers := awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String(MetricsNamespace + "/" + s.target.Stage), MetricName: jsii.String("BreakerOpened"),
		Statistic: jsii.String("Sum"), Period: minute,
	})
	for _, n := range s.functions.order {
		f := s.functions.steps[n]
		if !callsLegacy(f.step) {
			continue
		}
		awslogs.NewMetricFilter(s.Stack, jsii.String(pascal(n)+"BreakerOpened"), &awslogs.MetricFilterProps{
			LogGroup:        f.logGroup,
			FilterPattern:   awslogs.FilterPattern_Literal(jsii.String(`{ $.msg = "` + sources.BreakerOpenedMessage + `" && $.to = "open" }`)),
			MetricNamespace: breakers.Namespace(),
			MetricName:      breakers.MetricName(),
			MetricValue:     jsii.String("1"),
			DefaultValue:    jsii.Number(0),
		})
	}
	alarm("breaker-opened", breakers, 0, "A legacy system's circuit breaker opened", 1)

	throttles := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String("r + w"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"r": tableMetric(s, "ReadThrottleEvents"), "w": tableMetric(s, "WriteThrottleEvents"),
		},
		Period: minute,
		Label:  jsii.String("DynamoDB throttle events"),
	})
	alarm("dynamodb-throttles", throttles, 0, "DynamoDB throttled requests on the table", 2)

	authErrors := s.functions.authorizer.alias.MetricErrors(&awscloudwatch.MetricOptions{Period: minute, Statistic: jsii.String("Sum")})
	authAlarm := alarm("authorizer-errors", authErrors, 0, "The Lambda authorizer failed (not: rejected a token)", 2)

	for _, f := range s.functions.all() {
		for _, a := range o.rollback {
			f.group.AddAlarm(a)
		}
	}
	s.functions.authorizer.group.AddAlarm(authAlarm)
	sharePageAlarm(s, alarm)
	// A failing pre token trigger stops every sign-in: it pages and rolls its own deployment back.
	preTokenErrors := s.functions.preToken.alias.MetricErrors(&awscloudwatch.MetricOptions{Period: minute, Statistic: jsii.String("Sum")})
	s.functions.preToken.group.AddAlarm(alarm("pre-token-errors", preTokenErrors, 0, "The user pool's pre token generation trigger failed: sign-ins fail", 1))

	var fnErrors, fnDurations []awscloudwatch.IMetric
	for _, f := range s.functions.all() {
		fnErrors = append(fnErrors, f.fn.MetricErrors(&awscloudwatch.MetricOptions{Period: minute, Statistic: jsii.String("Sum")}))
		fnDurations = append(fnDurations, f.fn.MetricDuration(&awscloudwatch.MetricOptions{Period: minute, Statistic: jsii.String("p99")}))
	}
	graph := func(title string, metrics []awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String(title), Left: &metrics, Width: jsii.Number(12)})
	}
	o.dashboard = awscloudwatch.NewDashboard(s.Stack, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String(s.name()),
		Widgets: &[]*[]awscloudwatch.IWidget{
			{graph("API requests and errors", []awscloudwatch.IMetric{apiMetric("Count", "Sum", nil), apiMetric("4XXError", "Sum", nil), apiMetric("5XXError", "Sum", nil)}),
				graph("p99 latency per route (ms)", latencyWidgets)},
			{graph("State machine failures and timeouts", machineWidgets), graph("Breaker openings and DynamoDB throttles", []awscloudwatch.IMetric{breakers, throttles})},
			{graph("Function errors", fnErrors), graph("Function p99 duration (ms)", fnDurations)},
		},
	})
	return o
}

func tableMetric(s *Stack, name string) awscloudwatch.IMetric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String("AWS/DynamoDB"), MetricName: jsii.String(name),
		DimensionsMap: &map[string]*string{"TableName": s.data.table.TableName()},
		Statistic:     jsii.String("Sum"), Period: awscdk.Duration_Minutes(jsii.Number(1)),
	})
}

// callsLegacy: the step is configured with a legacy system's URL.
func callsLegacy(st sources.Step) bool {
	for _, n := range st.Needs {
		switch n {
		case sources.EnvVehicleMaster, sources.EnvWorkshop, sources.EnvRegistry, sources.EnvRecalls:
			return true
		}
	}
	return false
}

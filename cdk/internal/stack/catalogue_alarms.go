package stack

import (
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-oem/vehicle-data/internal/metrics"
)

// comparisons and missingData map the catalogue's CloudFormation spellings to the CDK's enums
// (jsii enums are member names, not the CloudFormation values).
var (
	comparisons = map[string]awscloudwatch.ComparisonOperator{
		"GreaterThanOrEqualToThreshold": awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		"GreaterThanThreshold":          awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		"LessThanThreshold":             awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
		"LessThanOrEqualToThreshold":    awscloudwatch.ComparisonOperator_LESS_THAN_OR_EQUAL_TO_THRESHOLD,
	}
	missingData = map[string]awscloudwatch.TreatMissingData{
		"notBreaching": awscloudwatch.TreatMissingData_NOT_BREACHING,
		"breaching":    awscloudwatch.TreatMissingData_BREACHING,
		"ignore":       awscloudwatch.TreatMissingData_IGNORE,
		"missing":      awscloudwatch.TreatMissingData_MISSING,
	}
)

// newCatalogueAlarms creates one alarm per alarm of the metric catalogue (internal/metrics), on
// the metric names and dimensions the code records, so an alarm can never watch a name the code
// stopped emitting: the catalogue is the one list both read. Each notifies the alarm topic.
func newCatalogueAlarms(s *Stack) {
	action := awscloudwatchactions.NewSnsAction(s.ops.topic)
	for _, a := range metrics.Definitions().Alarms {
		if _, ok := comparisons[a.Comparison]; !ok {
			panic("metric catalogue alarm " + a.Name + ": unknown comparison " + a.Comparison)
		}
		if _, ok := missingData[a.TreatMissingData]; !ok {
			panic("metric catalogue alarm " + a.Name + ": unknown TreatMissingData " + a.TreatMissingData)
		}
		dims := map[string]*string{}
		keys := make([]string, 0, len(a.Dimensions))
		for k := range a.Dimensions {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			dims[k] = jsii.String(a.Dimensions[k])
		}
		m := awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace:     jsii.String(metrics.Namespace),
			MetricName:    jsii.String(string(a.Metric)),
			DimensionsMap: &dims,
			Statistic:     jsii.String(a.Statistic),
			Period:        awscdk.Duration_Seconds(jsii.Number(float64(a.PeriodSeconds))),
		})
		alarm := awscloudwatch.NewAlarm(s.Stack, jsii.String("CatalogueAlarm"+pascal(a.Name)), &awscloudwatch.AlarmProps{
			AlarmName:          jsii.String(s.name(a.Name)),
			AlarmDescription:   jsii.String(a.Help),
			Metric:             m,
			Threshold:          jsii.Number(a.Threshold),
			EvaluationPeriods:  jsii.Number(float64(a.EvaluationPeriods)),
			DatapointsToAlarm:  jsii.Number(float64(a.DatapointsToAlarm)),
			ComparisonOperator: comparisons[a.Comparison],
			TreatMissingData:   missingData[a.TreatMissingData],
		})
		alarm.AddAlarmAction(action)
	}
}

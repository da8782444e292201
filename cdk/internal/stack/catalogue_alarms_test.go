package stack

import (
	"fmt"
	"slices"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/metrics"
)

// TestAlarmsWatchTheMetricsTheCodeRecords: across the product and the CDK app, every alarm of the
// metric catalogue exists in every stage with the catalogue's metric name, namespace, dimensions
// and threshold, and every alarm in the product's namespace watches a metric that either the code
// records (a catalogue name, the only names metrics.Recorder accepts) or a log metric filter of
// the same template produces.
func TestAlarmsWatchTheMetricsTheCodeRecords(t *testing.T) {
	cat := metrics.Definitions()
	var catNames []string
	for _, m := range cat.Metrics {
		catNames = append(catNames, string(m.Name))
	}
	for _, stage := range []string{"dev", "prod"} {
		d := synth(t, stage).doc
		var filtered []string
		for _, id := range d.ofType("AWS::Logs::MetricFilter") {
			for _, tr := range d.Resources[id].Properties["MetricTransformations"].([]any) {
				filtered = append(filtered, fmt.Sprint(tr.(map[string]any)["MetricName"]))
			}
		}
		byName := map[string]map[string]any{}
		for _, id := range d.ofType("AWS::CloudWatch::Alarm") {
			p := d.Resources[id].Properties
			byName[fmt.Sprint(p["AlarmName"])] = p
			if p["Namespace"] != metrics.Namespace {
				continue
			}
			name := fmt.Sprint(p["MetricName"])
			if !slices.Contains(catNames, name) && !slices.Contains(filtered, name) {
				t.Errorf("%s: alarm %v watches %s/%s, which neither the code records nor a log filter produces", stage, p["AlarmName"], metrics.Namespace, name)
			}
		}
		for _, a := range cat.Alarms {
			p, ok := byName["vehicle-data-"+stage+"-"+a.Name]
			if !ok {
				t.Errorf("%s: no alarm for the catalogue's %s", stage, a.Name)
				continue
			}
			if p["Namespace"] != metrics.Namespace || p["MetricName"] != string(a.Metric) || fmt.Sprint(p["Threshold"]) != fmt.Sprint(a.Threshold) {
				t.Errorf("%s: alarm %s watches %v/%v at %v, want %s/%s at %v", stage, a.Name, p["Namespace"], p["MetricName"], p["Threshold"], metrics.Namespace, a.Metric, a.Threshold)
			}
			dims := map[string]string{}
			for _, x := range p["Dimensions"].([]any) {
				m := x.(map[string]any)
				dims[fmt.Sprint(m["Name"])] = fmt.Sprint(m["Value"])
			}
			if fmt.Sprint(dims) != fmt.Sprint(a.Dimensions) {
				t.Errorf("%s: alarm %s has dimensions %v, want %v", stage, a.Name, dims, a.Dimensions)
			}
		}
	}
}

// Package metrics is the one place that names every metric the product emits, with its unit and
// dimensions, and the code that emits them: CloudWatch Embedded Metric Format (EMF) lines in AWS
// (EMF), an aggregating in-memory sink for the local stack (Local, served as JSON by its Handler).
//
// The CDK app builds its dashboard and alarms from Definitions (or from catalogue.json, generated
// from it), so a metric the code records and a metric an alarm watches cannot drift apart.
//
// Dimension values are checked before anything is recorded: each dimension has a closed set of
// values or a strict pattern, and no value may look like a VIN, so a metric can never carry
// personal data or unbounded free text (DESIGN.md principle 5; unbounded values would also create
// a billed metric per value).
package metrics

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/acme-oem/vehicle-data/internal/pii"
)

// Namespace is the CloudWatch namespace of every metric.
const Namespace = "VehicleData"

// Unit is a CloudWatch metric unit.
type Unit string

// The units in use.
const (
	Count        Unit = "Count"
	Milliseconds Unit = "Milliseconds"
	Seconds      Unit = "Seconds"
)

// Name names a metric of the catalogue.
type Name string

// The metrics. Their definitions (unit, dimensions, meaning) are in Definitions.
const (
	Requests           Name = "Requests"
	RequestLatency     Name = "RequestLatency"
	ClientErrors       Name = "ClientErrors"
	ServerErrors       Name = "ServerErrors"
	LegacyCalls        Name = "LegacyCalls"
	LegacyLatency      Name = "LegacyLatency"
	BreakerTransitions Name = "BreakerTransitions"
	CacheHits          Name = "CacheHits"
	CacheMisses        Name = "CacheMisses"
	CacheStaleServes   Name = "CacheStaleServes"
	ReportFreshness    Name = "ReportFreshness"
	OwnershipProofs    Name = "OwnershipProofs"
	ListingWrites      Name = "ListingWrites"
)

// The dimension names.
const (
	DimRoute     = "Route"
	DimSource    = "Source"
	DimOutcome   = "Outcome"
	DimState     = "State"
	DimMethod    = "Method"
	DimOperation = "Operation"
)

// MethodUnknown is the Method of a proof step whose challenge could not be read (missing,
// someone else's, used, expired or out of attempts), so its method is not known.
const MethodUnknown = "unknown"

// Dimension says which values a dimension may take: one of Values, or else a match of Pattern.
type Dimension struct {
	Name    string   `json:"name"`
	Values  []string `json:"values,omitempty"`
	Pattern string   `json:"pattern,omitempty"`
	Help    string   `json:"help"`
}

// Metric is one metric: CloudWatch identifies it by namespace, name and the values of Dimensions
// (in this order); alarms must name all of them.
type Metric struct {
	Name       Name     `json:"name"`
	Unit       Unit     `json:"unit"`
	Dimensions []string `json:"dimensions"`
	Help       string   `json:"help"`
}

// Alarm is a CloudWatch alarm on one metric of the catalogue, every dimension given a value (an
// alarm on a metric with dimensions must name all of them). The CDK app creates one alarm per
// entry, so the names it watches are the names the code records.
type Alarm struct {
	Name              string            `json:"name"`
	Metric            Name              `json:"metric"`
	Dimensions        map[string]string `json:"dimensions"`
	Statistic         string            `json:"statistic"` // Sum, Average, Maximum, p99
	PeriodSeconds     int               `json:"periodSeconds"`
	EvaluationPeriods int               `json:"evaluationPeriods"`
	DatapointsToAlarm int               `json:"datapointsToAlarm"`
	Threshold         float64           `json:"threshold"`
	// Comparison is CloudWatch's ComparisonOperator.
	Comparison string `json:"comparison"`
	// TreatMissingData: no data means nothing happened (no calls, no transitions).
	TreatMissingData string `json:"treatMissingData"`
	Help             string `json:"help"`
}

// Catalogue is every metric, dimension and alarm.
type Catalogue struct {
	Namespace  string      `json:"namespace"`
	Dimensions []Dimension `json:"dimensions"`
	Metrics    []Metric    `json:"metrics"`
	Alarms     []Alarm     `json:"alarms"`
}

// Sources are the legacy systems, which are also the report's cache sources.
var sources = []string{"vehicle-master", "workshop", "registry", "recalls", "dealer-stock", "offers"}

// routePattern admits route templates only ("GET /vehicles/{vin}"): a path segment is a lowercase
// word (letters and hyphens, no digits) or a {parameter}, so a concrete VIN or id can never be a
// Route value.
const routePattern = `^(GET|HEAD|POST|PUT|PATCH|DELETE) (/([a-z]+(-[a-z]+)*|\{[a-zA-Z]+\}))+$`

func dimensions() []Dimension {
	return []Dimension{
		{Name: DimRoute, Pattern: routePattern,
			Help: "the OpenAPI route template with its method, e.g. GET /vehicles/{vin}; never a concrete path"},
		{Name: DimSource, Values: sources, Help: "a legacy system, or the cache section it fills"},
		{Name: DimOutcome, Values: []string{
			// legacy calls: the transport's error kinds (legacyclients/transport)
			"ok", "not_found", "unavailable", "bad_payload", "bad_request",
			// ownership proofs and listing writes
			"started", "verified", "wrong_code", "expired", "exhausted", "locked_out", "replayed", "conflict", "rejected", "failed",
		}, Help: "what happened; each metric's help names the values it uses"},
		{Name: DimState, Values: []string{"closed", "half-open", "open"}, Help: "the circuit breaker state entered"},
		{Name: DimMethod, Values: []string{"owner-code", "document-code", MethodUnknown},
			Help: "the proof-of-ownership method; unknown when the challenge could not be read"},
		{Name: DimOperation, Values: []string{"create", "update", "refresh", "withdraw"}, Help: "the listing write"},
	}
}

func metricDefs() []Metric {
	return []Metric{
		// In AWS, API Gateway is the gateway: the dashboard reads its AWS/ApiGateway Count, Latency,
		// 4XXError and 5XXError per Resource and Method for these; the local gateway records them.
		{Requests, Count, []string{DimRoute}, "API requests answered, per route (local gateway; in AWS: AWS/ApiGateway Count)"},
		{RequestLatency, Milliseconds, []string{DimRoute}, "time from request to response, per route (local gateway; in AWS: AWS/ApiGateway Latency)"},
		{ClientErrors, Count, []string{DimRoute}, "4xx answers, per route (local gateway; in AWS: AWS/ApiGateway 4XXError)"},
		{ServerErrors, Count, []string{DimRoute}, "5xx answers, per route (local gateway; in AWS: AWS/ApiGateway 5XXError, alarmed)"},
		{LegacyCalls, Count, []string{DimSource, DimOutcome}, "legacy calls by outcome ok | not_found | unavailable | bad_payload | bad_request"},
		{LegacyLatency, Milliseconds, []string{DimSource}, "legacy call latency, retries included"},
		{BreakerTransitions, Count, []string{DimSource, DimState}, "circuit breaker state changes, by the state entered; State=open is alarmed"},
		{CacheHits, Count, []string{DimSource}, "report sections served fresh from the cache"},
		{CacheMisses, Count, []string{DimSource}, "report sections fetched before answering: not in the cache, past their hard expiry, or without the personal item an owner needs"},
		{CacheStaleServes, Count, []string{DimSource}, "report sections served stale: past their soft expiry (refreshed in the background) or their source failed"},
		{ReportFreshness, Seconds, []string{DimSource}, "age of each report section served (now minus its fetch time), per source"},
		{OwnershipProofs, Count, []string{DimMethod, DimOutcome}, "proof-of-ownership steps by outcome started | verified | wrong_code | expired | exhausted | locked_out | not_found | failed"},
		{ListingWrites, Count, []string{DimOperation, DimOutcome}, "listing writes by outcome ok | replayed | conflict | rejected | failed"},
	}
}

// alarms: per legacy source, the breaker opening and a burst of unavailable calls; per proof
// method, a burst of lockouts (someone guessing codes). 5xx answers are alarmed on API Gateway's
// own 5XXError metric, which is not in this namespace.
func alarms() []Alarm {
	var out []Alarm
	for _, src := range sources {
		out = append(out,
			Alarm{Name: "BreakerOpen-" + src, Metric: BreakerTransitions, Dimensions: map[string]string{DimSource: src, DimState: "open"},
				Statistic: "Sum", PeriodSeconds: 60, EvaluationPeriods: 1, DatapointsToAlarm: 1, Threshold: 1,
				Comparison: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching",
				Help: "the circuit breaker of " + src + " opened: the system fails and its report sections are served stale or marked unavailable"},
			Alarm{Name: "LegacyUnavailable-" + src, Metric: LegacyCalls, Dimensions: map[string]string{DimSource: src, DimOutcome: "unavailable"},
				Statistic: "Sum", PeriodSeconds: 300, EvaluationPeriods: 2, DatapointsToAlarm: 2, Threshold: 20,
				Comparison: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching",
				Help: "20 or more calls to " + src + " failed as unavailable in each of two 5-minute periods"},
		)
	}
	for _, method := range []string{"owner-code", "document-code"} {
		out = append(out, Alarm{Name: "OwnershipLockouts-" + method, Metric: OwnershipProofs,
			Dimensions: map[string]string{DimMethod: method, DimOutcome: "locked_out"},
			Statistic:  "Sum", PeriodSeconds: 300, EvaluationPeriods: 1, DatapointsToAlarm: 1, Threshold: 10,
			Comparison: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching",
			Help: "10 or more lockouts in 5 minutes: codes are being guessed"})
	}
	return out
}

// Definitions returns the catalogue; the caller owns the copy.
func Definitions() Catalogue {
	return Catalogue{Namespace: Namespace, Dimensions: dimensions(), Metrics: metricDefs(), Alarms: alarms()}
}

// schema is the catalogue compiled for checking: built once per sink, read-only afterwards.
type schema struct {
	metrics map[Name]Metric
	rules   map[string]rule
}

type rule struct {
	values  []string
	pattern *regexp.Regexp
}

func newSchema() *schema {
	s := &schema{metrics: map[Name]Metric{}, rules: map[string]rule{}}
	for _, m := range metricDefs() {
		s.metrics[m.Name] = m
	}
	for _, d := range dimensions() {
		r := rule{values: d.Values}
		if d.Pattern != "" {
			r.pattern = regexp.MustCompile(d.Pattern)
		}
		s.rules[d.Name] = r
	}
	return s
}

// check validates one point. Its errors name the metric, the dimension and the rule, never the
// value, which may be exactly the personal data being kept out.
func (s *schema) check(name Name, value float64, dims []string) (Metric, error) {
	m, ok := s.metrics[name]
	if !ok {
		return Metric{}, fmt.Errorf("metrics: %q is not in the catalogue", name)
	}
	if value != value || value > maxValue || value < -maxValue { // NaN or ±Inf: EMF cannot carry them
		return Metric{}, fmt.Errorf("metrics: %s: value must be a finite number", name)
	}
	if len(dims) != len(m.Dimensions) {
		return Metric{}, fmt.Errorf("metrics: %s takes %d dimension values (%v), got %d", name, len(m.Dimensions), m.Dimensions, len(dims))
	}
	for i, v := range dims {
		d := m.Dimensions[i]
		if rule := pii.Check(v); rule != "" {
			return Metric{}, fmt.Errorf("metrics: %s: dimension %s: value is %s; metrics never carry personal data or free text", name, d, rule)
		}
		r := s.rules[d]
		switch {
		case r.pattern != nil:
			if len(v) > 128 || !r.pattern.MatchString(v) {
				return Metric{}, fmt.Errorf("metrics: %s: dimension %s: value must match %s", name, d, r.pattern)
			}
		case !slices.Contains(r.values, v):
			return Metric{}, fmt.Errorf("metrics: %s: dimension %s: value must be one of %v", name, d, r.values)
		}
	}
	return m, nil
}

// maxValue is the largest magnitude CloudWatch accepts (2^360); anything beyond, ±Inf included,
// is refused.
const maxValue = 2.3485425827738332e108

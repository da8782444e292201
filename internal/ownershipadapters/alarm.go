package ownershipadapters

import (
	"context"
	"log/slog"
	"time"

	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// AlarmMetric is the CloudWatch metric the alarm line carries (namespace MetricNamespace); an
// alarm on it (Sum >= 1 over 5 minutes) pages the operators.
const (
	AlarmMetric     = "OwnershipGuessesOnVIN"
	MetricNamespace = "VehicleData"
)

// LogAlarm implements ownership.Alarm as one warning line in CloudWatch Embedded Metric Format:
// the line is the log signal, and CloudWatch turns its _aws member into the metric, with no
// client library. The VIN appears only as its keyed pseudonym, so operators can correlate the
// alarms of one car without the log holding the car.
type LogAlarm struct {
	log   *slog.Logger
	names vehicle.Pseudonymizer
	now   func() time.Time
}

var _ ownership.Alarm = LogAlarm{}

// NewLogAlarm builds the alarm on log; names pseudonymizes the VIN.
func NewLogAlarm(log *slog.Logger, names vehicle.Pseudonymizer) LogAlarm {
	return LogAlarm{log: log, names: names, now: time.Now}
}

// GuessesOnVIN implements ownership.Alarm.
func (a LogAlarm) GuessesOnVIN(ctx context.Context, vin vehicle.VIN, failures int) {
	a.log.WarnContext(ctx, "ownership: many failed guesses on one vehicle",
		"alarm", AlarmMetric, "vin", a.names.VIN(vin), "failures", failures,
		slog.Group("_aws",
			"Timestamp", a.now().UnixMilli(),
			"CloudWatchMetrics", []map[string]any{{
				"Namespace":  MetricNamespace,
				"Dimensions": [][]string{{}},
				"Metrics":    []map[string]string{{"Name": AlarmMetric, "Unit": "Count"}},
			}},
		),
		AlarmMetric, 1,
	)
}

package ownershipadapters_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/ownershipadapters"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

func TestLogAlarmIsAnEMFLineWithThePseudonymOnly(t *testing.T) {
	var buf bytes.Buffer
	names := vehicle.NewPseudonymizer([]byte("0123456789abcdef"))
	alarm := ownershipadapters.NewLogAlarm(slog.New(slog.NewJSONHandler(&buf, nil)), names)
	vin := vehicle.VIN("WVWZZZ1KZAW000001")
	alarm.GuessesOnVIN(context.Background(), vin, 20)

	if strings.Contains(buf.String(), string(vin)) {
		t.Fatalf("the alarm logs the VIN: %s", buf.String())
	}
	var line struct {
		Level    string `json:"level"`
		VIN      string `json:"vin"`
		Failures int    `json:"failures"`
		Metric   int    `json:"OwnershipGuessesOnVIN"`
		AWS      struct {
			Timestamp         int64 `json:"Timestamp"`
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	m := line.AWS.CloudWatchMetrics
	if line.Level != "WARN" || line.VIN != names.VIN(vin) || line.Failures != 20 || line.Metric != 1 ||
		line.AWS.Timestamp == 0 || len(m) != 1 || m[0].Namespace != "VehicleData" || len(m[0].Metrics) != 1 ||
		m[0].Metrics[0].Name != ownershipadapters.AlarmMetric || m[0].Metrics[0].Unit != "Count" {
		t.Fatalf("alarm line %s", buf.String())
	}
}

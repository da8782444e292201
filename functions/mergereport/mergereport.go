// Package mergereport is the vehicle-report step that, after the fetch steps ran, assembles the
// report from the cache items the state machine read and the fetch results (report.Merge), and
// returns it as the caller may see it (report.Redact with the access ownership-authorization
// decided): it is the last step, so nothing the caller may not see reaches the response. Every
// section says where it came from, when, and how fresh it is; a source that failed yields a stale
// section (from cache) or an unavailable one, never a failed report. Only an unknown VIN fails
// (VehicleData.NotFound), and one the vehicle master could not confirm (VehicleData.Unavailable).
package mergereport

import (
	"context"
	"fmt"
	"time"

	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Event is the cache read plus what the fetch steps returned (empty when nothing was fetched).
type Event struct {
	VIN     string               `json:"vin"`
	Access  vehicle.Access       `json:"access"`
	Items   []dynamo.Item        `json:"items"`
	Fetched []report.FetchResult `json:"fetched"`
}

// New returns the handler; now is the clock freshness is judged by. Merging and redacting are one
// step so the whole report crosses the state machine once, and the step's output is the response.
func New(now func() time.Time) step.Handler {
	return step.Typed(func(_ context.Context, ev Event) (report.Report, error) {
		t := now()
		cached, err := dynamo.CachedSections(ev.Items, t)
		if err != nil {
			return report.Report{}, fmt.Errorf("merge: %w", err)
		}
		return report.Merge(ev.VIN, ev.Access, cached, ev.Fetched, t)
	})
}

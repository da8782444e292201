// Package planreport is the vehicle-report step that decides, from the cache items the state
// machine read, which sources must be fetched (report.PlanFetch); when none must, it also returns
// the report as the caller may see it (report.Merge), which the state machine returns as it is, so
// a cached report is decoded once. It is a Lambda rather than Choice states because the rule (soft
// expiry, personal item for owners, negative entries) is domain code with its tests; the ASL only
// branches on the plan's booleans.
package planreport

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Event is what the state machine passes: the VIN, the caller's access, and the items its
// cache getItem tasks found.
type Event struct {
	VIN    string         `json:"vin"`
	Access vehicle.Access `json:"access"`
	Items  []dynamo.Item  `json:"items"`
}

// Output is the plan and, when nothing needs fetching, the report.
type Output struct {
	report.Plan
	// Report is, when nothing needs fetching, the report as the caller may see it (report.Merge,
	// redaction included): the state machine returns it as it is. It is null otherwise, or when
	// merging failed, so that the merge step reports the failure.
	Report json.RawMessage `json:"report"`
}

// New returns the handler; now is the clock expiry is judged by.
func New(now func() time.Time) step.Handler {
	return step.Typed(func(_ context.Context, ev Event) (Output, error) {
		t := now()
		cached, err := dynamo.CachedSections(ev.Items, t)
		if err != nil {
			return Output{}, fmt.Errorf("plan: %w", err)
		}
		o := Output{Plan: report.PlanFetch(cached, ev.Access, t)}
		if o.Any || o.NotFound {
			return o, nil
		}
		// When merging fails, Report stays null and the merge step runs and reports the failure.
		if r, merr := report.Merge(ev.VIN, ev.Access, cached, nil, t); merr == nil {
			if o.Report, err = json.Marshal(r); err != nil {
				return Output{}, fmt.Errorf("encode report: %w", err)
			}
		}
		return o, nil
	})
}

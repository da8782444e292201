// Package mergereport is the vehicle-report step that, after the fetch steps ran, assembles the
// report from the cache items the state machine read and the fetch results (reportflow.Merge),
// and returns it as the caller may see it (report.Redact with the access
// ownership-authorization decided): it is the last step, so nothing the caller may not see
// reaches the response. Every section says where it came from, when, and how fresh it is; a
// source that failed yields a stale section (from cache) or an unavailable one, never a failed
// report. Only an unknown VIN fails: VehicleData.NotFound.
package mergereport

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/acme-oem/vehicle-data/functions/internal/reportflow"
	"github.com/acme-oem/vehicle-data/functions/internal/step"
	"github.com/acme-oem/vehicle-data/internal/report"
)

// Input is the cache read plus what the fetch steps returned (empty when nothing was fetched).
type Input struct {
	reportflow.CacheRead
	Fetched []reportflow.FetchResult `json:"fetched"`
}

// event is Input as the fast path decodes it (see reportflow.CacheEvent).
type event struct {
	reportflow.CacheEvent
	Fetched []reportflow.FetchResult `json:"fetched"`
}

// New returns the handler; now is the clock freshness is judged by. The report it returns is
// already redacted for the caller's access (report.Redact): merging and redacting are one step
// so the whole report crosses the state machine once, and the step's output is the response.
func New(now func() time.Time) step.Handler {
	general := step.Typed(func(_ context.Context, in Input) (report.Report, error) {
		entries, err := in.Entries(now)
		if err != nil {
			return report.Report{}, err
		}
		return reportflow.Merge(in.VIN, in.Access, entries, in.Fetched, now())
	})
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev event
		entries, ok := reportflow.DecodeCacheEvent(payload, &ev, &ev.CacheEvent, now)
		if !ok {
			return general(ctx, payload)
		}
		r, err := reportflow.Merge(ev.VIN, ev.Access, entries, ev.Fetched, now())
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("encode step result: %w", err)
		}
		return b, nil
	}
}

// Package planreport is the vehicle-report step that decides, from the cache items the state
// machine read, which sources must be fetched; when none must, it also returns the report as the
// caller may see it (reportflow.Merge), which the state machine returns as it is, so a cached
// report is decoded once. It is a Lambda rather than Choice states because the rule (soft
// expiry, personal item for owners, negative entries) is code the cache repository already
// implements and tests; the ASL only branches on its booleans.
package planreport

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/acme-oem/vehicle-data/functions/internal/reportflow"
	"github.com/acme-oem/vehicle-data/functions/internal/step"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Fetch says per source whether to ask it; the field names are what the ASL's Choice states read.
type Fetch struct {
	VehicleMaster bool `json:"vehicleMaster"`
	Workshop      bool `json:"workshop"`
	Registry      bool `json:"registry"`
	Recalls       bool `json:"recalls"`
}

// Output is the plan.
type Output struct {
	// Any is true when at least one source must be fetched.
	Any   bool  `json:"any"`
	Fetch Fetch `json:"fetch"`
	// NotFound is true when a live negative entry says the VIN is unknown: nothing is fetched
	// and the merge step fails with VehicleData.NotFound.
	NotFound bool `json:"notFound"`
	// Report is, when nothing needs fetching, the report as the caller may see it
	// (reportflow.Merge, redaction included): the state machine returns it as it is, and the
	// cached report is decoded once. It is null otherwise, or when merging failed, so that the
	// merge step reports the failure.
	Report json.RawMessage `json:"report"`
}

// New returns the handler; now is the clock expiry is judged by.
func New(now func() time.Time) step.Handler {
	general := step.Typed(func(_ context.Context, in reportflow.CacheRead) (Output, error) {
		entries, err := in.Entries(now)
		if err != nil {
			return Output{}, err
		}
		return planAndReport(in.VIN, in.Access, entries, now()), nil
	})
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		// The fast path reads the event in one pass; anything unusual goes the general way.
		vin, access, entries, ok := reportflow.ScanCacheEvent(payload, now)
		if !ok {
			return general(ctx, payload)
		}
		return encode(planAndReport(vin, access, entries, now())), nil
	}
}

// planAndReport is the plan, with the report when nothing needs fetching.
func planAndReport(vin string, access vehicle.Access, entries map[vehicle.Source]reportflow.Entry, t time.Time) Output {
	o := plan(entries, access == vehicle.AccessOwner, t)
	if o.Any || o.NotFound {
		return o
	}
	r, err := reportflow.Merge(vin, access, entries, nil, t)
	if err != nil {
		return o
	}
	if o.Report, err = json.Marshal(r); err != nil {
		o.Report = nil
	}
	return o
}

// encode renders the plan as json.Marshal does, without reflection for the plan itself.
func encode(o Output) []byte {
	b := make([]byte, 0, 128+len(o.Report))
	b = append(b, `{"any":`...)
	b = strconv.AppendBool(b, o.Any)
	b = append(b, `,"fetch":{"vehicleMaster":`...)
	b = strconv.AppendBool(b, o.Fetch.VehicleMaster)
	b = append(b, `,"workshop":`...)
	b = strconv.AppendBool(b, o.Fetch.Workshop)
	b = append(b, `,"registry":`...)
	b = strconv.AppendBool(b, o.Fetch.Registry)
	b = append(b, `,"recalls":`...)
	b = strconv.AppendBool(b, o.Fetch.Recalls)
	b = append(b, `},"notFound":`...)
	b = strconv.AppendBool(b, o.NotFound)
	b = append(b, `,"report":`...)
	if o.Report == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, o.Report...)
	}
	return append(b, '}')
}

func plan(entries map[vehicle.Source]reportflow.Entry, owner bool, now time.Time) Output {
	if vm := entries[vehicle.SourceVehicleMaster]; vm.NotFound && vm.Fresh(now, false) {
		return Output{NotFound: true}
	}
	need := func(src vehicle.Source) bool { return !entries[src].Fresh(now, owner) }
	f := Fetch{
		VehicleMaster: need(vehicle.SourceVehicleMaster),
		Workshop:      need(vehicle.SourceWorkshop),
		Registry:      need(vehicle.SourceRegistry),
		Recalls:       need(vehicle.SourceRecalls),
	}
	return Output{Any: f.VehicleMaster || f.Workshop || f.Registry || f.Recalls, Fetch: f}
}

// Package planreport is the vehicle-report step that decides, from the cache items the state
// machine read, which sources must be fetched. It is a Lambda rather than Choice states because
// the rule (soft expiry, personal item for owners, negative entries) is code the cache
// repository already implements and tests; the ASL only branches on its booleans.
package planreport

import (
	"context"
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
}

// New returns the handler; now is the clock expiry is judged by.
func New(now func() time.Time) step.Handler {
	return step.Typed(func(_ context.Context, in reportflow.CacheRead) (Output, error) {
		entries, err := in.Entries(now)
		if err != nil {
			return Output{}, err
		}
		return plan(entries, in.Access == vehicle.AccessOwner, now()), nil
	})
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

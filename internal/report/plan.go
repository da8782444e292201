package report

import (
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Fetch says per source whether to ask it; the field names are what the ASL's Choice states read.
type Fetch struct {
	VehicleMaster bool `json:"vehicleMaster"`
	Workshop      bool `json:"workshop"`
	Registry      bool `json:"registry"`
	Recalls       bool `json:"recalls"`
}

// Plan is what must happen before a report can be answered.
type Plan struct {
	// Any is true when at least one source must be fetched.
	Any   bool  `json:"any"`
	Fetch Fetch `json:"fetch"`
	// NotFound is true when a live negative entry says the VIN is unknown: nothing is fetched
	// and the report fails with NotFound.
	NotFound bool `json:"notFound"`
}

// PlanFetch decides from what the cache holds which sources must be asked: every source whose
// cached data is not fresh at now, counting a missing personal item for an owner; nothing when a
// live negative entry says the vehicle master does not know the VIN.
func PlanFetch(cached map[vehicle.Source]Cached, access vehicle.Access, now time.Time) Plan {
	if vm := cached[vehicle.SourceVehicleMaster]; vm.NotFound && vm.Fresh(now, false) {
		return Plan{NotFound: true}
	}
	owner := access == vehicle.AccessOwner
	need := func(src vehicle.Source) bool { return !cached[src].Fresh(now, owner) }
	f := Fetch{
		VehicleMaster: need(vehicle.SourceVehicleMaster),
		Workshop:      need(vehicle.SourceWorkshop),
		Registry:      need(vehicle.SourceRegistry),
		Recalls:       need(vehicle.SourceRecalls),
	}
	return Plan{Any: f.VehicleMaster || f.Workshop || f.Registry || f.Recalls, Fetch: f}
}

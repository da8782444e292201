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

// Plan is what must happen before a report can be answered, and what may happen after.
type Plan struct {
	// Any is true when at least one source must be fetched.
	Any   bool  `json:"any"`
	Fetch Fetch `json:"fetch"`
	// RefreshAny is true when at least one section is served stale and refreshed in the
	// background.
	RefreshAny bool `json:"refreshAny"`
	// Refresh names the sources past their soft expiry but within their hard expiry: their
	// cached data is served at once (marked stale) and the source is asked again in the
	// background, so a VIN seen recently never waits for a legacy system.
	Refresh Fetch `json:"refresh"`
	// NotFound is true when a live negative entry says the VIN is unknown: nothing is fetched
	// and the report fails with NotFound.
	NotFound bool `json:"notFound"`
}

// PlanFetch decides from what the cache holds which sources must be asked before answering:
// every source without data it may serve at now (missing, past its hard expiry, or, for an owner,
// without its live personal item); and which are refreshed after answering: those past their soft
// expiry whose data may still be served. Nothing when a live negative entry says the vehicle
// master does not know the VIN.
func PlanFetch(cached map[vehicle.Source]Cached, access vehicle.Access, now time.Time) Plan {
	if vm := cached[vehicle.SourceVehicleMaster]; vm.NotFound && vm.Fresh(now, false) {
		return Plan{NotFound: true}
	}
	owner := access == vehicle.AccessOwner
	var f, r Fetch
	for _, x := range []struct {
		src            vehicle.Source
		fetch, refresh *bool
	}{
		{vehicle.SourceVehicleMaster, &f.VehicleMaster, &r.VehicleMaster},
		{vehicle.SourceWorkshop, &f.Workshop, &r.Workshop},
		{vehicle.SourceRegistry, &f.Registry, &r.Registry},
		{vehicle.SourceRecalls, &f.Recalls, &r.Recalls},
	} {
		c := cached[x.src]
		switch {
		case c.Fresh(now, owner):
		case c.Servable(now, owner):
			*x.refresh = true
		default:
			*x.fetch = true
		}
	}
	return Plan{
		Any: f.any(), Fetch: f,
		RefreshAny: r.any(), Refresh: r,
	}
}

func (f Fetch) any() bool { return f.VehicleMaster || f.Workshop || f.Registry || f.Recalls }

package report_test

import (
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

const mergeVIN = "WVWZZZCD0PW999999"

// When the vehicle master could not be asked and nothing is cached for it, nobody can say whether
// the VIN exists: the report must not present the other sources' empty answers as a clean
// history. It is Unavailable (503, retry later), whatever the other sources said.
func TestMergeWithoutTheVehicleMasterIsUnavailable(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	empty := map[vehicle.Source]report.Cached{}
	for _, src := range report.Sources() {
		empty[src] = report.Cached{Source: src}
	}
	fetched := []report.FetchResult{
		{Source: vehicle.SourceVehicleMaster, Status: report.StatusUnavailable, Error: "VehicleData.Unavailable"},
		{Source: vehicle.SourceWorkshop, Status: report.StatusFetched, FetchedAt: &now, Data: &report.SourceData{Service: &report.ServiceData{Visits: []report.ServiceVisit{}}}},
		{Source: vehicle.SourceRegistry, Status: report.StatusFetched, FetchedAt: &now, Data: &report.SourceData{Registration: &report.RegistrationData{Registrations: []report.Registration{}}}},
		{Source: vehicle.SourceRecalls, Status: report.StatusUnavailable, Error: "States.Timeout"},
	}
	_, err := report.Merge(mergeVIN, vehicle.AccessPublic, empty, fetched, now)
	if apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("err = %v, want Unavailable", err)
	}

	// With the vehicle master's record cached (stale), the report is served and says so.
	cached := map[vehicle.Source]report.Cached{}
	for k, v := range empty {
		cached[k] = v
	}
	cached[vehicle.SourceVehicleMaster] = report.Cached{Source: vehicle.SourceVehicleMaster, Present: true,
		FetchedAt: now.Add(-48 * time.Hour), SoftExpiry: now.Add(-time.Hour), HardExpiry: now.Add(time.Hour),
		Public: []byte(`{"build":{"make":"Volkswagen","modelYear":2021}}`)}
	r, err := report.Merge(mergeVIN, vehicle.AccessPublic, cached, fetched, now)
	if err != nil || r.Build.Freshness != report.Stale || r.Make != "Volkswagen" {
		t.Fatalf("stale vehicle master: %+v, %v", r.Build, err)
	}
}

// A fact names the source that produced it: with the workshop down, the odometer's readings come
// from the registry alone, and the section says so, listing each input with its own freshness.
func TestOdometerNamesTheSourcesOfItsReadings(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	empty := map[vehicle.Source]report.Cached{}
	for _, src := range report.Sources() {
		empty[src] = report.Cached{Source: src}
	}
	fetched := []report.FetchResult{
		{Source: vehicle.SourceVehicleMaster, Status: report.StatusFetched, FetchedAt: &now, Data: &report.SourceData{Build: &report.BuildData{Make: "Volkswagen"}}},
		{Source: vehicle.SourceWorkshop, Status: report.StatusUnavailable, Error: "VehicleData.Unavailable"},
		{Source: vehicle.SourceRegistry, Status: report.StatusFetched, FetchedAt: &now, Data: &report.SourceData{
			Registration: &report.RegistrationData{OwnerCount: 1},
			Odometer:     []report.OdometerReading{{Month: "2023-01", Km: 60000, Source: vehicle.SourceRegistry}}}},
	}
	r, err := report.Merge(mergeVIN, vehicle.AccessPublic, empty, fetched, now)
	if err != nil {
		t.Fatal(err)
	}
	od := r.Odometer
	if od.Source != vehicle.SourceRegistry || od.Freshness != report.Stale || od.Data == nil || len(od.Data.Readings) != 1 {
		t.Fatalf("odometer section: %+v", od)
	}
	want := []report.OdometerInput{
		{Source: vehicle.SourceWorkshop, Freshness: report.Unavailable},
		{Source: vehicle.SourceRegistry, Freshness: report.Fresh, FetchedAt: &now},
	}
	if got := od.Data.Inputs; len(got) != 2 || got[0].Source != want[0].Source || got[0].Freshness != want[0].Freshness || got[0].FetchedAt != nil ||
		got[1].Source != want[1].Source || got[1].Freshness != want[1].Freshness || got[1].FetchedAt == nil || !got[1].FetchedAt.Equal(now) {
		t.Fatalf("inputs = %+v, want %+v", got, want)
	}
}

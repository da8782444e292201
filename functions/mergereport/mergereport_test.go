package mergereport_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/functions/mergereport"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/dynalitetest"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

var env *dynalitetest.Env

func TestMain(m *testing.M) { dynalitetest.Main(m, &env) }

const vin = vehicle.VIN("WVWZZZCD3MW100001")

// merge runs the step as an owner, who sees everything.
func merge(t *testing.T, table string, at time.Time, fetched []report.FetchResult) (report.Report, error) {
	t.Helper()
	return mergeAs(t, vehicle.AccessOwner, table, at, fetched)
}

func mergeAs(t *testing.T, access vehicle.Access, table string, at time.Time, fetched []report.FetchResult) (report.Report, error) {
	t.Helper()
	in, _ := json.Marshal(map[string]any{"vin": vin, "access": access, "items": env.ReadCache(t, table, vin), "fetched": fetched})
	out, err := mergereport.New(func() time.Time { return at })(context.Background(), in)
	if err != nil {
		return report.Report{}, err
	}
	var r report.Report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	return r, nil
}

func TestMergeCachedFetchedAndFailed(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	table := env.NewTable(t)
	cache := dynamo.NewCache(env.Client, table, dynamo.CacheConfig{})
	recalls, _ := dynamo.NewRecord(report.SourceData{Recalls: &report.RecallData{OpenCount: 1, Campaigns: []report.Recall{{ID: "R1", Status: "open"}}}}, t0, false)
	ws, _ := dynamo.NewRecord(report.SourceData{
		Service:  &report.ServiceData{Visits: []report.ServiceVisit{{Month: "2022-01", OdometerKm: 50000, Kind: "inspection"}}},
		Odometer: []report.OdometerReading{{Month: "2022-01", Km: 50000, Source: vehicle.SourceWorkshop}},
	}, t0, true)
	for src, rec := range map[vehicle.Source]dynamo.Record{vehicle.SourceRecalls: recalls, vehicle.SourceWorkshop: ws} {
		if _, err := cache.Put(context.Background(), vin, src, rec); err != nil {
			t.Fatal(err)
		}
	}
	at := t0.Add(48 * time.Hour) // recalls and workshop are stale now
	fetchedAt := at
	r, err := merge(t, table, at, []report.FetchResult{
		{Source: vehicle.SourceVehicleMaster, Status: report.StatusFetched, FetchedAt: &fetchedAt, Data: &report.SourceData{Build: &report.BuildData{Make: "Volkswagen", ModelYear: 2021}}},
		{Source: vehicle.SourceRegistry, Status: report.StatusFetched, FetchedAt: &fetchedAt, Data: &report.SourceData{
			Registration: &report.RegistrationData{OwnerCount: 1}, Owner: &report.OwnerData{Name: "E"},
			Odometer: []report.OdometerReading{{Month: "2023-01", Km: 60000, Source: vehicle.SourceRegistry}}}},
		{Source: vehicle.SourceWorkshop, Status: report.StatusUnavailable, Error: "States.Timeout"},
		{Source: vehicle.SourceRecalls, Status: report.StatusUnavailable, Error: "VehicleData.Unavailable"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Build.Freshness != report.Fresh || r.Make != "Volkswagen" || r.ModelYear != 2021 || !r.Build.FetchedAt.Equal(at) {
		t.Errorf("build: %+v", r.Build)
	}
	if r.Recalls.Freshness != report.Stale || r.Recalls.Data.OpenCount != 1 || !r.Recalls.FetchedAt.Equal(t0) {
		t.Errorf("recalls (failed, cached): %+v", r.Recalls)
	}
	if r.Service.Freshness != report.Stale || len(r.Service.Data.Visits) != 1 {
		t.Errorf("service (failed, cached): %+v", r.Service)
	}
	if r.Owner == nil || r.Owner.Data.Name != "E" || r.Owner.Source != vehicle.SourceRegistry {
		t.Errorf("owner: %+v", r.Owner)
	}
	od := r.Odometer
	if od.Freshness != report.Stale || len(od.Data.Readings) != 2 || od.Data.RollbackDetected || od.Data.Readings[0].Km != 50000 {
		t.Errorf("odometer: %+v", od)
	}
}

// Without the vehicle master's answer and nothing cached, the VIN cannot be confirmed: the step
// fails with Unavailable rather than answering a report of empty sections.
func TestMergeWithoutTheVehicleMasterIsUnavailable(t *testing.T) {
	table := env.NewTable(t)
	_, err := merge(t, table, time.Now(), []report.FetchResult{
		{Source: vehicle.SourceVehicleMaster, Status: report.StatusUnavailable},
	})
	if apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("err = %v, want Unavailable", err)
	}
}

// Sections without data are unavailable; without build data, make and model year come from the
// VIN itself.
func TestMergeWithOnlyTheVehicleMasterMarksOtherSectionsUnavailable(t *testing.T) {
	table := env.NewTable(t)
	now := time.Now()
	r, err := merge(t, table, now, []report.FetchResult{
		{Source: vehicle.SourceVehicleMaster, Status: report.StatusFetched, FetchedAt: &now, Data: &report.SourceData{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]report.Freshness{"build": r.Build.Freshness, "service": r.Service.Freshness, "odometer": r.Odometer.Freshness, "recalls": r.Recalls.Freshness, "registration": r.Registration.Freshness} {
		if s != report.Unavailable {
			t.Errorf("%s: %s", name, s)
		}
	}
	if r.Make != "Volkswagen" || r.ModelYear != 2021 {
		t.Errorf("make %q year %d", r.Make, r.ModelYear)
	}
}

func TestMergeUnknownVINIsNotFound(t *testing.T) {
	table := env.NewTable(t)
	_, err := merge(t, table, time.Now(), []report.FetchResult{{Source: vehicle.SourceVehicleMaster, Status: report.StatusNotFound}})
	if apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("err = %v", err)
	}
	// The same from a cached negative entry.
	cache := dynamo.NewCache(env.Client, table, dynamo.CacheConfig{})
	if _, err := cache.Put(context.Background(), vin, vehicle.SourceVehicleMaster, dynamo.Record{FetchedAt: time.Now(), NotFound: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := merge(t, table, time.Now(), nil); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("negative entry: err = %v", err)
	}
}

// The step's output is the response: personal data only for an owner, whatever the access
// string says otherwise (report.Redact fails closed).
func TestMergeRedactsByAccess(t *testing.T) {
	t0 := time.Now()
	table := env.NewTable(t)
	fetched := []report.FetchResult{{Source: vehicle.SourceRegistry, Status: report.StatusFetched, FetchedAt: &t0, Data: &report.SourceData{
		Registration: &report.RegistrationData{OwnerCount: 1, Registrations: []report.Registration{{FromMonth: "2021-03", Plate: "CANARY-PLATE"}}},
		Owner:        &report.OwnerData{Name: "CANARY-NAME"},
	}}, {Source: vehicle.SourceVehicleMaster, Status: report.StatusFetched, FetchedAt: &t0, Data: &report.SourceData{Build: &report.BuildData{Make: "Volkswagen"}}}}
	for access, wantPersonal := range map[vehicle.Access]bool{vehicle.AccessOwner: true, vehicle.AccessPublic: false, "": false, "admin": false} {
		r, err := mergeAs(t, access, table, t0, fetched)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(r)
		s := string(b)
		if got := strings.Contains(s, "CANARY-NAME") && strings.Contains(s, "CANARY-PLATE"); got != wantPersonal {
			t.Errorf("access %q: personal data shown = %v: %s", access, got, s)
		}
		if !strings.Contains(s, "2021-03") {
			t.Errorf("access %q lost public data: %s", access, s)
		}
	}
}

// Items with attribute types the cache does not write (a set, added by hand or a later schema)
// merge as without them.
func TestMergeReadsItemsWithOtherAttributeTypes(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	table := env.NewTable(t)
	cache := dynamo.NewCache(env.Client, table, dynamo.CacheConfig{Now: func() time.Time { return t0 }})
	ws, _ := dynamo.NewRecord(report.SourceData{
		Service:  &report.ServiceData{Visits: []report.ServiceVisit{{Month: "2022-01", OdometerKm: 50000, Kind: "inspection"}}},
		Odometer: []report.OdometerReading{{Month: "2022-01", Km: 50000, Source: vehicle.SourceWorkshop}},
	}, t0, true)
	if _, err := cache.Put(context.Background(), vin, vehicle.SourceWorkshop, ws); err != nil {
		t.Fatal(err)
	}
	vm, _ := dynamo.NewRecord(report.SourceData{Build: &report.BuildData{Make: "Volkswagen"}}, t0, false)
	if _, err := cache.Put(context.Background(), vin, vehicle.SourceVehicleMaster, vm); err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(map[string]any{"vin": vin, "access": vehicle.AccessOwner, "items": env.ReadCache(t, table, vin)})
	now := func() time.Time { return t0.Add(time.Hour) }
	plain, err := mergereport.New(now)(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	_ = json.Unmarshal(in, &ev)
	for _, o := range ev["items"].([]any) {
		o.(map[string]any)["extra"] = map[string]any{"SS": []any{"x"}}
	}
	in2, _ := json.Marshal(ev)
	extra, err := mergereport.New(now)(context.Background(), in2)
	if err != nil {
		t.Fatal(err)
	}
	if string(plain) != string(extra) || !strings.Contains(string(plain), "inspection") {
		t.Errorf("plain items\n%s\nwith a set attribute\n%s", plain, extra)
	}
}

package planreport_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/functions/planreport"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/dynalitetest"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

var env *dynalitetest.Env

func TestMain(m *testing.M) { dynalitetest.Main(m, &env) }

const vin = vehicle.VIN("WVWZZZCD3MW100001")

func TestPlan(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	table := env.NewTable(t)
	cache := dynamo.NewCache(env.Client, table, dynamo.CacheConfig{Now: func() time.Time { return t0 }})
	put := func(src vehicle.Source, rec dynamo.Record) {
		t.Helper()
		if _, err := cache.Put(context.Background(), vin, src, rec); err != nil {
			t.Fatal(err)
		}
	}
	plan := func(at time.Time, access vehicle.Access) planreport.Output {
		t.Helper()
		in, _ := json.Marshal(map[string]any{"vin": vin, "access": access, "items": env.ReadCache(t, table, vin)})
		out, err := planreport.New(func() time.Time { return at })(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		var p planreport.Output
		if err := json.Unmarshal(out, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	all := report.Fetch{VehicleMaster: true, Workshop: true, Registry: true, Recalls: true}
	if p := plan(t0, vehicle.AccessPublic); !p.Any || p.Fetch != all || p.NotFound {
		t.Fatalf("empty cache: %+v", p)
	}
	for _, src := range report.Sources() {
		put(src, dynamo.Record{FetchedAt: t0, Public: json.RawMessage(`{}`), Personal: json.RawMessage(`{}`)})
	}
	if p := plan(t0.Add(time.Hour), vehicle.AccessOwner); p.Any {
		t.Fatalf("all fresh: %+v", p)
	}
	// Two days on: the daily sources are past their soft expiry, build data (30 days) is not.
	// Within their hard expiry they are served stale at once (the report comes with the plan)
	// and refreshed in the background; nothing is fetched first.
	daily := report.Fetch{Workshop: true, Registry: true, Recalls: true}
	if p := plan(t0.Add(48*time.Hour), vehicle.AccessPublic); p.Any || !p.RefreshAny || p.Refresh != daily || !strings.Contains(string(p.Report), `"freshness":"stale"`) {
		t.Fatalf("after two days: %+v", p)
	}
	// An owner needs the personal items, which are gone after a day: those are fetched first.
	if p := plan(t0.Add(48*time.Hour), vehicle.AccessOwner); p.Fetch != (report.Fetch{Workshop: true, Registry: true}) || p.Refresh != (report.Fetch{Recalls: true}) {
		t.Fatalf("owner after two days: %+v", p)
	}
	// Past the hard expiry (recalls: 7 days) a section is fetched before answering.
	if p := plan(t0.Add(8*24*time.Hour), vehicle.AccessPublic); p.Fetch != (report.Fetch{Recalls: true}) || p.Refresh != (report.Fetch{Workshop: true, Registry: true}) {
		t.Fatalf("after eight days: %+v", p)
	}
	// Recalls refreshed, workshop and registry public items still fresh, but their personal
	// items hard-expired: only an owner's request refetches them.
	t1 := t0.Add(23 * time.Hour)
	put(vehicle.SourceRecalls, dynamo.Record{FetchedAt: t1, Public: json.RawMessage(`{}`)})
	put(vehicle.SourceWorkshop, dynamo.Record{FetchedAt: t1, Public: json.RawMessage(`{}`), Personal: json.RawMessage(`{}`)})
	at := t0.Add(24*time.Hour + time.Minute)
	if p := plan(at, vehicle.AccessPublic); p.Any || p.Refresh != (report.Fetch{Registry: true}) {
		t.Fatalf("public after registry soft expiry: %+v", p)
	}
	if p := plan(t1.Add(time.Minute), vehicle.AccessOwner); p.Any {
		t.Fatalf("owner with live personal items: %+v", p)
	}
}

func TestPlanNegativeEntryFetchesNothing(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	table := env.NewTable(t)
	cache := dynamo.NewCache(env.Client, table, dynamo.CacheConfig{})
	if _, err := cache.Put(context.Background(), vin, vehicle.SourceVehicleMaster, dynamo.Record{FetchedAt: t0, NotFound: true}); err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(map[string]any{"vin": vin, "access": vehicle.AccessPublic, "items": env.ReadCache(t, table, vin)})
	for at, want := range map[time.Time]bool{t0.Add(time.Minute): true, t0.Add(11 * time.Minute): false} {
		out, err := planreport.New(func() time.Time { return at })(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		var p planreport.Output
		_ = json.Unmarshal(out, &p)
		if p.NotFound != want || p.Any == want {
			t.Errorf("at +%v: %+v", at.Sub(t0), p)
		}
	}
}

// BenchmarkPlanDeployedEvent is the plan step on the event the deployed state machine sends for a
// fully cached report (six items, owner view): decoding with encoding/json, planning, merging,
// redacting and encoding the report, per invocation. It is the figure that says whether a faster
// JSON library would matter next to a Lambda invocation's own cost (milliseconds).
func BenchmarkPlanDeployedEvent(b *testing.B) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	table := env.NewTable(b)
	cache := dynamo.NewCache(env.Client, table, dynamo.CacheConfig{Now: func() time.Time { return t0 }})
	data := map[vehicle.Source]report.SourceData{
		vehicle.SourceVehicleMaster: {Build: &report.BuildData{Make: "Volkswagen", Model: "Golf", ModelYear: 2021}},
		vehicle.SourceWorkshop: {Service: &report.ServiceData{Visits: []report.ServiceVisit{{Month: "2022-01", OdometerKm: 15000, Kind: "inspection"}, {Month: "2023-01", OdometerKm: 30000, Kind: "inspection"}}},
			Odometer: []report.OdometerReading{{Month: "2022-01", Km: 15000, Source: vehicle.SourceWorkshop}, {Month: "2023-01", Km: 30000, Source: vehicle.SourceWorkshop}}},
		vehicle.SourceRegistry: {Registration: &report.RegistrationData{OwnerCount: 1}, Owner: &report.OwnerData{Name: "E. Example", City: "Wolfsburg"},
			Odometer: []report.OdometerReading{{Month: "2024-01", Km: 45000, Source: vehicle.SourceRegistry}}},
		vehicle.SourceRecalls: {Recalls: &report.RecallData{OpenCount: 1, Campaigns: []report.Recall{{ID: "20K6", Status: "open"}}}},
	}
	for src, d := range data {
		rec, err := dynamo.NewRecord(d, t0, cache.Policy(src).Personal)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cache.Put(context.Background(), vin, src, rec); err != nil {
			b.Fatal(err)
		}
	}
	in, _ := json.Marshal(map[string]any{"vin": vin, "access": vehicle.AccessOwner, "items": env.ReadCache(b, table, vin)})
	h := planreport.New(func() time.Time { return t0.Add(time.Hour) })
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		out, err := h(context.Background(), in)
		if err != nil || len(out) < 100 {
			b.Fatalf("%s, %v", out, err)
		}
	}
}

package listings_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/functions/listings"
	"github.com/acme-oem/vehicle-data/internal/listing"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// fill sets every string of the report to a canary naming its path, PERSONAL-... under a field
// tagged personal, so fields added to the report later are covered without being named here.
func fill(v reflect.Value, path string, personal bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type() == reflect.TypeOf(&time.Time{}) {
			at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
			v.Set(reflect.ValueOf(&at))
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), path, personal)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fill(v.Index(0), path+"[0]", personal)
		fill(v.Index(1), path+"[1]", personal)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			fill(v.Field(i), path+"."+f.Name, personal || f.Tag.Get("personal") == "true")
		}
	case reflect.String:
		prefix := "PUBLIC"
		if personal {
			prefix = "PERSONAL"
		}
		v.SetString(fmt.Sprintf("%s-%s", prefix, path))
	case reflect.Int:
		v.SetInt(7)
	case reflect.Bool:
		v.SetBool(true)
	}
}

// TestSnapshotOfAnOwnersReportHoldsNoPersonalField hands the snapshot a full owner's report with
// a canary in every field: no personal canary may reach the listing, whatever the state machine
// passed in.
func TestSnapshotOfAnOwnersReportHoldsNoPersonalField(t *testing.T) {
	var r report.Report
	fill(reflect.ValueOf(&r).Elem(), "report", false)
	r.Access = vehicle.AccessOwner
	r.Recalls.Data.Campaigns[0].Status = "open"
	l := listing.Listing{ID: listing.NewID(), Status: listing.StatusActive, VIN: "WVWZZZCD3MW100001", Seller: "PERSONAL-seller",
		Verified: listings.Snapshot(r)}
	b, err := json.Marshal(l.PublicView("https://site.example"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if strings.Contains(s, "PERSONAL-") || strings.Contains(s, "WVWZZZCD3MW100001") {
		t.Fatalf("a personal field reached the listing: %s", s)
	}
	for _, want := range []string{"PUBLIC-report.Build.Data.Make", "PUBLIC-report.Build.Data.Model",
		"PUBLIC-report.Odometer.Data.Readings[1].Month", "PUBLIC-report.Recalls.Data.Campaigns[0].Title"} {
		if !strings.Contains(s, want) {
			t.Errorf("the listing lost the public fact %s: %s", want, s)
		}
	}
}

func TestSnapshotFacts(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r := report.Report{
		Build: &report.Section[report.BuildData]{Source: vehicle.SourceVehicleMaster, FetchedAt: &at,
			Data: &report.BuildData{Make: "Volkswagen", Model: "Golf", ModelYear: 2021}},
		Odometer: &report.Section[report.OdometerData]{Source: vehicle.SourceWorkshop, FetchedAt: &at,
			Data: &report.OdometerData{RollbackDetected: true, Readings: []report.OdometerReading{
				{Month: "2022-01", Km: 10000, Source: vehicle.SourceWorkshop},
				{Month: "2024-06", Km: 42000, Source: vehicle.SourceRegistry}}}},
		Service: &report.Section[report.ServiceData]{Source: vehicle.SourceWorkshop, FetchedAt: &at,
			Data: &report.ServiceData{Visits: []report.ServiceVisit{{Month: "2023-02", Kind: "inspection"},
				{Month: "2024-05", Kind: "accident-repair"}, {Month: "2022-01", Kind: "oil-service"}}}},
		Recalls: &report.Section[report.RecallData]{Source: vehicle.SourceRecalls, FetchedAt: &at,
			Data: &report.RecallData{OpenCount: 1, Campaigns: []report.Recall{{ID: "21K8", Status: "completed"}, {ID: "20K6", Title: "Airbag", Status: "open"}}}},
		Registration: &report.Section[report.RegistrationData]{Source: vehicle.SourceRegistry, Freshness: report.Unavailable},
	}
	v := listings.Snapshot(r)
	if v.Make.Value != "Volkswagen" || v.Model.Value != "Golf" || v.ModelYear.Value != 2021 || v.Make.Source != vehicle.SourceVehicleMaster {
		t.Errorf("build facts %+v %+v %+v", v.Make, v.Model, v.ModelYear)
	}
	if v.Odometer.Value != (listing.Odometer{Km: 42000, Month: "2024-06"}) || v.Odometer.Source != vehicle.SourceRegistry || !v.RollbackDetected.Value {
		t.Errorf("odometer %+v rollback %+v", v.Odometer, v.RollbackDetected)
	}
	if v.Service.Value != (listing.ServiceSummary{Count: 3, LastServiceMonth: "2024-05"}) || !v.AccidentRecorded.Value {
		t.Errorf("service %+v accident %+v", v.Service, v.AccidentRecorded)
	}
	if len(v.OpenRecalls.Value) != 1 || v.OpenRecalls.Value[0].ID != "20K6" || !v.OpenRecalls.FetchedAt.Equal(at) {
		t.Errorf("open recalls %+v", v.OpenRecalls)
	}
	// An unavailable section gives no fact rather than a false one.
	if got := listings.Snapshot(report.Report{Service: &report.Section[report.ServiceData]{Freshness: report.Unavailable}}); got.AccidentRecorded != nil || got.Service != nil {
		t.Errorf("facts from an unavailable section: %+v", got)
	}
}

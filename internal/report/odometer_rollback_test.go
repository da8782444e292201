package report

import (
	"reflect"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// A turn-back is one event: the readings after it that are still below the old maximum are the
// car's ordinary mileage on its new baseline, not further rollbacks.
func TestMergeOdometerReportsEachRollbackOnce(t *testing.T) {
	peak := OdometerReading{Month: "2021-03", Date: "2021-03-10", Km: 61000, Source: vehicle.SourceWorkshop}
	low := OdometerReading{Month: "2021-06", Date: "2021-06-02", Km: 1200, Source: vehicle.SourceRegistry}
	got := MergeOdometer(
		[]OdometerReading{
			{Month: "2019-03", Date: "2019-03-02", Km: 15000, Source: vehicle.SourceWorkshop},
			peak,
			{Month: "2022-06", Date: "2022-06-01", Km: 14000, Source: vehicle.SourceWorkshop},
			{Month: "2023-06", Date: "2023-06-01", Km: 27000, Source: vehicle.SourceWorkshop},
		},
		[]OdometerReading{low, {Month: "2024-06", Date: "2024-06-03", Km: 40000, Source: vehicle.SourceRegistry}},
	)
	want := []Rollback{{Month: "2021-06", FromKm: 61000, ToKm: 1200, Before: peak, After: low}}
	if !got.RollbackDetected || !reflect.DeepEqual(got.Rollbacks, want) {
		t.Fatalf("rollbacks = %+v\nwant %+v", got.Rollbacks, want)
	}
}

// A second turn-back on the new baseline is a second event, measured from the highest reading
// since the first one.
func TestMergeOdometerReportsASecondTurnBack(t *testing.T) {
	rs := []OdometerReading{
		{Month: "2018-01", Km: 50000, Source: vehicle.SourceWorkshop},
		{Month: "2019-01", Km: 10000, Source: vehicle.SourceWorkshop},
		{Month: "2020-01", Km: 30000, Source: vehicle.SourceRegistry},
		{Month: "2021-01", Km: 45000, Source: vehicle.SourceWorkshop},
		{Month: "2022-01", Km: 5000, Source: vehicle.SourceRegistry},
		{Month: "2023-01", Km: 20000, Source: vehicle.SourceWorkshop},
	}
	got := MergeOdometer(rs)
	want := []Rollback{
		{Month: "2019-01", FromKm: 50000, ToKm: 10000, Before: rs[0], After: rs[1]},
		{Month: "2022-01", FromKm: 45000, ToKm: 5000, Before: rs[3], After: rs[4]},
	}
	if !reflect.DeepEqual(got.Rollbacks, want) {
		t.Fatalf("rollbacks = %+v\nwant %+v", got.Rollbacks, want)
	}
}

// The dates on both sides are personal like every reading's date: the public view keeps months,
// kilometres and sources.
func TestRollbackDatesArePersonal(t *testing.T) {
	od := MergeOdometer([]OdometerReading{
		{Month: "2021-03", Date: "2021-03-10", Km: 61000, Source: vehicle.SourceWorkshop},
		{Month: "2021-06", Date: "2021-06-02", Km: 1200, Source: vehicle.SourceRegistry},
	})
	r := Report{Odometer: &Section[OdometerData]{Source: vehicle.SourceWorkshop, Freshness: Fresh, Data: &od}}
	pub := Redact(r, vehicle.AccessPublic).Odometer.Data.Rollbacks[0]
	if pub.Before.Date != "" || pub.After.Date != "" {
		t.Fatalf("public rollback carries dates: %+v", pub)
	}
	if pub.Before.Month != "2021-03" || pub.After.Source != vehicle.SourceRegistry || pub.After.Km != 1200 {
		t.Fatalf("public rollback lost its public parts: %+v", pub)
	}
	own := Redact(r, vehicle.AccessOwner).Odometer.Data.Rollbacks[0]
	if own.Before.Date != "2021-03-10" || own.After.Date != "2021-06-02" {
		t.Fatalf("owner rollback lacks dates: %+v", own)
	}
}

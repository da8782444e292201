package recalls_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/clienttest"
	"github.com/acme-oem/vehicle-data/legacyclients/recalls"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

func TestAgainstSimulator(t *testing.T) {
	cl := clienttest.Sim(t)
	tc := clienttest.SimTransport(t, cl, vehicle.SourceRecalls)
	c, err := recalls.New(recalls.Config{Transport: tc})
	if err != nil {
		t.Fatal(err)
	}
	// Page size 1 makes the simulator paginate every campaign: the result must not change.
	paged, err := recalls.New(recalls.Config{Transport: tc, PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range sim.Demos() {
		t.Run(d.Name, func(t *testing.T) {
			got, err := c.FetchRecalls(context.Background(), d.VIN)
			if d.VIN == world.DemoUnknown {
				clienttest.CheckErr(t, err, apperr.NotFound, transport.ErrNotFound, string(d.VIN))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			before := cl.System(vehicle.SourceRecalls).Stats().Op(recalls.OperationList)
			one, err := paged.FetchRecalls(context.Background(), d.VIN)
			if err != nil {
				t.Fatal(err)
			}
			pages := cl.System(vehicle.SourceRecalls).Stats().Op(recalls.OperationList) - before
			if !reflect.DeepEqual(one, got) || pages != int64(max(len(got.Campaigns), 1)) {
				t.Errorf("page size 1: %d pages, %+v; page size 50: %+v", pages, one, got)
			}
			if d.VIN == world.DemoRecall {
				open := ""
				for _, r := range got.Campaigns {
					if r.Status == "open" {
						open = r.ID
					}
				}
				if got.OpenCount != 1 || open != "20K6" {
					t.Errorf("recalls = %+v", got)
				}
			}
		})
	}
}

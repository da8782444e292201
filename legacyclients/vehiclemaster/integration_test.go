package vehiclemaster_test

import (
	"context"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/clienttest"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
	"github.com/acme-oem/vehicle-data/legacyclients/vehiclemaster"
)

// TestAgainstSimulator: the client accepts everything the simulator says about the demo VINs,
// and the simulator's failures map to the ports contract.
func TestAgainstSimulator(t *testing.T) {
	cl := clienttest.Sim(t)
	c, err := vehiclemaster.New(vehiclemaster.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceVehicleMaster)})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range sim.Demos() {
		t.Run(d.Name, func(t *testing.T) {
			b, err := c.FetchBuild(context.Background(), d.VIN)
			if d.VIN == world.DemoUnknown {
				clienttest.CheckErr(t, err, apperr.NotFound, transport.ErrNotFound, string(d.VIN))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m, _ := d.VIN.Manufacturer(); b.Make != m.Make || b.ModelYear != d.VIN.ModelYear() || len(b.Equipment) == 0 {
				t.Errorf("build = %+v, want make %s model year %d with equipment", b, m.Make, d.VIN.ModelYear())
			}
		})
	}
	t.Run("truncated transfer", func(t *testing.T) {
		if err := cl.System(vehicle.SourceVehicleMaster).SetFaults(fault.Faults{Truncate: true}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cl.Reset)
		_, err := c.FetchBuild(context.Background(), world.DemoClean)
		clienttest.CheckErr(t, err, apperr.Unavailable, transport.ErrUnavailable, string(world.DemoClean))
	})
	t.Run("malformed payload", func(t *testing.T) {
		if err := cl.System(vehicle.SourceVehicleMaster).SetFaults(fault.Faults{Malformed: true}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cl.Reset)
		_, err := c.FetchBuild(context.Background(), world.DemoClean)
		clienttest.CheckErr(t, err, apperr.Unavailable, nil, string(world.DemoClean))
	})
}

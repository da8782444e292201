package registry_test

import (
	"context"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/clienttest"
	"github.com/acme-oem/vehicle-data/legacyclients/registry"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
	"github.com/acme-oem/vehicle-data/legacyclients/workshop"
)

func TestAgainstSimulator(t *testing.T) {
	cl := clienttest.Sim(t)
	c, err := registry.New(registry.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceRegistry)})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := workshop.New(workshop.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceWorkshop)})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range sim.Demos() {
		t.Run(d.Name, func(t *testing.T) {
			in, err := c.Inquire(context.Background(), d.VIN)
			if d.VIN == world.DemoUnknown {
				clienttest.CheckErr(t, err, apperr.NotFound, transport.ErrNotFound, string(d.VIN))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if in.Owner == nil || in.DocumentCode == "" || in.Registration.OwnerCount != len(in.Registration.Registrations) {
				t.Errorf("inquiry = %+v owner %+v", in.Registration, in.Owner)
			}
			last := in.Registration.Registrations[len(in.Registration.Registrations)-1]
			switch d.VIN {
			case world.DemoOwners:
				if in.Registration.OwnerCount != 3 {
					t.Errorf("owners = %d, want 3", in.Registration.OwnerCount)
				}
			case world.DemoClean:
				if in.Registration.OwnerCount != 1 || last.KeeperKind != "private" {
					t.Errorf("registration = %+v", in.Registration)
				}
			case world.DemoDealer:
				if last.KeeperKind != "dealer" {
					t.Errorf("keeper kind = %s, want dealer", last.KeeperKind)
				}
			case world.DemoRollback:
				// The rollback shows once workshop and inspection readings are merged.
				_, wr, err := ws.FetchService(context.Background(), d.VIN)
				if err != nil {
					t.Fatal(err)
				}
				if !report.MergeOdometer(wr, in.Odometer).RollbackDetected {
					t.Error("no rollback detected")
				}
			}
		})
	}
	t.Run("system error record", func(t *testing.T) {
		sys := cl.System(vehicle.SourceRegistry)
		if err := sys.SetFaults(fault.Faults{ErrorRate: 1, ErrorStatus: 503}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sys.Reset)
		_, err := c.Inquire(context.Background(), world.DemoClean)
		clienttest.CheckErr(t, err, apperr.Unavailable, transport.ErrUnavailable, string(world.DemoClean))
	})
	t.Run("malformed", func(t *testing.T) {
		sys := cl.System(vehicle.SourceRegistry)
		if err := sys.SetFaults(fault.Faults{Malformed: true}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sys.Reset)
		_, err := c.Inquire(context.Background(), world.DemoClean)
		clienttest.CheckErr(t, err, apperr.Unavailable, transport.ErrBadPayload, string(world.DemoClean))
	})
}

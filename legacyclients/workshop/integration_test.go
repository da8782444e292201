package workshop_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/clienttest"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
	"github.com/acme-oem/vehicle-data/legacyclients/workshop"
)

func TestAgainstSimulator(t *testing.T) {
	cl := clienttest.Sim(t)
	sys := cl.System(vehicle.SourceWorkshop)
	c, err := workshop.New(workshop.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceWorkshop)})
	if err != nil {
		t.Fatal(err)
	}
	for _, cs := range []string{workshop.CharsetISO88591, workshop.CharsetWindows1252, workshop.CharsetUTF8} {
		if err := sys.SetFaults(fault.Faults{Charset: cs}); err != nil {
			t.Fatal(err)
		}
		for _, d := range sim.Demos() {
			t.Run(cs+"/"+d.Name, func(t *testing.T) {
				svc, readings, err := c.FetchService(context.Background(), d.VIN)
				if d.VIN == world.DemoUnknown {
					clienttest.CheckErr(t, err, apperr.NotFound, transport.ErrNotFound, string(d.VIN))
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(svc.Visits) == 0 || len(readings) < len(svc.Visits) {
					t.Fatalf("visits %d, readings %d", len(svc.Visits), len(readings))
				}
				kinds := make([]string, 0, len(svc.Visits))
				for _, v := range svc.Visits {
					kinds = append(kinds, v.Kind)
				}
				switch d.VIN {
				case world.DemoAccident:
					if !slices.Contains(kinds, "accident-repair") {
						t.Errorf("no accident repair in %v", kinds)
					}
				case world.DemoRecall:
					if !slices.Contains(kinds, "recall-repair") {
						t.Errorf("no recall repair in %v", kinds)
					}
				case world.DemoClean:
					if report.MergeOdometer(readings).RollbackDetected {
						t.Error("clean car shows a rollback")
					}
				}
			})
		}
	}
	sys.Reset()
	// A mislabelled body is either rejected or, when it is pure ASCII (identical in every
	// charset), decoded to exactly the same data: never a silently different record.
	t.Run("wrong charset", func(t *testing.T) {
		for _, cs := range []string{workshop.CharsetISO88591, workshop.CharsetWindows1252, workshop.CharsetUTF8} {
			rejected := 0
			for _, d := range sim.Demos() {
				if d.VIN == world.DemoUnknown {
					continue
				}
				if err := sys.SetFaults(fault.Faults{Charset: cs}); err != nil {
					t.Fatal(err)
				}
				want, _, err := c.FetchService(context.Background(), d.VIN)
				if err != nil {
					t.Fatal(err)
				}
				if err := sys.SetFaults(fault.Faults{Charset: cs, WrongCharset: true}); err != nil {
					t.Fatal(err)
				}
				got, _, err := c.FetchService(context.Background(), d.VIN)
				if err != nil {
					clienttest.CheckErr(t, err, apperr.Unavailable, transport.ErrBadPayload, string(d.VIN))
					rejected++
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s %s: mislabelled body decoded to different data", cs, d.Name)
				}
			}
			if rejected == 0 {
				t.Errorf("%s: no demo has non-ASCII text, so mislabelling was never detected", cs)
			}
		}
		sys.Reset()
	})
	for name, f := range map[string]fault.Faults{
		"malformed":    {Malformed: true},
		"server fault": {ErrorRate: 1, ErrorStatus: 500},
	} {
		t.Run(name, func(t *testing.T) {
			if err := sys.SetFaults(f); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(sys.Reset)
			_, _, err := c.FetchService(context.Background(), world.DemoClean)
			clienttest.CheckErr(t, err, apperr.Unavailable, nil, string(world.DemoClean))
		})
	}
}

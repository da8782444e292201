package clienttest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/clienttest"
	"github.com/acme-oem/vehicle-data/legacyclients/offers"
	"github.com/acme-oem/vehicle-data/legacyclients/recalls"
	"github.com/acme-oem/vehicle-data/legacyclients/registry"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/legacyclients/transport/transporttest"
	"github.com/acme-oem/vehicle-data/legacyclients/vehiclemaster"
	"github.com/acme-oem/vehicle-data/legacyclients/workshop"
)

// TestClientsAcceptTheSimulatedWorld sweeps the simulators' generator: the clients validate
// strictly, and this catches a rule that would reject plausible data (or a generator that
// produces implausible data) before a demo does. Unknown VINs may be not found; nothing may be
// rejected as a bad payload.
func TestClientsAcceptTheSimulatedWorld(t *testing.T) {
	cl := clienttest.Sim(t)
	vm, err1 := vehiclemaster.New(vehiclemaster.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceVehicleMaster)})
	ws, err2 := workshop.New(workshop.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceWorkshop)})
	rg, err3 := registry.New(registry.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceRegistry)})
	rc, err4 := recalls.New(recalls.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceRecalls)})
	of, err5 := offers.New(offers.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceOffers)})
	for _, err := range []error{err1, err2, err3, err4, err5} {
		if err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	found := 0
	for _, v := range clienttest.VINs(80) {
		errs := map[vehicle.Source]error{}
		_, errs[vehicle.SourceVehicleMaster] = vm.FetchBuild(ctx, v)
		_, _, errs[vehicle.SourceWorkshop] = ws.FetchService(ctx, v)
		_, _, _, errs[vehicle.SourceRegistry] = rg.FetchRegistration(ctx, v)
		_, errs[vehicle.SourceRecalls] = rc.FetchRecalls(ctx, v)
		_, errs[vehicle.SourceOffers] = of.Offers(ctx, v)
		if errs[vehicle.SourceVehicleMaster] == nil {
			found++
		}
		for src, err := range errs {
			if err != nil && apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("%s rejected the simulator's data for a generated VIN: %v", src, err)
			}
		}
	}
	if found < 40 {
		t.Errorf("only %d of 80 generated VINs are known: the sweep tests too little", found)
	}
}

// TestTracesCarryNoPersonalData: the X-Ray subsegments of every client's calls, successful and
// failed, hold no VIN, keeper name, plate or document code.
func TestTracesCarryNoPersonalData(t *testing.T) {
	cl := clienttest.Sim(t)
	ctx, rec, err := transporttest.TraceContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	vm, _ := vehiclemaster.New(vehiclemaster.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceVehicleMaster)})
	ws, _ := workshop.New(workshop.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceWorkshop)})
	rg, _ := registry.New(registry.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceRegistry)})
	rc, _ := recalls.New(recalls.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceRecalls)})
	of, _ := offers.New(offers.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceOffers)})
	secrets := []string{string(world.DemoOwners), string(world.DemoUnknown)}
	in, err := rg.Inquire(ctx, world.DemoOwners)
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, in.Owner.Name, in.DocumentCode)
	for _, r := range in.Registration.Registrations {
		secrets = append(secrets, r.Plate)
	}
	for _, v := range []vehicle.VIN{world.DemoOwners, world.DemoUnknown} {
		_, _ = vm.FetchBuild(ctx, v)
		_, _, _ = ws.FetchService(ctx, v)
		_, _ = rg.Inquire(ctx, v)
		_, _ = rc.FetchRecalls(ctx, v)
		_, _ = of.Offers(ctx, v)
	}
	if err := cl.System(vehicle.SourceRegistry).SetFaults(fault.Faults{Malformed: true}); err != nil {
		t.Fatal(err)
	}
	_, _ = rg.Inquire(ctx, world.DemoOwners)
	docs := rec.Documents()
	if len(docs) < 11 {
		t.Fatalf("%d segments recorded, want one per call", len(docs))
	}
	for _, d := range docs {
		for _, s := range secrets {
			if s != "" && strings.Contains(string(d), s) {
				t.Errorf("a trace segment carries personal data: %s", d)
			}
		}
	}
}

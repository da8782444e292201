package sim_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/dealerstock"
	"github.com/acme-oem/vehicle-data/legacyclients/offers"
	"github.com/acme-oem/vehicle-data/legacyclients/recalls"
	"github.com/acme-oem/vehicle-data/legacyclients/registry"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
	"github.com/acme-oem/vehicle-data/legacyclients/vehiclemaster"
	"github.com/acme-oem/vehicle-data/legacyclients/workshop"
)

// clients are the real legacy clients pointed at a cluster: if a simulator drifts from a wire
// format, the client's validation rejects its answer here.
type clients struct {
	build    *vehiclemaster.Client
	workshop *workshop.Client
	registry *registry.Client
	recalls  *recalls.Client
	stock    *dealerstock.Client
	offers   *offers.Client
}

func newClients(t *testing.T, c *sim.Cluster) clients {
	t.Helper()
	tc := func(s vehicle.Source) *transport.Client {
		x, err := transport.New(transport.Config{System: string(s), BaseURL: c.URL(s), MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(x.Close)
		return x
	}
	var out clients
	var err error
	must := func(e error) {
		if e != nil {
			t.Fatal(e)
		}
	}
	out.build, err = vehiclemaster.New(vehiclemaster.Config{Transport: tc(vehicle.SourceVehicleMaster)})
	must(err)
	out.workshop, err = workshop.New(workshop.Config{Transport: tc(vehicle.SourceWorkshop)})
	must(err)
	out.registry, err = registry.New(registry.Config{Transport: tc(vehicle.SourceRegistry)})
	must(err)
	out.recalls, err = recalls.New(recalls.Config{Transport: tc(vehicle.SourceRecalls), PageSize: 1})
	must(err)
	out.stock, err = dealerstock.New(dealerstock.Config{Transport: tc(vehicle.SourceDealerStock)})
	must(err)
	out.offers, err = offers.New(offers.Config{Transport: tc(vehicle.SourceOffers)})
	must(err)
	return out
}

// TestClientsAcceptSimulatorAnswers runs every client against the simulators for the demo VINs
// and a sample of minted VINs, and checks the decoded data against the world.
func TestClientsAcceptSimulatorAnswers(t *testing.T) {
	ctx := context.Background()
	c := startCluster(t, sim.Options{})
	cl := newClients(t, c)
	w := c.World()

	vins := []vehicle.VIN{world.DemoClean, world.DemoRollback, world.DemoRecall, world.DemoAccident, world.DemoOwners, world.DemoDealer}
	vins = append(vins, sampleVINs(100)...)
	contacts := map[string]string{world.ContactSMS: registry.ContactSMS, world.ContactEmail: registry.ContactEmail}
	seen := map[string]int{}
	for _, vin := range vins {
		v, ok := w.Vehicle(vin)
		if !ok {
			continue
		}
		t.Run(string(vin), func(t *testing.T) {
			b, err := cl.build.FetchBuild(ctx, vin)
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			if b.Model != v.Model.Name || b.ModelYear != v.ModelYear {
				t.Errorf("build = %s %d, want %s %d", b.Model, b.ModelYear, v.Model.Name, v.ModelYear)
			}
			sd, odo, err := cl.workshop.FetchService(ctx, vin)
			if err != nil {
				t.Fatalf("workshop: %v", err)
			}
			if len(sd.Visits) != len(v.Visits) || len(odo) != len(v.Visits)+len(v.WorkshopReadings) {
				t.Errorf("workshop: %d visits, %d readings; want %d, %d", len(sd.Visits), len(odo), len(v.Visits), len(v.Visits)+len(v.WorkshopReadings))
			}
			reg, owner, insp, err := cl.registry.FetchRegistration(ctx, vin)
			if err != nil {
				t.Fatalf("registry: %v", err)
			}
			if reg.OwnerCount != len(v.Registrations) || owner == nil || owner.Name != v.Owner().Name || len(insp) != len(v.Inspections) {
				t.Errorf("registry: owners %d, inspections %d; want %d, %d", reg.OwnerCount, len(insp), len(v.Registrations), len(v.Inspections))
			}
			// The keeper's contact (phone or e-mail) reaches the client as the world holds it.
			in, err := cl.registry.Inquire(ctx, vin)
			if err != nil {
				t.Fatalf("registry inquiry: %v", err)
			}
			if want := v.Current().Contact; (want.Channel == "") != (in.Contact == nil) ||
				(in.Contact != nil && (in.Contact.Address != want.Address || contacts[want.Channel] != in.Contact.Channel)) {
				t.Errorf("registry contact: got channel %v, want %s", in.Contact != nil, want.Channel)
			} else if in.Contact != nil {
				seen[in.Contact.Channel]++
			}
			rc, err := cl.recalls.FetchRecalls(ctx, vin)
			if err != nil {
				t.Fatalf("recalls: %v", err)
			}
			if len(rc.Campaigns) != len(v.Recalls) {
				t.Errorf("recalls: %d campaigns, want %d", len(rc.Campaigns), len(v.Recalls))
			}
			of, err := cl.offers.Offers(ctx, vin)
			if err != nil {
				t.Fatalf("offers: %v", err)
			}
			if len(of) != len(w.Offers(v)) {
				t.Errorf("offers: %d, want %d", len(of), len(w.Offers(v)))
			}
		})
	}

	if seen[registry.ContactSMS] == 0 || seen[registry.ContactEmail] == 0 {
		t.Errorf("contacts served: %v; want phones and e-mail addresses", seen)
	}

	res, err := cl.stock.Search(ctx, dealerstock.Query{Make: "Volkswagen", Model: "Golf", YearFrom: 2020, YearTo: 2024, Limit: 50})
	if err != nil {
		t.Fatalf("dealer stock: %v", err)
	}
	if res.Total < 4 || !slices.ContainsFunc(res.Cars, func(s dealerstock.StockCar) bool { return s.VIN == world.DemoDealer }) {
		t.Fatalf("dealer stock: %d of %d cars, the dealer demo missing", len(res.Cars), res.Total)
	}
}

// TestWorkshopClientDecodesEveryCharset: whichever charset the workshop is configured with, the
// client reads the umlauts right.
func TestWorkshopClientDecodesEveryCharset(t *testing.T) {
	for _, cs := range []string{workshop.CharsetUTF8, workshop.CharsetISO88591, workshop.CharsetWindows1252} {
		t.Run(cs, func(t *testing.T) {
			c := startCluster(t, sim.Options{Charsets: map[vehicle.Source]string{vehicle.SourceWorkshop: cs}})
			sd, _, err := newClients(t, c).workshop.FetchService(context.Background(), world.DemoRollback)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(sd.Visits, func(v report.ServiceVisit) bool {
				return v.Workshop != nil && v.Workshop.Name == "Autohaus Krüger GmbH"
			}) {
				t.Fatalf("no visit at Autohaus Krüger GmbH: %+v", sd.Visits[0].Workshop)
			}
		})
	}
}

// TestClientsSeeUnknownVINAsNotFound: the unknown demo VIN is not found in every system, in each
// system's own way (404, SOAP fault, ER record).
func TestClientsSeeUnknownVINAsNotFound(t *testing.T) {
	ctx := context.Background()
	c := startCluster(t, sim.Options{})
	cl := newClients(t, c)
	for _, vin := range []vehicle.VIN{world.DemoUnknown, "1M8GDM9AXKP042788"} {
		_, err1 := cl.build.FetchBuild(ctx, vin)
		_, _, err2 := cl.workshop.FetchService(ctx, vin)
		_, _, _, err3 := cl.registry.FetchRegistration(ctx, vin)
		_, err4 := cl.recalls.FetchRecalls(ctx, vin)
		_, err5 := cl.offers.Offers(ctx, vin)
		for i, err := range []error{err1, err2, err3, err4, err5} {
			if !errors.Is(err, transport.ErrNotFound) && !isNotFound(err) {
				t.Errorf("%s: system %d: err = %v, want not found", vin, i, err)
			}
		}
	}
}

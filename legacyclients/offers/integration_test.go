package offers_test

import (
	"context"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/clienttest"
	"github.com/acme-oem/vehicle-data/legacyclients/offers"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

func TestAgainstSimulator(t *testing.T) {
	cl := clienttest.Sim(t)
	c, err := offers.New(offers.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceOffers)})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, d := range sim.Demos() {
		t.Run(d.Name, func(t *testing.T) {
			got, err := c.Offers(context.Background(), d.VIN)
			if d.VIN == world.DemoUnknown {
				clienttest.CheckErr(t, err, apperr.NotFound, transport.ErrNotFound, string(d.VIN))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			total += len(got)
		})
	}
	if total == 0 {
		t.Error("no demo vehicle has a current offer")
	}
}

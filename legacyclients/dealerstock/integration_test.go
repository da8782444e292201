package dealerstock_test

import (
	"context"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/dealerstock"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/clienttest"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
)

func TestAgainstSimulator(t *testing.T) {
	cl := clienttest.Sim(t)
	c, err := dealerstock.New(dealerstock.Config{Transport: clienttest.SimTransport(t, cl, vehicle.SourceDealerStock)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Search(context.Background(), dealerstock.Query{Make: "Volkswagen", Model: "Golf", YearFrom: 2020, YearTo: 2024, Limit: dealerstock.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, car := range res.Cars {
		found = found || car.VIN == world.DemoDealer
	}
	if !found || len(res.Cars) < 2 {
		t.Errorf("the demo dealer car and similar Golfs are missing: %d cars", len(res.Cars))
	}
	narrow, err := c.Search(context.Background(), dealerstock.Query{Make: "Volkswagen", Model: "Golf", YearFrom: 2020, YearTo: 2024,
		PriceMaxEur: res.Cars[0].PriceEur, Limit: 1})
	if err != nil || len(narrow.Cars) != 1 || narrow.Cars[0].PriceEur > res.Cars[0].PriceEur {
		t.Errorf("narrow search = %+v, %v", narrow, err)
	}
}

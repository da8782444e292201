package world

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

func randomKnown(t *testing.T, w *World, n int) []*Vehicle {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	var out []*Vehicle
	for tries := 0; len(out) < n; tries++ {
		if tries > n*20 {
			t.Fatalf("only %d of %d random VINs are known", len(out), n)
		}
		if v, ok := w.Vehicle(RandomVIN(r)); ok {
			out = append(out, v)
		}
	}
	return out
}

func TestSameVINSameVehicle(t *testing.T) {
	w1, w2 := New(DefaultAsOf), New(DefaultAsOf)
	for _, v := range randomKnown(t, w1, 50) {
		again, ok := w2.Vehicle(v.VIN)
		if !ok || !reflect.DeepEqual(v, again) {
			t.Fatalf("%s: a second world generated a different vehicle", v.VIN)
		}
		if !reflect.DeepEqual(w1.Offers(v), w2.Offers(again)) {
			t.Fatalf("%s: offers differ between runs", v.VIN)
		}
	}
}

func TestDifferentVINsDiffer(t *testing.T) {
	w := New(DefaultAsOf)
	vs := randomKnown(t, w, 100)
	seen := map[string]vehicle.VIN{}
	for _, v := range vs {
		// The owner's name with the registration dates and odometer: two cars sharing all of it
		// would mean the seed ignores the VIN.
		key := v.Owner().Name + v.Current().From.String() + v.Produced.String() + v.DocumentCode()
		if other, dup := seen[key]; dup {
			t.Fatalf("%s and %s have the same history", v.VIN, other)
		}
		seen[key] = v.VIN
	}
}

func TestConsistencyOverRandomVINs(t *testing.T) {
	w := New(DefaultAsOf)
	asOf := w.AsOf()
	latin1 := charmap.ISO8859_1.NewEncoder()
	for _, v := range randomKnown(t, w, 400) {
		m, _ := v.VIN.Manufacturer()
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("%s: "+format, append([]any{v.VIN}, args...)...)
		}
		if v.Make() != m.Make || v.ModelYear != v.VIN.ModelYear() {
			fail("make %q year %d, want %q %d", v.Make(), v.ModelYear, m.Make, v.VIN.ModelYear())
		}
		if !slices.ContainsFunc(catalog[m.WMI].Models, func(x Model) bool { return reflect.DeepEqual(x, v.Model) }) ||
			!slices.Contains(v.Model.Engines, v.Engine) {
			fail("model %s/%s is not in the %s catalogue", v.Model.Name, v.Engine.Code, m.WMI)
		}
		if v.Produced.Before(date(v.ModelYear-1, time.June, 1)) || v.Produced.After(date(v.ModelYear, time.May, 31)) || v.Produced.After(asOf) {
			fail("produced %s does not fit model year %d", v.Produced, v.ModelYear)
		}
		if n := len(v.Registrations); n < 1 || n > 3 {
			fail("%d registrations, want 1-3", n)
		}
		prev := v.Produced
		for i, reg := range v.Registrations {
			last := i == len(v.Registrations)-1
			if reg.From.Before(prev) || reg.From.After(asOf) {
				fail("registration %d from %s out of order", i, reg.From)
			}
			if last != reg.To.IsZero() || (!last && (reg.To.Before(reg.From) || !reg.To.Equal(v.Registrations[i+1].From))) {
				fail("registration %d period %s-%s", i, reg.From, reg.To)
			}
			if reg.Plate == "" || len(reg.DocumentCode) != 8 || strings.Trim(reg.DocumentCode, docCodeChars) != "" {
				fail("registration %d plate %q code %q", i, reg.Plate, reg.DocumentCode)
			}
			if reg.Country != v.Country {
				fail("registration country %s, vehicle %s", reg.Country, v.Country)
			}
			prev = reg.From
		}
		firstReg := v.Registrations[0].From
		for _, x := range v.Visits {
			if x.Date.Before(firstReg) || x.Date.After(asOf) || len(x.Items) == 0 || x.Workshop.ID == "" {
				fail("visit %+v", x)
			}
		}
		for _, x := range v.Inspections {
			if x.Date.Before(firstReg) || x.Date.After(asOf) {
				fail("inspection %+v", x)
			}
		}
		odo := report.MergeOdometer(toReadings(v.Readings()))
		if odo.RollbackDetected {
			fail("odometer not monotonic: %+v", odo.Rollbacks)
		}
		for _, rc := range v.Recalls {
			switch rc.Status {
			case RecallOpen:
			case RecallCompleted:
				if rc.CompletedOn.Before(rc.Campaign.Issued) || !slices.ContainsFunc(v.Visits, func(x Visit) bool {
					return x.Kind == KindRecallRepair && x.RecallID == rc.Campaign.ID && x.Date.Equal(rc.CompletedOn)
				}) {
					fail("completed recall %s has no matching recall-repair visit", rc.Campaign.ID)
				}
			default:
				fail("recall status %q", rc.Status)
			}
		}
		if (v.Listing != nil) != inPool(v.VIN) {
			fail("listing %v but in pool %v", v.Listing != nil, inPool(v.VIN))
		}
		if v.Listing != nil && (v.Current().KeeperKind != KeeperDealer || v.Listing.Km < v.LatestKm() || v.Listing.PriceEUR <= 0) {
			fail("listing %+v inconsistent with the registrations", v.Listing)
		}
		for _, s := range textOf(v, w) {
			if _, err := latin1.String(s); err != nil {
				fail("%q is not representable in ISO-8859-1 (the workshop and registry need it)", s)
			}
		}
	}
}

func toReadings(rs []Reading) []report.OdometerReading {
	out := make([]report.OdometerReading, 0, len(rs))
	for _, r := range rs {
		out = append(out, report.OdometerReading{Month: r.Date.Format("2006-01"), Date: r.Date.Format("2006-01-02"), Km: r.Km, Source: r.Source})
	}
	return out
}

func textOf(v *Vehicle, w *World) []string {
	out := []string{v.Model.Name, v.Plant.Name, v.Color.Name}
	for _, e := range v.Equipment {
		out = append(out, e.Description)
	}
	for _, x := range v.Visits {
		out = append(out, x.Workshop.Name, x.Workshop.City)
		out = append(out, x.Items...)
	}
	for _, r := range v.Registrations {
		out = append(out, r.Plate, r.Keeper.Name, r.Keeper.City, r.Keeper.Street)
	}
	for _, o := range w.Offers(v) {
		out = append(out, o.Title, o.Description)
	}
	return out
}

func TestUnknownVINs(t *testing.T) {
	w := New(DefaultAsOf)
	for name, vin := range map[string]string{
		"other manufacturer": "1M8GDM9AXKP042788",
		"unassigned serial":  string(DemoUnknown),
		"future model year":  string(MintVIN("WVW", "CD", 2035, "100001")),
		"not a VIN":          "WVWZZZCD3MW10000",
	} {
		if _, ok := w.Lookup(vin); ok {
			t.Errorf("%s: %s is known", name, vin)
		}
	}
	if _, ok := w.Lookup(strings.ToLower(string(DemoClean))); !ok {
		t.Error("a lower-case VIN is the same car")
	}
}

func TestMintedVINsDecodeToTheirModel(t *testing.T) {
	for wmi, cat := range catalog {
		for _, m := range cat.Models {
			for y := m.FromYear; y <= m.ToYear; y++ {
				vin := MintVIN(wmi, m.TypeCode, y, "123456")
				if _, err := vehicle.ParseVIN(string(vin)); err != nil {
					t.Fatalf("%s: %v", vin, err)
				}
				if vin.ModelYear() != y {
					t.Fatalf("%s decodes to model year %d, want %d (type code %s)", vin, vin.ModelYear(), y, m.TypeCode)
				}
				if got := chooseModel(cat, m.TypeCode, y, rand.New(rand.NewPCG(0, 0))); got.TypeCode != m.TypeCode {
					t.Fatalf("%s decodes to %s %s, want %s", vin, got.Name, got.TypeCode, m.TypeCode)
				}
			}
		}
	}
}

func TestDemoVINsParse(t *testing.T) {
	if len(Demos()) != 7 {
		t.Fatalf("%d demos", len(Demos()))
	}
	for _, d := range Demos() {
		if _, err := vehicle.ParseVIN(string(d.VIN)); err != nil {
			t.Errorf("%s: %v", d.VIN, err)
		}
		if d.Story == "" || d.Expect == "" || d.Name == "" {
			t.Errorf("%s: incomplete demo %+v", d.VIN, d)
		}
	}
}

func demo(t *testing.T, vin vehicle.VIN) (*World, *Vehicle) {
	t.Helper()
	w := New(DefaultAsOf)
	v, ok := w.Vehicle(vin)
	if !ok {
		t.Fatalf("%s is unknown", vin)
	}
	return w, v
}

func kinds(v *Vehicle) map[string]int {
	out := map[string]int{}
	for _, x := range v.Visits {
		out[x.Kind]++
	}
	return out
}

func TestDemoClean(t *testing.T) {
	_, v := demo(t, DemoClean)
	if v.Make() != "Volkswagen" || v.Model.Name != "Golf" || v.ModelYear != 2021 {
		t.Fatalf("got %s %s %d", v.Make(), v.Model.Name, v.ModelYear)
	}
	if len(v.Registrations) != 1 || v.Current().KeeperKind != KeeperPrivate {
		t.Fatalf("registrations %+v, want one private", v.Registrations)
	}
	k := kinds(v)
	if k[KindAccidentRepair] != 0 || k[KindRepair] != 0 || len(v.Recalls) != 0 {
		t.Fatalf("clean history has %v and %d recalls", k, len(v.Recalls))
	}
	years := int(DefaultAsOf.Sub(v.Registrations[0].From).Hours() / 24 / 365)
	if len(v.Visits) < years-1 {
		t.Fatalf("%d visits in %d years: not regular", len(v.Visits), years)
	}
	for i := 1; i < len(v.Visits); i++ {
		gap := v.Visits[i].Date.Sub(v.Visits[i-1].Date).Hours() / 24
		if gap < 300 || gap > 420 || v.Visits[i].Workshop != v.Visits[0].Workshop {
			t.Fatalf("visit %d: %.0f days after the previous one at %s", i, gap, v.Visits[i].Workshop.Name)
		}
	}
}

func TestDemoRollback(t *testing.T) {
	_, v := demo(t, DemoRollback)
	if v.Make() != "Audi" || v.Model.Name != "A3" || v.ModelYear != 2016 {
		t.Fatalf("got %s %s %d", v.Make(), v.Model.Name, v.ModelYear)
	}
	odo := report.MergeOdometer(toReadings(v.Readings()))
	// One turn-back, one rollback: the readings on the new baseline are not further rollbacks.
	if !odo.RollbackDetected || len(odo.Rollbacks) != 1 {
		t.Fatalf("rollbacks = %+v, want exactly one", odo.Rollbacks)
	}
	// Both sources show it: a workshop reading before the sale and a registry reading after it.
	sale := v.Registrations[1].From
	if rb := odo.Rollbacks[0]; rb.Before.Date >= sale.Format("2006-01-02") || rb.After.Date < sale.Format("2006-01-02") ||
		rb.FromKm-rb.ToKm < demoRollbackK/2 {
		t.Fatalf("rollback %+v does not straddle the sale on %s", rb, sale.Format("2006-01-02"))
	}
	var maxBefore, minAfter = 0, 1 << 30
	for _, r := range v.Readings() {
		if r.Date.Before(sale) {
			maxBefore = max(maxBefore, r.Km)
		} else {
			minAfter = min(minAfter, r.Km)
		}
	}
	if minAfter >= maxBefore {
		t.Fatalf("after the sale the lowest reading is %d, before it the highest %d", minAfter, maxBefore)
	}
}

func TestDemoRecall(t *testing.T) {
	_, v := demo(t, DemoRecall)
	if v.Make() != "Skoda" || v.Model.Name != "Octavia" || v.ModelYear != 2019 {
		t.Fatalf("got %s %s %d", v.Make(), v.Model.Name, v.ModelYear)
	}
	var open, completed []VehicleRecall
	for _, r := range v.Recalls {
		if r.Status == RecallOpen {
			open = append(open, r)
		} else {
			completed = append(completed, r)
		}
	}
	if len(open) != 1 || open[0].Campaign.Severity != "safety" || len(completed) != 1 {
		t.Fatalf("open %+v completed %+v, want one open safety recall and one completed", open, completed)
	}
	if kinds(v)[KindRecallRepair] != 1 {
		t.Fatal("the completed recall has no recall-repair visit")
	}
}

func TestDemoAccident(t *testing.T) {
	_, v := demo(t, DemoAccident)
	if v.Make() != "SEAT" || v.Model.Name != "Ibiza" || v.ModelYear != 2018 {
		t.Fatalf("got %s %s %d", v.Make(), v.Model.Name, v.ModelYear)
	}
	var acc []Visit
	for _, x := range v.Visits {
		if x.Kind == KindAccidentRepair {
			acc = append(acc, x)
		}
	}
	if len(acc) != 1 || !slices.Contains(acc[0].Items, "Front bumper replaced") || !slices.Contains(acc[0].Items, "Wheel alignment") {
		t.Fatalf("accident visits %+v", acc)
	}
}

func TestDemoOwners(t *testing.T) {
	_, v := demo(t, DemoOwners)
	if v.Make() != "Porsche" || v.Model.Name != "911" || v.ModelYear != 2012 {
		t.Fatalf("got %s %s %d", v.Make(), v.Model.Name, v.ModelYear)
	}
	if len(v.Registrations) != 3 {
		t.Fatalf("%d registrations", len(v.Registrations))
	}
	names := map[string]bool{}
	for _, r := range v.Registrations {
		names[r.Keeper.Name] = true
		if r.KeeperKind != KeeperPrivate {
			t.Fatalf("keeper kind %s", r.KeeperKind)
		}
	}
	if len(names) < 2 || v.Owner().Name != v.Registrations[2].Keeper.Name {
		t.Fatalf("keepers %v, owner %s", names, v.Owner().Name)
	}
}

func TestDemoDealerAndSimilarStock(t *testing.T) {
	w, v := demo(t, DemoDealer)
	if v.Make() != "Volkswagen" || v.ModelYear != 2022 || v.Listing == nil {
		t.Fatalf("got %s %d listing %v", v.Make(), v.ModelYear, v.Listing)
	}
	for _, r := range v.Registrations {
		if r.KeeperKind != KeeperDealer {
			t.Fatalf("a %s keeper on record", r.KeeperKind)
		}
	}
	q := StockQuery{Make: v.Make(), Model: v.Model.Name, YearFrom: 2020, YearTo: 2024}
	found := w.SearchStock(q)
	var similar int
	for i, s := range found {
		if s.VIN != v.VIN && s.Country == v.Country {
			similar++
		}
		if s.Make() != q.Make || s.Model.Name != q.Model || s.ModelYear < q.YearFrom || s.ModelYear > q.YearTo {
			t.Fatalf("%s does not match the query", s.VIN)
		}
		if i > 0 && found[i-1].Listing.PriceEUR > s.Listing.PriceEUR {
			t.Fatal("not ordered by price")
		}
		if again, ok := w.Vehicle(s.VIN); !ok || again.Listing == nil {
			t.Fatalf("%s is listed but the world does not have it in stock", s.VIN)
		}
	}
	if !slices.ContainsFunc(found, func(s *Vehicle) bool { return s.VIN == v.VIN }) || similar < 3 {
		t.Fatalf("stock search found %d cars, %d similar in %s; want the demo and at least 3 more", len(found), similar, v.Country)
	}
	if len(w.SearchStock(StockQuery{Make: "volkswagen", Model: "Golf"})) != 0 {
		t.Fatal("make matching must be exact")
	}
}

func TestOffersDependOnAgeAndStock(t *testing.T) {
	w := New(DefaultAsOf)
	for _, v := range randomKnown(t, w, 200) {
		age := DefaultAsOf.Sub(v.Registrations[0].From).Hours() / 24 / 365.25
		ids := map[string]bool{}
		var plan, finance bool
		for _, o := range w.Offers(v) {
			if ids[o.ID] {
				t.Fatalf("%s: offer ID %s repeated", v.VIN, o.ID)
			}
			ids[o.ID] = true
			switch o.Kind {
			case OfferFinancing:
				finance = true
				if o.Financing == nil || o.Financing.MonthlyRateCents <= 0 {
					t.Fatalf("%s: financing without terms", v.VIN)
				}
			case OfferServicePlan:
				plan = plan || o.Title == "Service plan, 3 years"
				if o.DurationMonths <= 0 {
					t.Fatalf("%s: service plan without duration", v.VIN)
				}
			}
		}
		if plan != (age <= 8) || finance != (v.Listing != nil || age >= 4) {
			t.Fatalf("%s (age %.1f, listed %v): plan %v financing %v", v.VIN, age, v.Listing != nil, plan, finance)
		}
	}
}

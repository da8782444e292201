package offers_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/offers"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

const vin = vehicle.VIN("WVWZZZCD3MW100001")

var (
	now     = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	catalog = []offers.Offer{
		{ID: "SP-1", Kind: offers.KindServicePlan, Title: "Service plan", DurationMonths: 36},
		{ID: "AC-1", Kind: offers.KindAccessory, Title: "Roof rack"},
		{ID: "FI-1", Kind: offers.KindFinancing, Title: "Financing", Financing: &offers.Financing{TermMonths: 48}},
	}
)

func ids(s *offers.Section) []string {
	var out []string
	for _, o := range s.Offers {
		out = append(out, o.ID)
	}
	return out
}

func TestVisibleFailsClosed(t *testing.T) {
	if got := offers.Visible(vehicle.AccessOwner); !slices.Equal(got, []offers.Kind{offers.KindServicePlan, offers.KindAccessory, offers.KindFinancing}) {
		t.Errorf("owner sees %v", got)
	}
	for _, a := range []vehicle.Access{vehicle.AccessPublic, "", "admin", "OWNER"} {
		if got := offers.Visible(a); !slices.Equal(got, []offers.Kind{offers.KindFinancing}) {
			t.Errorf("access %q sees %v, want financing only", a, got)
		}
	}
}

func TestCheckVehicleRefusesOtherMakes(t *testing.T) {
	if err := offers.CheckVehicle(vin); err != nil {
		t.Fatal(err)
	}
	if err := offers.CheckVehicle("1M8GDM9AXKP042788"); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("another make: %v, want NOT_FOUND", err)
	}
}

func TestCachedFreshness(t *testing.T) {
	c := offers.Cached{Present: true, FetchedAt: now.Add(-time.Hour), SoftExpiry: now.Add(time.Hour)}
	if c.Freshness(now) != offers.Fresh || c.NeedsFetch(now) {
		t.Errorf("before soft expiry: %s", c.Freshness(now))
	}
	if c.Freshness(now.Add(time.Hour)) != offers.Stale || !c.NeedsFetch(now.Add(time.Hour)) {
		t.Errorf("at soft expiry: %s", c.Freshness(now.Add(time.Hour)))
	}
	if (offers.Cached{}).Freshness(now) != offers.Unavailable || !(offers.Cached{}).NeedsFetch(now) {
		t.Error("absent entry")
	}
	neg := offers.Cached{Present: true, NotFound: true, FetchedAt: now, SoftExpiry: now.Add(time.Minute)}
	if neg.NeedsFetch(now) {
		t.Error("a live negative entry asks the system again")
	}
}

func TestAnswerOwnerSeesEverySectionPublicOnlyFinancing(t *testing.T) {
	at := now.Add(-2 * time.Hour)
	fetched := &offers.Fetched{Status: offers.StatusFetched, FetchedAt: &at, Offers: catalog}
	owner, err := offers.Answer(vin, vehicle.AccessOwner, offers.Cached{}, fetched, now)
	if err != nil {
		t.Fatal(err)
	}
	if owner.Access != vehicle.AccessOwner || !slices.Equal(ids(owner.ServicePlans), []string{"SP-1"}) ||
		!slices.Equal(ids(owner.Accessories), []string{"AC-1"}) || !slices.Equal(ids(owner.Financing), []string{"FI-1"}) {
		t.Fatalf("owner view %+v", owner)
	}
	if f := owner.Financing; f.Freshness != offers.Fresh || !f.FetchedAt.Equal(at) || *f.AgeSeconds != 7200 || f.Source != vehicle.SourceOffers {
		t.Errorf("financing section %+v", f)
	}
	for _, a := range []vehicle.Access{vehicle.AccessPublic, "bogus"} {
		pub, err := offers.Answer(vin, a, offers.Cached{}, fetched, now)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(pub)
		if pub.Access != vehicle.AccessPublic || pub.ServicePlans != nil || pub.Accessories != nil ||
			strings.Contains(string(b), "SP-1") || strings.Contains(string(b), "servicePlans") || !slices.Equal(ids(pub.Financing), []string{"FI-1"}) {
			t.Errorf("access %q: view %s", a, b)
		}
	}
}

func TestAnswerServesStaleThenUnavailable(t *testing.T) {
	cached := offers.Cached{Present: true, FetchedAt: now.Add(-50 * time.Hour), SoftExpiry: now.Add(-26 * time.Hour), Offers: catalog}
	failed := &offers.Fetched{Status: offers.StatusUnavailable, Error: "VehicleData.Unavailable"}
	v, err := offers.Answer(vin, vehicle.AccessOwner, cached, failed, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*offers.Section{v.ServicePlans, v.Accessories, v.Financing} {
		if s.Freshness != offers.Stale || *s.AgeSeconds != 50*3600 || len(s.Offers) != 1 {
			t.Errorf("stale section %+v", s)
		}
	}
	v, err = offers.Answer(vin, vehicle.AccessPublic, offers.Cached{}, failed, now)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v.Financing)
	if v.Financing.Freshness != offers.Unavailable || v.Financing.FetchedAt != nil || strings.Contains(string(b), `"offers":`) {
		t.Errorf("unavailable section %s", b)
	}
}

func TestAnswerEmptySectionSaysNone(t *testing.T) {
	at := now
	v, err := offers.Answer(vin, vehicle.AccessPublic, offers.Cached{}, &offers.Fetched{Status: offers.StatusFetched, FetchedAt: &at}, now)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(v.Financing); !strings.Contains(string(b), `"offers":[]`) {
		t.Errorf("a section without offers must say so: %s", b)
	}
}

func TestAnswerUnknownVIN(t *testing.T) {
	if _, err := offers.Answer(vin, vehicle.AccessPublic, offers.Cached{}, &offers.Fetched{Status: offers.StatusNotFound}, now); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("fetched not found: %v", err)
	}
	neg := offers.Cached{Present: true, NotFound: true, FetchedAt: now, SoftExpiry: now.Add(time.Minute)}
	if _, err := offers.Answer(vin, vehicle.AccessPublic, neg, nil, now); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("negative entry: %v", err)
	}
}

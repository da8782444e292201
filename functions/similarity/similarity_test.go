package similarity_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/functions/dealersurfaced"
	"github.com/acme-oem/vehicle-data/functions/similarclick"
	"github.com/acme-oem/vehicle-data/functions/similarity"
	"github.com/acme-oem/vehicle-data/functions/similarlistings"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/listing"
	"github.com/acme-oem/vehicle-data/legacyclients/dealerstock"
)

const self = "selflisting000000000000000"

var golf = listing.Car{Make: "Volkswagen", Model: "Golf", ModelYear: 2022, OdometerKm: 44000, PriceEur: 14500}

type fakeStock struct {
	cars    []dealerstock.StockCar
	err     error
	mu      sync.Mutex // the gatherer asks its two stock queries at once
	queries []dealerstock.Query
}

func (f *fakeStock) Search(_ context.Context, q dealerstock.Query) (*dealerstock.Result, error) {
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	var out []dealerstock.StockCar
	for _, c := range f.cars {
		if q.Model == "" || c.Model == q.Model {
			out = append(out, c)
		}
	}
	return &dealerstock.Result{Total: len(out), Cars: out}, nil
}

type fakeStore struct {
	listings    map[string]listing.Candidate
	withdrawn   map[string]bool
	impressions []dynamo.SurfacedCar
	clicks      []string
	surfaced    []dynamo.SurfacedDay
	dealer      string
}

func (f *fakeStore) Listing(_ context.Context, id string) (listing.Candidate, error) {
	if f.withdrawn[id] {
		return listing.Candidate{}, apperr.New(apperr.Gone, "withdrawn")
	}
	c, ok := f.listings[id]
	if !ok {
		return c, apperr.New(apperr.NotFound, "no such listing")
	}
	return c, nil
}

func (f *fakeStore) ActiveListings(context.Context, string, string) ([]listing.Candidate, error) {
	var out []listing.Candidate
	for _, c := range f.listings {
		out = append(out, c)
	}
	return out, nil
}

func (f *fakeStore) RecordImpressions(_ context.Context, _ string, cars []dynamo.SurfacedCar, _ time.Time) error {
	f.impressions = append(f.impressions, cars...)
	return nil
}

func (f *fakeStore) RecordClick(_ context.Context, _ string, stockID string, _ time.Time) (string, error) {
	f.clicks = append(f.clicks, stockID)
	if f.dealer == "" {
		return "", apperr.New(apperr.NotFound, "not shown")
	}
	return f.dealer, nil
}

func (f *fakeStore) Surfaced(context.Context, string, time.Time, time.Time) ([]dynamo.SurfacedDay, error) {
	return f.surfaced, nil
}

func fixture() (*similarity.Gatherer, *fakeStock, *fakeStore) {
	stock := &fakeStock{cars: []dealerstock.StockCar{
		{ListingID: "STK-A", VIN: "WVWZZZCD2NW600006", Make: "Volkswagen", Model: "Golf", ModelYear: 2022, MileageKm: 44000, PriceEur: 14490, DealerID: "DDE177", DealerName: "Autohaus", DealerCity: "Ingolstadt"},
		{ListingID: "STK-B", Make: "Volkswagen", Model: "Polo", ModelYear: 2022, MileageKm: 44000, PriceEur: 14500, DealerID: "DDE100", DealerName: "Autohaus", DealerCity: "Berlin"},
	}}
	store := &fakeStore{listings: map[string]listing.Candidate{
		self:                         {ID: self, Kind: listing.KindListing, Car: golf, Verified: true},
		"otherlisting00000000000000": {ID: "otherlisting00000000000000", Kind: listing.KindListing, Car: listing.Car{Make: "Volkswagen", Model: "Golf", ModelYear: 2021, OdometerKm: 64000, PriceEur: 12500}, Verified: true},
	}, withdrawn: map[string]bool{"gonelisting000000000000000": true}}
	g := &similarity.Gatherer{Stock: stock, Store: store, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC) }}
	return g, stock, store
}

func call(t *testing.T, h func(context.Context, []byte) ([]byte, error), in string) ([]byte, error) {
	t.Helper()
	return h(context.Background(), []byte(in))
}

func TestSimilarCountsImpressionsOfServedDealerCarsOnly(t *testing.T) {
	g, stock, store := fixture()
	h := similarlistings.New(g)
	out, err := call(t, h, `{"id":"`+self+`","query":{"limit":"2"}}`)
	if err != nil {
		t.Fatal(err)
	}
	// Page of 2: STK-A (same model, near twin) and the other listing; STK-B (a Polo) is on page 2.
	if len(store.impressions) != 1 || store.impressions[0].StockID != "STK-A" || store.impressions[0].DealerID != "DDE177" {
		t.Errorf("impressions %+v, want STK-A only: %s", store.impressions, out)
	}
	// The two queries run at once, so they arrive in either order.
	if len(stock.queries) != 2 || !slices.ContainsFunc(stock.queries, func(q dealerstock.Query) bool { return q.YearFrom == 2019 && q.YearTo == 2025 }) {
		t.Errorf("stock queries %+v", stock.queries)
	}
	if string(out) == "" || contains(out, "WVWZZZCD2NW600006") {
		t.Errorf("the stock car's VIN reached the answer: %s", out)
	}
}

func TestSimilarDegradesWhenStockFails(t *testing.T) {
	g, stock, store := fixture()
	stock.err = apperr.New(apperr.Unavailable, "down")
	out, err := call(t, similarlistings.New(g), `{"id":"`+self+`"}`)
	if err != nil || !contains(out, `"stock":"unavailable"`) || contains(out, `"kind":"stock"`) || len(store.impressions) != 0 {
		t.Fatalf("out %s, err %v, impressions %d", out, err, len(store.impressions))
	}
}

func TestSimilarRefusesBadInputBeforeAnyWork(t *testing.T) {
	g, stock, _ := fixture()
	h := similarlistings.New(g)
	for in, field := range map[string]string{
		`{"id":"SHORT"}`: "id",
		`{"id":"` + self + `","query":{"limit":"0"}}`:       "limit",
		`{"id":"` + self + `","query":{"cursor":"forged"}}`: "cursor",
	} {
		_, err := call(t, h, in)
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != field {
			t.Errorf("%s: %v, want INVALID on %s", in, err, field)
		}
	}
	if len(stock.queries) != 0 {
		t.Error("bad input reached dealer stock")
	}
	for id, code := range map[string]apperr.Code{"gonelisting000000000000000": apperr.Gone, "nolisting00000000000000000": apperr.NotFound} {
		if _, err := call(t, h, `{"id":"`+id+`"}`); apperr.CodeOf(err) != code {
			t.Errorf("%s: %v, want %s", id, err, code)
		}
	}
}

func TestClickAnswersTheDealerPage(t *testing.T) {
	g, _, store := fixture()
	h := similarclick.New(g)
	store.dealer = "DDE177"
	out, err := call(t, h, `{"id":"`+self+`","itemId":"STK-A"}`)
	if err != nil || !contains(out, `"dealerUrl":"https://dealers.acme-oem.example/DDE177/stock/STK-A"`) {
		t.Fatalf("out %s, err %v", out, err)
	}
	if _, err := call(t, h, `{"id":"gonelisting000000000000000","itemId":"STK-A"}`); apperr.CodeOf(err) != apperr.Gone {
		t.Errorf("click beside a withdrawn listing: %v, want GONE", err)
	}
	if _, err := call(t, h, `{"id":"`+self+`","itemId":"../x"}`); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("bad item id: %v", err)
	}
	if len(store.clicks) != 1 {
		t.Errorf("clicks %v, want the one valid click", store.clicks)
	}
}

func TestSurfacedIsForDealersWithADealerID(t *testing.T) {
	g, _, store := fixture()
	store.surfaced = []dynamo.SurfacedDay{
		{StockID: "STK-A", Day: "2026-12-06", Car: golf, Impressions: 2, Clicks: 1},
		{StockID: "STK-A", Day: "2026-12-05", Car: golf, Impressions: 3},
		{StockID: "STK-B", Day: "2026-12-06", Impressions: 9},
	}
	h := dealersurfaced.New(g)
	for in, code := range map[string]apperr.Code{
		`{"caller":{"role":"consumer","sub":"x","dealerId":"DDE177"}}`: apperr.Forbidden,
		`{"caller":{"role":"dealer","sub":"x"}}`:                       apperr.Forbidden,
	} {
		if _, err := call(t, h, in); apperr.CodeOf(err) != code {
			t.Errorf("%s: %v, want %s", in, err, code)
		}
	}
	out, err := call(t, h, `{"caller":{"role":"dealer","sub":"x","dealerId":"DDE177"}}`)
	want := `{"dealerId":"DDE177","firstDay":"2026-11-07","lastDay":"2026-12-06","cars":[` +
		`{"itemId":"STK-B","impressions":9,"clicks":0,"days":[{"date":"2026-12-06","impressions":9,"clicks":0}]},` +
		`{"itemId":"STK-A","make":"Volkswagen","model":"Golf","modelYear":2022,"priceEur":14500,"impressions":5,"clicks":1,"days":[` +
		`{"date":"2026-12-05","impressions":3,"clicks":0},{"date":"2026-12-06","impressions":2,"clicks":1}]}]}`
	if err != nil || string(out) != want {
		t.Errorf("got  %s (%v)\nwant %s", out, err, want)
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }

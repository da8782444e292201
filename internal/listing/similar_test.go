package listing_test

import (
	"slices"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/listing"
)

var golf = listing.Car{Make: "Volkswagen", Model: "Golf", ModelYear: 2021, OdometerKm: 40000, PriceEur: 20000}

func cand(id string, kind listing.Kind, model string, year, km, price int, verified bool) listing.Candidate {
	return listing.Candidate{ID: id, Kind: kind, Car: listing.Car{Make: "Volkswagen", Model: model, ModelYear: year, OdometerKm: km, PriceEur: price}, Verified: verified}
}

func ids(r []listing.Ranked) []string {
	out := make([]string, len(r))
	for i, c := range r {
		out[i] = c.ID
	}
	return out
}

func TestRankPinsTheObviousOrder(t *testing.T) {
	cands := []listing.Candidate{
		cand("polo-same-year", listing.KindStock, "Polo", 2021, 40000, 20000, false),
		cand("golf-far", listing.KindStock, "Golf", 2015, 190000, 6000, false),
		cand("golf-twin", listing.KindListing, "Golf", 2021, 40000, 20000, true),
		cand("golf-near-unverified", listing.KindStock, "Golf", 2022, 32000, 21200, false),
		cand("golf-near-verified", listing.KindListing, "Golf", 2022, 32000, 21200, true),
		cand("self", listing.KindListing, "Golf", 2021, 40000, 20000, true),
		{ID: "audi", Kind: listing.KindStock, Car: listing.Car{Make: "Audi", Model: "A3", ModelYear: 2021, OdometerKm: 40000, PriceEur: 20000}},
	}
	got := listing.Rank(golf, cands, "self")
	// Same model wins over same make when the rest is alike; a Golf that shares nothing else
	// (six years, 150,000 km and 14,000 EUR apart) falls behind a Polo that matches in everything.
	want := []string{"golf-twin", "golf-near-verified", "golf-near-unverified", "polo-same-year", "golf-far"}
	if !slices.Equal(ids(got), want) {
		t.Fatalf("order = %v, want %v", ids(got), want)
	}
	if got[0].Score != listing.MaxScore {
		t.Errorf("an identical verified car scores %d, want %d", got[0].Score, listing.MaxScore)
	}
	// The order is the same whatever order the candidates come in.
	slices.Reverse(cands)
	if again := listing.Rank(golf, cands, "self"); !slices.Equal(ids(again), want) {
		t.Errorf("order depends on input order: %v", ids(again))
	}
}

func TestRankReasonsArePlain(t *testing.T) {
	got := listing.Rank(golf, []listing.Candidate{
		cand("a", listing.KindStock, "Golf", 2022, 32000, 18800, false),
		cand("b", listing.KindListing, "Polo", 2019, 41500, 23000, true),
	}, "")
	if want := []string{"same model", "1 year newer", "8,000 km less", "1,200 EUR cheaper"}; !slices.Equal(got[0].Reasons, want) {
		t.Errorf("reasons = %q, want %q", got[0].Reasons, want)
	}
	if want := []string{"same make", "2 years older", "1,500 km more", "3,000 EUR dearer", "verified history"}; !slices.Equal(got[1].Reasons, want) {
		t.Errorf("reasons = %q, want %q", got[1].Reasons, want)
	}
	// 40 + 15 + 20 - 1 (8,000 km / 5,000) + 15 - 3 (1,200 EUR is 6 %) = 86
	if got[0].Score != 86 {
		t.Errorf("score = %d, want 86", got[0].Score)
	}
}

func TestRankWithUnknownMileageAndPrice(t *testing.T) {
	car := listing.Car{Make: "Volkswagen", Model: "Golf", ModelYear: 2021}
	got := listing.Rank(car, []listing.Candidate{
		cand("older", listing.KindStock, "Golf", 2019, 1000, 1000, false),
		cand("same", listing.KindStock, "Golf", 2021, 300000, 90000, false),
	}, "")
	if !slices.Equal(ids(got), []string{"same", "older"}) {
		t.Fatalf("order = %v", ids(got))
	}
	if want := []string{"same model", "same model year"}; !slices.Equal(got[0].Reasons, want) {
		t.Errorf("reasons = %q, want %q", got[0].Reasons, want)
	}
}

func TestRankTiesAreBrokenByID(t *testing.T) {
	got := listing.Rank(golf, []listing.Candidate{
		cand("b", listing.KindStock, "Golf", 2021, 40000, 20000, false),
		cand("a", listing.KindStock, "Golf", 2021, 40000, 20000, false),
		cand("c", listing.KindListing, "Golf", 2021, 40000, 20000, false),
	}, "")
	if !slices.Equal(ids(got), []string{"c", "a", "b"}) {
		t.Fatalf("order = %v, want listings first, then by id", ids(got))
	}
}

func TestPaginateWalksTheWholeList(t *testing.T) {
	var cands []listing.Candidate
	for i := range 23 {
		cands = append(cands, cand(string(rune('a'+i)), listing.KindStock, "Golf", 2021, 40000+i*1000, 20000, false))
	}
	ranked := listing.Rank(golf, cands, "")
	var seen []string
	cur := ""
	for pages := 0; ; pages++ {
		p, err := listing.Paginate(ranked, 10, cur)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, ids(p.Items)...)
		if p.NextCursor == "" {
			if pages != 2 {
				t.Errorf("pages = %d, want 3", pages+1)
			}
			break
		}
		cur = p.NextCursor
	}
	if !slices.Equal(seen, ids(ranked)) {
		t.Errorf("pages gave %v, want %v", seen, ids(ranked))
	}
}

func TestPaginateRejectsForgedCursors(t *testing.T) {
	for _, c := range []string{"x", "%%%", "eyJ2IjoxLCJvIjotMX0", "eyJ2IjoyLCJvIjoxfQ", "e30"} {
		_, err := listing.Paginate(nil, 10, c)
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != "cursor" {
			t.Errorf("cursor %q: err = %v, want INVALID on cursor", c, err)
		}
	}
}

func TestParseLimit(t *testing.T) {
	for s, want := range map[string]int{"": listing.DefaultLimit, "1": 1, "50": 50} {
		if n, err := listing.ParseLimit(s); err != nil || n != want {
			t.Errorf("ParseLimit(%q) = %d, %v", s, n, err)
		}
	}
	for _, s := range []string{"0", "51", "-1", "ten", "1e3"} {
		if _, err := listing.ParseLimit(s); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("ParseLimit(%q) = %v, want INVALID", s, err)
		}
	}
}

func TestStats(t *testing.T) {
	if s := listing.Stats(nil); s != (listing.PriceStats{}) {
		t.Errorf("empty = %+v", s)
	}
	s := listing.Stats([]int{40000, 10000, 20000, 30000, 50000})
	if s != (listing.PriceStats{Count: 5, MinEur: 10000, Q1Eur: 20000, MedianEur: 30000, Q3Eur: 40000, MaxEur: 50000}) {
		t.Errorf("stats = %+v", s)
	}
	if s := listing.Stats([]int{10000, 20000}); s.MedianEur != 15000 || s.Q1Eur != 12500 || s.Q3Eur != 17500 {
		t.Errorf("stats = %+v", s)
	}
}

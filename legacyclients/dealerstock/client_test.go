package dealerstock_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/legacyclients/dealerstock"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/clienttest"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

func listing(id string, year, km, price int) dealerstock.Listing {
	return dealerstock.Listing{ListingID: id, VIN: "WVWZZZCD2NW600006", Make: "Volkswagen", Model: "Golf", Variant: "1.5 TSI Life",
		ModelYear: year, FirstRegistration: "2021-09", MileageKm: km, PriceEur: price, Fuel: "petrol", Transmission: "manual",
		Dealer: dealerstock.Dealer{ID: "D-100", Name: "Autohaus Süd", City: "Stuttgart"}}
}

func query() dealerstock.Query {
	return dealerstock.Query{Make: "Volkswagen", Model: "Golf", YearFrom: 2020, YearTo: 2022, PriceMinEur: 10000, PriceMaxEur: 25000, MileageMaxKm: 80000, Limit: 5}
}

func newClient(t *testing.T, status int, body any, got *url.Values) *dealerstock.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got != nil {
			*got = r.URL.Query()
		}
		if r.URL.Path != dealerstock.Path {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if s, ok := body.(string); ok {
			_, _ = w.Write([]byte(s))
			return
		}
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	c, err := dealerstock.New(dealerstock.Config{Transport: clienttest.Transport(t, dealerstock.System, srv.URL, 0), Now: clienttest.Now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSearchSendsTheFiltersAndMapsResults(t *testing.T) {
	var got url.Values
	c := newClient(t, 200, dealerstock.SearchResponse{Total: 7, Results: []dealerstock.Listing{
		listing("L1", 2021, 40000, 17990), listing("L2", 2022, 12000, 23500),
	}}, &got)
	res, err := c.Search(context.Background(), query())
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"make": {"Volkswagen"}, "model": {"Golf"}, "yearFrom": {"2020"}, "yearTo": {"2022"}, "priceMinEur": {"10000"},
		"priceMaxEur": {"25000"}, "mileageMaxKm": {"80000"}, "limit": {"5"}}
	if got.Encode() != want.Encode() {
		t.Errorf("query = %s, want %s", got.Encode(), want.Encode())
	}
	if p, err := dealerstock.ParseSearchParams(got); err != nil || p != dealerstock.SearchParams(query()) {
		t.Errorf("ParseSearchParams = %+v, %v", p, err)
	}
	if res.Total != 7 || len(res.Cars) != 2 {
		t.Fatalf("result = %+v", res)
	}
	car := res.Cars[0]
	if car.ListingID != "L1" || car.VIN != "WVWZZZCD2NW600006" || car.PriceEur != 17990 || car.MileageKm != 40000 || car.DealerCity != "Stuttgart" ||
		car.DealerName != "Autohaus Süd" || car.Variant != "1.5 TSI Life" || car.FirstRegistration != "2021-09" {
		t.Errorf("car = %+v", car)
	}
}

func TestSearchDefaultsAndEmptyResults(t *testing.T) {
	var got url.Values
	c := newClient(t, 200, `{"total":0,"results":[]}`, &got)
	res, err := c.Search(context.Background(), dealerstock.Query{Make: "Skoda"})
	if err != nil || res.Total != 0 || res.Cars == nil || len(res.Cars) != 0 {
		t.Fatalf("got %+v, %v", res, err)
	}
	if got.Encode() != "limit=20&make=Skoda" {
		t.Errorf("query = %s (zero filters must be omitted, limit defaulted)", got.Encode())
	}
}

func TestInvalidQueryNeverReachesTheSystem(t *testing.T) {
	for field, q := range map[string]dealerstock.Query{
		"make":         {},
		"yearTo":       {Make: "Audi", YearFrom: 2022, YearTo: 2020},
		"yearFrom":     {Make: "Audi", YearFrom: 1900},
		"priceMaxEur":  {Make: "Audi", PriceMinEur: 30000, PriceMaxEur: 20000},
		"priceMinEur":  {Make: "Audi", PriceMinEur: -1},
		"mileageMaxKm": {Make: "Audi", MileageMaxKm: -1},
		"limit":        {Make: "Audi", Limit: 1000},
	} {
		var got url.Values
		c := newClient(t, 200, `{"total":0,"results":[]}`, &got)
		_, err := c.Search(context.Background(), q)
		clienttest.CheckErr(t, err, apperr.Invalid, transport.ErrBadRequest)
		if e := apperr.As(err); e.Field != field {
			t.Errorf("%+v: field = %q, want %q", q, e.Field, field)
		}
		if got != nil {
			t.Errorf("%+v reached the system", q)
		}
	}
}

func TestSearchErrors(t *testing.T) {
	resp := func(f func(*dealerstock.SearchResponse)) dealerstock.SearchResponse {
		r := dealerstock.SearchResponse{Total: 2, Results: []dealerstock.Listing{listing("L1", 2021, 40000, 17990), listing("L2", 2022, 12000, 23500)}}
		f(&r)
		return r
	}
	cases := []struct {
		name   string
		status int
		body   any
		code   apperr.Code
		kind   error
	}{
		{"400", 400, `{"error":{"code":"BAD_PARAM","message":"x","parameter":"yearTo"}}`, apperr.Invalid, transport.ErrBadRequest},
		{"404 is a moved endpoint, not an unknown car", 404, `{}`, apperr.Unavailable, transport.ErrNotFound},
		{"502", 502, ``, apperr.Unavailable, transport.ErrUnavailable},
		{"malformed JSON", 200, `{"total":1,"results":[{]}`, apperr.Unavailable, transport.ErrBadPayload},
		{"null results", 200, `{"total":0,"results":null}`, apperr.Unavailable, transport.ErrBadPayload},
		{"wrong make", 200, resp(func(r *dealerstock.SearchResponse) { r.Results[0].Make = "Audi" }), apperr.Unavailable, transport.ErrBadPayload},
		{"year outside range", 200, resp(func(r *dealerstock.SearchResponse) { r.Results[1].ModelYear = 2023 }), apperr.Unavailable, transport.ErrBadPayload},
		{"price above max", 200, resp(func(r *dealerstock.SearchResponse) { r.Results[1].PriceEur = 25001 }), apperr.Unavailable, transport.ErrBadPayload},
		{"mileage above max", 200, resp(func(r *dealerstock.SearchResponse) { r.Results[1].MileageKm = 80001 }), apperr.Unavailable, transport.ErrBadPayload},
		{"negative mileage", 200, resp(func(r *dealerstock.SearchResponse) { r.Results[1].MileageKm = -3 }), apperr.Unavailable, transport.ErrBadPayload},
		{"repeated listing", 200, resp(func(r *dealerstock.SearchResponse) { r.Results[1].ListingID = "L1" }), apperr.Unavailable, transport.ErrBadPayload},
		{"more than the limit", 200, resp(func(r *dealerstock.SearchResponse) {
			for i := range 4 {
				r.Results = append(r.Results, listing("M"+string(rune('a'+i)), 2021, 1, 11000))
			}
			r.Total = 6
		}), apperr.Unavailable, transport.ErrBadPayload},
		{"total below results", 200, resp(func(r *dealerstock.SearchResponse) { r.Total = 1 }), apperr.Unavailable, transport.ErrBadPayload},
		{"invalid VIN", 200, resp(func(r *dealerstock.SearchResponse) { r.Results[0].VIN = "WVWZZZCD3NW600006" }), apperr.Unavailable, transport.ErrBadPayload},
		{"registration in the future", 200, resp(func(r *dealerstock.SearchResponse) { r.Results[0].FirstRegistration = "2027-01" }), apperr.Unavailable, transport.ErrBadPayload},
		{"missing dealer", 200, resp(func(r *dealerstock.SearchResponse) { r.Results[0].Dealer = dealerstock.Dealer{} }), apperr.Unavailable, transport.ErrBadPayload},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := newClient(t, tc.status, tc.body, nil).Search(context.Background(), query())
			if res != nil {
				t.Errorf("data with the error: %+v", res)
			}
			clienttest.CheckErr(t, err, tc.code, tc.kind, "WVWZZZCD2NW600006")
		})
	}
}

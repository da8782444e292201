package offers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/clienttest"
	"github.com/acme-oem/vehicle-data/legacyclients/offers"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

const vin = vehicle.VIN("WVWZZZCD3MW100001")

func goodResponse() offers.OffersResponse {
	return offers.OffersResponse{VIN: string(vin), Offers: []offers.OfferRecord{
		{OfferID: "SP-1", Type: offers.TypeServicePlan, Title: "Wartung Plus", Description: "3 Jahre Inspektionen", PriceCents: 49900,
			Currency: "EUR", ValidUntil: "2026-12-31", DurationMonths: 36},
		{OfferID: "AC-7", Type: offers.TypeAccessory, Title: "Dachträger", Description: "Original roof rack", PriceCents: 28950,
			Currency: "EUR", ValidUntil: "2026-06-15"},
		{OfferID: "FI-2", Type: offers.TypeFinancing, Title: "Anschlussfinanzierung", Description: "Balloon refinancing", PriceCents: 1200000,
			Currency: "EUR", ValidUntil: "2026-09-30", Financing: &offers.FinancingTerms{TermMonths: 36, APRBasisPoints: 399, MonthlyRateCents: 35400, DownPaymentCents: 100000}},
		{OfferID: "AC-OLD", Type: offers.TypeAccessory, Title: "Winterräder", Description: "Expired", PriceCents: 99000,
			Currency: "EUR", ValidUntil: "2026-03-31"},
	}}
}

func newClient(t *testing.T, status int, body any, gotPath *string) *offers.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if gotPath != nil {
			*gotPath = r.URL.EscapedPath()
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
	c, err := offers.New(offers.Config{Transport: clienttest.Transport(t, offers.System, srv.URL, 0), Now: clienttest.Now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOffersMapsAndDropsExpired(t *testing.T) {
	var path string
	got, err := newClient(t, 200, goodResponse(), &path).Offers(context.Background(), vin)
	if err != nil {
		t.Fatal(err)
	}
	if path != "/aftersales/v1/vehicles/"+string(vin)+"/offers" {
		t.Errorf("path = %s", path)
	}
	if len(got) != 3 {
		t.Fatalf("offers = %+v (the expired one must be dropped, the one valid until today kept)", got)
	}
	if o := got[0]; o.ID != "SP-1" || o.Kind != offers.KindServicePlan || o.DurationMonths != 36 || o.PriceCents != 49900 || o.Financing != nil {
		t.Errorf("service plan = %+v", o)
	}
	if o := got[1]; o.Kind != offers.KindAccessory || o.Title != "Dachträger" {
		t.Errorf("accessory = %+v", o)
	}
	if o := got[2]; o.Kind != offers.KindFinancing || o.Financing == nil || *o.Financing != (offers.Financing{TermMonths: 36, APRBasisPoints: 399, MonthlyRateCents: 35400, DownPaymentCents: 100000}) {
		t.Errorf("financing = %+v", o)
	}
}

func TestOffersErrors(t *testing.T) {
	mutate := func(f func(*offers.OffersResponse)) offers.OffersResponse {
		r := goodResponse()
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
		{"404 unknown VIN", 404, `{"error":{"code":"VIN_NOT_FOUND","message":"unknown"}}`, apperr.NotFound, transport.ErrNotFound},
		{"400", 400, `{}`, apperr.Invalid, transport.ErrBadRequest},
		{"500", 500, ``, apperr.Unavailable, transport.ErrUnavailable},
		{"malformed JSON", 200, `{"vin":`, apperr.Unavailable, transport.ErrBadPayload},
		{"price as float", 200, `{"vin":"` + string(vin) + `","offers":[{"offerId":"x","priceCents":1.5}]}`, apperr.Unavailable, transport.ErrBadPayload},
		{"VIN mismatch", 200, mutate(func(r *offers.OffersResponse) { r.VIN = "WAUZZZFV8GA200002" }), apperr.Unavailable, transport.ErrBadPayload},
		{"null offers", 200, `{"vin":"` + string(vin) + `","offers":null}`, apperr.Unavailable, transport.ErrBadPayload},
		{"negative price", 200, mutate(func(r *offers.OffersResponse) { r.Offers[1].PriceCents = -1 }), apperr.Unavailable, transport.ErrBadPayload},
		{"unknown type", 200, mutate(func(r *offers.OffersResponse) { r.Offers[1].Type = "INSURANCE" }), apperr.Unavailable, transport.ErrBadPayload},
		{"financing without terms", 200, mutate(func(r *offers.OffersResponse) { r.Offers[2].Financing = nil }), apperr.Unavailable, transport.ErrBadPayload},
		{"terms out of range", 200, mutate(func(r *offers.OffersResponse) { r.Offers[2].Financing.TermMonths = 600 }), apperr.Unavailable, transport.ErrBadPayload},
		{"service plan without duration", 200, mutate(func(r *offers.OffersResponse) { r.Offers[0].DurationMonths = 0 }), apperr.Unavailable, transport.ErrBadPayload},
		{"other currency", 200, mutate(func(r *offers.OffersResponse) { r.Offers[0].Currency = "CHF" }), apperr.Unavailable, transport.ErrBadPayload},
		{"impossible validUntil", 200, mutate(func(r *offers.OffersResponse) { r.Offers[0].ValidUntil = "2026-02-30" }), apperr.Unavailable, transport.ErrBadPayload},
		{"repeated id", 200, mutate(func(r *offers.OffersResponse) { r.Offers[1].OfferID = "SP-1" }), apperr.Unavailable, transport.ErrBadPayload},
		// An expired offer is still validated: a broken record is not excused by its date.
		{"broken expired offer", 200, mutate(func(r *offers.OffersResponse) { r.Offers[3].PriceCents = -5 }), apperr.Unavailable, transport.ErrBadPayload},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := newClient(t, tc.status, tc.body, nil).Offers(context.Background(), vin)
			if got != nil {
				t.Errorf("data with the error: %+v", got)
			}
			clienttest.CheckErr(t, err, tc.code, tc.kind, string(vin), "WAUZZZFV8GA200002")
		})
	}
}

func TestInvalidVINNeverReachesTheSystem(t *testing.T) {
	path := ""
	_, err := newClient(t, 200, goodResponse(), &path).Offers(context.Background(), vehicle.VIN("WVWZZZCD3MW10000%"))
	clienttest.CheckErr(t, err, apperr.Invalid, transport.ErrBadRequest)
	if path != "" {
		t.Error("a request reached the system")
	}
}

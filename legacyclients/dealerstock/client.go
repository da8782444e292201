// Package dealerstock is the client of the dealer stock search (REST + JSON), used to show
// dealers listings similar to a car. wire.go documents the wire format; the simulator imports it.
//
// The domain has no port for dealer stock yet, so StockCar, Query and Result live here; once the
// listings domain exists it should own them (and a StockSource interface) and this package should
// map to them, as the report clients do.
package dealerstock

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/upstream"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// System is the transport.Config.System name for this client.
const System = string(vehicle.SourceDealerStock)

const label = "dealer stock system"

// Config configures a Client.
type Config struct {
	// Transport is this system's resilient transport; required.
	Transport *transport.Client
	// Now judges "in the future"; nil means time.Now.
	Now func() time.Time
}

// Client searches dealer stock. Safe for concurrent use.
type Client struct {
	tc  *transport.Client
	now func() time.Time
}

// New returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Transport == nil {
		return nil, errors.New("dealerstock: Config.Transport is required")
	}
	return &Client{tc: cfg.Transport, now: upstream.NowFunc(cfg.Now)}, nil
}

// Query filters the search. Make is required; zero values leave a filter unset. Bounds are
// inclusive; Limit 0 means DefaultLimit.
type Query struct {
	Make         string
	Model        string
	YearFrom     int
	YearTo       int
	PriceMinEur  int
	PriceMaxEur  int
	MileageMaxKm int
	Limit        int
}

// StockCar is one car in a dealer's stock. Nothing in it is personal data: the dealer owns it.
type StockCar struct {
	ListingID         string      `json:"listingId"`
	VIN               vehicle.VIN `json:"vin,omitempty"`
	Make              string      `json:"make"`
	Model             string      `json:"model"`
	Variant           string      `json:"variant,omitempty"`
	ModelYear         int         `json:"modelYear"`
	FirstRegistration string      `json:"firstRegistration,omitempty"` // YYYY-MM; empty for a new car
	MileageKm         int         `json:"mileageKm"`
	PriceEur          int         `json:"priceEur"`
	Fuel              string      `json:"fuel"`
	Transmission      string      `json:"transmission"`
	DealerID          string      `json:"dealerId"`
	DealerName        string      `json:"dealerName"`
	DealerCity        string      `json:"dealerCity"`
}

// Result is one page of matches, cheapest first.
type Result struct {
	Total int        `json:"total"` // matches in stock; may exceed len(Cars)
	Cars  []StockCar `json:"cars"`
}

// Validate checks q; the error is apperr.Invalid naming the field and rule.
func (q Query) Validate(now time.Time) error {
	maxYear := now.Year() + 1
	switch {
	case strings.TrimSpace(q.Make) == "":
		return apperr.InvalidField("make", "required", "make is required")
	case q.YearFrom != 0 && (q.YearFrom < upstream.EarliestYear || q.YearFrom > maxYear):
		return apperr.InvalidField("yearFrom", "range", fmt.Sprintf("yearFrom must be between %d and %d", upstream.EarliestYear, maxYear))
	case q.YearTo != 0 && (q.YearTo < upstream.EarliestYear || q.YearTo > maxYear):
		return apperr.InvalidField("yearTo", "range", fmt.Sprintf("yearTo must be between %d and %d", upstream.EarliestYear, maxYear))
	case q.YearFrom != 0 && q.YearTo != 0 && q.YearFrom > q.YearTo:
		return apperr.InvalidField("yearTo", "order", "yearTo must not be before yearFrom")
	case q.PriceMinEur < 0:
		return apperr.InvalidField("priceMinEur", "range", "priceMinEur must not be negative")
	case q.PriceMaxEur < 0:
		return apperr.InvalidField("priceMaxEur", "range", "priceMaxEur must not be negative")
	case q.PriceMaxEur != 0 && q.PriceMinEur > q.PriceMaxEur:
		return apperr.InvalidField("priceMaxEur", "order", "priceMaxEur must not be below priceMinEur")
	case q.MileageMaxKm < 0:
		return apperr.InvalidField("mileageMaxKm", "range", "mileageMaxKm must not be negative")
	case q.Limit < 0 || q.Limit > MaxLimit:
		return apperr.InvalidField("limit", "range", fmt.Sprintf("limit must be between 1 and %d", MaxLimit))
	}
	return nil
}

// Search runs one search. An invalid query is apperr.Invalid (and transport.ErrBadRequest) and
// never reaches the system; no match is an empty Result, not an error; system failures and
// results that contradict the query are apperr.Unavailable.
func (c *Client) Search(ctx context.Context, q Query) (*Result, error) {
	now := c.now()
	if err := q.Validate(now); err != nil {
		var ae *apperr.Error
		errors.As(err, &ae)
		return nil, &upstream.Error{App: ae, Cause: upstream.Outcome(System, OperationSearch, transport.ErrBadRequest, "invalid_query", nil)}
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	params := SearchParams(q)
	resp, err := c.tc.Do(ctx, upstream.GetJSON(OperationSearch, Path, params.Values()))
	if err != nil {
		if errors.Is(err, transport.ErrNotFound) {
			// A search has no "unknown resource": a 404 means the endpoint moved.
			return nil, &upstream.Error{App: apperr.New(apperr.Unavailable, "the %s is unavailable", label), Cause: err}
		}
		return nil, upstream.Wrap(label, err)
	}
	var w SearchResponse
	if err := upstream.DecodeJSON(resp.Body, &w); err != nil {
		return nil, c.bad(resp, err)
	}
	out, err := toResult(&w, q, now)
	if err != nil {
		return nil, c.bad(resp, err)
	}
	return out, nil
}

func (c *Client) bad(resp *transport.Response, cause error) error {
	return upstream.Wrap(label, c.tc.BadPayload(OperationSearch, resp, fmt.Errorf("stock search: %w", cause)))
}

// toResult validates the answer against the query it answers and maps it.
func toResult(w *SearchResponse, q Query, now time.Time) (*Result, error) {
	var v upstream.Violations
	if w.Results == nil {
		v.Addf("results: required (may be empty)")
	}
	if len(w.Results) > q.Limit {
		v.Addf("results: more than the limit")
	}
	if w.Total < len(w.Results) {
		v.Addf("total: fewer than the results")
	}
	out := &Result{Total: w.Total, Cars: make([]StockCar, 0, len(w.Results))}
	seen := map[string]bool{}
	for i, l := range w.Results {
		at := fmt.Sprintf("results[%d]", i)
		if seen[l.ListingID] {
			v.Addf("%s.listingId: repeated", at)
		}
		seen[l.ListingID] = true
		vin := checkListing(&v, at, l, q, now)
		out.Cars = append(out.Cars, StockCar{
			ListingID: l.ListingID, VIN: vin, Make: l.Make, Model: l.Model, Variant: l.Variant, ModelYear: l.ModelYear,
			FirstRegistration: l.FirstRegistration, MileageKm: l.MileageKm, PriceEur: l.PriceEur, Fuel: l.Fuel,
			Transmission: l.Transmission, DealerID: l.Dealer.ID, DealerName: l.Dealer.Name, DealerCity: l.Dealer.City,
		})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// checkListing records what is wrong with one listing in v and returns its VIN (empty when the
// listing has none).
func checkListing(v *upstream.Violations, at string, l Listing, q Query, now time.Time) vehicle.VIN {
	if !upstream.Required(l.ListingID) || !upstream.Required(l.Make) || !upstream.Required(l.Model) ||
		!upstream.Required(l.Fuel) || !upstream.Required(l.Transmission) ||
		!upstream.Required(l.Dealer.ID) || !upstream.Required(l.Dealer.Name) || !upstream.Required(l.Dealer.City) {
		v.Addf("%s: a required field is blank", at)
	}
	var vin vehicle.VIN
	if l.VIN != "" {
		parsed, err := vehicle.ParseVIN(l.VIN)
		if err != nil || string(parsed) != l.VIN {
			v.Addf("%s.vin: not a valid VIN", at)
		}
		vin = parsed
	}
	if l.ModelYear < upstream.EarliestYear || l.ModelYear > now.Year()+1 {
		v.Addf("%s.modelYear: impossible", at)
	}
	if l.FirstRegistration != "" {
		t, err := time.Parse(upstream.MonthLayout, l.FirstRegistration)
		if err != nil || t.After(now) || t.Year() < l.ModelYear-1 {
			v.Addf("%s.firstRegistration: not a plausible YYYY-MM month", at)
		}
	}
	if l.MileageKm < 0 {
		v.Addf("%s.mileageKm: negative", at)
	}
	if l.PriceEur <= 0 {
		v.Addf("%s.priceEur: not positive", at)
	}
	// The system must honour the filters it was sent; a car outside them is not "similar".
	if l.Make != q.Make || (q.Model != "" && l.Model != q.Model) ||
		(q.YearFrom != 0 && l.ModelYear < q.YearFrom) || (q.YearTo != 0 && l.ModelYear > q.YearTo) ||
		(q.PriceMinEur != 0 && l.PriceEur < q.PriceMinEur) || (q.PriceMaxEur != 0 && l.PriceEur > q.PriceMaxEur) ||
		(q.MileageMaxKm != 0 && l.MileageKm > q.MileageMaxKm) {
		v.Addf("%s: does not match the query", at)
	}
	return vin
}

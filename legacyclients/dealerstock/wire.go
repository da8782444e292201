package dealerstock

import (
	"fmt"
	"net/url"
	"strconv"
)

// Wire format of the dealer stock search: REST + JSON (UTF-8).
//
//	GET {base}/stock/v1/search?make=Volkswagen&model=Golf&yearFrom=2019&yearTo=2022&priceMinEur=10000&priceMaxEur=25000&mileageMaxKm=80000&limit=20
//	Accept: application/json
//
//	200 application/json   SearchResponse (possibly with no results)
//	400 application/json   ErrorResponse: a parameter is malformed
//	5xx                    the system failed
//
// Parameters (SearchParams): make is required; every other one is optional and omitted when
// zero. Matching is exact and case-sensitive for make and model; year, price and mileage bounds
// are inclusive. Results are ordered by price ascending, at most limit of them (1..MaxLimit,
// default DefaultLimit). Prices are whole euros. The client rejects a result that does not match
// the filters it sent (a search that ignores its filters would show dealers the wrong cars), a
// repeated listing ID, or more results than the limit.

// Path, operation and parameter names.
const (
	Path            = "/stock/v1/search"
	OperationSearch = "SearchStock"
	ParamMake       = "make"
	ParamModel      = "model"
	ParamYearFrom   = "yearFrom"
	ParamYearTo     = "yearTo"
	ParamPriceMin   = "priceMinEur"
	ParamPriceMax   = "priceMaxEur"
	ParamMileageMax = "mileageMaxKm"
	ParamLimit      = "limit"
	DefaultLimit    = 20
	MaxLimit        = 100
)

// SearchParams are the query parameters; zero means "not set" (Make excepted, it is required).
type SearchParams struct {
	Make         string
	Model        string
	YearFrom     int
	YearTo       int
	PriceMinEur  int
	PriceMaxEur  int
	MileageMaxKm int
	Limit        int
}

// Values encodes the parameters as a query, omitting zero values.
func (p SearchParams) Values() url.Values {
	q := url.Values{ParamMake: {p.Make}}
	if p.Model != "" {
		q.Set(ParamModel, p.Model)
	}
	for _, kv := range []struct {
		k string
		v int
	}{{ParamYearFrom, p.YearFrom}, {ParamYearTo, p.YearTo}, {ParamPriceMin, p.PriceMinEur},
		{ParamPriceMax, p.PriceMaxEur}, {ParamMileageMax, p.MileageMaxKm}, {ParamLimit, p.Limit}} {
		if kv.v != 0 {
			q.Set(kv.k, strconv.Itoa(kv.v))
		}
	}
	return q
}

// ParseSearchParams decodes a query (for the simulator). The error names the parameter.
func ParseSearchParams(q url.Values) (SearchParams, error) {
	p := SearchParams{Make: q.Get(ParamMake), Model: q.Get(ParamModel)}
	if p.Make == "" {
		return p, fmt.Errorf("parameter %s is required", ParamMake)
	}
	for _, kv := range []struct {
		k string
		v *int
	}{{ParamYearFrom, &p.YearFrom}, {ParamYearTo, &p.YearTo}, {ParamPriceMin, &p.PriceMinEur},
		{ParamPriceMax, &p.PriceMaxEur}, {ParamMileageMax, &p.MileageMaxKm}, {ParamLimit, &p.Limit}} {
		s := q.Get(kv.k)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return p, fmt.Errorf("parameter %s must be a non-negative integer", kv.k)
		}
		*kv.v = n
	}
	if p.Limit > MaxLimit {
		return p, fmt.Errorf("parameter %s must be at most %d", ParamLimit, MaxLimit)
	}
	return p, nil
}

// SearchResponse is the result list.
type SearchResponse struct {
	Total   int       `json:"total"`   // matches in stock, may exceed len(Results)
	Results []Listing `json:"results"` // may be empty, never null
}

// Listing is one car in a dealer's stock. Dealer stock belongs to the dealer, so nothing here is
// personal data.
type Listing struct {
	ListingID string `json:"listingId"`     // unique
	VIN       string `json:"vin,omitempty"` // optional; when present a valid VIN
	Make      string `json:"make"`
	Model     string `json:"model"`
	Variant   string `json:"variant,omitempty"` // e.g. "1.5 TSI Life"
	ModelYear int    `json:"modelYear"`
	// FirstRegistration is YYYY-MM, absent for a new car.
	FirstRegistration string `json:"firstRegistration,omitempty"`
	MileageKm         int    `json:"mileageKm"` // >= 0
	PriceEur          int    `json:"priceEur"`  // > 0, whole euros
	Fuel              string `json:"fuel"`      // "petrol", "diesel", "electric", "hybrid", "cng"
	Transmission      string `json:"transmission"`
	Dealer            Dealer `json:"dealer"`
}

// Dealer is the selling dealer.
type Dealer struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	City string `json:"city"`
}

// ErrorResponse is the body of a 4xx.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody names the offending parameter.
type ErrorBody struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Parameter string `json:"parameter,omitempty"`
}

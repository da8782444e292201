package offers

import "net/url"

// Wire format of the after-sales offers system: REST + JSON (UTF-8).
//
//	GET {base}/aftersales/v1/vehicles/{vin}/offers
//	Accept: application/json
//
//	200 application/json   OffersResponse (possibly with no offers)
//	404 application/json   ErrorResponse{Error: {Code: ErrCodeNotFound}}: the VIN is unknown
//	400 application/json   ErrorResponse: malformed VIN
//	5xx                    the system failed
//
// Money is integer euro cents, never floats. The client rejects a response whose VIN differs from
// the request, an unknown type, a negative price, a currency other than EUR, a financing offer
// without its terms (or terms on another type), a service plan without its duration, an
// impossible ValidUntil date, or a repeated offer ID. Offers whose ValidUntil has passed are
// valid data but no longer on offer: the client drops them.

// Path and operation.
const (
	PathPrefix      = "/aftersales/v1/vehicles/"
	PathSuffix      = "/offers"
	OperationList   = "ListOffers"
	ErrCodeNotFound = "VIN_NOT_FOUND"
	CurrencyEUR     = "EUR"
)

// OffersPath is the request path for one VIN, path-escaped as defence in depth.
func OffersPath(vin string) string { return PathPrefix + url.PathEscape(vin) + PathSuffix }

// Offer types (Offer.Type).
const (
	TypeServicePlan = "SERVICE_PLAN"
	TypeAccessory   = "ACCESSORY"
	TypeFinancing   = "FINANCING"
)

// OffersResponse lists the offers for one vehicle.
type OffersResponse struct {
	VIN    string        `json:"vin"`    // must equal the requested VIN
	Offers []OfferRecord `json:"offers"` // may be empty, never null
}

// OfferRecord is one after-sales offer on the wire (the client maps it to Offer).
type OfferRecord struct {
	OfferID     string `json:"offerId"` // unique within the response
	Type        string `json:"type"`    // Type* constant
	Title       string `json:"title"`
	Description string `json:"description"`
	// PriceCents is the one-off price in euro cents (>= 0); for FINANCING it is the financed amount.
	PriceCents int64  `json:"priceCents"`
	Currency   string `json:"currency"`   // always "EUR"
	ValidUntil string `json:"validUntil"` // YYYY-MM-DD
	// Financing is required for FINANCING and absent otherwise.
	Financing *FinancingTerms `json:"financing,omitempty"`
	// DurationMonths is required (> 0) for SERVICE_PLAN and absent otherwise.
	DurationMonths int `json:"durationMonths,omitempty"`
}

// FinancingTerms are the terms of a financing offer.
type FinancingTerms struct {
	TermMonths       int   `json:"termMonths"`       // 6..120
	APRBasisPoints   int   `json:"aprBasisPoints"`   // annual percentage rate x 100, 0..3000
	MonthlyRateCents int64 `json:"monthlyRateCents"` // > 0
	DownPaymentCents int64 `json:"downPaymentCents"` // >= 0
}

// ErrorResponse is the body of a 4xx.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody carries a machine code and a human message.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

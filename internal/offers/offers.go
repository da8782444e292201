// Package offers is the after-sales offers context: which offers a vehicle has (service plans,
// accessories, financing), which of them a caller may see, and how fresh the cached copy is.
// It imports only the kernel (internal/vehicle, internal/apperr): the DynamoDB adapter
// (internal/dynamo/offers.go) maps cache items to Cached, the legacy client
// (legacyclients/offers) implements Source, and the Lambda steps in functions/offersteps call
// the rules here.
//
// Who sees what: service plans and accessories are sold to the car's owner (they are priced for
// this car's age, mileage and service history, and only the owner can act on them), so only a
// caller with owner access (decided by the shared ownership-authorization machine) gets them;
// financing is offered to anyone, a buyer above all, so every caller gets it.
package offers

import (
	"context"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Kind is what an offer sells.
type Kind string

// The three product lines of the after-sales system.
const (
	KindServicePlan Kind = "service-plan"
	KindAccessory   Kind = "accessory"
	KindFinancing   Kind = "financing"
)

// Offer is one after-sales offer for a vehicle. Money is in euro cents.
type Offer struct {
	ID             string     `json:"id"`
	Kind           Kind       `json:"kind"`
	Title          string     `json:"title"`
	Description    string     `json:"description"`
	PriceCents     int64      `json:"priceCents"`
	Currency       string     `json:"currency"`
	ValidUntil     string     `json:"validUntil"` // YYYY-MM-DD
	DurationMonths int        `json:"durationMonths,omitempty"`
	Financing      *Financing `json:"financing,omitempty"`
}

// Financing are the terms of a financing offer.
type Financing struct {
	TermMonths       int   `json:"termMonths"`
	APRBasisPoints   int   `json:"aprBasisPoints"`
	MonthlyRateCents int64 `json:"monthlyRateCents"`
	DownPaymentCents int64 `json:"downPaymentCents"`
}

// Source is the after-sales offers system (legacyclients/offers implements it). Who may call:
// any step, concurrently. What comes back: the vehicle's current offers, validated (expired ones
// dropped), or an error whose apperr.CodeOf is NotFound (the system does not know the VIN),
// Unavailable (it failed) or Invalid (it rejected the request: our bug).
type Source interface {
	Offers(ctx context.Context, vin vehicle.VIN) ([]Offer, error)
}

// Visible lists the kinds of offer a caller with access may see, in the order the answer shows
// them. An access level this package does not know gets the public list: it fails closed.
func Visible(access vehicle.Access) []Kind {
	if access == vehicle.AccessOwner {
		return []Kind{KindServicePlan, KindAccessory, KindFinancing}
	}
	return []Kind{KindFinancing}
}

// CheckVehicle refuses a VIN of another manufacturer at once: the OEM's after-sales system has
// offers only for its own makes, so asking it (or the cache) about another make could only end
// in "not found", after a legacy call.
func CheckVehicle(vin vehicle.VIN) error {
	if _, ok := vin.Manufacturer(); !ok {
		return apperr.New(apperr.NotFound, "no offers: the vehicle is not of one of our makes")
	}
	return nil
}

// Package listing is the seller-listings bounded context: a consumer who has proven ownership of
// a vehicle offers it for sale, buyers and dealers find it, and the listing shows the verified
// report's public view beside the seller's own words. The next issue fills it; this is its home
// and the shape its adapters will implement.
//
// Like every context it imports no AWS SDK, no net/http and no adapter, and of the other contexts
// only the shared kernel (internal/vehicle, internal/apperr); internal/archtest and the depguard
// rules in .golangci.yml enforce it. Its DynamoDB mapping goes to internal/dynamo/listing.go, its
// steps to functions/<step>, their wiring to internal/wiring, its routes to api/openapi.yaml and
// its state machines to statemachines/ (CONTRIBUTING.md walks through the places).
package listing

import (
	"context"
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Status is where a listing is in its life.
type Status string

// The statuses.
const (
	StatusDraft     Status = "draft"     // created by the seller, not visible to others
	StatusPublished Status = "published" // visible to buyers and dealers
	StatusWithdrawn Status = "withdrawn" // taken down by the seller
	StatusSold      Status = "sold"      // the vehicle changed hands
)

// Listing is a vehicle offered for sale by its proven owner. The seller's subject is personal
// data (never logged); the VIN is shown only through the report's public view.
type Listing struct {
	ID          string
	VIN         vehicle.VIN
	Seller      string // the seller's OIDC subject
	Status      Status
	PriceCents  int64
	Currency    string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Repository stores listings. Implemented by the DynamoDB adapter.
type Repository interface {
	Get(ctx context.Context, id string) (Listing, error)
	Put(ctx context.Context, l Listing) error
}

// Ownership tells whether a subject currently holds a grant for a VIN (the ownership context
// answers it; the wiring connects the two without the contexts importing each other).
type Ownership interface {
	IsOwner(ctx context.Context, subject string, vin vehicle.VIN, now time.Time) (bool, error)
}

// Package similarlistings is the similar-listings step: GET /listings/{id}/similar. It ranks
// dealer stock and other active listings against the listing, serves one page and counts one
// impression for each dealer car on that page.
package similarlistings

import (
	"context"

	"github.com/acme-oem/vehicle-data/functions/similarity"
	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/listing"
)

// Event is the state machine input: the path id, the query and the (unused) caller.
type Event struct {
	ID    string `json:"id"`
	Query struct {
		Limit  string `json:"limit"`
		Cursor string `json:"cursor"`
	} `json:"query"`
}

// Result is the answer body.
type Result struct {
	ListingID  string            `json:"listingId"`
	Items      []similarity.Item `json:"items"`
	NextCursor string            `json:"nextCursor,omitempty"`
	// Stock says whether dealer stock could be asked ("available") or the answer holds seller
	// listings only ("unavailable").
	Stock string `json:"stock"`
}

// New builds the step.
func New(g *similarity.Gatherer) step.Handler {
	return step.Typed(func(ctx context.Context, in Event) (Result, error) {
		if err := similarity.ValidListingID("id", in.ID); err != nil {
			return Result{}, err
		}
		limit, err := listing.ParseLimit(in.Query.Limit)
		if err != nil {
			return Result{}, err
		}
		if _, err := listing.Paginate(nil, limit, in.Query.Cursor); err != nil {
			return Result{}, err // a bad cursor is refused before any work
		}
		self, err := g.Store.Listing(ctx, in.ID)
		if err != nil {
			return Result{}, err
		}
		cands, err := g.Gather(ctx, self.Car)
		if err != nil {
			return Result{}, err
		}
		page, err := listing.Paginate(listing.Rank(self.Car, cands.List, self.ID), limit, in.Query.Cursor)
		if err != nil {
			return Result{}, err
		}
		now := g.Now()
		if err := g.Store.RecordImpressions(ctx, self.ID, similarity.Surfaced(page.Items), now); err != nil {
			return Result{}, err
		}
		return Result{ListingID: self.ID, Items: cands.Items(page.Items), NextCursor: page.NextCursor, Stock: cands.StockState}, nil
	})
}

// Package similarclick is the similar-click step: POST /listings/{id}/similar/{itemId}/clicks. It
// counts a buyer's click on a dealer car shown beside an active listing and answers the dealer
// site's page of that car. Nothing about the buyer is kept: the counter is per dealer, car and day.
package similarclick

import (
	"context"

	"github.com/acme-oem/vehicle-data/functions/similarity"
	"github.com/acme-oem/vehicle-data/functions/step"
)

// Event is the state machine input.
type Event struct {
	ID     string `json:"id"`
	ItemID string `json:"itemId"`
}

// Result is the answer body.
type Result struct {
	ItemID    string `json:"itemId"`
	DealerURL string `json:"dealerUrl"`
}

// New builds the step.
func New(g *similarity.Gatherer) step.Handler {
	return step.Typed(func(ctx context.Context, in Event) (Result, error) {
		if err := similarity.ValidListingID("id", in.ID); err != nil {
			return Result{}, err
		}
		if err := similarity.ValidItemID("itemId", in.ItemID); err != nil {
			return Result{}, err
		}
		if _, err := g.Store.Listing(ctx, in.ID); err != nil {
			return Result{}, err // unknown 404, withdrawn 410
		}
		dealer, err := g.Store.RecordClick(ctx, in.ID, in.ItemID, g.Now())
		if err != nil {
			return Result{}, err
		}
		return Result{ItemID: in.ItemID, DealerURL: similarity.DealerPageURL(dealer, in.ItemID)}, nil
	})
}

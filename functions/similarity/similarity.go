// Package similarity is what the similar-car steps share: gathering candidates from dealer stock
// and seller listings, ranking them with internal/listing, and the answer shapes. Dealer stock
// is optional everywhere: when the stock system fails the answer still comes, from listings
// only, and says so (stock "unavailable").
//
// Personal data: nothing here sees a buyer (the routes are public, the caller is not used for
// ranking), a stock car's VIN is dropped at the border, and logs name no listing, VIN or dealer.
package similarity

import (
	"context"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/listing"
	"github.com/acme-oem/vehicle-data/legacyclients/dealerstock"
)

// Stock searches dealer stock (the dealerstock client).
type Stock interface {
	Search(ctx context.Context, q dealerstock.Query) (*dealerstock.Result, error)
}

// Store reads listings and keeps the surfaced-stock counters (dynamo.Similar).
type Store interface {
	Listing(ctx context.Context, id string) (listing.Candidate, error)
	ActiveListings(ctx context.Context, make, model string) ([]listing.Candidate, error)
	RecordImpressions(ctx context.Context, listingID string, cars []dynamo.SurfacedCar, now time.Time) error
	RecordClick(ctx context.Context, listingID, stockID string, now time.Time) (string, error)
	Surfaced(ctx context.Context, dealerID string, from, to time.Time) ([]dynamo.SurfacedDay, error)
}

// Stock availability in answers.
const (
	StockAvailable   = "available"
	StockUnavailable = "unavailable"
)

// DealerPageBase is where the OEM's dealer site shows a stock car:
// <base>/<dealerId>/stock/<stockId>. The stock system has no URL of its own.
const DealerPageBase = "https://dealers.acme-oem.example"

// DealerPageURL is the dealer site's page of one stock car.
func DealerPageURL(dealerID, stockID string) string {
	return DealerPageBase + "/" + url.PathEscape(dealerID) + "/stock/" + url.PathEscape(stockID)
}

// Dealer is the dealership selling a stock car (a company, not a person).
type Dealer struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	City string `json:"city"`
}

// Item is one similar car in an answer.
type Item struct {
	ItemID       string   `json:"itemId"`
	Kind         string   `json:"kind"`
	Make         string   `json:"make"`
	Model        string   `json:"model"`
	Variant      string   `json:"variant,omitempty"`
	ModelYear    int      `json:"modelYear"`
	OdometerKm   int      `json:"odometerKm"`
	PriceEur     int      `json:"priceEur"`
	Fuel         string   `json:"fuel,omitempty"`
	Transmission string   `json:"transmission,omitempty"`
	Score        int      `json:"score"`
	Reasons      []string `json:"reasons"`
	Dealer       *Dealer  `json:"dealer,omitempty"`
}

// Candidates are the ranked inputs and the stock cars' details by stock id.
type Candidates struct {
	List  []listing.Candidate
	Stock map[string]dealerstock.StockCar
	// StockState is StockAvailable or StockUnavailable.
	StockState string
}

// Gatherer collects candidates for a car.
type Gatherer struct {
	Stock Stock
	Store Store
	Log   *slog.Logger
	Now   func() time.Time
}

// stockLimit is how many cars each stock query asks for (the system's maximum).
const stockLimit = dealerstock.MaxLimit

// Gather asks dealer stock (same model, and same make in a year and price window) and the active
// listings of the same model, at once. A stock failure degrades; a listings failure fails.
func (g *Gatherer) Gather(ctx context.Context, car listing.Car) (Candidates, error) {
	var (
		wg               sync.WaitGroup
		sameModel, other *dealerstock.Result
		errModel, errMk  error
	)
	q := g.stockQuery(car)
	wg.Go(func() {
		qm := q
		qm.Model = car.Model
		sameModel, errModel = g.Stock.Search(ctx, qm)
	})
	wg.Go(func() { other, errMk = g.Stock.Search(ctx, q) })
	lists, err := g.Store.ActiveListings(ctx, car.Make, car.Model)
	wg.Wait()
	if err != nil {
		return Candidates{}, err
	}
	out := Candidates{List: lists, Stock: map[string]dealerstock.StockCar{}, StockState: StockAvailable}
	if errModel != nil || errMk != nil {
		// One warning without the query (it names the car's model, which is no secret, but the
		// transport has already logged the failure with its outcome).
		g.Log.WarnContext(ctx, "similar cars: dealer stock unavailable, answering from listings only")
		out.StockState = StockUnavailable
		return out, nil
	}
	for _, r := range []*dealerstock.Result{sameModel, other} {
		for _, s := range r.Cars {
			if _, dup := out.Stock[s.ListingID]; dup {
				continue
			}
			out.Stock[s.ListingID] = s
			out.List = append(out.List, listing.Candidate{ID: s.ListingID, Kind: listing.KindStock, DealerID: s.DealerID,
				Car: listing.Car{Make: s.Make, Model: s.Model, ModelYear: s.ModelYear, OdometerKm: s.MileageKm, PriceEur: s.PriceEur}})
		}
	}
	return out, nil
}

// stockQuery is the make-wide query: model years within 3 of the car's (and possible for the
// stock system), prices from half to double the car's when it is known.
func (g *Gatherer) stockQuery(car listing.Car) dealerstock.Query {
	q := dealerstock.Query{Make: car.Make, Limit: stockLimit}
	if car.ModelYear > 0 {
		q.YearFrom = max(car.ModelYear-3, 1950)
		q.YearTo = min(car.ModelYear+3, g.Now().Year()+1)
		if q.YearFrom > q.YearTo {
			q.YearFrom, q.YearTo = 0, 0
		}
	}
	if car.PriceEur > 0 {
		q.PriceMinEur, q.PriceMaxEur = car.PriceEur/2, car.PriceEur*2
	}
	return q
}

// Items turns ranked cars into answer items.
func (c Candidates) Items(ranked []listing.Ranked) []Item {
	out := make([]Item, 0, len(ranked))
	for _, r := range ranked {
		it := Item{ItemID: r.ID, Kind: string(r.Kind), Make: r.Make, Model: r.Model, ModelYear: r.ModelYear,
			OdometerKm: r.OdometerKm, PriceEur: r.PriceEur, Score: r.Score, Reasons: r.Reasons}
		if s, ok := c.Stock[r.ID]; ok && r.Kind == listing.KindStock {
			it.Variant, it.Fuel, it.Transmission = s.Variant, s.Fuel, s.Transmission
			it.Dealer = &Dealer{ID: s.DealerID, Name: s.DealerName, City: s.DealerCity}
		}
		out = append(out, it)
	}
	return out
}

// Surfaced lists the stock cars among ranked, for counting impressions.
func Surfaced(ranked []listing.Ranked) []dynamo.SurfacedCar {
	var out []dynamo.SurfacedCar
	for _, r := range ranked {
		if r.Kind == listing.KindStock {
			out = append(out, dynamo.SurfacedCar{StockID: r.ID, DealerID: r.DealerID, Car: r.Car})
		}
	}
	return out
}

// ValidListingID checks a listing id from the path (API Gateway does not enforce the contract's
// pattern on path parameters, so the step does): 16 to 64 lower-case letters and digits.
func ValidListingID(field, id string) error {
	if len(id) < 16 || len(id) > 64 || !alnum(id, false) {
		return apperr.InvalidField(field, "format", field+" must be 16 to 64 lower-case letters and digits")
	}
	return nil
}

// ValidItemID checks a similar item's id: 1 to 64 letters, digits and hyphens.
func ValidItemID(field, id string) error {
	if len(id) < 1 || len(id) > 64 || !alnum(id, true) {
		return apperr.InvalidField(field, "format", field+" must be 1 to 64 letters, digits and hyphens")
	}
	return nil
}

func alnum(s string, upperAndHyphen bool) bool {
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || upperAndHyphen && (r >= 'A' && r <= 'Z' || r == '-')
		if !ok {
			return false
		}
	}
	return true
}

// Package dealersurfaced is the dealer-surfaced step: GET /dealer/stock/surfaced. A dealer sees
// which of its stock cars were shown beside listings, with impressions and clicks per day for
// the last 30 days: counts only, never who looked or clicked.
package dealersurfaced

import (
	"cmp"
	"context"
	"slices"

	"github.com/acme-oem/vehicle-data/functions/similarity"
	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/oidc"
)

// Days is the window of the view, today included.
const Days = 30

// Event is the state machine input: only the caller matters.
type Event struct {
	Caller oidc.Caller `json:"caller"`
}

// Day is one day's counts of one car.
type Day struct {
	Date        string `json:"date"`
	Impressions int    `json:"impressions"`
	Clicks      int    `json:"clicks"`
}

// Car is one surfaced stock car with its totals and days (oldest first).
type Car struct {
	ItemID      string `json:"itemId"`
	Make        string `json:"make,omitempty"`
	Model       string `json:"model,omitempty"`
	ModelYear   int    `json:"modelYear,omitempty"`
	PriceEur    int    `json:"priceEur,omitempty"`
	Impressions int    `json:"impressions"`
	Clicks      int    `json:"clicks"`
	Days        []Day  `json:"days"`
}

// Result is the answer body.
type Result struct {
	DealerID string `json:"dealerId"`
	// FirstDay and LastDay bound the view (UTC, inclusive; LastDay is today). Not "from"/"to":
	// those keys are personal in the report (a keeper's period) and the security suite finds
	// personal keys by name.
	FirstDay string `json:"firstDay"`
	LastDay  string `json:"lastDay"`
	Cars     []Car  `json:"cars"`
}

// New builds the step.
func New(g *similarity.Gatherer) step.Handler {
	return step.Typed(func(ctx context.Context, in Event) (Result, error) {
		if in.Caller.Role != oidc.RoleDealer {
			return Result{}, apperr.New(apperr.Forbidden, "only dealer accounts see surfaced stock")
		}
		if in.Caller.DealerID == "" {
			return Result{}, apperr.New(apperr.Forbidden, "this dealer account is not linked to a dealer")
		}
		to := g.Now().UTC()
		from := to.AddDate(0, 0, -(Days - 1))
		rows, err := g.Store.Surfaced(ctx, in.Caller.DealerID, from, to)
		if err != nil {
			return Result{}, err
		}
		return Result{DealerID: in.Caller.DealerID, FirstDay: from.Format(dynamo.DayLayout), LastDay: to.Format(dynamo.DayLayout), Cars: byCar(rows)}, nil
	})
}

// byCar groups day rows by car, most impressions first (ties by id).
func byCar(rows []dynamo.SurfacedDay) []Car {
	idx := map[string]int{}
	cars := []Car{}
	for _, r := range rows {
		i, ok := idx[r.StockID]
		if !ok {
			i = len(cars)
			idx[r.StockID] = i
			cars = append(cars, Car{ItemID: r.StockID})
		}
		c := &cars[i]
		if r.Car.Model != "" { // a click-only day carries no car facts
			c.Make, c.Model, c.ModelYear, c.PriceEur = r.Car.Make, r.Car.Model, r.Car.ModelYear, r.Car.PriceEur
		}
		c.Impressions += r.Impressions
		c.Clicks += r.Clicks
		c.Days = append(c.Days, Day{Date: r.Day, Impressions: r.Impressions, Clicks: r.Clicks})
	}
	for i := range cars {
		slices.SortFunc(cars[i].Days, func(a, b Day) int { return cmp.Compare(a.Date, b.Date) })
	}
	slices.SortFunc(cars, func(a, b Car) int {
		return cmp.Or(cmp.Compare(b.Impressions, a.Impressions), cmp.Compare(a.ItemID, b.ItemID))
	})
	return cars
}

// Package vehiclemarket is the vehicle-market step: GET /vehicles/{vin}/market. A dealer pricing
// a trade-in sees the similar seller listings and dealer stock for any VIN, ranked, with price
// statistics (count, quartiles, median) over the same model within a model year of the car.
// The VIN is never echoed, logged or stored by this step.
package vehiclemarket

import (
	"context"

	"github.com/acme-oem/vehicle-data/functions/similarity"
	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/listing"
	"github.com/acme-oem/vehicle-data/internal/oidc"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// MaxItems is how many ranked cars the answer lists.
const MaxItems = 20

// Builds tells a VIN's make, model and model year (the vehicle master's build record, cached).
type Builds interface {
	Build(ctx context.Context, vin vehicle.VIN) (listing.Car, error)
}

// BuildsFunc adapts a function to Builds.
type BuildsFunc func(ctx context.Context, vin vehicle.VIN) (listing.Car, error)

// Build calls f.
func (f BuildsFunc) Build(ctx context.Context, vin vehicle.VIN) (listing.Car, error) {
	return f(ctx, vin)
}

// Event is the state machine input.
type Event struct {
	VIN    string      `json:"vin"`
	Caller oidc.Caller `json:"caller"`
}

// Vehicle is the car being priced, without its VIN.
type Vehicle struct {
	Make      string `json:"make"`
	Model     string `json:"model"`
	ModelYear int    `json:"modelYear"`
}

// Result is the answer body.
type Result struct {
	Vehicle Vehicle            `json:"vehicle"`
	Prices  listing.PriceStats `json:"prices"`
	Items   []similarity.Item  `json:"items"`
	Stock   string             `json:"stock"`
}

// New builds the step.
func New(g *similarity.Gatherer, builds Builds) step.Handler {
	return step.Typed(func(ctx context.Context, in Event) (Result, error) {
		if in.Caller.Role != oidc.RoleDealer {
			return Result{}, apperr.New(apperr.Forbidden, "only dealer accounts see the market view")
		}
		vin, err := vehicle.ParseVIN(in.VIN)
		if err != nil {
			return Result{}, err
		}
		car, err := builds.Build(ctx, vin)
		if err != nil {
			return Result{}, err
		}
		cands, err := g.Gather(ctx, car)
		if err != nil {
			return Result{}, err
		}
		ranked := listing.Rank(car, cands.List, "")
		var prices []int
		for _, r := range ranked {
			if r.Model == car.Model && abs(r.ModelYear-car.ModelYear) <= 1 {
				prices = append(prices, r.PriceEur)
			}
		}
		return Result{
			Vehicle: Vehicle{Make: car.Make, Model: car.Model, ModelYear: car.ModelYear},
			Prices:  listing.Stats(prices),
			Items:   cands.Items(ranked[:min(MaxItems, len(ranked))]),
			Stock:   cands.StockState,
		}, nil
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Package validatevin is the vehicle-report step that checks the VIN before anything is read or
// fetched, so bad input fails fast with VehicleData.Invalid naming the field and the rule, and a
// VIN of another manufacturer fails fast with VehicleData.NotFound.
package validatevin

import (
	"context"

	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Input is the execution input; only the VIN is read.
type Input struct {
	VIN string `json:"vin"`
}

// Output carries the VIN normalised (upper case), which every later step uses.
type Output struct {
	VIN vehicle.VIN `json:"vin"`
}

// New returns the handler.
func New() step.Handler {
	return step.Typed(func(_ context.Context, in Input) (Output, error) {
		v, err := vehicle.ParseVIN(in.VIN)
		if err != nil {
			return Output{}, err
		}
		if err := v.RequireOurs(); err != nil {
			return Output{}, err
		}
		return Output{VIN: v}, nil
	})
}

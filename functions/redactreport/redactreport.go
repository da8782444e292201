// Package redactreport is the vehicle-report step that returns the report as the caller may see
// it: vehicle.Redact with the access ownership-authorization decided. It is the last step, so
// nothing the caller may not see reaches the response.
package redactreport

import (
	"context"

	"github.com/acme-oem/vehicle-data/functions/internal/step"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Input is the merged report and the caller's access.
type Input struct {
	Report vehicle.Report `json:"report"`
	Access vehicle.Access `json:"access"`
}

// New returns the handler.
func New() step.Handler {
	return step.Typed(func(_ context.Context, in Input) (vehicle.Report, error) {
		return vehicle.Redact(in.Report, in.Access), nil
	})
}

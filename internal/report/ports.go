package report

import (
	"context"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// The ports below are implemented by the legacy clients (legacyclients/<system>) and consumed by
// the Lambda steps (functions/). Who may call: any step, concurrently. What comes back: data that
// the client has validated (malformed or inconsistent upstream data is an error, never a silently
// wrong record), or an error whose apperr.CodeOf is
//   - apperr.NotFound: the system does not know this VIN,
//   - apperr.Unavailable: the system failed (breaker open, timeout, 5xx, malformed payload),
//   - apperr.Invalid: the request was rejected as malformed (a bug on our side, not the caller's).
// Implementations also keep the transport's typed error in the chain for errors.Is.

// BuildSource is the vehicle master: build data and factory equipment.
type BuildSource interface {
	FetchBuild(ctx context.Context, vin vehicle.VIN) (*BuildData, error)
}

// WorkshopSource is the workshop system: service visits and the odometer readings taken there.
type WorkshopSource interface {
	FetchService(ctx context.Context, vin vehicle.VIN) (*ServiceData, []OdometerReading, error)
}

// RegistrySource is the registration and owner registry: registrations (number of owners), the
// current keeper, and the odometer readings recorded at roadworthiness inspections.
type RegistrySource interface {
	FetchRegistration(ctx context.Context, vin vehicle.VIN) (*RegistrationData, *OwnerData, []OdometerReading, error)
}

// RecallSource is the recall campaign system.
type RecallSource interface {
	FetchRecalls(ctx context.Context, vin vehicle.VIN) (*RecallData, error)
}

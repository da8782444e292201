// Package ownershipadapters connects the ownership domain's ports to the legacy systems and to
// operations: Registry answers ownership.Registry from the registration and owner registry
// (legacyclients/registry); LogAlarm raises ownership.Alarm as a log line with a metric.
//
// Its tests also run the whole proof of ownership end to end: ownership.Service on the DynamoDB
// repository (dynalite), the development outbox, and statemachines/ownership-verification.asl.json
// on the local engine with the real step handlers. internal/wiring builds the service for the
// Lambda binary and the local stack alike.
package ownershipadapters

import (
	"context"
	"fmt"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/notify"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/registry"
)

// Inquirer is the part of *registry.Client the adapter uses.
type Inquirer interface {
	Inquire(ctx context.Context, vin vehicle.VIN) (*registry.Inquiry, error)
}

// Registry implements ownership.Registry on the registry inquiry.
type Registry struct {
	client Inquirer
}

var _ ownership.Registry = Registry{}

// NewRegistry builds the adapter; client is required.
func NewRegistry(client Inquirer) Registry { return Registry{client: client} }

// OwnerOnRecord implements ownership.Registry. There is an owner when the registry has a keeper
// for the current registration; a VIN the registry does not know has none (not an error, so the
// challenge that follows looks like any other). Other failures keep their apperr code
// (Unavailable, ...) so the step fails with a retryable error rather than pretending "no owner",
// which would lock a real owner out until the challenge expires.
func (r Registry) OwnerOnRecord(ctx context.Context, vin vehicle.VIN) (bool, string, error) {
	in, err := r.client.Inquire(ctx, vin)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return false, "", nil
		}
		return false, "", fmt.Errorf("registry inquiry: %w", err)
	}
	if in == nil || in.Owner == nil {
		return false, "", nil
	}
	// The record field is fixed-width (space-padded); codes are compared in the form
	// ownership.NormalizeCode gives what people type.
	return true, ownership.NormalizeCode(in.DocumentCode), nil
}

var _ notify.Contacts = Registry{}

// OwnerContact implements notify.Contacts: the current keeper's phone number or e-mail address
// as the registry holds it. No owner, or an owner without a contact, is ok false, not an error;
// failures keep their apperr code, as in OwnerOnRecord.
func (r Registry) OwnerContact(ctx context.Context, vin vehicle.VIN) (notify.Contact, bool, error) {
	in, err := r.client.Inquire(ctx, vin)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return notify.Contact{}, false, nil
		}
		return notify.Contact{}, false, fmt.Errorf("registry inquiry: %w", err)
	}
	if in == nil || in.Owner == nil || in.Contact == nil {
		return notify.Contact{}, false, nil
	}
	switch in.Contact.Channel {
	case registry.ContactSMS:
		return notify.Contact{Channel: notify.SMS, Address: in.Contact.Address}, true, nil
	case registry.ContactEmail:
		return notify.Contact{Channel: notify.Email, Address: in.Contact.Address}, true, nil
	}
	return notify.Contact{}, false, nil
}

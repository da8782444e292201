// Package offers is the client of the after-sales offers system (service plans, accessories,
// financing), REST + JSON. wire.go documents the wire format; the simulator imports it.
//
// It implements the offers context's port (internal/offers.Source) and returns its types.
package offers

import (
	"context"
	"errors"
	"fmt"
	"time"

	domain "github.com/acme-oem/vehicle-data/internal/offers"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/upstream"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// System is the transport.Config.System name for this client.
const System = string(vehicle.SourceOffers)

const label = "offers system"

// Config configures a Client.
type Config struct {
	// Transport is this system's resilient transport; required.
	Transport *transport.Client
	// Now decides which offers have expired; nil means time.Now.
	Now func() time.Time
}

// Client lists after-sales offers. Safe for concurrent use.
type Client struct {
	tc  *transport.Client
	now func() time.Time
}

// New returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Transport == nil {
		return nil, errors.New("offers: Config.Transport is required")
	}
	return &Client{tc: cfg.Transport, now: upstream.NowFunc(cfg.Now)}, nil
}

// The offer types are the offers context's (internal/offers): the client maps the wire format to
// them, so the Client is the context's Source.
type (
	Kind      = domain.Kind
	Offer     = domain.Offer
	Financing = domain.Financing
)

// The kinds, as the context names them.
const (
	KindServicePlan = domain.KindServicePlan
	KindAccessory   = domain.KindAccessory
	KindFinancing   = domain.KindFinancing
)

var _ domain.Source = (*Client)(nil)

// Offers returns the vehicle's current offers (expired ones are dropped: the system keeps
// serving them until a nightly purge). Errors follow the vehicle ports contract (NotFound for an
// unknown VIN, Unavailable, Invalid).
func (c *Client) Offers(ctx context.Context, vin vehicle.VIN) ([]Offer, error) {
	if err := upstream.CheckVIN(System, OperationList, label, vin); err != nil {
		return nil, err
	}
	resp, err := c.tc.Do(ctx, upstream.GetJSON(OperationList, OffersPath(string(vin)), nil))
	if err != nil {
		return nil, upstream.Wrap(label, err)
	}
	var w OffersResponse
	if err := upstream.DecodeJSON(resp.Body, &w); err != nil {
		return nil, c.bad(resp, err)
	}
	out, err := toOffers(&w, vin, c.now())
	if err != nil {
		return nil, c.bad(resp, err)
	}
	return out, nil
}

func (c *Client) bad(resp *transport.Response, cause error) error {
	return upstream.Wrap(label, c.tc.BadPayload(OperationList, resp, fmt.Errorf("offers: %w", cause)))
}

func kindOf(t string) (Kind, bool) {
	switch t {
	case TypeServicePlan:
		return KindServicePlan, true
	case TypeAccessory:
		return KindAccessory, true
	case TypeFinancing:
		return KindFinancing, true
	}
	return "", false
}

// toOffers validates the response and maps it; offers past ValidUntil are dropped, not errors.
func toOffers(w *OffersResponse, vin vehicle.VIN, now time.Time) ([]Offer, error) {
	var v upstream.Violations
	if w.VIN != string(vin) {
		v.Addf("vin: does not match the requested VIN")
	}
	if w.Offers == nil {
		v.Addf("offers: required (may be empty)")
	}
	today := now.Format(upstream.DayLayout)
	out := make([]Offer, 0, len(w.Offers))
	seen := map[string]bool{}
	for i, o := range w.Offers {
		at := fmt.Sprintf("offers[%d]", i)
		if !upstream.Required(o.OfferID) || !upstream.Required(o.Title) || !upstream.Required(o.Description) {
			v.Addf("%s: offerId, title and description are required", at)
		}
		if seen[o.OfferID] {
			v.Addf("%s.offerId: repeated", at)
		}
		seen[o.OfferID] = true
		kind, ok := kindOf(o.Type)
		if !ok {
			v.Addf("%s.type: unknown value", at)
		}
		if o.PriceCents < 0 {
			v.Addf("%s.priceCents: negative", at)
		}
		if o.Currency != CurrencyEUR {
			v.Addf("%s.currency: not EUR", at)
		}
		// ValidUntil may lie in the future, so it is parsed without Day's "not in the future" rule.
		if t, err := time.Parse(upstream.DayLayout, o.ValidUntil); err != nil || t.Year() < upstream.EarliestYear {
			v.Addf("%s.validUntil: not a YYYY-MM-DD date", at)
		}
		checkKindFields(&v, at, kind, o)
		if o.ValidUntil < today {
			continue // expired: valid data, just no longer on offer
		}
		offer := Offer{
			ID: o.OfferID, Kind: kind, Title: o.Title, Description: o.Description, PriceCents: o.PriceCents,
			Currency: o.Currency, ValidUntil: o.ValidUntil, DurationMonths: o.DurationMonths,
		}
		if o.Financing != nil {
			f := Financing(*o.Financing)
			offer.Financing = &f
		}
		out = append(out, offer)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// checkKindFields records in v the fields that one kind of offer requires or forbids: financing
// terms for financing only, a duration for service plans only.
func checkKindFields(v *upstream.Violations, at string, kind Kind, o OfferRecord) {
	switch {
	case kind == KindFinancing && o.Financing == nil:
		v.Addf("%s.financing: required for financing", at)
	case kind != KindFinancing && o.Financing != nil:
		v.Addf("%s.financing: only for financing", at)
	case o.Financing != nil:
		f := o.Financing
		if f.TermMonths < 6 || f.TermMonths > 120 || f.APRBasisPoints < 0 || f.APRBasisPoints > 3000 ||
			f.MonthlyRateCents <= 0 || f.DownPaymentCents < 0 || f.DownPaymentCents > o.PriceCents {
			v.Addf("%s.financing: terms out of range", at)
		}
	}
	switch {
	case kind == KindServicePlan && o.DurationMonths <= 0:
		v.Addf("%s.durationMonths: required for service plans", at)
	case kind != KindServicePlan && o.DurationMonths != 0:
		v.Addf("%s.durationMonths: only for service plans", at)
	}
}

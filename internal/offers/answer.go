package offers

import (
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Freshness says how far a section can be trusted to be current; the values are the vehicle
// report's, so a client reads both alike.
type Freshness string

const (
	Fresh       Freshness = "fresh"       // fetched within the soft expiry
	Stale       Freshness = "stale"       // past the soft expiry, served because the system failed
	Unavailable Freshness = "unavailable" // the system failed and nothing usable was cached
)

// Cached is what the cache holds for a vehicle's offers, as this context sees it. The adapter
// drops an item past its hard expiry (Present false), so everything here is servable.
type Cached struct {
	Present    bool
	NotFound   bool // a negative entry: the offers system does not know the VIN
	FetchedAt  time.Time
	SoftExpiry time.Time
	Offers     []Offer
}

// Freshness is how current the cached offers are at now.
func (c Cached) Freshness(now time.Time) Freshness {
	switch {
	case !c.Present:
		return Unavailable
	case now.Before(c.SoftExpiry):
		return Fresh
	default:
		return Stale
	}
}

// NeedsFetch says whether the offers system must be asked: whenever the cache holds nothing
// fresh (a live negative entry is fresh too: unknown VINs are not asked again until it expires).
func (c Cached) NeedsFetch(now time.Time) bool { return c.Freshness(now) != Fresh }

// Status is what the fetch step achieved.
type Status string

const (
	StatusFetched     Status = "fetched"     // current offers: fetched now, or by a concurrent request
	StatusNotFound    Status = "notFound"    // the offers system does not know the VIN
	StatusUnavailable Status = "unavailable" // set by the state machine's Catch: the fetch failed
)

// Fetched is the fetch step's result, or what the state machine records when it failed.
// Its fields are always present (null when unset): the state machine selects them by path.
type Fetched struct {
	Status    Status     `json:"status"`
	FetchedAt *time.Time `json:"fetchedAt"`
	Offers    []Offer    `json:"offers"`
	Error     string     `json:"error,omitempty"`
}

// Section is one kind of offer, with where and when it came from, like a report section.
type Section struct {
	Source    vehicle.Source `json:"source"`
	FetchedAt *time.Time     `json:"fetchedAt,omitempty"`
	// AgeSeconds is how old the data is at the time of the answer, so a client can say "as of 3
	// days ago" when it is stale without doing clock arithmetic against its own clock.
	AgeSeconds *int64    `json:"ageSeconds,omitempty"`
	Freshness  Freshness `json:"freshness"`
	// Offers is present (possibly empty: "none") unless the section is unavailable ("unknown").
	Offers []Offer `json:"offers,omitzero"`
}

// View is the answer of GET /vehicles/{vin}/offers: the sections the caller may see. The
// owner-only sections are absent (not empty) for everyone else.
type View struct {
	VIN          vehicle.VIN    `json:"vin"`
	Access       vehicle.Access `json:"access"`
	ServicePlans *Section       `json:"servicePlans,omitempty"`
	Accessories  *Section       `json:"accessories,omitempty"`
	Financing    *Section       `json:"financing"`
}

// Answer builds what a caller with access sees of the vehicle's offers at now, from the cache
// and, when the state machine fetched, the fetch result (nil when it did not). A failed fetch
// serves the cached copy marked stale, or sections marked unavailable when there is none: the
// offers system failing never fails the answer. Only an unknown VIN fails: NotFound.
func Answer(vin vehicle.VIN, access vehicle.Access, cached Cached, fetched *Fetched, now time.Time) (View, error) {
	if access != vehicle.AccessOwner {
		access = vehicle.AccessPublic
	}
	fresh := Unavailable
	var at *time.Time
	var all []Offer
	switch {
	case fetched != nil && fetched.Status == StatusNotFound, cached.Present && cached.NotFound && (fetched == nil || fetched.Status != StatusFetched):
		return View{}, apperr.New(apperr.NotFound, "no vehicle with this VIN")
	case fetched != nil && fetched.Status == StatusFetched && fetched.FetchedAt != nil:
		fresh, at, all = Fresh, fetched.FetchedAt, fetched.Offers
	case cached.Present:
		t := cached.FetchedAt
		fresh, at, all = cached.Freshness(now), &t, cached.Offers
	}
	v := View{VIN: vin, Access: access}
	for _, k := range Visible(access) {
		s := &Section{Source: vehicle.SourceOffers, Freshness: fresh}
		if fresh != Unavailable {
			age := max(int64(now.Sub(*at)/time.Second), 0)
			s.FetchedAt, s.AgeSeconds, s.Offers = at, &age, ofKind(all, k)
		}
		switch k {
		case KindServicePlan:
			v.ServicePlans = s
		case KindAccessory:
			v.Accessories = s
		case KindFinancing:
			v.Financing = s
		}
	}
	return v, nil
}

// ofKind returns the offers of one kind, never nil: an available section with no offers says
// "none", which is not the same as "unknown".
func ofKind(all []Offer, k Kind) []Offer {
	out := []Offer{}
	for _, o := range all {
		if o.Kind == k {
			out = append(out, o)
		}
	}
	return out
}

package dynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/offers"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// The after-sales offers cache: one item per vehicle,
//
//	pk "VIN#<vin>", sk "SRC#offers"    every current offer of the vehicle (all kinds), as JSON
//	pk "VIN#<vin>", sk "LEASE#offers"  single-flight lease while one request asks the system
//
// with the report cache's attributes (fetchedAt, softExpiry, hardExpiry, notFound, data) and its
// machinery: expiry checked in code, conditional writes that never replace newer data, one
// legacy call for concurrent misses across processes. Offers hold no personal data (they are
// priced for the car, not its keeper), so there is no personal item; which offers a caller sees
// is decided by the offers context when answering, never by what is cached.

// OffersSK is the sort key of a vehicle's offers item; the offers state machine reads it.
const OffersSK = "SRC#" + string(vehicle.SourceOffers)

// DefaultOffersPolicy: offers change daily (prices, campaigns), so they are refreshed after a
// day; while the offers system fails a week-old copy is still worth showing, marked stale with
// its age, and every offer carries its own validUntil.
func DefaultOffersPolicy() SourcePolicy {
	return SourcePolicy{Soft: 24 * time.Hour, Hard: 7 * 24 * time.Hour}
}

// OffersCache is the offers cache. It is safe for concurrent use.
type OffersCache struct{ c *Cache }

// NewOffersCache builds the cache on table. cfg tunes it like the report cache; its Sources are
// replaced by the offers policy (DefaultOffersPolicy unless cfg names one for offers).
func NewOffersCache(api API, table string, cfg CacheConfig) *OffersCache {
	pol, ok := cfg.Sources[vehicle.SourceOffers]
	if !ok {
		pol = DefaultOffersPolicy()
	}
	cfg.Sources = map[vehicle.Source]SourcePolicy{vehicle.SourceOffers: pol}
	return &OffersCache{c: NewCache(api, table, cfg)}
}

// Now is the cache's clock.
func (o *OffersCache) Now() time.Time { return o.c.Now() }

// Get reads the vehicle's offers item with a strongly consistent read.
func (o *OffersCache) Get(ctx context.Context, vin vehicle.VIN) (offers.Cached, error) {
	e, err := o.c.Get(ctx, vin, vehicle.SourceOffers)
	if err != nil {
		return offers.Cached{}, err
	}
	return cachedOffers(e)
}

// Fetch returns the vehicle's offers after making sure they are fresh: when they are not, call
// asks the offers system, at most once per VIN across every process sharing the table (see
// Cache.Fetch), and its answer is cached; an apperr.NotFound answer is cached as a negative
// entry. A failure is returned as an error and caches nothing.
func (o *OffersCache) Fetch(ctx context.Context, vin vehicle.VIN, call func(ctx context.Context) ([]offers.Offer, error)) (offers.Cached, error) {
	e, err := o.c.Fetch(ctx, vin, vehicle.SourceOffers, false, func(ctx context.Context) (Record, error) {
		fetchedAt := o.c.Now()
		list, err := call(ctx)
		if apperr.CodeOf(err) == apperr.NotFound {
			return Record{FetchedAt: fetchedAt, NotFound: true}, nil
		}
		if err != nil {
			return Record{}, fmt.Errorf("fetch offers: %w", err)
		}
		if list == nil {
			list = []offers.Offer{}
		}
		data, err := json.Marshal(list)
		if err != nil {
			return Record{}, fmt.Errorf("encode offers: %w", err)
		}
		return Record{FetchedAt: fetchedAt, Public: data}, nil
	})
	if err != nil {
		return offers.Cached{}, err
	}
	return cachedOffers(e)
}

// OffersFromItem maps the offers item a state machine's getItem read (nil when it found none)
// to what the cache holds at now: an item past its hard expiry counts as absent.
func OffersFromItem(item Item, now time.Time) (offers.Cached, error) {
	if item == nil {
		return offers.Cached{}, nil
	}
	if sk := strAttr(item, AttrSK); sk != OffersSK {
		return offers.Cached{}, fmt.Errorf("offers item: unexpected sort key %q", sk)
	}
	e, err := CachedFromItems(vehicle.SourceOffers, item, nil, now)
	if err != nil {
		return offers.Cached{}, err
	}
	return cachedOffers(e)
}

func cachedOffers(e report.Cached) (offers.Cached, error) {
	if !e.Present {
		return offers.Cached{}, nil
	}
	c := offers.Cached{Present: true, NotFound: e.NotFound, FetchedAt: e.FetchedAt, SoftExpiry: e.SoftExpiry}
	if !e.NotFound && e.Public != nil {
		if err := json.Unmarshal(e.Public, &c.Offers); err != nil {
			return offers.Cached{}, fmt.Errorf("decode cached offers: %w", err)
		}
	}
	return c, nil
}

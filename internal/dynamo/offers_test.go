package dynamo_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/offers"
)

func sAttr(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func newOffersCache(table string, c *clock) *dynamo.OffersCache {
	return dynamo.NewOffersCache(env.Client, table, dynamo.CacheConfig{Now: c.Now, PollInterval: 5 * time.Millisecond})
}

var someOffers = []offers.Offer{
	{ID: "SP-1", Kind: offers.KindServicePlan, Title: "Plan", PriceCents: 49900, Currency: "EUR", ValidUntil: "2027-01-31", DurationMonths: 36},
	{ID: "FI-1", Kind: offers.KindFinancing, Title: "Financing", PriceCents: 1200000, Currency: "EUR", ValidUntil: "2027-01-31",
		Financing: &offers.Financing{TermMonths: 48, APRBasisPoints: 499, MonthlyRateCents: 22000, DownPaymentCents: 240000}},
}

// readItem reads the offers item as the state machine's getItem hands it to a step.
func readItem(t *testing.T, table string) dynamo.Item {
	t.Helper()
	out, err := env.Client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(table), Key: map[string]types.AttributeValue{"pk": sAttr("VIN#" + string(vin)), "sk": sAttr(dynamo.OffersSK)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func TestOffersCacheFetchesOnceThenServesUntilHardExpiry(t *testing.T) {
	ctx := context.Background()
	c, table := newClock(), env.NewTable(t)
	cache := newOffersCache(table, c)
	var calls atomic.Int32
	call := func(context.Context) ([]offers.Offer, error) { calls.Add(1); return someOffers, nil }

	// Concurrent misses make one call.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if e, err := cache.Fetch(ctx, vin, call); err != nil || len(e.Offers) != 2 {
				t.Errorf("Fetch = %+v, %v", e, err)
			}
		})
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("%d calls for concurrent misses, want 1", calls.Load())
	}
	e, err := dynamo.OffersFromItem(readItem(t, table), c.Now())
	if err != nil || !e.Present || e.Freshness(c.Now()) != offers.Fresh || e.Offers[1].Financing.MonthlyRateCents != 22000 {
		t.Fatalf("item read back: %+v, %v", e, err)
	}
	// Past the soft expiry (one day): stale, and a fetch asks again.
	c.Advance(25 * time.Hour)
	if e, _ := dynamo.OffersFromItem(readItem(t, table), c.Now()); e.Freshness(c.Now()) != offers.Stale {
		t.Fatalf("after a day: %s", e.Freshness(c.Now()))
	}
	if _, err := cache.Fetch(ctx, vin, call); err != nil || calls.Load() != 2 {
		t.Fatalf("refetch after soft expiry: %v, calls %d", err, calls.Load())
	}
	// Past the hard expiry (a week) the item is gone for every reader, whatever DynamoDB's TTL did.
	c.Advance(8 * 24 * time.Hour)
	if e, _ := dynamo.OffersFromItem(readItem(t, table), c.Now()); e.Present {
		t.Fatalf("hard-expired item served: %+v", e)
	}
	if e, _ := cache.Get(ctx, vin); e.Present {
		t.Fatalf("Get serves a hard-expired item: %+v", e)
	}
}

func TestOffersCacheNegativeAndFailure(t *testing.T) {
	ctx := context.Background()
	c, table := newClock(), env.NewTable(t)
	cache := newOffersCache(table, c)
	if _, err := cache.Fetch(ctx, vin, func(context.Context) ([]offers.Offer, error) {
		return nil, apperr.New(apperr.Unavailable, "down")
	}); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("failure: %v", err)
	}
	if item := readItem(t, table); item != nil {
		t.Fatalf("a failure was cached: %v", item)
	}
	c.Advance(time.Minute) // past the failure hold
	e, err := cache.Fetch(ctx, vin, func(context.Context) ([]offers.Offer, error) {
		return nil, apperr.New(apperr.NotFound, "unknown")
	})
	if err != nil || !e.NotFound || e.NeedsFetch(c.Now()) {
		t.Fatalf("unknown VIN: %+v, %v", e, err)
	}
	if _, err := dynamo.OffersFromItem(dynamo.Item{"pk": sAttr("VIN#x"), "sk": sAttr("SRC#recalls")}, c.Now()); err == nil {
		t.Fatal("another source's item read as offers")
	}
	if e, err := dynamo.OffersFromItem(nil, c.Now()); err != nil || e.Present {
		t.Fatalf("no item: %+v, %v", e, err)
	}
}

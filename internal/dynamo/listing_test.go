package dynamo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/listing"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

const listingVIN = "WVWZZZCD3MW100001"

func newListingService(t *testing.T, now *time.Time) (*listing.Service, *dynamo.Listings) {
	t.Helper()
	store := dynamo.NewListings(env.Client, env.NewTable(t))
	return &listing.Service{Store: store, Now: func() time.Time { return *now }, NewID: listing.NewID}, store
}

func draft() listing.Draft {
	return listing.Draft{VIN: strings.ToLower(listingVIN), PriceEur: 18500, Description: "Well kept.",
		Photos: []string{"https://img.example.com/1.jpg"}, Region: listing.Region{Country: "de", PostalPrefix: "101"}}
}

func verified() listing.Verified {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	return listing.Verified{
		Make:  &listing.Fact[string]{Value: "Volkswagen", Source: vehicle.SourceVehicleMaster, FetchedAt: &at},
		Model: &listing.Fact[string]{Value: "Golf", Source: vehicle.SourceVehicleMaster, FetchedAt: &at},
	}
}

func codeOf(err error) apperr.Code { return apperr.CodeOf(err) }

func TestListingCreateIsIdempotentAndOnePerVIN(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	svc, _ := newListingService(t, &now)
	req := listing.CreateRequest{Seller: "alice", IdempotencyKey: "key-00000001", Draft: draft(), Verified: verified()}

	first, err := svc.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !listing.ValidID(first.ID) || first.Status != listing.StatusActive || first.Version != 1 || first.VIN != listingVIN {
		t.Fatalf("created %+v", first)
	}
	again, err := svc.Create(ctx, req)
	if err != nil || again.ID != first.ID {
		t.Fatalf("same key and body: %v, %v (want id %s)", again.ID, err, first.ID)
	}
	other := req
	other.Draft.PriceEur = 19000
	if _, err := svc.Create(ctx, other); codeOf(err) != apperr.Unprocessable {
		t.Fatalf("same key, other body: %v, want UNPROCESSABLE", err)
	}
	second := req
	second.IdempotencyKey = "key-00000002"
	_, err = svc.Create(ctx, second)
	if codeOf(err) != apperr.Conflict || !strings.Contains(apperr.As(err).Message, first.ID) {
		t.Fatalf("second listing for the VIN: %v, want CONFLICT naming %s", err, first.ID)
	}
	// Another seller's key with the same text is another key.
	bob := req
	bob.Seller = "bob"
	if _, err := svc.Create(ctx, bob); codeOf(err) != apperr.Conflict {
		t.Fatalf("bob, same key text: %v, want CONFLICT (the VIN is taken), not a replay of alice's", err)
	}

	// After withdrawal the VIN is free again; the withdrawn record stays.
	if err := svc.Withdraw(ctx, first.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Public(ctx, first.ID); codeOf(err) != apperr.Gone {
		t.Fatalf("withdrawn listing: %v, want GONE", err)
	}
	l2, err := svc.Create(ctx, second)
	if err != nil || l2.ID == first.ID {
		t.Fatalf("create after withdrawal: %v, %v", l2.ID, err)
	}

	// Keys expire after 24 h: the same key then makes a new request.
	now = now.Add(listing.IdempotencyExpiry + time.Minute)
	if err := svc.Withdraw(ctx, l2.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	l3, err := svc.Create(ctx, other)
	if err != nil || l3.ID == first.ID {
		t.Fatalf("expired key reused with another body: %v, %v", l3.ID, err)
	}
	mine, err := svc.Mine(ctx, "alice")
	if err != nil || len(mine) != 3 || mine[0].ID != l3.ID {
		t.Fatalf("Mine = %d listings, %v", len(mine), err)
	}
}

func TestListingClaimOfACrashedWithdrawalIsTakenOver(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	svc, store := newListingService(t, &now)
	l, err := svc.Create(ctx, listing.CreateRequest{Seller: "alice", IdempotencyKey: "key-00000001", Draft: draft(), Verified: verified()})
	if err != nil {
		t.Fatal(err)
	}
	// The withdrawal wrote the listing and crashed before releasing the VIN.
	w := l
	w.Status, w.Version = listing.StatusWithdrawn, 2
	if err := store.Replace(ctx, w, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, listing.CreateRequest{Seller: "alice", IdempotencyKey: "key-00000002", Draft: draft(), Verified: verified()}); err != nil {
		t.Fatalf("create over a crashed withdrawal: %v", err)
	}
}

func TestListingClaimOfAnAbandonedCreateBlocksUntilTimeout(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	svc, store := newListingService(t, &now)
	ghost := listing.NewID()
	if _, err := store.ClaimVIN(ctx, listingVIN, listing.Claim{ListingID: ghost, ClaimedAt: now}, ""); err != nil {
		t.Fatal(err)
	}
	req := listing.CreateRequest{Seller: "alice", IdempotencyKey: "key-00000001", Draft: draft(), Verified: verified()}
	if _, err := svc.Create(ctx, req); codeOf(err) != apperr.Conflict {
		t.Fatalf("VIN claimed by a create in flight: %v, want CONFLICT", err)
	}
	now = now.Add(listing.IdempotencyExpiry + time.Second)
	req.IdempotencyKey = "key-00000002"
	if _, err := svc.Create(ctx, req); err != nil {
		t.Fatalf("VIN claimed by a create abandoned a day ago: %v", err)
	}
}

func TestListingUpdateNeedsTheCurrentETagAndTheSeller(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	svc, _ := newListingService(t, &now)
	l, err := svc.Create(ctx, listing.CreateRequest{Seller: "alice", IdempotencyKey: "key-00000001", Draft: draft(), Verified: verified()})
	if err != nil {
		t.Fatal(err)
	}
	price := 17000
	p := listing.Patch{PriceEur: &price}
	if _, err := svc.Update(ctx, l.ID, "alice", "", p); codeOf(err) != apperr.PreconditionRequired {
		t.Fatalf("no If-Match: %v", err)
	}
	if _, err := svc.Update(ctx, l.ID, "bob", l.ETag(), p); codeOf(err) != apperr.Forbidden {
		t.Fatalf("other consumer: %v", err)
	}
	up, err := svc.Update(ctx, l.ID, "alice", l.ETag(), p)
	if err != nil || up.PriceEur != 17000 || up.ETag() == l.ETag() {
		t.Fatalf("update: %+v, %v", up, err)
	}
	if _, err := svc.Update(ctx, l.ID, "alice", l.ETag(), p); codeOf(err) != apperr.PreconditionFailed {
		t.Fatalf("stale ETag: %v", err)
	}
	bad := -1
	if _, err := svc.Update(ctx, l.ID, "alice", up.ETag(), listing.Patch{PriceEur: &bad}); codeOf(err) != apperr.Invalid {
		t.Fatalf("bad price: %v", err)
	}
	got, _ := svc.Read(ctx, l.ID)
	if got.PriceEur != 17000 || got.Version != up.Version {
		t.Fatalf("a refused change changed the listing: %+v", got)
	}
	if err := svc.Withdraw(ctx, l.ID, "bob"); codeOf(err) != apperr.Forbidden {
		t.Fatalf("bob withdraws alice's listing: %v", err)
	}
	if _, err := svc.Read(ctx, listing.NewID()); codeOf(err) != apperr.NotFound {
		t.Fatalf("unknown id: %v", err)
	}
	if _, err := svc.Read(ctx, "../../etc"); codeOf(err) != apperr.NotFound {
		t.Fatalf("malformed id: %v", err)
	}
}

// racingStore runs before once, just ahead of the next Replace: a change another request makes
// between a write's read and its conditional write.
type racingStore struct {
	listing.Store
	before func()
}

func (r *racingStore) Replace(ctx context.Context, l listing.Listing, prev int) error {
	if f := r.before; f != nil {
		r.before = nil
		f()
	}
	return r.Store.Replace(ctx, l, prev)
}

// A withdrawal and a refresh take no If-Match (api/openapi.yaml declares no 412 for them): when
// another tab's edit lands between the read and the write, they read again and write; when a
// withdrawal lands there, the listing is gone.
func TestListingWithdrawalAndRefreshSurviveAConcurrentChange(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	svc, store := newListingService(t, &now)
	racing := &racingStore{Store: store}
	withdrawer := &listing.Service{Store: racing, Now: svc.Now, NewID: listing.NewID}

	l, err := svc.Create(ctx, listing.CreateRequest{Seller: "alice", IdempotencyKey: "key-00000001", Draft: draft(), Verified: verified()})
	if err != nil {
		t.Fatal(err)
	}
	price := 17000
	racing.before = func() {
		if _, err := svc.Update(ctx, l.ID, "alice", l.ETag(), listing.Patch{PriceEur: &price}); err != nil {
			t.Errorf("the concurrent edit: %v", err)
		}
	}
	if err := withdrawer.Withdraw(ctx, l.ID, "alice"); err != nil {
		t.Fatalf("withdraw while another tab edits: %v, want it withdrawn", err)
	}
	got, err := store.Get(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != listing.StatusWithdrawn || got.PriceEur != price || got.Version != 3 {
		t.Fatalf("after the race: status %s, price %d, version %d; want withdrawn, %d (the edit kept), 3", got.Status, got.PriceEur, got.Version, price)
	}
	// The VIN is free again.
	second, err := svc.Create(ctx, listing.CreateRequest{Seller: "alice", IdempotencyKey: "key-00000002", Draft: draft(), Verified: verified()})
	if err != nil {
		t.Fatalf("create after the withdrawal: %v", err)
	}
	raced := false
	racing.before = func() {
		raced = true
		if err := svc.Withdraw(ctx, second.ID, "alice"); err != nil {
			t.Errorf("the concurrent withdrawal: %v", err)
		}
	}
	if err := withdrawer.Withdraw(ctx, second.ID, "alice"); codeOf(err) != apperr.Gone || !raced {
		t.Fatalf("withdraw while another tab withdraws (raced %v): %v, want GONE", raced, err)
	}

	// A refresh while the seller edits the price: the new snapshot and the new price both stay.
	third, err := svc.Create(ctx, listing.CreateRequest{Seller: "bob", IdempotencyKey: "key-00000003", Draft: draft(), Verified: verified()})
	if err != nil {
		t.Fatal(err)
	}
	price = 15500
	racing.before = func() {
		if _, err := svc.Update(ctx, third.ID, "bob", third.ETag(), listing.Patch{PriceEur: &price}); err != nil {
			t.Errorf("the concurrent edit: %v", err)
		}
	}
	fresh := verified()
	fresh.SnapshotAt = now.Add(time.Hour)
	refreshed, err := withdrawer.Refresh(ctx, third.ID, "bob", fresh)
	if err != nil {
		t.Fatalf("refresh while another tab edits: %v, want it refreshed", err)
	}
	if !refreshed.Verified.SnapshotAt.Equal(fresh.SnapshotAt) || refreshed.PriceEur != price || refreshed.Version != 3 {
		t.Fatalf("after the race: snapshot %s, price %d, version %d; want %s, %d, 3", refreshed.Verified.SnapshotAt, refreshed.PriceEur, refreshed.Version, fresh.SnapshotAt, price)
	}
}

package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

func TestGrantsAreExactAndExpire(t *testing.T) {
	ctx := context.Background()
	g := dynamo.NewGrants(env.Client, env.NewTable(t))
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	long := dynamo.Grant{VIN: vin, Subject: "u1", GrantedAt: t0, ExpiresAt: t0.Add(24 * time.Hour), Method: "owner-code"}
	if err := g.Put(ctx, long); err != nil {
		t.Fatal(err)
	}
	// A late retry of an older, shorter verification does not shorten the grant.
	if err := g.Put(ctx, dynamo.Grant{VIN: vin, Subject: "u1", GrantedAt: t0, ExpiresAt: t0.Add(time.Hour), Method: "owner-code"}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := g.Get(ctx, vin, "u1", t0.Add(2*time.Hour))
	if err != nil || !ok || !got.ExpiresAt.Equal(long.ExpiresAt) || got.Method != "owner-code" {
		t.Fatalf("Get = %+v, %v, %v", got, ok, err)
	}
	if _, ok, _ := g.Get(ctx, vin, "u1", long.ExpiresAt); ok {
		t.Error("grant valid at its expiry")
	}
	if _, ok, _ := g.Get(ctx, vin, "u2", t0); ok {
		t.Error("another subject sees u1's grant")
	}
	if _, ok, _ := g.Get(ctx, vehicle.VIN("WVWZZZCD3MW100001"), "u1", t0); ok {
		t.Error("a grant for one car grants another")
	}
}

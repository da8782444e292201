package ownershipadapters_test

import (
	"context"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/ownership"
)

// BenchmarkProveOwnership is one full proof on dynalite: start (2 lockout reads, 1 put), verify
// (2 lockout reads, the conditional increment, mark used, the grant).
func BenchmarkProveOwnership(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		vin, sub := f.ownedVIN(b, ""), newSubject()
		b.StartTimer()
		ch, err := f.svc.StartChallenge(ctx, sub, vin, ownership.MethodOwnerCode)
		if err != nil {
			b.Fatal(err)
		}
		code, _ := f.outbox.Latest(vin)
		if _, err := f.svc.Verify(ctx, sub, vin, ch.ID, code); err != nil {
			b.Fatal(err)
		}
	}
}

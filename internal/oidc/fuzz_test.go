package oidc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/oidc"
)

// FuzzAuthenticate: whatever arrives in the Authorization header, the verifier neither panics nor
// returns anything but a caller or ErrUnauthenticated, and never grants a role to a rejected
// request. `go test` runs the seeds; `go test -fuzz FuzzAuthenticate` explores.
func FuzzAuthenticate(f *testing.F) {
	fx := newFixture(f)
	good := fx.token(f, "alice")
	for _, seed := range []string{
		"", "Bearer ", "Bearer " + good, "bearer " + good + "x", "Basic x", "Bearer a.b.c",
		"Bearer eyJhbGciOiJub25lIn0.e30.", "Bearer " + good[:len(good)/2], "Bearer ....",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		c, err := fx.v.Authenticate(context.Background(), header)
		if err != nil {
			if !errors.Is(err, oidc.ErrUnauthenticated) {
				t.Fatalf("error outside ErrUnauthenticated: %v", err)
			}
			if c != (oidc.Caller{}) {
				t.Fatalf("rejected header yields caller %+v", c)
			}
			return
		}
		if !c.Role.Valid() {
			t.Fatalf("accepted caller with invalid role %q", c.Role)
		}
	})
}

// BenchmarkVerify measures the warm path: keys cached, one RS256 verification per call.
func BenchmarkVerify(b *testing.B) {
	fx := newFixture(b)
	tok := fx.token(b, "alice")
	if _, err := fx.v.Verify(context.Background(), tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fx.v.Verify(context.Background(), tok); err != nil {
			b.Fatal(err)
		}
	}
}

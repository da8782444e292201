package oidc_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/acme-oem/vehicle-data/internal/local/devoidc"
	"github.com/acme-oem/vehicle-data/internal/oidc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clock is a test clock shared by the issuer and the verifier, so tests move time instead of
// sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	iss   *devoidc.Issuer
	srv   *httptest.Server
	clock *clock
	v     *oidc.Verifier
	cfg   oidc.Config
}

const (
	refreshEvery = 30 * time.Second
	keyMaxAge    = 15 * time.Minute
	leeway       = 30 * time.Second
)

// newFixture starts a development issuer on loopback and a verifier that discovers it.
func newFixture(t testing.TB, mutate ...func(*oidc.Config)) *fixture {
	t.Helper()
	clk := newClock()
	iss, srv, err := devoidc.NewServer(devoidc.Options{Now: clk.Now})
	if err != nil {
		t.Fatalf("start issuer: %v", err)
	}
	t.Cleanup(srv.Close)
	cfg := oidc.Config{
		Issuer:             iss.URL(),
		Audience:           iss.Audience(),
		Leeway:             leeway,
		MinRefreshInterval: refreshEvery,
		MaxKeyAge:          keyMaxAge,
		HTTPClient:         srv.Client(),
		Now:                clk.Now,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	v, err := oidc.NewVerifier(context.Background(), cfg)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return &fixture{iss: iss, srv: srv, clock: clk, v: v, cfg: cfg}
}

// claims are valid access token claims for alice at the fixture's current time.
func (f *fixture) claims() map[string]any {
	now := f.clock.Now()
	return map[string]any{
		"iss":       f.iss.URL(),
		"sub":       devoidc.Users()[0].Subject,
		"aud":       f.iss.Audience(),
		"iat":       now.Unix(),
		"nbf":       now.Unix(),
		"exp":       now.Add(time.Hour).Unix(),
		"roles":     []string{"consumer"},
		"token_use": "access",
	}
}

func (f *fixture) sign(t testing.TB, claims map[string]any) string {
	t.Helper()
	tok, err := f.iss.Sign(claims)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return tok
}

func (f *fixture) token(t testing.TB, user string) string {
	t.Helper()
	tok, err := f.iss.AccessToken(user)
	if err != nil {
		t.Fatalf("access token: %v", err)
	}
	return tok
}

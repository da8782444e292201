// Package clienttest is what the legacy clients' tests share: a transport pointed at a loopback
// server, and one assertion for the error contract of internal/vehicle/ports.go.
package clienttest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// Now is the fixed clock of the client tests: dates after it are "in the future".
func Now() time.Time { return time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC) }

// Transport returns a transport for baseURL with tiny retry waits, so retry paths cost
// milliseconds, and a body cap of maxBody bytes (0: the default). It is closed with the test.
func Transport(t testing.TB, system, baseURL string, maxBody int64) *transport.Client {
	t.Helper()
	tc, err := transport.New(transport.Config{
		System:         system,
		BaseURL:        baseURL,
		AttemptTimeout: 5 * time.Second,
		RetryWaitMin:   time.Millisecond,
		RetryWaitMax:   2 * time.Millisecond,
		MaxBodyBytes:   maxBody,
		// Error cases must not open the breaker for the cases after them.
		Breaker: transport.BreakerConfig{ConsecutiveFailures: 1000},
	})
	if err != nil {
		t.Fatalf("transport.New: %v", err)
	}
	t.Cleanup(tc.Close)
	return tc
}

// CheckErr asserts the ports error contract: apperr code, transport kind in the chain, and no
// secret (VIN, name, plate) in the error text.
func CheckErr(t testing.TB, err error, code apperr.Code, kind error, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error, got nil", code)
	}
	if got := apperr.CodeOf(err); got != code {
		t.Errorf("apperr.CodeOf = %s, want %s (err: %v)", got, code, err)
	}
	if kind != nil && !errors.Is(err, kind) {
		t.Errorf("errors.Is(err, %v) = false (err: %v)", kind, err)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error text leaks personal data: %v", err)
		}
	}
}

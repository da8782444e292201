package ownership

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

var pepper = bytes.Repeat([]byte("p"), 32)

func newCoder(t *testing.T) Coder {
	t.Helper()
	c, err := NewCoder(pepper, 6)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewCoderRejectsWeakSettings(t *testing.T) {
	if _, err := NewCoder(pepper[:31], 6); err == nil {
		t.Error("accepted a 31-byte pepper")
	}
	if _, err := NewCoder(pepper, 5); err == nil {
		t.Error("accepted 5-digit codes")
	}
}

func TestCodesAreNumericFixedLengthAndVaried(t *testing.T) {
	c := newCoder(t)
	seen := map[string]bool{}
	firstDigits := map[byte]bool{}
	for i := 0; i < 2000; i++ {
		code, err := c.NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("code %q is not 6 digits", code)
		}
		seen[code] = true
		firstDigits[code[0]] = true
	}
	// 2000 draws from 10^6: collisions are expected to be ~2; far more means a broken source.
	if len(seen) < 1980 {
		t.Fatalf("only %d distinct codes in 2000 draws", len(seen))
	}
	if len(firstDigits) != 10 {
		t.Fatalf("leading digits seen: %d of 10 (zero-padding broken?)", len(firstDigits))
	}
}

func TestMACBindsCodeToChallengeAndPepper(t *testing.T) {
	c := newCoder(t)
	other, _ := NewCoder(bytes.Repeat([]byte("q"), 32), 6)
	ch := Challenge{ID: "a", CodeMAC: c.MAC("a", "123456")}
	if !c.Matches(ch, "123456") {
		t.Fatal("right code rejected")
	}
	if c.Matches(ch, "123457") || c.Matches(ch, "") {
		t.Fatal("wrong code accepted")
	}
	if c.MAC("b", "123456") == ch.CodeMAC {
		t.Fatal("MAC does not depend on the challenge id")
	}
	if other.Matches(ch, "123456") {
		t.Fatal("MAC does not depend on the pepper")
	}
	if strings.Contains(ch.CodeMAC, "123456") {
		t.Fatal("MAC contains the code")
	}
	filler, err := UnmatchableMAC()
	if err != nil || len(filler) != len(ch.CodeMAC) {
		t.Fatalf("filler %q has another shape than a MAC", filler)
	}
}

func TestValidateCodeNamesFieldAndRule(t *testing.T) {
	for code, rule := range map[string]string{"12345": "length", "1234567890123": "length", "12345a": "alphabet", "12 456": "alphabet"} {
		var e *apperr.Error
		if err := ValidateCode(code); !errors.As(err, &e) || e.Field != "code" || e.Rule != rule {
			t.Errorf("ValidateCode(%q) = %v, want rule %s", code, err, rule)
		}
	}
	for _, ok := range []string{"123456", "AB12CD34", "000000000000"} {
		if err := ValidateCode(ok); err != nil {
			t.Errorf("ValidateCode(%q) = %v", ok, err)
		}
	}
	if _, err := ParseMethod("sms"); apperr.As(err).Field != "method" {
		t.Errorf("ParseMethod(sms) = %v", err)
	}
}

func TestCheckChallenge(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	base := Challenge{ID: "x", Subject: "alice", ExpiresAt: now.Add(time.Minute), MaxAttempts: 5}
	cases := []struct {
		name string
		mod  func(*Challenge)
		sub  string
		want apperr.Code
	}{
		{"ok", func(*Challenge) {}, "alice", ""},
		{"other user", func(*Challenge) {}, "bob", apperr.NotFound},
		{"used", func(c *Challenge) { c.Used = true }, "alice", apperr.Conflict},
		{"expired at the instant", func(c *Challenge) { c.ExpiresAt = now }, "alice", apperr.Conflict},
		{"attempts exhausted", func(c *Challenge) { c.Attempts = 5 }, "alice", apperr.TooManyRequests},
		{"last attempt", func(c *Challenge) { c.Attempts = 4 }, "alice", ""},
	}
	for _, c := range cases {
		ch := base
		c.mod(&ch)
		err := CheckChallenge(ch, c.sub, now)
		if c.want == "" && err != nil || c.want != "" && apperr.CodeOf(err) != c.want {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestLockoutGrowsWithFailuresAndIsCapped(t *testing.T) {
	p := DefaultPolicy()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var l Lockout
	for i := 1; i < p.LockoutThreshold; i++ {
		l = p.RecordFailure(l, now)
		if err := CheckLockout(l, now); err != nil {
			t.Fatalf("locked out after %d failures", i)
		}
	}
	l = p.RecordFailure(l, now)
	if got := l.LockedUntil.Sub(now); got != p.LockoutBase {
		t.Fatalf("first lockout %v, want %v", got, p.LockoutBase)
	}
	if apperr.CodeOf(CheckLockout(l, now)) != apperr.TooManyRequests {
		t.Fatal("not locked out at the threshold")
	}
	l = p.RecordFailure(l, now)
	if got := l.LockedUntil.Sub(now); got != 2*p.LockoutBase {
		t.Fatalf("second lockout %v, want doubled", got)
	}
	for i := 0; i < 40; i++ {
		l = p.RecordFailure(l, now)
	}
	if got := l.LockedUntil.Sub(now); got != p.LockoutMax {
		t.Fatalf("lockout %v exceeds the cap %v", got, p.LockoutMax)
	}
	// After the window, failures are forgotten.
	later := now.Add(p.FailureWindow + time.Hour)
	l = p.RecordFailure(l, later)
	if l.Failures != 1 || CheckLockout(l, later) != nil {
		t.Fatalf("old failures not forgotten: %+v", l)
	}
}

func TestAccessNeedsMatchingUnexpiredGrant(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	vin := vehicle.VIN("WVWZZZCD3MW100001")
	g := &Grant{VIN: vin, Subject: "alice", ExpiresAt: now.Add(time.Hour)}
	if Access(g, "alice", vin, now) != vehicle.AccessOwner {
		t.Fatal("owner denied")
	}
	for name, a := range map[string]vehicle.Access{
		"nil grant":  Access(nil, "alice", vin, now),
		"other user": Access(g, "bob", vin, now),
		"other car":  Access(g, "alice", "WAUZZZFV8GA200002", now),
		"expired":    Access(g, "alice", vin, now.Add(time.Hour)),
	} {
		if a != vehicle.AccessPublic {
			t.Errorf("%s: access %s", name, a)
		}
	}
}

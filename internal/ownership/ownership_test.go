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

func TestLimitWindowsDoubleWhileUsedUpAndAreCapped(t *testing.T) {
	l := DefaultPolicy().PairGuesses
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	w := l.Next(Window{}, now)
	if w.Count != 1 || w.Length != l.Base || !w.Ends.Equal(now.Add(l.Base)) {
		t.Fatalf("first window %+v", w)
	}
	w.Count = l.N
	if !l.Full(w, now) || l.Full(w, w.Ends) {
		t.Fatal("a used-up window must refuse until it ends, and no longer")
	}
	// Used up: each next window is twice as long, up to Max.
	for want := 2 * l.Base; ; want = min(2*want, l.Max) {
		now = w.Ends
		w = l.Next(w, now)
		if w.Length != want {
			t.Fatalf("window after a used-up one lasts %v, want %v", w.Length, want)
		}
		if want == l.Max {
			break
		}
		w.Count = l.N
	}
	// Not used up, or quiet for Max: back to Base.
	w.Count = l.N - 1
	if got := l.Next(w, w.Ends).Length; got != l.Base {
		t.Fatalf("after a window with room: %v, want %v", got, l.Base)
	}
	w.Count = l.N
	if got := l.Next(w, w.Ends.Add(l.Max)).Length; got != l.Base {
		t.Fatalf("after a quiet day: %v, want %v", got, l.Base)
	}
	// A fixed window stays fixed.
	fixed := DefaultPolicy().VINSends
	if got := fixed.Next(Window{Count: fixed.N, Ends: now, Length: fixed.Base}, now).Length; got != fixed.Base {
		t.Fatalf("fixed window grew to %v", got)
	}
}

func TestRetryAfterRoundsUpToWholeSeconds(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]int{
		15 * time.Minute: 900, 1500 * time.Millisecond: 2, time.Millisecond: 1, 0: 1, -time.Second: 1,
	} {
		if got := RetryAfter(Window{Ends: now.Add(d)}, now); got != want {
			t.Errorf("RetryAfter(%v) = %d, want %d", d, got, want)
		}
	}
}

func TestNormalizeCodeIgnoresCaseAndSpacesOnly(t *testing.T) {
	for in, want := range map[string]string{
		"zb1x9k2m": "ZB1X9K2M", " ZB1X 9K2M ": "ZB1X9K2M", "zb1x\t9k2m": "ZB1X9K2M", "123 456": "123456",
		"\u017f23456": "\u017f23456", // a long s is no S: it stays foreign, and ValidateCode refuses it
	} {
		got := NormalizeCode(in)
		if got != want {
			t.Errorf("NormalizeCode(%q) = %q, want %q", in, got, want)
		}
	}
	if err := ValidateCode(NormalizeCode("\u017f23456")); apperr.As(err).Rule != "alphabet" {
		t.Errorf("a long s passed as a letter: %v", err)
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

package vehicle

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/acme-oem/vehicle-data/internal/apperr"
)

func TestParseVINAccepts(t *testing.T) {
	cases := []struct {
		in        string
		want      VIN
		year      int
		make      string
		knownMake bool
	}{
		// The textbook example of 49 CFR 565 (check digit X).
		{"1M8GDM9AXKP042788", "1M8GDM9AXKP042788", 1989, "", false},
		{"1m8gdm9axkp042788", "1M8GDM9AXKP042788", 1989, "", false},
		{"11111111111111111", "11111111111111111", 2001, "", false},
		// Our own makes: position 7 a letter selects the 2010-2039 cycle.
		{"WVWZZZAUZLW000013", "", 0, "", true},
	}
	for _, c := range cases {
		in := c.in
		if c.want == "" {
			in = withCheckDigit(c.in)
		}
		v, err := ParseVIN(in)
		if err != nil {
			t.Fatalf("ParseVIN(%q): %v", in, err)
		}
		if c.want != "" && v != c.want {
			t.Errorf("ParseVIN(%q) = %q, want %q", in, v, c.want)
		}
		if c.year != 0 && v.ModelYear() != c.year {
			t.Errorf("%q model year = %d, want %d", in, v.ModelYear(), c.year)
		}
		if m, ok := v.Manufacturer(); ok != c.knownMake {
			t.Errorf("%q manufacturer known = %v (%v)", in, ok, m)
		}
	}
}

func TestModelYearUsesPosition7(t *testing.T) {
	// Same position-10 code L: 1990 with a digit at 7, 2020 with a letter at 7.
	digit := VIN(withCheckDigit("WVWZZZ1KZLW000001"))
	letter := VIN(withCheckDigit("WVWZZZAUZLW000001"))
	if digit.ModelYear() != 1990 || letter.ModelYear() != 2020 {
		t.Fatalf("model years %d, %d; want 1990, 2020", digit.ModelYear(), letter.ModelYear())
	}
	m, _ := letter.Manufacturer()
	if m.Make != "Volkswagen" || m.Country != "DE" {
		t.Fatalf("manufacturer = %+v", m)
	}
}

func TestParseVINRejectsNamingTheRule(t *testing.T) {
	good := withCheckDigit("WVWZZZAUZLW000013")
	wrongCheck := good[:8] + string(otherDigit(good[8])) + good[9:]
	cases := map[string]string{
		"":                   RuleVINLength,
		"WVWZZZAUZLW00001":   RuleVINLength,
		"WVWZZZAUZLW0000133": RuleVINLength,
		"WVWZZZAUZLW00001I":  RuleVINAlphabet,
		"WVWZZZAUZLW00001O":  RuleVINAlphabet,
		"QVWZZZAUZLW000013":  RuleVINAlphabet,
		"WVWZZZAUZLW0000-3":  RuleVINAlphabet,
		wrongCheck:           RuleVINCheckDigit,
		"1M8GDM9A1KP042788":  RuleVINCheckDigit, // NA region: check digit mandatory
		// Position 10 may not be U, Z or 0; the check digit of these is valid, so only the year rule fires.
		withCheckDigit("WVWZZZAUZUW000013"): RuleVINModelYear,
		withCheckDigit("WVWZZZAUZ0W000013"): RuleVINModelYear,
	}
	for in, rule := range cases {
		_, err := ParseVIN(in)
		var e *apperr.Error
		if !errors.As(err, &e) {
			t.Fatalf("ParseVIN(%q) err = %v, want *apperr.Error", in, err)
		}
		if e.Code != apperr.Invalid || e.Field != "vin" || e.Rule != rule {
			t.Errorf("ParseVIN(%q) = %+v, want rule %s on field vin", in, e, rule)
		}
		if in != "" && len(in) > 3 && containsString(e.Message, in) {
			t.Errorf("error message echoes the input: %q", e.Message)
		}
	}
}

func TestForeignVINWithoutCheckDigitIsValid(t *testing.T) {
	// A European VIN of another manufacturer: 49 CFR 565 does not apply, so any position 9 is fine.
	if _, err := ParseVIN("VF1AB000X12345678"); err != nil {
		t.Fatalf("ParseVIN: %v", err)
	}
}

// FuzzParseVIN runs its seeds on every go test; `go test -fuzz FuzzParseVIN ./internal/vehicle`
// explores further. The seeds hold the inputs that once broke it: characters whose upper case has
// a different byte length (the long s "ſ" upper-cases to "S", the Kelvin sign lower-cases to "k").
func FuzzParseVIN(f *testing.F) {
	for _, s := range []string{
		"1M8GDM9AXKP042788", "", "WVWZZZAUZLW000013", "\xff\xfe",
		"WAUZTSHB2NY8891\u017f", // 17 bytes, 16 characters; upper-cased 16 bytes
		"WAUZTSHB2NY88910\u017f", "\u017f\u017f\u017f\u017f\u017f\u017f\u017f\u017f\u017f",
		"WVWZZZAUZLW00001\u212a", "WVWZZZAUZLW00001\u0131", "wvwzzzauzlw00001\u00e9",
		"WVWZZZCD3MW10000\x00", "1m8gdm9axkp042788",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVIN(s)
		if err != nil {
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != apperr.Invalid || e.Field != "vin" || e.Rule == "" {
				t.Fatalf("ParseVIN(%q) err = %#v, want an Invalid error naming field and rule", s, err)
			}
			if len(s) > 3 && containsString(e.Message, s) {
				t.Fatalf("error message echoes the input: %q", e.Message)
			}
			return
		}
		if len(v) != 17 || utf8.RuneCountInString(s) != 17 {
			t.Fatalf("accepted %q as %q", s, v)
		}
		for i := 0; i < 17; i++ {
			if charValue(v[i]) < 0 || !strings.EqualFold(string(v[i]), string(s[i])) {
				t.Fatalf("accepted %q as %q: character %d", s, v, i+1)
			}
		}
		if again, err := ParseVIN(string(v)); err != nil || again != v {
			t.Fatalf("not idempotent: %q -> %q, %v", v, again, err)
		}
		_ = v.ModelYear()
		_ = v.CheckDigit()
	})
}

func TestParseVINCountsCharactersNotBytes(t *testing.T) {
	cases := map[string]string{
		"WAUZTSHB2NY8891\u017f":  RuleVINLength,   // 16 characters in 17 bytes
		"WVWZZZAUZLW00001\u00e9": RuleVINAlphabet, // 17 characters, the last not allowed
		"WVWZZZAUZLW00001\u212a": RuleVINAlphabet, // Kelvin sign: not the letter K
	}
	for in, rule := range cases {
		_, err := ParseVIN(in)
		var e *apperr.Error
		if !errors.As(err, &e) || e.Rule != rule {
			t.Errorf("ParseVIN(%q) = %v, want rule %s", in, err, rule)
		}
	}
}

func withCheckDigit(s string) string {
	b := []byte(s)
	b[8] = CheckDigitOf(s)
	return string(b)
}

func otherDigit(c byte) byte {
	if c == '1' {
		return '2'
	}
	return '1'
}

func containsString(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

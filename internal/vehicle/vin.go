package vehicle

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/acme-oem/vehicle-data/internal/apperr"
)

// VIN is a validated 17-character Vehicle Identification Number (ISO 3779, 49 CFR 565).
// Once linked to an owner it is personal data: log Pseudonym(vin), never the VIN itself.
type VIN string

// Manufacturer is what a World Manufacturer Identifier (positions 1-3) says about a car.
type Manufacturer struct {
	WMI     string `json:"wmi"`
	Make    string `json:"make"`
	Country string `json:"country"` // ISO 3166 alpha-2 of the assembly region the WMI is assigned to
}

// manufacturers lists the WMIs of the OEM's makes: the cars its systems know. A syntactically
// valid VIN from another manufacturer is not ours, so it is "not found", not "invalid".
var manufacturers = map[string]Manufacturer{
	"WVW": {"WVW", "Volkswagen", "DE"},
	"WV2": {"WV2", "Volkswagen Commercial Vehicles", "DE"},
	"WAU": {"WAU", "Audi", "DE"},
	"WP0": {"WP0", "Porsche", "DE"},
	"TMB": {"TMB", "Skoda", "CZ"},
	"VSS": {"VSS", "SEAT", "ES"},
	"1VW": {"1VW", "Volkswagen", "US"},
	"3VW": {"3VW", "Volkswagen", "MX"},
}

// Manufacturers returns the WMI table, for the simulators and tests.
func Manufacturers() []Manufacturer {
	out := make([]Manufacturer, 0, len(manufacturers))
	for _, wmi := range []string{"WVW", "WV2", "WAU", "WP0", "TMB", "VSS", "1VW", "3VW"} {
		out = append(out, manufacturers[wmi])
	}
	return out
}

// The rules a VIN can break; each rejection names one, so a client can tell the user exactly what
// is wrong.
const (
	RuleVINLength     = "length"
	RuleVINAlphabet   = "alphabet"
	RuleVINCheckDigit = "check-digit"
	RuleVINModelYear  = "model-year"
)

// weights are the positional weights of 49 CFR 565.15; position 9 is the check digit itself.
var weights = [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}

// charValue is the transliteration of 49 CFR 565.15, or -1 for a character a VIN may not hold
// (I, O and Q are excluded because they read like 1 and 0).
func charValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'H':
		return int(c-'A') + 1
	case c >= 'J' && c <= 'N':
		return int(c-'J') + 1
	case c == 'P':
		return 7
	case c == 'R':
		return 9
	case c >= 'S' && c <= 'Z':
		return int(c-'S') + 2
	default:
		return -1
	}
}

// ParseVIN validates s and returns it as a VIN. Lower case is accepted and upper-cased, because
// people type VINs; nothing else is repaired. The error is an apperr.Invalid naming field "vin"
// and the rule broken, and never echoes the input.
func ParseVIN(s string) (VIN, error) {
	return parseVIN("vin", s)
}

// ParseVINField is ParseVIN for a VIN that arrives under another field name.
func ParseVINField(field, s string) (VIN, error) { return parseVIN(field, s) }

func parseVIN(field, s string) (VIN, error) {
	// Characters, not bytes: "é" is one character in two bytes. The rules are checked on the
	// input as typed, and only ASCII letters are upper-cased, because Unicode case mapping changes
	// byte lengths ("ſ" upper-cases to "S") and maps look-alikes onto VIN letters (the Kelvin
	// sign lower-cases to "k").
	if utf8.RuneCountInString(s) != 17 {
		return "", apperr.InvalidField(field, RuleVINLength, "a VIN has exactly 17 characters")
	}
	if len(s) != 17 {
		for i, r := range []rune(s) {
			if r >= utf8.RuneSelf || r == utf8.RuneError {
				return "", alphabetError(field, i+1)
			}
		}
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
			b[i] = c
		}
		if charValue(c) < 0 {
			return "", alphabetError(field, i+1)
		}
	}
	u := string(b)
	v := VIN(u)
	if v.checkDigitApplies() && v.CheckDigit() != u[8] {
		return "", apperr.InvalidField(field, RuleVINCheckDigit, "the check digit (character 9) does not match the other characters")
	}
	if _, ok := modelYearCode(u[9]); !ok {
		return "", apperr.InvalidField(field, RuleVINModelYear, "character 10 is not a model-year code (0, U and Z are never used)")
	}
	return v, nil
}

func alphabetError(field string, position int) error {
	return apperr.InvalidField(field, RuleVINAlphabet,
		fmt.Sprintf("character %d is not allowed: a VIN uses digits and the letters A-Z except I, O and Q", position))
}

// checkDigitApplies: 49 CFR 565 mandates the check digit for vehicles built for North America
// (WMI region 1-5); the OEM also computes it for all of its own makes, so a typo in one of our
// VINs is caught wherever the car was built.
func (v VIN) checkDigitApplies() bool {
	if v[0] >= '1' && v[0] <= '5' {
		return true
	}
	_, ours := manufacturers[string(v[:3])]
	return ours
}

// CheckDigit computes the check digit (position 9) from the other sixteen characters.
func (v VIN) CheckDigit() byte { return CheckDigitOf(string(v)) }

// CheckDigitOf computes the check digit of a 17-character string of allowed characters; the
// simulators use it to mint valid VINs.
func CheckDigitOf(s string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += charValue(s[i]) * weights[i]
	}
	r := sum % 11
	if r == 10 {
		return 'X'
	}
	return byte('0' + r)
}

// WMI is the World Manufacturer Identifier, positions 1-3.
func (v VIN) WMI() string { return string(v[:3]) }

// Manufacturer returns the OEM make this VIN belongs to, if any.
func (v VIN) Manufacturer() (Manufacturer, bool) {
	m, ok := manufacturers[v.WMI()]
	return m, ok
}

// RequireOurs fails with apperr.NotFound when the VIN belongs to another manufacturer: no system
// of the OEM knows it, so asking them would only spend their time (seconds) to learn what the WMI
// already says. Steps that look a VIN up call it before any read or legacy call.
func (v VIN) RequireOurs() error {
	if _, ok := v.Manufacturer(); !ok {
		return apperr.New(apperr.NotFound, "no vehicle with this VIN: its manufacturer code (characters 1-3) is not one of the OEM's makes")
	}
	return nil
}

// ModelYear decodes position 10, disambiguated by position 7 as 49 CFR 565.15 does for cars:
// a digit in position 7 means the 1980-2009 cycle, a letter the 2010-2039 cycle.
func (v VIN) ModelYear() int {
	y, _ := modelYearCode(v[9])
	if v[6] >= 'A' && v[6] <= 'Z' {
		y += 30
	}
	return y
}

// modelYearCode maps the position-10 code to a year in the 1980-2009 cycle.
func modelYearCode(c byte) (int, bool) {
	const codes = "ABCDEFGHJKLMNPRSTVWXY123456789"
	i := strings.IndexByte(codes, c)
	if i < 0 {
		return 0, false
	}
	return 1980 + i, true
}

// String returns the VIN itself. Use it only where the VIN must travel (a legacy call, a cache
// key); logs and metrics use Pseudonym.
func (v VIN) String() string { return string(v) }

package pii_test

import (
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/pii"
)

func TestCheck(t *testing.T) {
	for s, want := range map[string]string{
		// canaries
		"WVWZZZCD3MW100001":                    pii.RuleVIN,
		"wvwzzzcd3mw100001":                    pii.RuleVIN,
		"/vehicles/WVWZZZCD3MW100001/offers":   pii.RuleVIN,
		"GET /vehicles/WVWZZZCD3MW100001":      pii.RuleVIN,
		"M-AB 1234":                            pii.RulePlate,
		"B-XY123":                              pii.RulePlate,
		"plate M AB 1234E":                     pii.RulePlate,
		"Erika Mustermann":                     pii.RuleFreeText,
		"Musterstraße 12, 10115 Berlin":        pii.RuleFreeText,
		"erika@example.org":                    pii.RuleEmail,
		"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0": pii.RuleToken,
		"Bearer abc":                           pii.RuleToken,
		"493817":                               pii.RuleCode,
		strings.Repeat("a", pii.MaxLen+1):      pii.RuleTooLong,
		// allowed: identifiers, templates, pseudonyms
		"GET /vehicles/{vin}": "",
		"POST /vehicles/{vin}/ownership-challenges/{challengeId}/verify": "",
		"workshop":                               "",
		"vehicle-report":                         "",
		"GetItem":                                "",
		"v_3fa94c0e1b2d7a6f9c0e1b2d7a6f9c0e1b2d": "",
		"1-5759e988-bd862e3fe1be46a994272793":    "",
		"breaker_open":                           "",
		"WVWZZZCD3MW10000":                       "", // 16 characters
		"WVWZZZCDIMW100001":                      "", // I is not a VIN letter
		"ABCDEFGHJKLMNPRST":                      "", // no digit
		"12345678901234567":                      "", // no letter
		"200":                                    "",
	} {
		if got := pii.Check(s); got != want {
			t.Errorf("Check(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestIsRouteTemplate(t *testing.T) {
	for s, want := range map[string]bool{
		"GET /vehicles/{vin}":   true,
		"GET /healthz":          true,
		"GET /listings/a1b2c3":  false,
		"GET /vehicles/{vin} x": false,
		"FETCH /vehicles":       false,
	} {
		if got := pii.IsRouteTemplate(s); got != want {
			t.Errorf("IsRouteTemplate(%q) = %v", s, got)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	vals := []string{"workshop", "GET /vehicles/{vin}", "v_3fa94c0e1b2d7a6f9c0e1b2d7a6f9c0e1b2d", "breaker_open"}
	b.ReportAllocs()
	for b.Loop() {
		for _, v := range vals {
			if pii.Check(v) != "" {
				b.Fatal(v)
			}
		}
	}
}

package stack

import (
	"fmt"
	"strings"

	"github.com/acme-oem/vehicle-data/internal/local/devoutbox"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
)

// Banner is what `make run` prints: where everything is and how to drive it from a shell.
func (s *Stack) Banner() string {
	var b strings.Builder
	vin := sim.Demos()[0].VIN
	fmt.Fprintf(&b, "\nOpen %s/ in a browser: the web site (demo users alice, bob, dealer-dan)\n\nVehicle data, local stack\n\n", s.URL)
	fmt.Fprintf(&b, "  API        %s   (contract: api/openapi.yaml)\n", s.APIURL)
	fmt.Fprintf(&b, "  health     %s/healthz\n", s.URL)
	fmt.Fprintf(&b, "  OIDC       %s   (demo users: alice, bob = consumers; dealer-dan = dealer)\n", s.IssuerURL)
	fmt.Fprintf(&b, "  traces     %s/dev/traces/   (a response's X-Amzn-Trace-Id: %s/dev/traces/<Root>)\n", s.URL, s.URL)
	fmt.Fprintf(&b, "  metrics    %s/dev/metrics   (the metric catalogue's series, JSON)\n", s.URL)
	fmt.Fprintf(&b, "\nA report, anonymous (public view):\n  curl -s %s/vehicles/%s | jq\n", s.APIURL, vin)
	fmt.Fprintf(&b, "\nA dev token, then a report as alice:\n")
	fmt.Fprintf(&b, "  TOKEN=$(curl -s -d grant_type=password -d username=alice %s/token | jq -r .access_token)\n", s.IssuerURL)
	fmt.Fprintf(&b, "  curl -s -H \"Authorization: Bearer $TOKEN\" %s/vehicles/%s | jq\n", s.APIURL, vin)
	fmt.Fprintf(&b, "\nProve ownership as alice (the code the registry 'sends' lands in the development outbox):\n")
	fmt.Fprintf(&b, "  ID=$(curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -d '{\"method\":\"owner-code\"}' %s/vehicles/%s/ownership-challenges | jq -r .challengeId)\n", s.APIURL, vin)
	fmt.Fprintf(&b, "  CODE=$(curl -s '%s%s?vin=%s' | jq -r '.codes[0].code')\n", s.URL, devoutbox.Path, vin)
	fmt.Fprintf(&b, "  curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -d \"{\\\"code\\\":\\\"$CODE\\\"}\" %s/vehicles/%s/ownership-challenges/$ID/verify | jq\n", s.APIURL, vin)
	fmt.Fprintf(&b, "\nOr with the code on the registration document (the development outbox shows it; case and spaces do not matter):\n")
	fmt.Fprintf(&b, "  DOC=$(curl -s '%s%s?vin=%s' | jq -r .documentCode)\n", s.URL, devoutbox.Path, vin)
	fmt.Fprintf(&b, "  ID=$(curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -d '{\"method\":\"document-code\"}' %s/vehicles/%s/ownership-challenges | jq -r .challengeId)\n", s.APIURL, vin)
	fmt.Fprintf(&b, "  curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -d \"{\\\"code\\\":\\\"$DOC\\\"}\" %s/vehicles/%s/ownership-challenges/$ID/verify | jq\n", s.APIURL, vin)
	if len(s.demoListingIDs) > 0 {
		id := s.demoListingIDs[0]
		fmt.Fprintf(&b, "\nA demo listing to share (alice sells the Golf; %d demo listings in all):\n  %s/l/%s\n", len(s.demoListingIDs), s.SiteURL, id)
		fmt.Fprintf(&b, "  curl -s %s/listings/%s | jq\n", s.APIURL, id)
		fmt.Fprintf(&b, "  curl -s -H \"Authorization: Bearer $TOKEN\" %s/me/listings | jq   # alice's listings\n", s.APIURL)
	}
	b.WriteString(s.stepFunctionsBanner(string(vin)))
	b.WriteString(simBanner(s.Sims))
	b.WriteString("\nCtrl-C stops everything; the cache stays in .data/dynalite (make clean removes it).\n\n")
	return b.String()
}

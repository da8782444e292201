package localstack

import (
	"fmt"
	"strings"

	"github.com/acme-oem/vehicle-data/legacyclients/sim"
)

// Banner is what `make run` prints: where everything is and how to drive it from a shell.
func (s *Stack) Banner() string {
	var b strings.Builder
	vin := sim.Demos()[0].VIN
	fmt.Fprintf(&b, "\nVehicle data, local stack\n\n")
	fmt.Fprintf(&b, "  API        %s   (contract: api/openapi.yaml)\n", s.APIURL)
	fmt.Fprintf(&b, "  health     %s/healthz\n", s.URL)
	fmt.Fprintf(&b, "  OIDC       %s   (demo users: alice, bob = consumers; dealer-dan = dealer)\n", s.IssuerURL)
	fmt.Fprintf(&b, "\nA report, anonymous (public view):\n  curl -s %s/vehicles/%s | jq\n", s.APIURL, vin)
	fmt.Fprintf(&b, "\nA dev token, then a report as alice:\n")
	fmt.Fprintf(&b, "  TOKEN=$(curl -s -d grant_type=password -d username=alice %s/token | jq -r .access_token)\n", s.IssuerURL)
	fmt.Fprintf(&b, "  curl -s -H \"Authorization: Bearer $TOKEN\" %s/vehicles/%s | jq\n", s.APIURL, vin)
	b.WriteString(simBanner(s.Sims))
	b.WriteString("\nCtrl-C stops everything; the cache stays in .data/dynalite (make clean removes it).\n\n")
	return b.String()
}

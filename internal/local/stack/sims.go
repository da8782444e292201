package stack

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/internal/local/gateway"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// legacyHealth reports each legacy system as its transport knows it, without calling it: a health
// probe must not load a legacy system, least of all a struggling one. An open breaker is down, a
// half-open one or a last call that found the system unavailable (or its payload unusable) is
// degraded, no call yet is unknown; any other last outcome (a 2xx, a 404, a 400) means it answers.
func legacyHealth(transports []*transport.Client) []gateway.Check {
	checks := make([]gateway.Check, 0, len(transports))
	for _, t := range transports {
		h := t.Health()
		c := gateway.Check{Name: "legacy-" + h.System, Status: "up", Degrades: true,
			Breaker: h.Breaker, LastOutcome: h.LastOutcome, LastReason: h.LastReason}
		if !h.LastAt.IsZero() {
			age := math.Round(time.Since(h.LastAt).Seconds()*10) / 10
			c.AgeSeconds = &age
		}
		switch {
		case h.Breaker == "open":
			c.Status = "down"
		case h.Breaker == "half-open", h.LastOutcome == transport.OutcomeUnavailable, h.LastOutcome == transport.OutcomeBadPayload:
			c.Status = "degraded"
		case h.LastOutcome == transport.OutcomeNone:
			c.Status = "unknown"
		}
		checks = append(checks, c)
	}
	return checks
}

// simBanner lists the demo VINs and the fault knobs of each simulator.
func simBanner(c *sim.Cluster) string {
	var b strings.Builder
	b.WriteString("\nDemo VINs:\n")
	for _, d := range sim.Demos() {
		fmt.Fprintf(&b, "  %s  %-18s %s\n", d.VIN, d.Name, d.Story)
	}
	b.WriteString("\nLegacy simulators (admin API on each; faults apply at once, reset clears faults and counters):\n")
	for _, src := range sim.Systems() {
		fmt.Fprintf(&b, "  %-15s %s\n", src, c.URL(src))
	}
	ws := c.URL(sim.Systems()[1])
	b.WriteString("\nSwitch a legacy fault on and off (workshop shown; any system above works the same):\n")
	fmt.Fprintf(&b, "  curl -X PUT -d '{\"outage\":\"unavailable\"}' %s/__admin/faults   # down (503)\n", ws)
	fmt.Fprintf(&b, "  curl -X PUT -d '{\"errorRate\":0.3}' %s/__admin/faults          # 30%% errors\n", ws)
	fmt.Fprintf(&b, "  curl -X PUT -d '{\"latency\":{\"fixedMs\":5000}}' %s/__admin/faults  # slow\n", ws)
	fmt.Fprintf(&b, "  curl -X PUT -d '{}' %s/__admin/faults                           # healthy again\n", ws)
	fmt.Fprintf(&b, "  curl %s/__admin/stats                                            # request counters\n", ws)
	fmt.Fprintf(&b, "  curl -X POST %s/__admin/reset                                    # clear faults and counters\n", ws)
	return b.String()
}

// documentCodes shows the development outbox the codes on the simulated registration documents,
// so that a demo owner can prove ownership by document-code, as a real owner would with the
// paper in hand. Local only, like the outbox; nothing logs them.
func documentCodes(sims *sim.Cluster) func(vehicle.VIN) (string, bool) {
	return func(v vehicle.VIN) (string, bool) {
		car, ok := sims.World().Vehicle(v)
		if !ok || car.DocumentCode() == "" {
			return "", false
		}
		return car.DocumentCode(), true
	}
}

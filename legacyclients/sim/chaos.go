package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
)

// RandomFaults draws one fault mode hitting the given fraction of requests: an error status with
// Retry-After, a closed connection, a hang, a malformed or truncated body, or a wrong charset:
// the mix a flaky on-prem estate shows.
func RandomFaults(r *rand.Rand, rate float64) fault.Faults {
	f := fault.Faults{Rate: rate}
	switch r.IntN(7) {
	case 0:
		f.ErrorRate, f.ErrorStatus, f.RetryAfter = rate, 503, strconv.Itoa(1+r.IntN(3))
	case 1:
		f.Outage = fault.OutageClose
	case 2:
		f.Hang = true
	case 3:
		f.Malformed = true
	case 4:
		f.Truncate = true
	case 5:
		f.WrongCharset = true
	default:
		f.Rate, f.ErrorRate, f.ErrorStatus = 0, rate, 500
	}
	return f
}

// RunChaos gives every system a random fault (RandomFaults at rate) and re-draws them every
// period until ctx ends; it then resets the faults and returns. report, if not nil, is told each
// draw (for a console line). seed makes the sequence reproducible.
func (c *Cluster) RunChaos(ctx context.Context, rate float64, every time.Duration, seed uint64, report func(vehicle.Source, fault.Faults)) error {
	if every <= 0 || rate < 0 || rate > 1 {
		return fmt.Errorf("sim chaos: period must be positive and rate within 0..1 (got %v, %v)", every, rate)
	}
	r := rand.New(rand.NewPCG(seed, 0xc4a05))
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for _, s := range Systems() {
			f := RandomFaults(r, rate)
			if err := c.System(s).SetFaults(f); err != nil {
				return fmt.Errorf("sim chaos: %w", err)
			}
			if report != nil {
				report(s, f)
			}
		}
		select {
		case <-ctx.Done():
			for _, s := range Systems() {
				_ = c.System(s).SetFaults(fault.Faults{})
			}
			return nil
		case <-t.C:
		}
	}
}

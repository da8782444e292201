package securitytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// stepPanics is the stack's Lambda step fault: TestMain installs its wrap as
// stack.Config.WrapFunctions. A step armed for a VIN runs as usual (its legacy calls are
// made, and traced) and then panics, for invocations whose payload holds that VIN, with a value
// that carries the marker and the step's whole payload. Other VINs, and other tests, see the
// steps unchanged.
var stepPanics = newPanicFault()

type panicFault struct {
	// marker starts every panic value; it is random per run, so finding it anywhere means the
	// panic value leaked.
	marker string
	hits   atomic.Int64

	mu    sync.Mutex
	armed map[string]map[vehicle.VIN]bool // step name -> VINs
}

func newPanicFault() *panicFault {
	return &panicFault{marker: "step-panic-" + rand.Text(), armed: map[string]map[vehicle.VIN]bool{}}
}

// arm makes step panic for vin until the test ends.
func (p *panicFault) arm(t testing.TB, step string, vin vehicle.VIN) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.armed[step] == nil {
		p.armed[step] = map[vehicle.VIN]bool{}
	}
	p.armed[step][vin] = true
	t.Cleanup(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		delete(p.armed[step], vin)
	})
}

func (p *panicFault) armedFor(step string, payload []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for vin := range p.armed[step] {
		if bytes.Contains(payload, []byte(vin)) {
			return true
		}
	}
	return false
}

func (p *panicFault) wrap(name string, h step.Handler) step.Handler {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		out, err := h(ctx, payload)
		if p.armedFor(name, payload) {
			p.hits.Add(1)
			panic(fmt.Sprintf("%s: %s panicked handling %s", p.marker, name, payload))
		}
		return out, err
	}
}

// Package sim runs the six simulated legacy systems as real HTTP servers on loopback, each
// speaking its system's wire format (imported from legacyclients/<system>/wire.go, so client and
// simulator cannot drift), all backed by one deterministic world (package world).
//
// In-process (tests, the local stack):
//
//	c, err := sim.Start(ctx, sim.Options{NoLatency: true})
//	if err != nil { ... }
//	defer c.Close()
//	base := c.URL(vehicle.SourceWorkshop)            // e.g. http://127.0.0.1:41234
//	_ = c.System(vehicle.SourceRegistry).SetFaults(fault.Faults{Outage: fault.OutageUnavailable})
//	n := c.System(vehicle.SourceRecalls).Stats().Op(recalls.OperationList)
//
// Alone: `go run ./cmd/legacysim` (flags: -host, -ports, -no-latency, -chaos, -chaos-every, -seed,
// -v); it prints the base URLs and the demo VINs (Demos, i.e. world.Demos: VIN, story, what to
// expect). Chaos mode in-process: go c.RunChaos(ctx, 0.1, 30*time.Second, seed, nil).
//
// Each system also serves an admin API on its own port (see package fault):
//
//	GET/PUT /__admin/faults   e.g. {"latency":{"fixedMs":50}}, {"errorRate":0.5,"errorStatus":503,"retryAfter":"2"},
//	                          {"outage":"close"}, {"hang":true}, {"malformed":true}, {"wrongCharset":true},
//	                          {"truncate":true,"rate":0.2}, {"charset":"UTF-8"}, {"operations":["GetBuild"]}
//	POST    /__admin/reset    clear faults and request counters
//	GET     /__admin/stats    {"system":"recalls","total":3,"operations":{"ListCampaigns":3},"faulted":0,"active":0}
//
// Latency: every system has the profile of DESIGN.md (DefaultProfiles) unless Options.NoLatency
// or Options.Latency say otherwise; the latency knob overrides both at run time.
//
// Logs: the simulators log the system, operation and status of each request at debug level,
// never a path, VIN, name or plate.
package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/legacyclients/workshop"
)

// Systems are the six simulated systems, in a stable order.
func Systems() []vehicle.Source {
	return []vehicle.Source{
		vehicle.SourceVehicleMaster, vehicle.SourceWorkshop, vehicle.SourceRegistry,
		vehicle.SourceRecalls, vehicle.SourceDealerStock, vehicle.SourceOffers,
	}
}

// DefaultProfiles are the typical latencies of DESIGN.md's legacy systems table.
func DefaultProfiles() map[vehicle.Source]fault.Latency {
	return map[vehicle.Source]fault.Latency{
		vehicle.SourceVehicleMaster: {MinMs: 200, MaxMs: 1200},
		vehicle.SourceWorkshop:      {MinMs: 800, MaxMs: 3000},
		vehicle.SourceRegistry:      {MinMs: 300, MaxMs: 2000},
		vehicle.SourceRecalls:       {MinMs: 100, MaxMs: 800},
		vehicle.SourceDealerStock:   {MinMs: 200, MaxMs: 1000},
		vehicle.SourceOffers:        {MinMs: 200, MaxMs: 1000},
	}
}

// DefaultCharsets are the systems' response charsets: the workshop's SOAP stack still answers in
// ISO-8859-1, the others in UTF-8 (the registry is ISO-8859-1 by its wire format, always).
func DefaultCharsets() map[vehicle.Source]string {
	return map[vehicle.Source]string{
		vehicle.SourceVehicleMaster: "UTF-8",
		vehicle.SourceWorkshop:      workshop.CharsetISO88591,
		vehicle.SourceRegistry:      "ISO-8859-1",
		vehicle.SourceRecalls:       "UTF-8",
		vehicle.SourceDealerStock:   "UTF-8",
		vehicle.SourceOffers:        "UTF-8",
	}
}

// Demos are the curated demo VINs and their stories.
func Demos() []world.Demo { return world.Demos() }

// The simulators' server timeouts. Our clients send a request of a few hundred bytes at once, so
// a body that takes longer than ReadTimeout is a stalled client; WriteTimeout is far above the
// longest latency fault, so a "hang" still hangs until the client gives up.
const (
	ReadTimeout  = 5 * time.Second
	WriteTimeout = 2 * time.Minute
	IdleTimeout  = 2 * time.Minute
)

// Options configure a cluster. The zero value starts all six systems on free loopback ports
// with DESIGN.md's latency profiles.
type Options struct {
	// Host to listen on; default 127.0.0.1. Keep it loopback outside a container.
	Host string
	// Ports per system; a missing or zero port picks a free one.
	Ports map[vehicle.Source]int
	// NoLatency removes the latency profiles (unit tests); latency knobs still apply.
	NoLatency bool
	// Latency overrides individual profiles.
	Latency map[vehicle.Source]fault.Latency
	// Charsets overrides individual default response charsets (UTF-8, ISO-8859-1, windows-1252).
	// The registry ignores it: its wire format is ISO-8859-1.
	Charsets map[vehicle.Source]string
	// Faults are set on the systems before they accept the first request.
	Faults map[vehicle.Source]fault.Faults
	// AsOf is the world's "today" (default world.DefaultAsOf): no simulated event lies after it.
	AsOf time.Time
	// Seed seeds the fault dice (0: derived from each system's name), for reproducible chaos.
	Seed uint64
	// Now is the clock for the few wall-clock fields (the registry's run timestamp, offers'
	// validity); default time.Now.
	Now func() time.Time
	// Logger receives one debug line per request (system, operation, status). Nil discards.
	Logger *slog.Logger
}

// System is one running simulator.
type System struct {
	*fault.Server // Faults, SetFaults, Reset, Stats
	Source        vehicle.Source
	URL           string // base URL, e.g. http://127.0.0.1:41234
	srv           *http.Server
	done          chan error
}

// Cluster is the six running simulators.
type Cluster struct {
	world   *world.World
	systems map[vehicle.Source]*System
}

// Start listens on every system's port and serves until Close. ctx bounds the start-up only.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	host := opts.Host
	if host == "" {
		host = "127.0.0.1"
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	w := world.New(opts.AsOf)
	handlers := map[vehicle.Source]fault.System{
		vehicle.SourceVehicleMaster: vehicleMaster{w},
		vehicle.SourceWorkshop:      workshopSystem{w},
		vehicle.SourceRegistry:      registrySystem{w: w, now: now},
		vehicle.SourceRecalls:       recallSystem{w},
		vehicle.SourceDealerStock:   dealerStock{w},
		vehicle.SourceOffers:        offerSystem{w: w, now: now},
	}
	profiles, charsets := DefaultProfiles(), DefaultCharsets()
	for s, l := range opts.Latency {
		profiles[s] = l
	}
	for s, cs := range opts.Charsets {
		if err := (fault.Faults{Charset: cs}).Validate(); err != nil {
			return nil, fmt.Errorf("sim: %s: %w", s, err)
		}
		charsets[s] = cs
	}
	c := &Cluster{world: w, systems: map[vehicle.Source]*System{}}
	var lc net.ListenConfig
	for i, src := range Systems() {
		ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(opts.Ports[src])))
		if err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("sim: listen for %s: %w", src, err)
		}
		seed := opts.Seed
		if seed != 0 {
			seed += uint64(i) // distinct dice per system
		}
		fs := fault.NewServer(fault.Config{
			Name: string(src), Profile: profiles[src], NoLatency: opts.NoLatency, Charset: charsets[src],
			Seed: seed, Logger: opts.Logger,
		}, handlers[src])
		if f, ok := opts.Faults[src]; ok {
			if err := fs.SetFaults(f); err != nil {
				_ = ln.Close()
				_ = c.Close()
				return nil, fmt.Errorf("sim: %w", err)
			}
		}
		sys := &System{
			Server: fs, Source: src, URL: "http://" + ln.Addr().String(), done: make(chan error, 1),
			srv: &http.Server{Handler: fs, ReadHeaderTimeout: ReadTimeout, ReadTimeout: ReadTimeout,
				WriteTimeout: WriteTimeout, IdleTimeout: IdleTimeout, ErrorLog: discardLog()},
		}
		go func() { sys.done <- sys.srv.Serve(ln) }()
		c.systems[src] = sys
	}
	return c, nil
}

// System returns a running simulator, or nil for a source that is not simulated.
func (c *Cluster) System(s vehicle.Source) *System { return c.systems[s] }

// URL is a system's base URL.
func (c *Cluster) URL(s vehicle.Source) string {
	if sys := c.systems[s]; sys != nil {
		return sys.URL
	}
	return ""
}

// BaseURLs maps every system to its base URL, for wiring clients.
func (c *Cluster) BaseURLs() map[vehicle.Source]string {
	out := map[vehicle.Source]string{}
	for s, sys := range c.systems {
		out[s] = sys.URL
	}
	return out
}

// World is the data behind the simulators, for tests that compare answers with the truth.
func (c *Cluster) World() *world.World { return c.world }

// Stats returns every system's request counters.
func (c *Cluster) Stats() map[vehicle.Source]fault.Stats {
	out := map[vehicle.Source]fault.Stats{}
	for s, sys := range c.systems {
		out[s] = sys.Stats()
	}
	return out
}

// TotalRequests is the number of requests all systems received: acceptance tests assert "no
// legacy call" with it.
func (c *Cluster) TotalRequests() int64 {
	var n int64
	for _, sys := range c.systems {
		n += sys.Stats().Total
	}
	return n
}

// Reset clears every system's faults and counters.
func (c *Cluster) Reset() {
	for _, sys := range c.systems {
		sys.Reset()
	}
}

// Close stops every system: hanging and delayed requests are released, connections closed, and
// the serving goroutines have returned when Close does.
func (c *Cluster) Close() error {
	var errs []error
	for _, sys := range c.systems {
		sys.Stop()
	}
	for _, src := range Systems() {
		sys := c.systems[src]
		if sys == nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := sys.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("sim: shut down %s: %w", src, err))
			_ = sys.srv.Close()
		}
		cancel()
		if err := <-sys.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("sim: serve %s: %w", src, err))
		}
	}
	c.systems = map[vehicle.Source]*System{}
	return errors.Join(errs...)
}

// discardLog silences net/http's own error log: it is not needed for a simulator and would mix
// connection noise from the fault knobs (closed connections, aborted handlers) into test output.
func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/goleak"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/offers"
	"github.com/acme-oem/vehicle-data/legacyclients/recalls"
	"github.com/acme-oem/vehicle-data/legacyclients/registry"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/legacyclients/vehiclemaster"
	"github.com/acme-oem/vehicle-data/legacyclients/workshop"
)

// TestMain fails the package when any test leaves a goroutine behind: hanging handlers, servers
// and connections must all be gone once a cluster is closed.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func setFaults(t *testing.T, c *sim.Cluster, s vehicle.Source, f fault.Faults) {
	t.Helper()
	if err := c.System(s).SetFaults(f); err != nil {
		t.Fatal(err)
	}
}

func buildURL(c *sim.Cluster, vin vehicle.VIN) string {
	return c.URL(vehicle.SourceVehicleMaster) + vehiclemaster.BuildPath(string(vin))
}

func TestLatencyKnob(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)
	setFaults(t, c, vehicle.SourceVehicleMaster, fault.Faults{Latency: &fault.Latency{FixedMs: 50}})
	start := time.Now()
	if a := get(t, hc, buildURL(c, world.DemoClean)); a.status != 200 {
		t.Fatalf("status %d", a.status)
	}
	// Only the lower bound is exact; the upper one merely catches a profile that was not replaced
	// (the default would be 0.2-1.2 s, and NoLatency is on here).
	if d := time.Since(start); d < 50*time.Millisecond || d > 5*time.Second {
		t.Fatalf("answered after %v, want about 50ms", d)
	}

	setFaults(t, c, vehicle.SourceVehicleMaster, fault.Faults{Latency: &fault.Latency{MinMs: 20, MaxMs: 40}})
	for range 3 {
		start := time.Now()
		get(t, hc, buildURL(c, world.DemoClean))
		if d := time.Since(start); d < 20*time.Millisecond {
			t.Fatalf("answered after %v, want at least 20ms", d)
		}
	}
}

func TestDefaultProfileApplies(t *testing.T) {
	c := startCluster(t, sim.Options{Latency: map[vehicle.Source]fault.Latency{vehicle.SourceRecalls: {FixedMs: 30}}})
	hc := httpClient(t)
	start := time.Now()
	get(t, hc, c.URL(vehicle.SourceRecalls)+recalls.CampaignsPath(string(world.DemoRecall)))
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("answered after %v, want the 30ms profile", d)
	}
}

func TestErrorRateStatusAndRetryAfter(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)
	setFaults(t, c, vehicle.SourceVehicleMaster, fault.Faults{ErrorRate: 1, ErrorStatus: 503, RetryAfter: "7"})
	a := get(t, hc, buildURL(c, world.DemoClean))
	var e vehiclemaster.ErrorResponse
	decodeStrict(t, a.body, &e)
	if a.status != 503 || a.header.Get("Retry-After") != "7" || e.Error.Code == "" {
		t.Fatalf("%d Retry-After %q body %q", a.status, a.header.Get("Retry-After"), a.body)
	}

	// The workshop fails the SOAP way: a soap:Server fault with the error status.
	setFaults(t, c, vehicle.SourceWorkshop, fault.Faults{ErrorRate: 1})
	a = do(t, hc, soapRequest(t, c.URL(vehicle.SourceWorkshop), workshop.SOAPAction, soapEnvelope(t, string(world.DemoClean))))
	env, err := workshop.DecodeEnvelope(a.body, a.header.Get("Content-Type"))
	if a.status != 500 || err != nil || env.Body.Fault == nil || env.Body.Fault.Code != "soap:Server" {
		t.Fatalf("%d %v %q", a.status, err, a.body)
	}

	// The registry fails the mainframe way: an ER SYSE record.
	setFaults(t, c, vehicle.SourceRegistry, fault.Faults{ErrorRate: 1, ErrorStatus: 502})
	a = get(t, hc, c.URL(vehicle.SourceRegistry)+registry.InquiryPath(string(world.DemoClean)))
	rs, err := registry.Parse(a.body)
	if a.status != 502 || err != nil || rs.Error == nil || rs.Error.Code != registry.ErrorSystem {
		t.Fatalf("%d %v %q", a.status, err, a.body)
	}
}

func TestOutage(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)
	setFaults(t, c, vehicle.SourceOffers, fault.Faults{Outage: fault.OutageUnavailable, RetryAfter: "Wed, 21 Oct 2026 07:28:00 GMT"})
	a := get(t, hc, c.URL(vehicle.SourceOffers)+offers.OffersPath(string(world.DemoClean)))
	if a.status != 503 || a.header.Get("Retry-After") == "" {
		t.Fatalf("%d Retry-After %q", a.status, a.header.Get("Retry-After"))
	}

	setFaults(t, c, vehicle.SourceOffers, fault.Faults{Outage: fault.OutageClose})
	resp, err := hc.Do(newRequest(t, http.MethodGet, c.URL(vehicle.SourceOffers)+offers.OffersPath(string(world.DemoClean)), nil))
	if err == nil {
		_ = resp.Body.Close()
		t.Fatalf("got status %d from a closed connection", resp.StatusCode)
	}
}

func TestHangEndsWhenClientGivesUp(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)
	sys := c.System(vehicle.SourceWorkshop)
	setFaults(t, c, vehicle.SourceWorkshop, fault.Faults{Hang: true})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	req := soapRequest(t, c.URL(vehicle.SourceWorkshop), workshop.SOAPAction, soapEnvelope(t, string(world.DemoClean))).WithContext(ctx)
	go func() {
		resp, err := hc.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		errc <- err
	}()
	// Give up once the request has arrived (the counter says so), not after a guessed delay.
	for sys.Stats().Total == 0 {
		select {
		case err := <-errc:
			t.Fatalf("answered while hanging: %v", err)
		default:
			time.Sleep(time.Millisecond)
		}
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// The handler notices the client left (not only the server's Close): Active drops to zero
	// while the cluster still runs. goleak (TestMain) then checks nothing was left behind.
	for i := 0; sys.Stats().Active != 0; i++ {
		if i > 10000 {
			t.Fatal("the hanging handler is still running after the client gave up")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestHangReleasedByClose(t *testing.T) {
	c, err := sim.Start(context.Background(), sim.Options{NoLatency: true})
	if err != nil {
		t.Fatal(err)
	}
	hc := httpClient(t)
	setFaults(t, c, vehicle.SourceRecalls, fault.Faults{Hang: true})
	done := make(chan int, 1)
	req := newRequest(t, http.MethodGet, c.URL(vehicle.SourceRecalls)+recalls.CampaignsPath(string(world.DemoRecall)), nil)
	go func() {
		resp, err := hc.Do(req)
		if err != nil {
			done <- 0
			return
		}
		_ = resp.Body.Close()
		done <- resp.StatusCode
	}()
	for c.System(vehicle.SourceRecalls).Stats().Total == 0 {
		time.Sleep(time.Millisecond)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if status := <-done; status != 0 && status != 503 {
		t.Fatalf("a hanging request ended with %d on close", status)
	}
}

func TestMalformedPayload(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)
	setFaults(t, c, vehicle.SourceVehicleMaster, fault.Faults{Malformed: true})
	a := get(t, hc, buildURL(c, world.DemoClean))
	var b vehiclemaster.BuildResponse
	if a.status != 200 || json.Unmarshal(a.body, &b) == nil {
		t.Fatalf("%d: a malformed body decoded", a.status)
	}
	setFaults(t, c, vehicle.SourceRegistry, fault.Faults{Malformed: true})
	a = get(t, hc, c.URL(vehicle.SourceRegistry)+registry.InquiryPath(string(world.DemoClean)))
	if _, err := registry.Parse(a.body); err == nil {
		t.Fatal("a malformed record set parsed")
	}
}

func TestWrongCharset(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)

	// JSON declares UTF-8 but carries Latin-1: "Mladá Boleslav" (the Skoda plant) has an á.
	setFaults(t, c, vehicle.SourceVehicleMaster, fault.Faults{WrongCharset: true})
	a := get(t, hc, buildURL(c, world.DemoRecall))
	if !strings.Contains(strings.ToLower(a.header.Get("Content-Type")), "utf-8") || utf8.Valid(a.body) || !bytes.Contains(a.body, []byte("Mlad\xe1")) {
		t.Fatalf("content type %q, body not Latin-1 under a UTF-8 label", a.header.Get("Content-Type"))
	}

	// The workshop declares ISO-8859-1 but sends UTF-8 bytes: "Krüger" arrives as two bytes.
	setFaults(t, c, vehicle.SourceWorkshop, fault.Faults{WrongCharset: true})
	a = do(t, hc, soapRequest(t, c.URL(vehicle.SourceWorkshop), workshop.SOAPAction, soapEnvelope(t, string(world.DemoRollback))))
	if a.header.Get("Content-Type") != workshop.ContentType(workshop.CharsetISO88591) || !bytes.Contains(a.body, []byte("Kr\xc3\xbcger")) {
		t.Fatalf("content type %q, body not UTF-8 under a Latin-1 label", a.header.Get("Content-Type"))
	}

	// The charset knob is configuration, not a fault: UTF-8 declared and sent.
	setFaults(t, c, vehicle.SourceWorkshop, fault.Faults{Charset: "UTF-8"})
	a = do(t, hc, soapRequest(t, c.URL(vehicle.SourceWorkshop), workshop.SOAPAction, soapEnvelope(t, string(world.DemoRollback))))
	if a.header.Get("Content-Type") != workshop.ContentType(workshop.CharsetUTF8) || !bytes.Contains(a.body, []byte("Kr\xc3\xbcger")) {
		t.Fatalf("content type %q", a.header.Get("Content-Type"))
	}
	if _, err := workshop.DecodeEnvelope(a.body, a.header.Get("Content-Type")); err != nil {
		t.Fatalf("decode: %v", err)
	}
}

func TestTruncatedBody(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)
	setFaults(t, c, vehicle.SourceRecalls, fault.Faults{Truncate: true})
	resp, err := hc.Do(newRequest(t, http.MethodGet, c.URL(vehicle.SourceRecalls)+recalls.CampaignsPath(string(world.DemoRecall)), nil))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) || int64(len(b)) >= resp.ContentLength {
		t.Fatalf("read %d of %d bytes, err %v; want an unexpected EOF", len(b), resp.ContentLength, err)
	}
}

func TestFaultsScopedToOperations(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)
	setFaults(t, c, vehicle.SourceVehicleMaster, fault.Faults{ErrorRate: 1, Operations: []string{"SomethingElse"}})
	if a := get(t, hc, buildURL(c, world.DemoClean)); a.status != 200 {
		t.Fatalf("a fault for another operation applied: %d", a.status)
	}
	setFaults(t, c, vehicle.SourceVehicleMaster, fault.Faults{ErrorRate: 1, Operations: []string{vehiclemaster.OperationGetBuild}})
	if a := get(t, hc, buildURL(c, world.DemoClean)); a.status != 500 {
		t.Fatalf("a fault for this operation did not apply: %d", a.status)
	}
}

func TestStatsCountRequestsPerOperation(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)
	if n := c.TotalRequests(); n != 0 {
		t.Fatalf("%d requests before any call", n)
	}
	get(t, hc, buildURL(c, world.DemoClean))
	get(t, hc, buildURL(c, world.DemoUnknown))
	get(t, hc, c.URL(vehicle.SourceVehicleMaster)+"/no/such/route")
	get(t, hc, c.URL(vehicle.SourceVehicleMaster)+"/__admin/stats") // admin calls do not count
	setFaults(t, c, vehicle.SourceVehicleMaster, fault.Faults{ErrorRate: 1})
	get(t, hc, buildURL(c, world.DemoClean))

	s := c.System(vehicle.SourceVehicleMaster).Stats()
	if s.Total != 4 || s.Op(vehiclemaster.OperationGetBuild) != 3 || s.Op("unknown") != 1 || s.Faulted != 1 {
		t.Fatalf("stats %+v", s)
	}
	if n := c.TotalRequests(); n != 4 {
		t.Fatalf("cluster total %d", n)
	}
	c.Reset()
	if s := c.System(vehicle.SourceVehicleMaster); s.Stats().Total != 0 || s.Faults().ErrorRate != 0 {
		t.Fatalf("reset left %+v %+v", s.Stats(), s.Faults())
	}
}

func TestAdminAPI(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)
	base := c.URL(vehicle.SourceRegistry) + "/__admin/"
	put := func(body string) answer {
		return do(t, hc, newRequest(t, http.MethodPut, base+"faults", strings.NewReader(body)))
	}
	if a := put(`{"errorRate":0.25,"errorStatus":503,"retryAfter":"3","latency":{"minMs":1,"maxMs":2}}`); a.status != 200 {
		t.Fatalf("put: %d %s", a.status, a.body)
	}
	var f fault.Faults
	decodeStrict(t, get(t, hc, base+"faults").body, &f)
	if f.ErrorRate != 0.25 || f.ErrorStatus != 503 || f.RetryAfter != "3" || f.Latency == nil || f.Latency.MaxMs != 2 {
		t.Fatalf("faults %+v", f)
	}
	for _, bad := range []string{`{"errorRate":2}`, `{"outage":"sometimes"}`, `{"latency":{"minMs":5,"maxMs":1}}`, `{"colour":"red"}`, `not json`, `{"charset":"EBCDIC"}`} {
		if a := put(bad); a.status != 400 {
			t.Errorf("%s: %d, want 400", bad, a.status)
		}
	}
	get(t, hc, c.URL(vehicle.SourceRegistry)+registry.InquiryPath(string(world.DemoClean)))
	var s fault.Stats
	decodeStrict(t, get(t, hc, base+"stats").body, &s)
	if s.System != string(vehicle.SourceRegistry) || s.Op(registry.OperationInquiry) != 1 {
		t.Fatalf("stats %+v", s)
	}
	if a := do(t, hc, newRequest(t, http.MethodPost, base+"reset", nil)); a.status != http.StatusNoContent {
		t.Fatalf("reset: %d", a.status)
	}
	if got := c.System(vehicle.SourceRegistry).Faults(); got.ErrorRate != 0 || c.System(vehicle.SourceRegistry).Stats().Total != 0 {
		t.Fatalf("after reset: %+v", got)
	}
	if a := get(t, hc, base+"nothing"); a.status != 404 {
		t.Errorf("unknown admin path: %d", a.status)
	}
}

func TestStartOnGivenPortsAndClose(t *testing.T) {
	first := startCluster(t, sim.Options{})
	port := func(u string) int {
		var p int
		for _, ch := range u[strings.LastIndexByte(u, ':')+1:] {
			p = p*10 + int(ch-'0')
		}
		return p
	}
	// A port in use fails the start cleanly, with the systems already started closed again.
	_, err := sim.Start(context.Background(), sim.Options{NoLatency: true,
		Ports: map[vehicle.Source]int{vehicle.SourceOffers: port(first.URL(vehicle.SourceOffers))}})
	if err == nil {
		t.Fatal("started on a port in use")
	}
	// A free port given explicitly is used.
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	second := startCluster(t, sim.Options{Ports: map[vehicle.Source]int{vehicle.SourceWorkshop: free}})
	if got := port(second.URL(vehicle.SourceWorkshop)); got != free {
		t.Fatalf("workshop on port %d, want %d", got, free)
	}
	if len(sim.Systems()) != 6 || len(second.BaseURLs()) != 6 {
		t.Fatal("six systems")
	}
	// Faults given at start are in place before the first request; invalid ones fail the start.
	third := startCluster(t, sim.Options{Faults: map[vehicle.Source]fault.Faults{vehicle.SourceRecalls: {Outage: fault.OutageUnavailable}}})
	if a := get(t, httpClient(t), third.URL(vehicle.SourceRecalls)+recalls.CampaignsPath(string(world.DemoRecall))); a.status != 503 {
		t.Fatalf("status %d, want the start-up outage", a.status)
	}
	if _, err := sim.Start(context.Background(), sim.Options{Faults: map[vehicle.Source]fault.Faults{vehicle.SourceRecalls: {ErrorRate: 7}}}); err == nil {
		t.Fatal("started with invalid faults")
	}
	for _, s := range sim.Systems() {
		if first.URL(s) == "" || first.System(s) == nil {
			t.Fatalf("%s not started", s)
		}
	}
}

package wiring_test

// Integration tests: both state machines, as deployed (statemachines/*.asl.json), on the local
// engine, with the real handlers as wiring builds them, against dynalite and the legacy simulators.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/dynalitetest"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/internal/wiring"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

var env *dynalitetest.Env

func TestMain(m *testing.M) { dynalitetest.Main(m, &env) }

// clock lets a test age the cache without sleeping.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// logBuffer collects every step's log lines, to check them for personal data.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type stack struct {
	logs   *logBuffer
	pseudo vehicle.Pseudonymizer
	eng    *engine.Engine
	report string
	auth   string
	sims   *sim.Cluster
	clock  *clock
	table  string
	grants *dynamo.Grants
	// functions are the steps the engine invokes.
	functions *roundRobin
}

// roundRobin spreads invocations over several builds of the steps, each with its own cache (its
// own in-process singleflight), like separate Lambda instances: only the lease item coordinates
// them.
type roundRobin struct {
	instances []*wiring.Functions
	n         atomic.Uint64
}

func (r *roundRobin) Lookup(name string) (func(ctx context.Context, payload []byte) ([]byte, error), bool) {
	return r.instances[r.n.Add(1)%uint64(len(r.instances))].Lookup(name)
}

func newStack(t testing.TB, instances int) *stack {
	t.Helper()
	return newStackWith(t, instances, transport.Config{})
}

// newStackWith builds the stack with base as every legacy transport's configuration (System
// and BaseURL are filled in).
func newStackWith(t testing.TB, instances int, base transport.Config) *stack {
	t.Helper()
	ctx := context.Background()
	cluster, err := sim.Start(ctx, sim.Options{NoLatency: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cluster.Close() })
	s := &stack{sims: cluster, clock: &clock{}, table: env.NewTable(t), logs: &logBuffer{},
		pseudo: vehicle.NewPseudonymizer([]byte("test-key-0123456789"))}
	log := slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.grants = dynamo.NewGrants(env.Client, s.table)
	rr := &roundRobin{}
	urls := map[vehicle.Source]string{}
	for _, src := range report.Sources() {
		urls[src] = cluster.URL(src)
	}
	for range instances {
		fns, err := wiring.Build(ctx, wiring.Config{
			TableName:    s.table,
			DynamoDB:     env.Client,
			Cache:        dynamo.CacheConfig{PollInterval: 10 * time.Millisecond},
			LegacyURLs:   urls,
			Transport:    base,
			PseudonymKey: []byte("test-key-0123456789"),
			Now:          s.clock.Now,
			Log:          log,
		}, catalog.ValidateVIN, catalog.PlanReport, catalog.FetchVehicleMaster, catalog.FetchWorkshop,
			catalog.FetchRegistry, catalog.FetchRecalls, catalog.MergeReport)
		must(t, err)
		t.Cleanup(fns.Close)
		rr.instances = append(rr.instances, fns)
	}
	s.functions = rr
	s.useEngine(t, env.Client)
	return s
}

// useEngine runs the state machines on a new engine whose DynamoDB integrations call api.
func (s *stack) useEngine(t testing.TB, api engine.DynamoDBAPI) {
	t.Helper()
	var err error
	s.eng = engine.New(engine.Options{Functions: s.functions, DynamoDB: api})
	s.auth, err = s.eng.Load("ownership-authorization", readASL(t, "ownership-authorization"), map[string]string{"TableName": s.table})
	must(t, err)
	subs := catalog.Substitutions(func(name string) string { return name })
	subs["TableName"] = s.table
	subs["OwnershipAuthorizationStateMachineArn"] = s.auth
	s.report, err = s.eng.Load("vehicle-report", readASL(t, "vehicle-report"), subs)
	must(t, err)
}

func readASL(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../statemachines/" + name + ".asl.json")
	must(t, err)
	return b
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func input(vin vehicle.VIN, sub, role string) []byte {
	b, _ := json.Marshal(map[string]any{"vin": string(vin), "caller": map[string]string{"sub": sub, "role": role}, "requestId": "r-1"})
	return b
}

func (s *stack) run(t testing.TB, in []byte) engine.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 28*time.Second)
	defer cancel()
	res, err := s.eng.StartSyncExecution(ctx, s.report, in)
	must(t, err)
	return res
}

func (s *stack) report200(t *testing.T, vin vehicle.VIN, sub, role string) report.Report {
	t.Helper()
	res := s.run(t, input(vin, sub, role))
	if res.Status != engine.StatusSucceeded {
		t.Fatalf("execution %s: %s: %s", res.Status, res.Error, res.Cause)
	}
	var r report.Report
	must(t, json.Unmarshal([]byte(res.Output), &r))
	return r
}

func (s *stack) requests() map[vehicle.Source]int64 {
	out := map[vehicle.Source]int64{}
	for src, st := range s.sims.Stats() {
		out[src] = st.Total
	}
	return out
}

func freshness(r report.Report) map[string]report.Freshness {
	return map[string]report.Freshness{
		"build": r.Build.Freshness, "service": r.Service.Freshness, "registration": r.Registration.Freshness,
		"recalls": r.Recalls.Freshness, "odometer": r.Odometer.Freshness,
	}
}

func TestReportColdThenWarm(t *testing.T) {
	s := newStack(t, 1)
	cold := s.report200(t, world.DemoRollback, "", "anonymous")
	for name, f := range freshness(cold) {
		if f != report.Fresh {
			t.Errorf("cold %s: %s", name, f)
		}
	}
	if cold.Build.Data == nil || cold.Build.Source != vehicle.SourceVehicleMaster || cold.Build.FetchedAt == nil || cold.Make == "" {
		t.Fatalf("cold build section: %+v", cold.Build)
	}
	if !cold.Odometer.Data.RollbackDetected {
		t.Error("the rollback demo car's odometer rollback was not detected")
	}
	if cold.Access != vehicle.AccessPublic || cold.Owner != nil {
		t.Fatalf("anonymous caller got access %q, owner %+v", cold.Access, cold.Owner)
	}
	before := s.requests()
	for src, n := range before {
		if n == 0 && src != vehicle.SourceDealerStock && src != vehicle.SourceOffers {
			t.Errorf("cold report made no request to %s", src)
		}
	}
	warm := s.report200(t, world.DemoRollback, "", "anonymous")
	if after := s.requests(); !equalCounts(before, after) {
		t.Fatalf("warm report called legacy systems: %v -> %v", before, after)
	}
	cj, _ := json.Marshal(cold)
	wj, _ := json.Marshal(warm)
	if string(cj) != string(wj) {
		t.Fatalf("warm report differs from cold:\n%s\n%s", cj, wj)
	}
}

func TestReportOneSourceFailingDegradesItsSection(t *testing.T) {
	s := newStack(t, 1)
	must(t, s.sims.System(vehicle.SourceWorkshop).SetFaults(fault.Faults{Outage: "unavailable"}))
	r := s.report200(t, world.DemoClean, "", "anonymous")
	if r.Service.Freshness != report.Unavailable || r.Service.Data != nil {
		t.Errorf("service section = %+v, want unavailable", r.Service)
	}
	if r.Odometer.Freshness != report.Stale || r.Odometer.Data == nil {
		t.Errorf("odometer with the registry's readings only = %+v, want stale", r.Odometer)
	}
	for name, f := range map[string]report.Freshness{"build": r.Build.Freshness, "registration": r.Registration.Freshness, "recalls": r.Recalls.Freshness} {
		if f != report.Fresh {
			t.Errorf("%s: %s, want fresh", name, f)
		}
	}
}

func TestReportSlowSourceDegradesItsSection(t *testing.T) {
	// The registry never answers; its client gives up after its attempt timeout (no retry), the
	// other sections are served.
	s := newStackWith(t, 1, transport.Config{AttemptTimeout: 300 * time.Millisecond, MaxRetries: -1})
	must(t, s.sims.System(vehicle.SourceRegistry).SetFaults(fault.Faults{Hang: true}))
	r := s.report200(t, world.DemoClean, "", "anonymous")
	if r.Registration.Freshness != report.Unavailable || r.Build.Freshness != report.Fresh || r.Service.Freshness != report.Fresh {
		t.Fatalf("registration %s, build %s, service %s", r.Registration.Freshness, r.Build.Freshness, r.Service.Freshness)
	}
}

// DESIGN.md principle 5: step logs carry the VIN's pseudonym, never the VIN or the owner's data.
func TestStepLogsCarryNoPersonalData(t *testing.T) {
	s := newStack(t, 1)
	must(t, s.sims.System(vehicle.SourceRecalls).SetFaults(fault.Faults{Outage: "unavailable"}))
	ctx := context.Background()
	must(t, s.grants.Put(ctx, dynamo.Grant{VIN: world.DemoOwners, Subject: "user-1", GrantedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}))
	own := s.report200(t, world.DemoOwners, "user-1", "consumer")
	s.run(t, input(world.DemoUnknown, "", "anonymous"))
	s.run(t, input("WVWZZZCD4MW100001", "", "anonymous"))
	logs := s.logs.String()
	if !strings.Contains(logs, s.pseudo.VIN(world.DemoOwners)) || !strings.Contains(logs, "UNAVAILABLE") {
		t.Fatalf("logs lack the pseudonym or the failure: %s", logs)
	}
	secrets := []string{string(world.DemoOwners), string(world.DemoUnknown), "WVWZZZCD4MW100001", own.Owner.Data.Name, own.Owner.Data.PostalCode}
	for _, r := range own.Registration.Data.Registrations {
		secrets = append(secrets, r.Plate)
	}
	for _, secret := range secrets {
		if secret != "" && strings.Contains(logs, secret) {
			t.Errorf("logs contain personal data %q", secret)
		}
	}
}

func TestReportAllSourcesDownServesStaleCache(t *testing.T) {
	s := newStack(t, 1)
	s.report200(t, world.DemoRecall, "", "anonymous")
	s.clock.Advance(2 * 24 * time.Hour) // past the daily sources' soft expiry, within hard
	for _, src := range report.Sources() {
		must(t, s.sims.System(src).SetFaults(fault.Faults{Outage: "unavailable"}))
	}
	r := s.report200(t, world.DemoRecall, "", "anonymous")
	want := map[string]report.Freshness{"build": report.Fresh, "service": report.Stale, "registration": report.Stale, "recalls": report.Stale, "odometer": report.Stale}
	for name, f := range freshness(r) {
		if f != want[name] {
			t.Errorf("%s: %s, want %s", name, f, want[name])
		}
	}
	if r.Recalls.Data == nil || r.Recalls.Data.OpenCount == 0 {
		t.Errorf("stale recalls not served: %+v", r.Recalls)
	}
}

func TestReportInvalidVIN(t *testing.T) {
	s := newStack(t, 1)
	res := s.run(t, input("WVWZZZCD4MW100001", "", "anonymous")) // check digit off by one
	if res.Status != engine.StatusFailed || res.Error != "VehicleData.Invalid" {
		t.Fatalf("got %s %s", res.Status, res.Error)
	}
	if !strings.Contains(res.Cause, `\"field\":\"vin\"`) || !strings.Contains(res.Cause, "check-digit") {
		t.Fatalf("cause does not name field and rule: %s", res.Cause)
	}
	res = s.run(t, []byte(`{"caller":{"sub":"","role":"anonymous"}}`))
	if res.Status != engine.StatusFailed || res.Error != "VehicleData.Invalid" {
		t.Fatalf("missing vin: %s %s %s", res.Status, res.Error, res.Cause)
	}
	if n := s.sims.TotalRequests(); n != 0 {
		t.Fatalf("invalid VIN reached legacy systems: %d requests", n)
	}
}

// A VIN of another manufacturer (a WMI that is not one of the OEM's) is valid but cannot be ours:
// the report answers NotFound at once, from the VIN alone, without asking any legacy system or
// the cache.
func TestReportForeignVINIsNotFoundWithoutLegacyCalls(t *testing.T) {
	s := newStack(t, 1)
	for _, vin := range []vehicle.VIN{"1M8GDM9AXKP042788", "VF1AB000X12345678", "ZFA312000A1234567"} {
		if _, err := vehicle.ParseVIN(string(vin)); err != nil {
			t.Fatalf("%s is not a valid VIN: %v", vin, err)
		}
		res := s.run(t, input(vin, "", "anonymous"))
		if res.Status != engine.StatusFailed || res.Error != "VehicleData.NotFound" {
			t.Fatalf("%s: got %s %s %s", vin, res.Status, res.Error, res.Cause)
		}
		if strings.Contains(res.Cause, string(vin)) {
			t.Fatalf("cause echoes the VIN: %s", res.Cause)
		}
	}
	if n := s.sims.TotalRequests(); n != 0 {
		t.Fatalf("a foreign VIN reached legacy systems: %d requests", n)
	}
}

func TestReportUnknownVINIsNotFoundAndCachedNegative(t *testing.T) {
	s := newStack(t, 1)
	for range 2 {
		res := s.run(t, input(world.DemoUnknown, "", "anonymous"))
		if res.Status != engine.StatusFailed || res.Error != "VehicleData.NotFound" {
			t.Fatalf("got %s %s %s", res.Status, res.Error, res.Cause)
		}
	}
	if n := s.sims.System(vehicle.SourceVehicleMaster).Stats().Total; n != 1 {
		t.Fatalf("vehicle master asked %d times, want 1 (second answer from the negative entry)", n)
	}
}

func TestConcurrentColdReportsCallEachSourceOnce(t *testing.T) {
	// Baseline: what one cold report costs each system (recalls may page).
	base := newStack(t, 1)
	base.report200(t, world.DemoOwners, "", "anonymous")
	want := base.requests()

	s := newStack(t, 4)
	// -short (make race): fewer callers, the same single-flight race, without the race detector's
	// slowdown turning a hundred of them into step timeouts.
	n := 100
	if testing.Short() {
		n = 16
	}
	var wg sync.WaitGroup
	results := make(chan engine.Result, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 28*time.Second)
			defer cancel()
			res, err := s.eng.StartSyncExecution(ctx, s.report, input(world.DemoOwners, "", "anonymous"))
			if err != nil {
				res = engine.Result{Status: "ERROR", Error: err.Error()}
			}
			results <- res
		}()
	}
	wg.Wait()
	close(results)
	for res := range results {
		if res.Status != engine.StatusSucceeded {
			t.Fatalf("execution %s: %s %s", res.Status, res.Error, res.Cause)
		}
		var r report.Report
		must(t, json.Unmarshal([]byte(res.Output), &r))
		for name, f := range freshness(r) {
			if f != report.Fresh {
				t.Fatalf("%s: %s", name, f)
			}
		}
	}
	if got := s.requests(); !equalCounts(got, want) {
		t.Fatalf("100 concurrent cold reports made %v requests, one report makes %v", got, want)
	}
}

func TestOwnerSeesPersonalSectionsOthersDoNot(t *testing.T) {
	s := newStack(t, 1)
	ctx := context.Background()
	now := time.Now()
	must(t, s.grants.Put(ctx, dynamo.Grant{VIN: world.DemoOwners, Subject: "user-1", GrantedAt: now, ExpiresAt: now.Add(time.Hour), Method: "owner-code"}))
	must(t, s.grants.Put(ctx, dynamo.Grant{VIN: world.DemoOwners, Subject: "user-old", GrantedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour), Method: "owner-code"}))

	// A public report first, so the owner's report is served from the same cache.
	pub := s.report200(t, world.DemoOwners, "", "anonymous")
	if pub.Owner != nil {
		t.Fatal("anonymous caller sees the owner section")
	}
	before := s.requests()
	own := s.report200(t, world.DemoOwners, "user-1", "consumer")
	if own.Access != vehicle.AccessOwner || own.Owner == nil || own.Owner.Data == nil || own.Owner.Data.Name == "" {
		t.Fatalf("owner view: access %q owner %+v", own.Access, own.Owner)
	}
	if regs := own.Registration.Data.Registrations; len(regs) == 0 || regs[len(regs)-1].Plate == "" {
		t.Fatalf("owner does not see plates: %+v", regs)
	}
	if after := s.requests(); !equalCounts(before, after) {
		t.Errorf("owner report refetched although personal items were cached: %v -> %v", before, after)
	}
	others := []struct {
		name      string
		vin       vehicle.VIN
		sub, role string
	}{
		{"other consumer", world.DemoOwners, "user-2", "consumer"},
		{"expired grant", world.DemoOwners, "user-old", "consumer"},
		{"dealer", world.DemoOwners, "user-1", "dealer"},
		{"grant for another car", world.DemoClean, "user-1", "consumer"},
	}
	for _, o := range others {
		r := s.report200(t, o.vin, o.sub, o.role)
		b, _ := json.Marshal(r)
		if r.Access != vehicle.AccessPublic || r.Owner != nil || strings.Contains(string(b), `"plate"`) || strings.Contains(string(b), own.Owner.Data.Name) {
			t.Errorf("%s sees personal data: %s", o.name, b)
		}
	}
}

func TestOwnershipAuthorization(t *testing.T) {
	s := newStack(t, 1)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	must(t, s.grants.Put(ctx, dynamo.Grant{VIN: world.DemoClean, Subject: "u1", GrantedAt: time.Now(), ExpiresAt: exp, Method: "owner-code"}))
	cases := []struct {
		in, want string
	}{
		{`{"vin":"` + string(world.DemoClean) + `","caller":{"sub":"u1","role":"consumer"}}`, `{"access":"owner","grantExpiresAt":"` + dynamo.FormatTime(exp) + `"}`},
		{`{"vin":"` + string(world.DemoClean) + `","caller":{"sub":"u2","role":"consumer"}}`, `{"access":"public"}`},
		{`{"vin":"` + string(world.DemoRecall) + `","caller":{"sub":"u1","role":"consumer"}}`, `{"access":"public"}`},
		{`{"vin":"` + string(world.DemoClean) + `","caller":{"sub":"u1","role":"dealer"}}`, `{"access":"public"}`},
		{`{"vin":"` + string(world.DemoClean) + `","caller":{"role":"consumer"}}`, `{"access":"public"}`},
		{`{"vin":"` + string(world.DemoClean) + `"}`, `{"access":"public"}`},
	}
	for _, c := range cases {
		res, err := s.eng.StartSyncExecution(ctx, s.auth, []byte(c.in))
		must(t, err)
		if res.Status != engine.StatusSucceeded || res.Output != c.want {
			t.Errorf("%s: %s %s %s, want %s", c.in, res.Status, res.Error, res.Output, c.want)
		}
	}
}

func equalCounts(a, b map[vehicle.Source]int64) bool {
	for _, src := range report.Sources() {
		if a[src] != b[src] {
			return false
		}
	}
	return true
}

// A built step hands its runtime the state error name and the apperr JSON, never the internal
// detail; a step whose settings are missing is not built at all, and the error names them.
func TestBuiltStepsShapeErrorsAndNameMissingSettings(t *testing.T) {
	fns, err := wiring.Build(t.Context(), wiring.Config{PseudonymKey: []byte("0123456789abcdef")}, catalog.ValidateVIN)
	if err != nil {
		t.Fatal(err)
	}
	h, ok := fns.Lookup(catalog.ValidateVIN)
	if !ok {
		t.Fatal("validate-vin not built")
	}
	_, err = h(context.Background(), []byte(`{"vin":"WVWZZZCD4MW100001"}`))
	var typed interface{ ErrorType() string }
	if !errors.As(err, &typed) || typed.ErrorType() != "VehicleData.Invalid" {
		t.Fatalf("err = %#v", err)
	}
	var body apperr.Error
	if json.Unmarshal([]byte(err.Error()), &body) != nil || body.Field != "vin" || body.Rule != "check-digit" {
		t.Fatalf("error text is not the apperr JSON: %s", err.Error())
	}
	_, err = wiring.Build(t.Context(), wiring.Config{PseudonymKey: []byte("0123456789abcdef")}, catalog.FetchWorkshop)
	if err == nil || !strings.Contains(err.Error(), wiring.EnvWorkshopURL) || !strings.Contains(err.Error(), wiring.EnvTableName) {
		t.Fatalf("a fetch step without table and URL: %v", err)
	}
	if _, err := wiring.Build(t.Context(), wiring.Config{PseudonymKey: []byte("short")}, catalog.ValidateVIN); err == nil {
		t.Fatal("a 5-byte pseudonym key was accepted")
	}
}

// flakyReads is DynamoDB as the state machine sees it under load: the getItem of one sort key
// fails, of another hangs until the task's timeout.
type flakyReads struct {
	engine.DynamoDBAPI
	fail, hang string
}

func (f flakyReads) GetItem(ctx context.Context, in *awsddb.GetItemInput, opts ...func(*awsddb.Options)) (*awsddb.GetItemOutput, error) {
	if sk, ok := in.Key["sk"].(*types.AttributeValueMemberS); ok {
		switch sk.Value {
		case f.fail:
			return nil, errors.New("ProvisionedThroughputExceededException: throttled")
		case f.hang:
			<-ctx.Done()
			return nil, ctx.Err()
		}
	}
	return f.DynamoDBAPI.GetItem(ctx, in, opts...)
}

// A cache read that fails or times out is a miss, not a failed report: the source is fetched
// (its fetch step reads the cache itself and finds the item fresh, so no legacy call is made)
// and the report answers. (issue 9, item 4)
func TestSlowOrFailedCacheReadIsAMiss(t *testing.T) {
	s := newStack(t, 1)
	s.report200(t, world.DemoRecall, "", "anonymous") // warm
	s.useEngine(t, flakyReads{DynamoDBAPI: env.Client, fail: "SRC#workshop", hang: "SRC#recalls"})
	before := s.requests()
	r := s.report200(t, world.DemoRecall, "", "anonymous")
	for name, f := range freshness(r) {
		if f != report.Fresh {
			t.Errorf("%s: %s, want fresh", name, f)
		}
	}
	if after := s.requests(); !equalCounts(before, after) {
		t.Errorf("legacy calls %v -> %v: the fresh items should have been found by the fetch steps", before, after)
	}
}

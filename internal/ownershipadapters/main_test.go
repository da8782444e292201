package ownershipadapters_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/devoutbox"
	"github.com/acme-oem/vehicle-data/internal/local/dynalitetest"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

var env *dynalitetest.Env

func TestMain(m *testing.M) { dynalitetest.Main(m, &env) }

// sharedTable is one table for the whole binary: every test uses its own VINs and subjects (the
// lockouts key on them), so tests stay independent without paying for a table each.
var sharedTable = struct {
	once sync.Once
	name string
}{}

func table(t testing.TB) string {
	t.Helper()
	sharedTable.once.Do(func() { sharedTable.name = env.NewTable(t) })
	if sharedTable.name == "" {
		t.Fatal("shared table was not created")
	}
	return sharedTable.name
}

var vinSeq atomic.Int64

// newVIN mints a fresh valid VIN (check digit included), unique within the test binary.
func newVIN(t testing.TB) vehicle.VIN {
	t.Helper()
	s := fmt.Sprintf("WVWZZZ1KZAW%06d", vinSeq.Add(1))
	b := []byte(s)
	b[8] = vehicle.CheckDigitOf(s)
	v, err := vehicle.ParseVIN(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var subSeq atomic.Int64

func newSubject() string { return fmt.Sprintf("sub-%d", subSeq.Add(1)) }

// clock is a manual clock: tests move time instead of sleeping.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// fakeRegistry answers OwnerOnRecord from a map; a VIN not in it has no owner on record. It
// counts the questions per VIN.
type fakeRegistry struct {
	mu     sync.Mutex
	owners map[vehicle.VIN]string // VIN -> document code ("" when the document has none)
	asked  map[vehicle.VIN]int
}

func (r *fakeRegistry) OwnerOnRecord(_ context.Context, vin vehicle.VIN) (bool, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.asked == nil {
		r.asked = map[vehicle.VIN]int{}
	}
	r.asked[vin]++
	doc, ok := r.owners[vin]
	return ok, doc, nil
}

// calls is how often the registry was asked about vin.
func (r *fakeRegistry) calls(vin vehicle.VIN) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.asked[vin]
}

func (r *fakeRegistry) addOwner(vin vehicle.VIN, docCode string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.owners[vin] = docCode
}

// countingRepo counts the guesses the repository let through to the comparison.
type countingRepo struct {
	ownership.Repository
	evaluated atomic.Int64
}

func (r *countingRepo) ConsumeAttempt(ctx context.Context, id, subject string, vin vehicle.VIN, now time.Time) (ownership.Challenge, error) {
	ch, err := r.Repository.ConsumeAttempt(ctx, id, subject, vin, now)
	if err == nil {
		r.evaluated.Add(1)
	}
	return ch, err
}

// fixture is the service wired as the local stack wires it, on dynalite.
type fixture struct {
	svc      *ownership.Service
	repo     *countingRepo
	grants   *dynamo.Grants
	outbox   *devoutbox.Outbox
	registry *fakeRegistry
	clock    *clock
	policy   ownership.Policy
	coder    ownership.Coder
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	tbl := table(t)
	coder, err := ownership.NewCoder(bytes.Repeat([]byte("k"), 32), 6)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{
		repo:     &countingRepo{Repository: dynamo.NewOwnershipStore(env.Client, tbl)},
		grants:   dynamo.NewGrants(env.Client, tbl),
		outbox:   devoutbox.New(devoutbox.Options{}),
		registry: &fakeRegistry{owners: map[vehicle.VIN]string{}},
		clock:    newClock(),
		policy:   ownership.DefaultPolicy(),
		coder:    coder,
	}
	f.svc = ownership.NewService(f.repo, f.registry, f.outbox, coder, f.policy, f.clock.Now)
	return f
}

// ownedVIN is a fresh VIN with an owner on record and a registration document code.
func (f *fixture) ownedVIN(t testing.TB, docCode string) vehicle.VIN {
	t.Helper()
	v := newVIN(t)
	f.registry.addOwner(v, docCode)
	return v
}

// sentCode is the code the outbox delivered for vin.
func (f *fixture) sentCode(t *testing.T, vin vehicle.VIN) string {
	t.Helper()
	code, ok := f.outbox.Latest(vin)
	if !ok {
		t.Fatal("no code was sent")
	}
	return code
}

func (f *fixture) start(t *testing.T, sub string, vin vehicle.VIN, m ownership.Method) ownership.Challenge {
	t.Helper()
	ch, err := f.svc.StartChallenge(context.Background(), sub, vin, m)
	if err != nil {
		t.Fatalf("StartChallenge: %v", err)
	}
	return ch
}

// wrongCode returns a well-formed code other than right.
func wrongCode(right string) string {
	if right == "000000" {
		return "000001"
	}
	return "000000"
}

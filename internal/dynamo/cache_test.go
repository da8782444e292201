package dynamo_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/dynalitetest"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

var env *dynalitetest.Env

func TestMain(m *testing.M) { dynalitetest.Main(m, &env) }

const vin = vehicle.VIN("WVWZZZAUZLW000013")

// clock is a manual clock: tests move time explicitly instead of sleeping.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func newCache(t *testing.T, table string, c *clock) *dynamo.Cache {
	t.Helper()
	cfg := dynamo.DefaultCacheConfig()
	cfg.Now = c.Now
	cfg.PollInterval = 5 * time.Millisecond
	return dynamo.NewCache(env.Client, table, cfg)
}

func TestCacheFreshStaleHardExpired(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	cache := newCache(t, env.NewTable(t), c)
	rec := dynamo.Record{FetchedAt: c.Now(), Public: json.RawMessage(`{"n":1}`)}
	if ok, err := cache.Put(ctx, vin, vehicle.SourceRecalls, rec); err != nil || !ok {
		t.Fatalf("Put = %v, %v", ok, err)
	}
	pol := cache.Policy(vehicle.SourceRecalls)

	e := get(t, cache, vehicle.SourceRecalls)
	if !e.Present || !e.Fresh(c.Now(), false) || string(e.Public) != `{"n":1}` || !e.FetchedAt.Equal(rec.FetchedAt) {
		t.Fatalf("just written: %+v", e)
	}
	c.Advance(pol.Soft)
	if e := get(t, cache, vehicle.SourceRecalls); !e.Present || e.Fresh(c.Now(), false) {
		t.Fatalf("at soft expiry: want present and stale, got %+v", e)
	}
	c.Advance(pol.Hard - pol.Soft)
	if e := get(t, cache, vehicle.SourceRecalls); e.Present || e.Public != nil {
		t.Fatalf("at hard expiry: want absent, got %+v", e)
	}
}

func TestCachePersonalItemExpiresFirst(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	cache := newCache(t, env.NewTable(t), c)
	rec := dynamo.Record{FetchedAt: c.Now(), Public: json.RawMessage(`{"pub":1}`), Personal: json.RawMessage(`{"pub":1,"plate":"X"}`)}
	if _, err := cache.Put(ctx, vin, vehicle.SourceRegistry, rec); err != nil {
		t.Fatal(err)
	}
	e := get(t, cache, vehicle.SourceRegistry)
	if string(e.Personal) != `{"pub":1,"plate":"X"}` || !e.Fresh(c.Now(), true) {
		t.Fatalf("personal item missing: %+v", e)
	}
	// Registry data is fresh for a day and kept 30 days; its personal part only one day.
	c.Advance(24*time.Hour - time.Millisecond)
	if e := get(t, cache, vehicle.SourceRegistry); e.Personal == nil {
		t.Fatal("personal item gone before its hard expiry")
	}
	c.Advance(48 * time.Hour)
	e = get(t, cache, vehicle.SourceRegistry)
	if e.Personal != nil || !e.Present || string(e.Public) != `{"pub":1}` {
		t.Fatalf("after personal hard expiry: %+v", e)
	}
	if e.Fresh(c.Now(), true) {
		t.Fatal("an owner's request must refetch once the personal item expired")
	}
}

func TestCacheNegativeEntryIsShortLived(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	cache := newCache(t, env.NewTable(t), c)
	if _, err := cache.Put(ctx, vin, vehicle.SourceVehicleMaster, dynamo.Record{FetchedAt: c.Now(), NotFound: true}); err != nil {
		t.Fatal(err)
	}
	c.Advance(9 * time.Minute)
	if e := get(t, cache, vehicle.SourceVehicleMaster); !e.NotFound || !e.Fresh(c.Now(), true) {
		t.Fatalf("negative entry within 10 min: %+v", e)
	}
	c.Advance(time.Minute)
	if e := get(t, cache, vehicle.SourceVehicleMaster); e.Present || e.NotFound {
		t.Fatalf("negative entry after 10 min: %+v", e)
	}
}

func TestCachePutNeverOverwritesNewerFetch(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	cache := newCache(t, env.NewTable(t), c)
	newer := dynamo.Record{FetchedAt: c.Now(), Public: json.RawMessage(`"new"`), Personal: json.RawMessage(`"new-p"`)}
	older := dynamo.Record{FetchedAt: c.Now().Add(-time.Second), Public: json.RawMessage(`"old"`), Personal: json.RawMessage(`"old-p"`)}
	if ok, err := cache.Put(ctx, vin, vehicle.SourceWorkshop, newer); err != nil || !ok {
		t.Fatalf("Put newer = %v, %v", ok, err)
	}
	if ok, err := cache.Put(ctx, vin, vehicle.SourceWorkshop, older); err != nil || ok {
		t.Fatalf("Put older = %v, %v; want refused", ok, err)
	}
	if ok, err := cache.Put(ctx, vin, vehicle.SourceWorkshop, newer); err != nil || ok {
		t.Fatalf("Put same fetch again = %v, %v; want refused", ok, err)
	}
	e := get(t, cache, vehicle.SourceWorkshop)
	if string(e.Public) != `"new"` || string(e.Personal) != `"new-p"` {
		t.Fatalf("older write won: %+v", e)
	}
}

// Every contender has its own Cache (its own singleflight), as separate Lambda instances do:
// only the lease item keeps them to one call.
func TestFetchAcrossProcessesCallsSourceOnce(t *testing.T) {
	c := newClock()
	table := env.NewTable(t)
	var calls atomic.Int32
	fetch := func(ctx context.Context) (dynamo.Record, error) {
		calls.Add(1)
		return dynamo.Record{FetchedAt: c.Now(), Public: json.RawMessage(`"pub"`), Personal: json.RawMessage(`"all"`)}, nil
	}
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		cache := newCache(t, table, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			e, err := cache.Fetch(ctx, vin, vehicle.SourceWorkshop, true, fetch)
			if err == nil && (string(e.Personal) != `"all"` || string(e.Public) != `"pub"`) {
				err = errors.New("follower got " + string(e.Personal))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := calls.Load(); got != 1 {
		t.Fatalf("source called %d times, want 1", got)
	}
}

func TestFetchInProcessSharesOneCall(t *testing.T) {
	c := newClock()
	cache := newCache(t, env.NewTable(t), c)
	var calls atomic.Int32
	release := make(chan struct{})
	fetch := func(ctx context.Context) (dynamo.Record, error) {
		calls.Add(1)
		<-release
		return dynamo.Record{FetchedAt: c.Now(), Public: json.RawMessage(`1`)}, nil
	}
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := cache.Fetch(context.Background(), vin, vehicle.SourceRecalls, false, fetch); err != nil {
				failed.Add(1)
			}
		}()
	}
	close(release)
	wg.Wait()
	if calls.Load() != 1 || failed.Load() != 0 {
		t.Fatalf("calls = %d, failures = %d", calls.Load(), failed.Load())
	}
}

func TestFetchFailureIsSharedNotRetriedByFollowers(t *testing.T) {
	c := newClock()
	table := env.NewTable(t)
	var calls atomic.Int32
	fetch := func(ctx context.Context) (dynamo.Record, error) {
		calls.Add(1)
		return dynamo.Record{}, apperr.New(apperr.Unavailable, "down")
	}
	const n = 20
	var wg sync.WaitGroup
	codes := make(chan apperr.Code, n)
	for range n {
		cache := newCache(t, table, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := cache.Fetch(context.Background(), vin, vehicle.SourceRecalls, false, fetch)
			codes <- apperr.CodeOf(err)
		}()
	}
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != apperr.Unavailable {
			t.Fatalf("code = %s, want UNAVAILABLE", code)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("failing source called %d times, want 1", calls.Load())
	}
	// After the failure hold the next request asks the source again.
	c.Advance(dynamo.DefaultCacheConfig().FailureHold)
	cache := newCache(t, table, c)
	ok := func(ctx context.Context) (dynamo.Record, error) {
		calls.Add(1)
		return dynamo.Record{FetchedAt: c.Now(), Public: json.RawMessage(`2`)}, nil
	}
	if e, err := cache.Fetch(context.Background(), vin, vehicle.SourceRecalls, false, ok); err != nil || string(e.Public) != "2" {
		t.Fatalf("after hold: %+v, %v", e, err)
	}
}

func TestFetchTakesOverExpiredLeaseAndFollowerTimesOut(t *testing.T) {
	c := newClock()
	table := env.NewTable(t)
	block := make(chan struct{})
	defer close(block)
	started := make(chan struct{})
	// A leader that never finishes (a crashed Lambda) holds the lease.
	crashed := newCache(t, table, c)
	go func() {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, _ = crashed.Fetch(ctx, vin, vehicle.SourceRecalls, false, func(context.Context) (dynamo.Record, error) {
			close(started)
			<-block
			return dynamo.Record{}, errors.New("never")
		})
	}()
	<-started
	follower := newCache(t, table, c)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := follower.Fetch(ctx, vin, vehicle.SourceRecalls, false, func(context.Context) (dynamo.Record, error) {
		t.Error("follower called the source while the lease was held")
		return dynamo.Record{}, nil
	})
	if apperr.CodeOf(err) != apperr.Timeout {
		t.Fatalf("follower err = %v, want TIMEOUT", err)
	}
	// Once the lease expires, someone else may fetch.
	c.Advance(dynamo.DefaultCacheConfig().LeaseTTL + time.Millisecond)
	var calls atomic.Int32
	e, err := follower.Fetch(context.Background(), vin, vehicle.SourceRecalls, false, func(context.Context) (dynamo.Record, error) {
		calls.Add(1)
		return dynamo.Record{FetchedAt: c.Now(), Public: json.RawMessage(`3`)}, nil
	})
	if err != nil || calls.Load() != 1 || string(e.Public) != "3" {
		t.Fatalf("takeover: %+v, %v, calls %d", e, err, calls.Load())
	}
}

func TestCachedSectionsFromStateMachineItems(t *testing.T) {
	c := newClock()
	now := FormatOffset(c, 0)
	soft := FormatOffset(c, time.Hour)
	hard := FormatOffset(c, 2*time.Hour)
	outs := []json.RawMessage{
		json.RawMessage(`{}`),
		json.RawMessage(`{"Item":{"pk":{"S":"VIN#X"},"sk":{"S":"PII#registry"},"fetchedAt":{"S":"` + now + `"},"hardExpiry":{"S":"` + soft + `"},"data":{"S":"{\"plate\":\"P\"}"}}}`),
		json.RawMessage(`{"Item":{"pk":{"S":"VIN#X"},"sk":{"S":"SRC#registry"},"fetchedAt":{"S":"` + now + `"},"softExpiry":{"S":"` + soft + `"},"hardExpiry":{"S":"` + hard + `"},"notFound":{"BOOL":false},"hasPersonal":{"BOOL":true},"data":{"S":"{}"},"n":{"N":"1"},"l":{"L":[{"M":{"a":{"NULL":true}}}]}}}`),
		json.RawMessage(`{"Item":{"pk":{"S":"VIN#X"},"sk":{"S":"SRC#vehicle-master"},"fetchedAt":{"S":"` + now + `"},"softExpiry":{"S":"` + now + `"},"hardExpiry":{"S":"` + now + `"},"notFound":{"BOOL":true}}}`),
	}
	got, err := dynamo.CachedSections(items(t, outs), c.Now())
	if err != nil {
		t.Fatal(err)
	}
	reg := got[vehicle.SourceRegistry]
	if !reg.Fresh(c.Now(), true) || string(reg.Personal) != `{"plate":"P"}` || string(reg.Public) != `{}` {
		t.Fatalf("registry = %+v", reg)
	}
	if vm := got[vehicle.SourceVehicleMaster]; vm.Present || vm.NotFound {
		t.Fatalf("hard-expired negative entry still present: %+v", vm)
	}
	for _, bad := range []string{`{"pk":{"X":1}}`, `{"pk":{"S":"a","N":"1"}}`, `{"pk":{}}`, `{"pk":{"S":null}}`, `{"pk":{"B":"AA=="}}`} {
		var it dynamo.Item
		if err := json.Unmarshal([]byte(bad), &it); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	var it dynamo.Item
	if err := json.Unmarshal([]byte(`{"pk":{"s":"a"},"n":{"N":"1"},"m":{"M":{"x":{"BOOL":true}}},"l":{"L":[{"NULL":true},{"SS":["a"]}]}}`), &it); err != nil ||
		len(it) != 4 || it["pk"].(*types.AttributeValueMemberS).Value != "a" {
		t.Errorf("valid item: %v, %v", it, err)
	}
}

// items decodes getItem outputs ({"Item": ...} or {}) as the state machine passes their items.
func items(t *testing.T, outs []json.RawMessage) []dynamo.Item {
	t.Helper()
	var out []dynamo.Item
	for _, o := range outs {
		var w struct{ Item dynamo.Item }
		if err := json.Unmarshal(o, &w); err != nil {
			t.Fatal(err)
		}
		out = append(out, w.Item)
	}
	return out
}

func FormatOffset(c *clock, d time.Duration) string { return dynamo.FormatTime(c.Now().Add(d)) }

func get(t *testing.T, cache *dynamo.Cache, src vehicle.Source) report.Cached {
	t.Helper()
	e, err := cache.Get(context.Background(), vin, src)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// AWS TTL deletes personal items soon after their hard expiry (the code never relies on it).
func TestItemsCarryTTLForAWSCleanup(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	table := env.NewTable(t)
	cache := newCache(t, table, c)
	rec := dynamo.Record{FetchedAt: c.Now(), Public: json.RawMessage(`1`), Personal: json.RawMessage(`2`)}
	if _, err := cache.Put(ctx, vin, vehicle.SourceRegistry, rec); err != nil {
		t.Fatal(err)
	}
	for sk, want := range map[string]time.Time{
		"PII#registry": c.Now().Add(24 * time.Hour),
		"SRC#registry": c.Now().Add(cache.Policy(vehicle.SourceRegistry).Hard),
	} {
		out, err := env.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "VIN#" + string(vin)}, "sk": &types.AttributeValueMemberS{Value: sk}}})
		if err != nil {
			t.Fatal(err)
		}
		n, _ := out.Item[dynamo.AttrTTL].(*types.AttributeValueMemberN)
		if n == nil || n.Value != strconv.FormatInt(want.Unix(), 10) {
			t.Errorf("%s ttl = %v, want %d", sk, out.Item[dynamo.AttrTTL], want.Unix())
		}
	}
}

func TestRefreshCallsOnceNeverWaitsAndKeepsStaleOnFailure(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	table := env.NewTable(t)
	cache := newCache(t, table, c)
	other := newCache(t, table, c) // another process (Lambda instance) on the same table
	src := vehicle.SourceRecalls
	if _, err := cache.Put(ctx, vin, src, dynamo.Record{FetchedAt: c.Now(), Public: json.RawMessage(`{"n":1}`)}); err != nil {
		t.Fatal(err)
	}
	// Fresh: no call.
	var calls atomic.Int32
	fetchN := func(n int) dynamo.FetchFunc {
		return func(context.Context) (dynamo.Record, error) {
			calls.Add(1)
			return dynamo.Record{FetchedAt: c.Now(), Public: json.RawMessage(`{"n":` + strconv.Itoa(n) + `}`)}, nil
		}
	}
	if ok, err := cache.Refresh(ctx, vin, src, fetchN(2)); !ok || err != nil || calls.Load() != 0 {
		t.Fatalf("fresh entry: Refresh = %v, %v after %d calls", ok, err, calls.Load())
	}
	c.Advance(cache.Policy(src).Soft + time.Minute)

	// A failing refresh leaves the stale entry as it was.
	boom := func(context.Context) (dynamo.Record, error) {
		calls.Add(1)
		return dynamo.Record{}, apperr.New(apperr.Unavailable, "down")
	}
	if ok, err := cache.Refresh(ctx, vin, src, boom); ok || apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("failing refresh: %v, %v", ok, err)
	}
	if e := get(t, cache, src); string(e.Public) != `{"n":1}` || e.Freshness(c.Now()) != report.Stale {
		t.Fatalf("after a failed refresh: %+v", e)
	}
	// Within FailureHold the next refresh does not call the system that has just failed.
	for _, cc := range []*dynamo.Cache{cache, other} {
		if ok, err := cc.Refresh(ctx, vin, src, boom); ok || err != nil || calls.Load() != 1 {
			t.Fatalf("refresh during the failure hold: %v, %v after %d calls", ok, err, calls.Load())
		}
	}
	c.Advance(time.Hour)

	// Concurrent refreshes, in this process and in another: one call; the others return at once,
	// without waiting for it (this process by its memory of the attempt, the other by the lease).
	calls.Store(0)
	release := make(chan struct{})
	slow := func(context.Context) (dynamo.Record, error) {
		calls.Add(1)
		<-release
		return dynamo.Record{FetchedAt: c.Now(), Public: json.RawMessage(`{"n":3}`)}, nil
	}
	leader := make(chan error, 1)
	go func() {
		_, err := cache.Refresh(ctx, vin, src, slow)
		leader <- err
	}()
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	for _, cc := range []*dynamo.Cache{cache, other, cache, other} {
		if ok, err := cc.Refresh(ctx, vin, src, slow); ok || err != nil {
			t.Fatalf("refresh while another runs: %v, %v", ok, err)
		}
	}
	close(release)
	if err := <-leader; err != nil {
		t.Fatal(err)
	}
	if e := get(t, cache, src); string(e.Public) != `{"n":3}` || !e.Fresh(c.Now(), false) || calls.Load() != 1 {
		t.Fatalf("after the refresh: %+v, %d calls", e, calls.Load())
	}
}

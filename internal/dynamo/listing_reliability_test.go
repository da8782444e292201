package dynamo_test

import (
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/listing"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// faultyDynamo is an HTTP proxy in front of dynalite that delays every request and fails some:
// before forwarding (the write never happened) or after (the write happened, the caller sees a
// 500, as when a Lambda dies right after DynamoDB applied its write).
type faultyDynamo struct {
	proxy            *httputil.ReverseProxy
	mu               sync.Mutex
	rnd              *rand.Rand
	before, after    float64
	maxDelay         time.Duration
	failedB, failedA atomic.Int64
	forwarded        atomic.Int64
}

func (f *faultyDynamo) dice() (float64, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rnd.Float64(), time.Duration(f.rnd.Int64N(int64(f.maxDelay)))
}

func (f *faultyDynamo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, delay := f.dice()
	time.Sleep(delay)
	if p < f.before {
		f.failedB.Add(1)
		injected500(w)
		return
	}
	f.forwarded.Add(1)
	if p < f.before+f.after {
		// Forward, let dynalite apply it, then answer as if it failed.
		rec := httptest.NewRecorder()
		f.proxy.ServeHTTP(rec, r)
		f.failedA.Add(1)
		injected500(w)
		return
	}
	f.proxy.ServeHTTP(w, r)
}

const injectedBody = `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected fault"}`

func injected500(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	// DynamoDB checksums its bodies; the SDK checks the header when present.
	w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(injectedBody))), 10))
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = io.WriteString(w, injectedBody)
}

// noRetry calls DynamoDB without the SDK's own retries, so every injected fault reaches the
// service and the client's retry (the case under test) has to cope with it.
type noRetry struct{ c *dynamodb.Client }

func once(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }

func (n noRetry) GetItem(ctx context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return n.c.GetItem(ctx, in, once)
}
func (n noRetry) PutItem(ctx context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return n.c.PutItem(ctx, in, once)
}
func (n noRetry) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return n.c.UpdateItem(ctx, in, once)
}
func (n noRetry) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return n.c.DeleteItem(ctx, in, once)
}
func (n noRetry) Query(ctx context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return n.c.Query(ctx, in, once)
}

func mintTestVIN(i int) vehicle.VIN {
	s := fmt.Sprintf("WVWZZZCD0MW5%05d", i)
	return vehicle.VIN(s[:8] + string(vehicle.CheckDigitOf(s)) + s[9:])
}

// TestListingCreatesSurviveDynamoFaultsAndCrashes: 200 creates, each retried by its client with
// the same Idempotency-Key until acknowledged, some sent twice at once, through a DynamoDB that
// is slow, fails 10 % of requests before applying them and 10 % after. Afterwards there is
// exactly one listing per key and every acknowledged id reads back.
func TestListingCreatesSurviveDynamoFaultsAndCrashes(t *testing.T) {
	ctx := context.Background()
	table := env.NewTable(t)
	target, err := url.Parse(env.Server.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	faults := &faultyDynamo{proxy: httputil.NewSingleHostReverseProxy(target),
		rnd: rand.New(rand.NewPCG(10, 1)), before: 0.1, after: 0.1, maxDelay: 15 * time.Millisecond} //nolint:gosec // fault dice, reproducible by seed; nothing secret
	srv := httptest.NewServer(faults)
	defer srv.Close()
	client, err := dynamo.NewLocalClient(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	svc := &listing.Service{Store: dynamo.NewListings(noRetry{client}, table), NewID: listing.NewID}

	const n, workers, maxAttempts = 200, 16, 40
	acked := make([][]string, n) // per key, every id acknowledged to any of its clients
	var ackMu sync.Mutex
	var retries atomic.Int64
	create := func(i int) error {
		d := draft()
		d.VIN = string(mintTestVIN(i))
		req := listing.CreateRequest{Seller: "seller-canary", IdempotencyKey: fmt.Sprintf("reliability-%04d", i), Draft: d, Verified: verified()}
		for attempt := range maxAttempts {
			l, err := svc.Create(ctx, req)
			if err == nil {
				ackMu.Lock()
				acked[i] = append(acked[i], l.ID)
				ackMu.Unlock()
				return nil
			}
			if c := apperr.CodeOf(err); c != apperr.Internal {
				return fmt.Errorf("key %d attempt %d: domain error %w", i, attempt, err)
			}
			retries.Add(1)
		}
		return fmt.Errorf("key %d: not acknowledged after %d attempts", i, maxAttempts)
	}
	jobs := make(chan int)
	errs := make(chan error, 2*n)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				if i%10 == 0 { // a client that sends the same request twice at once
					var dup sync.WaitGroup
					dup.Go(func() {
						if err := create(i); err != nil {
							errs <- err
						}
					})
					if err := create(i); err != nil {
						errs <- err
					}
					dup.Wait()
					continue
				}
				if err := create(i); err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if faults.failedB.Load() == 0 || faults.failedA.Load() == 0 {
		t.Fatalf("no faults injected (before %d, after %d): the test proves nothing", faults.failedB.Load(), faults.failedA.Load())
	}
	t.Logf("%d retries; faults before the write %d, after it %d", retries.Load(), faults.failedB.Load(), faults.failedA.Load())

	// Read back without faults.
	clean := dynamo.NewListings(env.Client, table)
	stored, err := clean.BySeller(ctx, "seller-canary")
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != n {
		t.Errorf("%d listings stored for %d keys", len(stored), n)
	}
	byVIN := map[vehicle.VIN]string{}
	for _, l := range stored {
		if prev, dup := byVIN[l.VIN]; dup {
			t.Errorf("two listings (%s, %s) for one key's car", prev, l.ID)
		}
		byVIN[l.VIN] = l.ID
	}
	for i, ids := range acked {
		if len(ids) == 0 {
			continue // reported above
		}
		for _, id := range ids[1:] {
			if id != ids[0] {
				t.Errorf("key %d acknowledged two ids %s and %s", i, ids[0], id)
			}
		}
		got, err := clean.Get(ctx, ids[0])
		if err != nil || got.Status != listing.StatusActive {
			t.Errorf("key %d: acknowledged id %s reads back as %+v, %v", i, ids[0], got.Status, err)
		}
		if byVIN[mintTestVIN(i)] != ids[0] {
			t.Errorf("key %d: acknowledged %s, stored %s", i, ids[0], byVIN[mintTestVIN(i)])
		}
	}
}

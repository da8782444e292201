package stack_test

// The vehicle report's speed targets (issue 4), as benchmarks: never timed unit tests. Run:
//
//	go test -run '^$' -bench 'ColdReport|CachedReport|ColdStampede' -benchtime 10x ./internal/local/stack
//
// Each benchmark reports its figures as metrics; the README lists the latest ones.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/stack"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// startBenchStack starts a stack whose simulators answer after fixed latencies (ms per source;
// sources not named answer at once).
func startBenchStack(b *testing.B, latencyMs map[vehicle.Source]int) *stack.Stack {
	b.Helper()
	lat := map[vehicle.Source]fault.Latency{}
	for _, s := range sim.Systems() {
		lat[s] = fault.Latency{FixedMs: latencyMs[s]}
	}
	opts := sim.Options{Latency: lat}
	if len(latencyMs) == 0 {
		opts = sim.Options{NoLatency: true}
	}
	stack, err := stack.Start(b.Context(), stack.Config{
		Sim:           opts,
		LegacyBreaker: transport.BreakerConfig{ConsecutiveFailures: 1 << 20},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := stack.Close(); err != nil {
			b.Errorf("close stack: %v", err)
		}
	})
	return stack
}

// getOK fetches url and fails the benchmark unless it answers 200.
func getOK(ctx context.Context, tb testing.TB, client *http.Client, url string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		tb.Error(err)
		return
	}
	res, err := client.Do(req)
	if err != nil {
		tb.Error(err)
		return
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		tb.Errorf("GET %s: status %d: %.200s", strings.SplitN(url, "/vehicles/", 2)[0], res.StatusCode, body)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

// percentile returns the p-th percentile (0-100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

// BenchmarkColdReport measures a cold report (nothing cached) against the slowest source's
// latency. Target: at most 1.1x the slowest source plus 25 ms; the metric ms-over-budget is the
// distance from that budget (negative is inside it).
func BenchmarkColdReport(b *testing.B) {
	latency := map[vehicle.Source]int{
		vehicle.SourceVehicleMaster: 100,
		vehicle.SourceWorkshop:      300, // the slowest
		vehicle.SourceRegistry:      200,
		vehicle.SourceRecalls:       50,
	}
	const slowest = 300 * time.Millisecond
	stack := startBenchStack(b, latency)
	client := &http.Client{Timeout: 30 * time.Second}
	getOK(b.Context(), b, client, stack.APIURL+"/vehicles/"+freshVIN()) // connections, first-use costs
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		getOK(b.Context(), b, client, stack.APIURL+"/vehicles/"+freshVIN())
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	p50 := percentile(took, 50)
	budget := time.Duration(1.1*float64(slowest)) + 25*time.Millisecond
	b.ReportMetric(ms(p50), "p50-ms")
	b.ReportMetric(ms(took[len(took)-1]), "max-ms")
	b.ReportMetric(float64(p50)/float64(slowest), "x-slowest")
	b.ReportMetric(ms(p50-budget), "ms-over-budget")
}

// BenchmarkCachedReport measures cached reports through the whole local path (gateway,
// authorizer, engine, the ownership-authorization sub-execution, the Lambda steps, redaction) at
// 64 concurrent clients, against a bare handler that makes the same six DynamoDB reads in
// parallel and writes their items as JSON, in the same run and on the same dynalite. Target: the
// overhead beyond the reads at most 20%.
//
// overhead-pct compares mean latencies: with a fixed number of clients in a closed loop, the mean
// is clients/throughput (Little's law), so it measures what each request costs. The medians are
// reported too (p50-overhead-pct) but compare distributions of different shapes: the bare
// handler's six unordered reads per request starve some requests (its p99 is several times the
// gateway's), which pulls its median down without making it cheaper.
func BenchmarkCachedReport(b *testing.B) {
	const clients = 64
	const perRound = clients * 8
	stack := startBenchStack(b, nil)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 30 * time.Second}

	vins := make([]string, 16)
	for i := range vins {
		vins[i] = freshVIN()
		getOK(b.Context(), b, client, stack.APIURL+"/vehicles/"+vins[i]) // fill the cache
	}
	bare := httptest.NewServer(bareReportHandler(stack.DynamoDB, stack.TableName))
	b.Cleanup(bare.Close)

	var gw, raw []time.Duration
	var gwWall, rawWall time.Duration
	for b.Loop() {
		// Alternate the two so that both see the same machine load.
		d, wall := hammer(b, client, bare.URL+"/vehicles/", vins, clients, perRound)
		raw, rawWall = append(raw, d...), rawWall+wall
		d, wall = hammer(b, client, stack.APIURL+"/vehicles/", vins, clients, perRound)
		gw, gwWall = append(gw, d...), gwWall+wall
	}
	slices.Sort(gw)
	slices.Sort(raw)
	b.ReportMetric(ms(percentile(gw, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(gw, 99)), "p99-ms")
	b.ReportMetric(float64(len(gw))/gwWall.Seconds(), "req/s")
	b.ReportMetric(ms(percentile(raw, 50)), "bare-p50-ms")
	b.ReportMetric(ms(percentile(raw, 99)), "bare-p99-ms")
	b.ReportMetric(float64(len(raw))/rawWall.Seconds(), "bare-req/s")
	b.ReportMetric(ms(mean(gw)), "mean-ms")
	b.ReportMetric(ms(mean(raw)), "bare-mean-ms")
	b.ReportMetric(100*(float64(mean(gw))/float64(mean(raw))-1), "overhead-pct")
	b.ReportMetric(100*(float64(percentile(gw, 50))/float64(percentile(raw, 50))-1), "p50-overhead-pct")
}

// hammer sends n GETs from c concurrent clients, cycling through vins, and returns each
// request's latency and the wall time of the whole round.
func hammer(b *testing.B, client *http.Client, base string, vins []string, c, n int) ([]time.Duration, time.Duration) {
	b.Helper()
	out := make([]time.Duration, n)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += c {
				t0 := time.Now()
				getOK(b.Context(), b, client, base+vins[i%len(vins)])
				out[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	return out, time.Since(start)
}

// bareReportHandler makes the six reads vehicle-report's ReadCache branch makes (one getItem per
// cached section, personal items included), in parallel, and answers their items as JSON. It is
// the floor the state machine path is measured against.
func bareReportHandler(ddb *dynamodb.Client, table string) http.Handler {
	sks := []string{
		"SRC#" + string(vehicle.SourceVehicleMaster),
		"SRC#" + string(vehicle.SourceWorkshop), "PII#" + string(vehicle.SourceWorkshop),
		"SRC#" + string(vehicle.SourceRegistry), "PII#" + string(vehicle.SourceRegistry),
		"SRC#" + string(vehicle.SourceRecalls),
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vin := strings.TrimPrefix(r.URL.Path, "/vehicles/")
		items := make([]map[string]types.AttributeValue, len(sks))
		errs := make([]error, len(sks))
		var wg sync.WaitGroup
		for i, sk := range sks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := ddb.GetItem(r.Context(), &dynamodb.GetItemInput{
					TableName: aws.String(table),
					Key: map[string]types.AttributeValue{
						"pk": &types.AttributeValueMemberS{Value: "VIN#" + vin},
						"sk": &types.AttributeValueMemberS{Value: sk},
					},
				})
				if err == nil {
					items[i] = out.Item
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		body := map[string]string{}
		for i, it := range items {
			if errs[i] != nil || it == nil {
				http.Error(w, fmt.Sprintf("read %s: %v", sks[i], errs[i]), http.StatusInternalServerError)
				return
			}
			if s, ok := it["data"].(*types.AttributeValueMemberS); ok {
				body[sks[i]] = s.Value
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	})
}

// BenchmarkColdStampede sends 500 concurrent requests for one cold VIN and reports the most
// calls any legacy source received for it. Target: 1.
func BenchmarkColdStampede(b *testing.B) {
	const concurrent = 500
	stack := startBenchStack(b, map[vehicle.Source]int{
		vehicle.SourceVehicleMaster: 50, vehicle.SourceWorkshop: 50,
		vehicle.SourceRegistry: 50, vehicle.SourceRecalls: 50,
	})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrent}, Timeout: 60 * time.Second}
	var worst int64
	for b.Loop() {
		stack.Sims.Reset()
		url := stack.APIURL + "/vehicles/" + freshVIN()
		var wg sync.WaitGroup
		for range concurrent {
			wg.Add(1)
			go func() {
				defer wg.Done()
				getOK(b.Context(), b, client, url)
			}()
		}
		wg.Wait()
		for _, src := range report.Sources() {
			worst = max(worst, stack.Sims.Stats()[src].Total)
		}
	}
	b.ReportMetric(float64(worst), "max-calls/source")
}

// BenchmarkStaleReport measures reports of VINs seen days ago, whose daily sections (service
// history, odometer, recalls, registration) are past their soft expiry and within their hard
// expiry, beside fully cached reports, alternating rounds at 64 concurrent clients in one run on
// one stack. A stale report is answered from the cache and starts a report-refresh execution
// without waiting for it. The workshop, registry and recall systems are down during the run, so
// those sections stay stale and every request takes the stale path: each refresh finds the
// (VIN, source) lease held by a call that has just failed, or makes that one failing call. The
// build section stays fresh (its soft expiry is 30 days) and the vehicle master up: a cache read
// that times out under this load is a miss, and a miss of the vehicle master with it down would
// rightly answer 503. Target: stale p99 at most 1.2x the cached p99 (p99-ratio <= 1.2).
func BenchmarkStaleReport(b *testing.B) {
	const clients = 64
	const perRound = clients * 8
	st := startBenchStack(b, nil)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 30 * time.Second}

	cached, stale := make([]string, 16), make([]string, 16)
	for i := range cached {
		cached[i], stale[i] = freshVIN(), freshVIN()
		getOK(b.Context(), b, client, st.APIURL+"/vehicles/"+cached[i])
		getOK(b.Context(), b, client, st.APIURL+"/vehicles/"+stale[i])
	}
	if err := st.Engine.Drain(b.Context()); err != nil {
		b.Fatal(err)
	}
	past := dynamo.FormatTime(time.Now().Add(-time.Minute))
	daily := []vehicle.Source{vehicle.SourceWorkshop, vehicle.SourceRegistry, vehicle.SourceRecalls}
	for _, vin := range stale {
		for _, src := range daily {
			_, err := st.DynamoDB.UpdateItem(b.Context(), &dynamodb.UpdateItemInput{
				TableName: aws.String(st.TableName),
				Key: map[string]types.AttributeValue{
					"pk": &types.AttributeValueMemberS{Value: "VIN#" + vin},
					"sk": &types.AttributeValueMemberS{Value: "SRC#" + string(src)},
				},
				UpdateExpression:          aws.String("SET softExpiry = :p"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: past}},
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, src := range daily {
		if err := st.Sims.System(src).SetFaults(fault.Faults{Outage: fault.OutageUnavailable}); err != nil {
			b.Fatal(err)
		}
	}
	assertStale := func() {
		for _, vin := range []string{stale[0], stale[len(stale)-1]} {
			got := staleSections(b, client, st.APIURL+"/vehicles/"+vin)
			if got != len(daily) {
				b.Fatalf("%d of the stale report's source sections are stale, want %d", got, len(daily))
			}
		}
	}
	assertStale()

	var fresh, old []time.Duration
	for b.Loop() {
		d, _ := hammer(b, client, st.APIURL+"/vehicles/", cached, clients, perRound)
		fresh = append(fresh, d...)
		d, _ = hammer(b, client, st.APIURL+"/vehicles/", stale, clients, perRound)
		old = append(old, d...)
	}
	assertStale() // the whole run measured the stale path
	for _, src := range daily {
		if err := st.Sims.System(src).SetFaults(fault.Faults{}); err != nil {
			b.Error(err)
		}
	}
	slices.Sort(fresh)
	slices.Sort(old)
	b.ReportMetric(ms(percentile(fresh, 50)), "cached-p50-ms")
	b.ReportMetric(ms(percentile(fresh, 99)), "cached-p99-ms")
	b.ReportMetric(ms(percentile(old, 50)), "stale-p50-ms")
	b.ReportMetric(ms(percentile(old, 99)), "stale-p99-ms")
	b.ReportMetric(float64(percentile(old, 99))/float64(percentile(fresh, 99)), "p99-ratio")
}

// staleSections counts the sections of the report at url that are stale, one per source (the
// odometer, built from two sources, is not counted).
func staleSections(b *testing.B, client *http.Client, url string) int {
	b.Helper()
	req, err := http.NewRequestWithContext(b.Context(), http.MethodGet, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	var r map[string]json.RawMessage
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, name := range []string{"build", "serviceHistory", "recalls", "registration"} {
		var s struct {
			Freshness string `json:"freshness"`
		}
		if err := json.Unmarshal(r[name], &s); err != nil {
			b.Fatalf("section %s: %v", name, err)
		}
		if s.Freshness == "stale" {
			n++
		}
	}
	return n
}

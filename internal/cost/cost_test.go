package cost_test

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/cost"
)

func prices(t *testing.T) cost.Prices {
	t.Helper()
	p, err := cost.LoadPrices("eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func near(got, want float64) bool {
	return math.Abs(got-want) <= 1e-12*math.Max(1, math.Abs(want))+1e-18
}

// A cached report, priced by hand with the eu-central-1 file of 2026-12-06:
//
//	API Gateway        1 request × $3.70/M                                         = $0.0000037
//	Express requests   2 executions (report + nested authorization) × $1.00/M      = $0.000002
//	Express duration   report 150 ms → billed 200 ms × 64 MB: 0.0625 GB × 0.2 s    = 0.0125 GB-s
//	                   authorization 40 ms → 100 ms × 64 MB: 0.0625 × 0.1          = 0.00625 GB-s
//	                   0.01875 GB-s × $0.00001667                                  = $0.0000003125625
//	Lambda requests    2 × $0.20/M                                                 = $0.0000004
//	Lambda duration    validate 2.4 ms → 3 ms × 128 MB: 0.125 × 0.003              = 0.000375 GB-s
//	                   plan 4.2 ms → 5 ms × 128 MB: 0.125 × 0.005                  = 0.000625 GB-s
//	                   0.001 GB-s × $0.0000133334                                  = $0.0000000133334
//	DynamoDB reads     eventually consistent getItems of 2, 6, 1, 1, 1, 1 KB:
//	                   0.5 + 1 + 0.5 + 0.5 + 0.5 + 0.5 = 3.5 RRU × $0.1525/M       = $0.00000053375
//	X-Ray              1 trace × $5.00/M                                           = $0.000005
//	Logs               4,000 bytes / 2^30 × $0.63 = 2,520 / 1,073,741,824          = $0.0000023469328880310059
//	Total                                                                          = $0.0000143065787880310
//
// that is $14.31 per million cached reports.
func TestCachedReportByHand(t *testing.T) {
	b, err := prices(t).Cost(cost.Usage{
		APIRequests: 1,
		Express:     []cost.Execution{{DurationMs: 150, MemoryMB: 64}, {DurationMs: 40}},
		Lambda:      []cost.Invocation{{MemoryMB: 128, DurationMs: 2.4}, {MemoryMB: 128, DurationMs: 4.2}},
		DynamoDBReads: []cost.Read{{Bytes: 2048}, {Bytes: 6144}, {Bytes: 1024}, {Bytes: 1024}, {Bytes: 1024},
			{Bytes: 1024}},
		TracesRecorded: 1,
		LogBytes:       4000,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"APIGateway", b.APIGateway, 0.0000037},
		{"ExpressRequests", b.ExpressRequests, 0.000002},
		{"ExpressGBSeconds", b.ExpressGBSeconds, 0.01875},
		{"ExpressDuration", b.ExpressDuration, 0.0000003125625},
		{"LambdaRequests", b.LambdaRequests, 0.0000004},
		{"LambdaGBSeconds", b.LambdaGBSeconds, 0.001},
		{"LambdaDuration", b.LambdaDuration, 0.0000000133334},
		{"ReadRequestUnits", b.ReadRequestUnits, 3.5},
		{"DynamoDBReads", b.DynamoDBReads, 0.00000053375},
		{"DynamoDBWrites", b.DynamoDBWrites, 0},
		{"XRay", b.XRay, 0.000005},
		{"Logs", b.Logs, 0.0000023469328880310059},
		{"Total", b.Total, 0.0000143065787880310},
	} {
		if !near(c.got, c.want) {
			t.Errorf("%s = %.16g, want %.16g", c.name, c.got, c.want)
		}
	}
}

// A cold report, priced by hand with the same file:
//
//	API Gateway        1 × $3.70/M                                                 = $0.0000037
//	Express requests   2 × $1.00/M                                                 = $0.000002
//	Express duration   report 2,130 ms → 2,200 ms × 64 MB: 0.0625 × 2.2            = 0.1375 GB-s
//	                   authorization 40 ms → 100 ms: 0.0625 × 0.1                  = 0.00625 GB-s
//	                   0.14375 GB-s × $0.00001667                                  = $0.0000023963125
//	Lambda requests    7 × $0.20/M                                                 = $0.0000014
//	Lambda duration    validate 0.125 GB × 0.003 s                                 = 0.000375
//	                   plan 0.125 × 0.005                                          = 0.000625
//	                   fetch-vehicle-master 0.25 × 0.7                             = 0.175
//	                   fetch-workshop 0.25 × 2.0                                   = 0.5
//	                   fetch-registry 0.25 × 1.1                                   = 0.275
//	                   fetch-recalls 0.25 × 0.45                                   = 0.1125
//	                   merge 11.5 ms → 12 ms: 0.25 × 0.012                         = 0.003
//	                   1.0665 GB-s × $0.0000133334                                 = $0.0000142200711
//	DynamoDB reads     six getItems of missing items, eventually consistent:
//	                   6 × 0.5 = 3 RRU × $0.1525/M                                 = $0.0000004575
//	DynamoDB writes    4 leases of 200 B: 4 × 1 WRU; cache items of 2, 6, 1, 1,
//	                   1, 1 KB (the 1 KB items are exactly 1,024 B): 2+6+1+1+1+1;
//	                   16 WRU × $0.7625/M                                          = $0.0000122
//	X-Ray              1 × $5.00/M                                                 = $0.000005
//	Logs               8,000 / 2^30 × $0.63                                        = $0.0000046938657760620117
//	Total                                                                          = $0.0000460677493760620
//
// that is $46.07 per million cold reports: the fetch steps' GB-seconds (they wait on the legacy
// systems) and the cache writes are 57 % of it.
func TestColdReportByHand(t *testing.T) {
	b, err := prices(t).Cost(cost.Usage{
		APIRequests: 1,
		Express:     []cost.Execution{{DurationMs: 2130, MemoryMB: 64}, {DurationMs: 40, MemoryMB: 64}},
		Lambda: []cost.Invocation{
			{MemoryMB: 128, DurationMs: 2.4}, {MemoryMB: 128, DurationMs: 4.2},
			{MemoryMB: 256, DurationMs: 700}, {MemoryMB: 256, DurationMs: 2000}, {MemoryMB: 256, DurationMs: 1100},
			{MemoryMB: 256, DurationMs: 450}, {MemoryMB: 256, DurationMs: 11.5},
		},
		DynamoDBReads: []cost.Read{{}, {}, {}, {}, {}, {}},
		DynamoDBWrites: []cost.Write{{Bytes: 200}, {Bytes: 200}, {Bytes: 200}, {Bytes: 200},
			{Bytes: 2048}, {Bytes: 6144}, {Bytes: 1024}, {Bytes: 1024}, {Bytes: 1024}, {Bytes: 1024}},
		TracesRecorded: 1,
		LogBytes:       8000,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"ExpressGBSeconds", b.ExpressGBSeconds, 0.14375},
		{"ExpressDuration", b.ExpressDuration, 0.0000023963125},
		{"LambdaRequests", b.LambdaRequests, 0.0000014},
		{"LambdaGBSeconds", b.LambdaGBSeconds, 1.0665},
		{"LambdaDuration", b.LambdaDuration, 0.0000142200711},
		{"ReadRequestUnits", b.ReadRequestUnits, 3},
		{"WriteRequestUnits", b.WriteRequestUnits, 16},
		{"DynamoDBWrites", b.DynamoDBWrites, 0.0000122},
		{"Logs", b.Logs, 0.0000046938657760620117},
		{"Total", b.Total, 0.0000460677493760620},
	} {
		if !near(c.got, c.want) {
			t.Errorf("%s = %.16g, want %.16g", c.name, c.got, c.want)
		}
	}
}

// The billing granularities, each at its edge.
func TestBillingGranularity(t *testing.T) {
	p := prices(t)
	for _, c := range []struct {
		name string
		u    cost.Usage
		get  func(cost.Breakdown) float64
		want float64
	}{
		{"express 100 ms is 100 ms", cost.Usage{Express: []cost.Execution{{DurationMs: 100}}}, gbsExpress, 0.0625 * 0.1},
		{"express 101 ms bills 200 ms", cost.Usage{Express: []cost.Execution{{DurationMs: 101}}}, gbsExpress, 0.0625 * 0.2},
		{"express 65 MB bills 128 MB", cost.Usage{Express: []cost.Execution{{DurationMs: 100, MemoryMB: 65}}}, gbsExpress, 0.125 * 0.1},
		{"express 0 ms bills nothing", cost.Usage{Express: []cost.Execution{{}}}, gbsExpress, 0},
		{"lambda 1.01 ms bills 2 ms", cost.Usage{Lambda: []cost.Invocation{{MemoryMB: 1024, DurationMs: 1.01}}}, gbsLambda, 0.002},
		{"read 4 KB strong is 1 RRU", cost.Usage{DynamoDBReads: []cost.Read{{Bytes: 4096, Strong: true}}}, rru, 1},
		{"read 4 KB + 1 B strong is 2 RRU", cost.Usage{DynamoDBReads: []cost.Read{{Bytes: 4097, Strong: true}}}, rru, 2},
		{"read 4 KB + 1 B eventual is 1 RRU", cost.Usage{DynamoDBReads: []cost.Read{{Bytes: 4097}}}, rru, 1},
		{"read of nothing strong is 1 RRU", cost.Usage{DynamoDBReads: []cost.Read{{Strong: true}}}, rru, 1},
		{"write 1 KB is 1 WRU", cost.Usage{DynamoDBWrites: []cost.Write{{Bytes: 1024}}}, wru, 1},
		{"write 1 KB + 1 B is 2 WRU", cost.Usage{DynamoDBWrites: []cost.Write{{Bytes: 1025}}}, wru, 2},
		{"5 % sampling", cost.Usage{TracesRecorded: 0.05}, func(b cost.Breakdown) float64 { return b.XRay }, 0.05 * 5 / 1e6},
	} {
		b, err := p.Cost(c.u)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := c.get(b); !near(got, c.want) {
			t.Errorf("%s: %.16g, want %.16g", c.name, got, c.want)
		}
	}
}

func gbsExpress(b cost.Breakdown) float64 { return b.ExpressGBSeconds }
func gbsLambda(b cost.Breakdown) float64  { return b.LambdaGBSeconds }
func rru(b cost.Breakdown) float64        { return b.ReadRequestUnits }
func wru(b cost.Breakdown) float64        { return b.WriteRequestUnits }

func TestBadUsageNamesTheField(t *testing.T) {
	p := prices(t)
	for field, u := range map[string]cost.Usage{
		"apiRequests":             {APIRequests: -1},
		"lambda[0].memoryMB":      {Lambda: []cost.Invocation{{MemoryMB: 64, DurationMs: 1}}},
		"lambda[0].durationMs":    {Lambda: []cost.Invocation{{MemoryMB: 128, DurationMs: -1}}},
		"express[0]":              {Express: []cost.Execution{{DurationMs: math.NaN()}}},
		"dynamoDBWrites[0].bytes": {DynamoDBWrites: []cost.Write{{Bytes: 500_000}}},
		"dynamoDBReads[0].bytes":  {DynamoDBReads: []cost.Read{{Bytes: -1}}},
		"tracesRecorded":          {TracesRecorded: math.Inf(1)},
		"readRequestUnits":        {ReadRequestUnits: -1},
		"writeRequestUnits":       {WriteRequestUnits: math.NaN()},
	} {
		_, err := p.Cost(u)
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: error %v, want one naming the field", field, err)
		}
	}
}

func TestPriceFiles(t *testing.T) {
	p := prices(t)
	if p.Date != "2026-12-06" || p.Region != "eu-central-1" || len(p.Sources) != 9 {
		t.Errorf("price file header: %s %s, %d sources", p.Region, p.Date, len(p.Sources))
	}
	if _, err := cost.LoadPrices("mars-north-1"); err == nil {
		t.Error("a region without a file loaded")
	}
	for _, bad := range []string{
		`{}`,
		strings.Replace(mustRead(t), `"date": "2026-12-06"`, `"date": "December"`, 1),
		strings.Replace(mustRead(t), `"xrayPerMillionTracesRecorded": 5.00`, `"xrayPerMillionTracesRecorded": 0`, 1),
		strings.Replace(mustRead(t), `"xrayPerMillionTracesRecorded": "AWS`, `"xrayTypo": "AWS`, 1),
	} {
		if _, err := cost.ParsePrices([]byte(bad)); err == nil {
			t.Errorf("accepted a bad price file: %.80s…", bad)
		}
	}
}

func mustRead(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("prices/eu-central-1.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDefaultProfiles(t *testing.T) {
	ps, err := cost.DefaultProfiles()
	if err != nil {
		t.Fatal(err)
	}
	p := prices(t)
	per := map[string]float64{}
	for _, n := range ps.Names() {
		b, err := p.Cost(ps.Profiles[n].Usage)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		per[n] = b.Total * 1e6
	}
	for _, n := range []string{"cached-report", "cold-report", "listing-page", "ownership-challenge", "ownership-verify"} {
		if per[n] <= 0 {
			t.Errorf("profile %s missing or free", n)
		}
	}
	// The profiles are the hand-computed examples above.
	if !near(per["cached-report"], 14.3065787880310) || !near(per["cold-report"], 46.0677493760620) {
		t.Errorf("cached %.6f, cold %.6f per million: profiles.json and the hand-computed tests disagree", per["cached-report"], per["cold-report"])
	}
	if _, err := cost.ParseProfiles([]byte(`{"profiles":{"x":{"route":"GET /x","usage":{"apiRequest":1}}}}`)); err == nil {
		t.Error("a misspelt usage field was accepted")
	}
}

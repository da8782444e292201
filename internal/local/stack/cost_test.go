package stack_test

import (
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/internal/cost"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/stack"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
)

// attrBytes is an attribute value's size by DynamoDB's documented rules: strings and binaries
// their length in bytes; numbers 1 byte per two significant digits plus 1; booleans and nulls 1;
// lists and maps 3 plus 1 per element plus the elements (and, for maps, their names).
func attrBytes(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		digits := strings.Trim(strings.TrimLeft(strings.ReplaceAll(strings.TrimPrefix(v.Value, "-"), ".", ""), "0"), "0")
		return (len(digits)+1)/2 + 1
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + attrBytes(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range v.Value {
			n += 1 + len(k) + attrBytes(e)
		}
		return n
	}
	return 0
}

func itemBytes(item map[string]types.AttributeValue) int {
	n := 0
	for k, v := range item {
		n += len(k) + attrBytes(v)
	}
	return n
}

func units(bytes, per int) float64 { return math.Max(1, math.Ceil(float64(bytes)/float64(per))) }

// TestCostOfACachedAndAColdReport checks the meter on two public reports of one car against
// figures computed by hand from the state machines, the steps' DynamoDB calls, the real item
// sizes and the price file (eu-central-1, dated 2026-12-06).
func TestCostOfACachedAndAColdReport(t *testing.T) {
	var mu sync.Mutex
	var last cost.Usage
	st, err := stack.Start(t.Context(), stack.Config{Sim: sim.Options{NoLatency: true},
		Usage: func(u cost.Usage) { mu.Lock(); last = u; mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	prices, err := cost.LoadPrices("eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	vin := freshVIN()
	report := func() (cost.Usage, cost.Breakdown) {
		t.Helper()
		reportSections(t, st, vin)
		drain(t, st)
		mu.Lock()
		u := last
		mu.Unlock()
		b, err := prices.Cost(u)
		if err != nil {
			t.Fatal(err)
		}
		return u, b
	}
	names := func(u cost.Usage) (express, lambda []string) {
		for _, e := range u.Express {
			express = append(express, e.Name)
		}
		for _, l := range u.Lambda {
			lambda = append(lambda, l.Name)
		}
		slices.Sort(express)
		slices.Sort(lambda)
		return express, lambda
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-15 {
			t.Errorf("%s = %.12g, want %.12g", what, got, want)
		}
	}

	// The cold report. Executions: vehicle-report and the ownership-authorization it starts
	// (a nested StartSyncExecution is one more Express request) = 2. Lambda: validate-vin,
	// plan-report, the four fetch steps, merge-report = 7.
	u, b := report()
	express, lambda := names(u)
	if want := []string{"ownership-authorization", "vehicle-report"}; !slices.Equal(express, want) {
		t.Errorf("cold: Express executions %v, want %v", express, want)
	}
	wantLambda := []string{catalog.FetchRecalls, catalog.FetchRegistry, catalog.FetchVehicleMaster, catalog.FetchWorkshop,
		catalog.MergeReport, catalog.PlanReport, catalog.ValidateVIN}
	slices.Sort(wantLambda)
	if !slices.Equal(lambda, wantLambda) {
		t.Errorf("cold: Lambda invocations %v, want %v", lambda, wantLambda)
	}
	// The cache items written, as they are now: the public item of each source and the
	// personal item of workshop and registry = 6 items.
	pk := &types.AttributeValueMemberS{Value: "VIN#" + vin}
	var itemWCU, itemRCU float64
	for _, sk := range []string{"SRC#vehicle-master", "SRC#workshop", "PII#workshop", "SRC#registry", "PII#registry", "SRC#recalls"} {
		out, err := st.DynamoDB.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(st.TableName),
			Key: map[string]types.AttributeValue{dynamo.AttrPK: pk, dynamo.AttrSK: &types.AttributeValueMemberS{Value: sk}}})
		if err != nil || out.Item == nil {
			t.Fatalf("cache item %s: %v", sk, err)
		}
		n := itemBytes(out.Item)
		itemWCU += units(n, 1024) // written once: ceil(size / 1 KB)
		itemRCU += units(n, 4096) // read back once, strongly consistent: ceil(size / 4 KB)
	}
	// Reads: the state machine's six eventually consistent getItems of missing items, 0.5 each
	// = 3; each fetch step reads its items (1 or 2) three times, strongly consistent: before the
	// lease and after it (missing: 1 unit each, 6 + 6 = 12), and back after writing (itemRCU).
	wantRCU := 6*0.5 + 12*1 + itemRCU
	// Writes: per source the lease put and its release (delete), 1 unit each (items under 1
	// KB) = 8; the six cache items, ceil(size / 1 KB) each (itemWCU).
	wantWCU := 8*1 + itemWCU
	near("cold: read units", b.ReadRequestUnits, wantRCU)
	near("cold: write units", b.WriteRequestUnits, wantWCU)
	near("cold: DynamoDB reads USD", b.DynamoDBReads, wantRCU*0.1525/1e6)
	near("cold: DynamoDB writes USD", b.DynamoDBWrites, wantWCU*0.7625/1e6)
	near("cold: API Gateway USD", b.APIGateway, 1*3.70/1e6)
	near("cold: Express requests USD", b.ExpressRequests, 2*1.00/1e6)
	near("cold: Lambda requests USD", b.LambdaRequests, 7*0.20/1e6)
	near("cold: X-Ray USD", b.XRay, 1*5.00/1e6)
	t.Logf("cold: %.12f USD (%v RCU, %v WCU)", b.Total, wantRCU, wantWCU)

	// The cached report, every section fresh. Executions 2 as before; Lambda: validate-vin and
	// plan-report only (the plan returns the report) = 2. Reads: the six getItems, now of the
	// items above, eventually consistent: ceil(size / 4 KB) / 2 each (all under 4 KB: 0.5) = 3.
	// No write.
	u, b = report()
	express, lambda = names(u)
	if want := []string{"ownership-authorization", "vehicle-report"}; !slices.Equal(express, want) {
		t.Errorf("cached: Express executions %v, want %v", express, want)
	}
	if want := []string{catalog.PlanReport, catalog.ValidateVIN}; !slices.Equal(lambda, want) {
		t.Errorf("cached: Lambda invocations %v, want %v", lambda, want)
	}
	near("cached: read units", b.ReadRequestUnits, itemRCU*0.5)
	near("cached: write units", b.WriteRequestUnits, 0)
	near("cached: DynamoDB reads USD", b.DynamoDBReads, itemRCU*0.5*0.1525/1e6)
	near("cached: API Gateway + Express + Lambda requests + X-Ray USD", b.APIGateway+b.ExpressRequests+b.LambdaRequests+b.XRay,
		(1*3.70+2*1.00+2*0.20+1*5.00)/1e6)
	// The durations: Express 64 MB per started 100 ms, Lambda the catalog's memory per ms.
	var exGBs, lGBs float64
	for _, e := range u.Express {
		exGBs += 64.0 / 1024 * math.Ceil(e.DurationMs/100) * 100 / 1000
	}
	for _, l := range u.Lambda {
		lGBs += float64(l.MemoryMB) / 1024 * math.Ceil(l.DurationMs) / 1000
	}
	near("cached: Express duration USD", b.ExpressDuration, exGBs*0.00001667)
	near("cached: Lambda duration USD", b.LambdaDuration, lGBs*0.0000133334)
	t.Logf("cached: %.12f USD (%v RCU)", b.Total, itemRCU*0.5)
}

// TestLogBytesAreMetered: the bytes a request's log lines take as JSON (what CloudWatch Logs
// ingests from the Lambda steps) land on its meter; the gateway's access line is written after
// the answer, so it is not in the answer's estimate.
func TestLogBytesAreMetered(t *testing.T) {
	logs := &syncBuffer{}
	var mu sync.Mutex
	var last cost.Usage
	st, err := stack.Start(t.Context(), stack.Config{Sim: sim.Options{NoLatency: true},
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		Usage:  func(u cost.Usage) { mu.Lock(); last = u; mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	_, h, _ := call(t, http.MethodGet, st.APIURL+"/vehicles/"+freshVIN(), "", nil)
	drain(t, st)
	id := h.Get("X-Request-Id")
	want := 0
	for line := range strings.Lines(logs.String()) {
		if strings.Contains(line, `"requestId":"`+id+`"`) && !strings.Contains(line, `"msg":"access"`) {
			want += len(line)
		}
	}
	mu.Lock()
	got := last.LogBytes
	mu.Unlock()
	if want == 0 || got != int64(want) {
		t.Errorf("metered %d log bytes, want the %d bytes of the request's step lines", got, want)
	}
}

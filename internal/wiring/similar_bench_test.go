package wiring_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/internal/wiring"
	"github.com/acme-oem/vehicle-data/legacyclients/dealerstock"
)

// The similar-cars figures: the similar-listings step, built by the wiring as deployed, ranking
// against 10,000 active listings in dynalite and a dealer stock system holding 2,000 cars (an
// in-process HTTP server speaking the stock wire format, answering at once, so the figure is
// ours, not the legacy system's latency). Listings spread over 10 models (1,000 of the
// benchmarked model); "one-model" puts all 10,000 in the benchmarked model, the worst case for
// the gsi2 read.
//
//	go test ./internal/wiring -run '^$' -bench SimilarListings -benchtime 200x

var benchModels = []string{"Golf", "Polo", "Passat", "Tiguan", "T-Roc", "Touran", "Arteon", "Up", "Taigo", "ID.3"}

func BenchmarkSimilarListings(b *testing.B) {
	for _, c := range []struct {
		name   string
		models int
	}{{"spread", len(benchModels)}, {"one-model", 1}} {
		b.Run(c.name, func(b *testing.B) { benchSimilar(b, c.models) })
	}
}

func benchSimilar(b *testing.B, models int) {
	ctx := context.Background()
	table := env.NewTable(b)
	r := rand.New(rand.NewPCG(1, 2)) //nolint:gosec // reproducible fixtures, nothing secret
	const listings, stockCars = 10000, 2000
	ids := seedBenchListings(b, table, r, listings, models)
	stock := startBenchStock(b, r, stockCars)

	fns, err := wiring.Build(ctx, wiring.Config{
		TableName: table, DynamoDB: env.Client, PseudonymKey: []byte("0123456789abcdef"),
		LegacyURLs: map[vehicle.Source]string{vehicle.SourceDealerStock: stock.URL},
	}, catalog.SimilarListings)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(fns.Close)
	h, _ := fns.Lookup(catalog.SimilarListings)

	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		in := fmt.Sprintf(`{"id":%q,"query":{"limit":"10"}}`, ids[i%len(ids)])
		start := time.Now()
		out, err := h(ctx, []byte(in))
		took = append(took, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		var res struct {
			Items []json.RawMessage `json:"items"`
			Stock string            `json:"stock"`
		}
		if err := json.Unmarshal(out, &res); err != nil || len(res.Items) != 10 || res.Stock != "available" {
			b.Fatalf("answer %s (%v)", out, err)
		}
	}
	b.StopTimer()
	slices.Sort(took)
	pct := func(p float64) float64 {
		return float64(took[min(len(took)-1, int(p/100*float64(len(took))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(50), "p50-ms")
	b.ReportMetric(pct(99), "p99-ms")
}

// seedBenchListings writes n active listings in the seller side's item shape; the ids of the
// benchmarked model (Golf) are returned.
func seedBenchListings(b *testing.B, table string, r *rand.Rand, n, models int) []string {
	b.Helper()
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	num := func(v int) types.AttributeValue { return &types.AttributeValueMemberN{Value: strconv.Itoa(v)} }
	items := make([]map[string]types.AttributeValue, n)
	var golfs []string
	for i := range items {
		id := fmt.Sprintf("benchlisting%014d", i)
		model := benchModels[i%models]
		if model == "Golf" && len(golfs) < 200 {
			golfs = append(golfs, id)
		}
		items[i] = map[string]types.AttributeValue{
			"pk": s("LISTING#" + id), "sk": s("LISTING"), "id": s(id), "status": s("active"),
			"vin": s("WVWZZZCD3MW100001"), "seller": s("bench-seller"), "make": s("Volkswagen"), "model": s(model),
			"modelYear": num(2014 + r.IntN(12)), "odometerKm": num(r.IntN(200000)), "priceEur": num(5000 + r.IntN(40000)),
			"country": s("DE"), "postalPrefix": s("101"), "description": s("benchmark listing"),
			"verified": s(`{"make":"Volkswagen","odometer":{"rollback":false},"serviceCount":7}`), "version": num(1),
			dynamo.AttrGSI2PK: s(dynamo.ActiveKey("Volkswagen", model)), dynamo.AttrGSI2SK: s("LISTING#" + id),
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 16 {
		wg.Go(func() {
			for i := w; i < n; i += 16 {
				if _, err := env.Client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: items[i]}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	return golfs
}

// startBenchStock serves n stock cars over the dealer stock wire format, filtered, cheapest
// first and cut at the limit, as the stock system does.
func startBenchStock(b *testing.B, r *rand.Rand, n int) *httptest.Server {
	b.Helper()
	cars := make([]dealerstock.Listing, n)
	for i := range cars {
		cars[i] = dealerstock.Listing{
			ListingID: fmt.Sprintf("STK-D%03d-%06d", i%50, i), Make: "Volkswagen", Model: benchModels[i%len(benchModels)],
			ModelYear: 2014 + r.IntN(12), MileageKm: r.IntN(200000), PriceEur: 5000 + r.IntN(40000),
			Fuel: "petrol", Transmission: "manual", Dealer: dealerstock.Dealer{ID: fmt.Sprintf("D%03d", i%50), Name: "Autohaus", City: "Berlin"},
		}
	}
	slices.SortFunc(cars, func(a, b dealerstock.Listing) int { return a.PriceEur - b.PriceEur })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p, err := dealerstock.ParseSearchParams(req.URL.Query())
		if err != nil || req.URL.Path != dealerstock.Path {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		limit := cmpOr(p.Limit, dealerstock.DefaultLimit)
		resp := dealerstock.SearchResponse{Results: []dealerstock.Listing{}}
		for _, c := range cars {
			if c.Make != p.Make || (p.Model != "" && c.Model != p.Model) || (p.YearFrom > 0 && c.ModelYear < p.YearFrom) ||
				(p.YearTo > 0 && c.ModelYear > p.YearTo) || (p.PriceMinEur > 0 && c.PriceEur < p.PriceMinEur) ||
				(p.PriceMaxEur > 0 && c.PriceEur > p.PriceMaxEur) || (p.MileageMaxKm > 0 && c.MileageKm > p.MileageMaxKm) {
				continue
			}
			resp.Total++
			if len(resp.Results) < limit {
				resp.Results = append(resp.Results, c)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

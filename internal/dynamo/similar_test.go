package dynamo_test

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/listing"
)

// putListing writes a listing item in the shape the seller side writes (listings-shared.md).
func putListing(t *testing.T, table, id, status, model string, year, km, price int, verified string) {
	t.Helper()
	n := func(v int) types.AttributeValue { return &types.AttributeValueMemberN{Value: itoa(v)} }
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	item := map[string]types.AttributeValue{
		"pk": s("LISTING#" + id), "sk": s("LISTING"), "id": s(id), "status": s(status), "vin": s("WVWZZZCD3MW100001"),
		"seller": s("sub-canary"), "make": s("Volkswagen"), "model": s(model), "modelYear": n(year), "odometerKm": n(km),
		"priceEur": n(price), "verified": s(verified),
	}
	if status == "active" {
		item[dynamo.AttrGSI2PK] = s(dynamo.ActiveKey("Volkswagen", model))
		item[dynamo.AttrGSI2SK] = s("LISTING#" + id)
	}
	if _, err := env.Client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestSimilarReadsListingsByStatus(t *testing.T) {
	ctx := context.Background()
	table := env.NewTable(t)
	s := dynamo.NewSimilar(env.Client, table)
	putListing(t, table, "a1", "active", "Golf", 2021, 40000, 20000, `{"odometer":{"rollback":false}}`)
	putListing(t, table, "a2", "active", "Golf", 2020, 50000, 18000, `{"odometer":{"rollback":true}}`)
	putListing(t, table, "w1", "withdrawn", "Golf", 2021, 40000, 20000, `{}`)
	putListing(t, table, "p1", "active", "Polo", 2021, 40000, 15000, `{}`)

	c, err := s.Listing(ctx, "a1")
	if err != nil || c.ID != "a1" || c.Model != "Golf" || c.ModelYear != 2021 || c.OdometerKm != 40000 || c.PriceEur != 20000 || !c.Verified {
		t.Fatalf("Listing = %+v, %v", c, err)
	}
	if _, err := s.Listing(ctx, "w1"); apperr.CodeOf(err) != apperr.Gone {
		t.Errorf("withdrawn: %v, want GONE", err)
	}
	if _, err := s.Listing(ctx, "nope"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("unknown: %v, want NOT_FOUND", err)
	}
	got, err := s.ActiveListings(ctx, "Volkswagen", "Golf")
	if err != nil || len(got) != 2 {
		t.Fatalf("ActiveListings = %+v, %v", got, err)
	}
	for _, c := range got {
		if c.ID == "a2" && c.Verified {
			t.Error("a snapshot flagging a rollback counts as verified history")
		}
	}
}

func TestSimilarCountsImpressionsAndClicksPerDay(t *testing.T) {
	ctx := context.Background()
	s := dynamo.NewSimilar(env.Client, env.NewTable(t))
	day1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	car := dynamo.SurfacedCar{StockID: "STK-1", DealerID: "D1", Car: listing.Car{Make: "Volkswagen", Model: "Golf", ModelYear: 2022, PriceEur: 21000}}
	other := dynamo.SurfacedCar{StockID: "STK-2", DealerID: "D2", Car: car.Car}
	for range 3 {
		if err := s.RecordImpressions(ctx, "L1", []dynamo.SurfacedCar{car, other}, day1); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordImpressions(ctx, "L1", []dynamo.SurfacedCar{car}, day1.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if d, err := s.RecordClick(ctx, "L1", "STK-1", day1); err != nil || d != "D1" {
		t.Fatalf("RecordClick = %q, %v", d, err)
	}
	if _, err := s.RecordClick(ctx, "L2", "STK-1", day1); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("click on a car never shown beside L2: %v, want NOT_FOUND", err)
	}
	rows, err := s.Surfaced(ctx, "D1", day1.Add(-29*24*time.Hour), day1.Add(24*time.Hour))
	if err != nil || len(rows) != 2 {
		t.Fatalf("Surfaced = %+v, %v", rows, err)
	}
	if r := rows[0]; r.Day != "2026-03-01" || r.StockID != "STK-1" || r.Impressions != 3 || r.Clicks != 1 || r.Car.ModelYear != 2022 {
		t.Errorf("day 1 = %+v", r)
	}
	if r := rows[1]; r.Day != "2026-03-02" || r.Impressions != 1 || r.Clicks != 0 {
		t.Errorf("day 2 = %+v", r)
	}
	if rows, _ := s.Surfaced(ctx, "D1", day1.Add(24*time.Hour), day1.Add(24*time.Hour)); len(rows) != 1 {
		t.Errorf("the window is not respected: %+v", rows)
	}
}

// countingAPI counts the Query calls it passes on.
type countingAPI struct {
	dynamo.API
	queries atomic.Int64
}

func (c *countingAPI) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.queries.Add(1)
	return c.API.Query(ctx, in, opts...)
}

// A partition larger than a page is read in parallel segments after the first page: every active
// listing exactly once, whatever its id's first character.
func TestActiveListingsReadsEverySegmentOnce(t *testing.T) {
	table := env.NewTable(t)
	want := map[string]bool{}
	pad := strings.Repeat("x", 20000) // 72 items of 20 KB: more than one 1 MB page
	for _, first := range "0123456789abcdefghijklmnopqrstuvwxyz" {
		for _, id := range []string{string(first) + "0000000000000000", string(first) + "zzzzzzzzzzzzzzzz"} {
			putListing(t, table, id, "active", "Golf", 2021, 40000, 20000, `{}`)
			_, err := env.Client.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{TableName: aws.String(table),
				Key:              map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "LISTING#" + id}, "sk": &types.AttributeValueMemberS{Value: "LISTING"}},
				UpdateExpression: aws.String("SET description = :d"), ExpressionAttributeValues: map[string]types.AttributeValue{":d": &types.AttributeValueMemberS{Value: pad}}})
			if err != nil {
				t.Fatal(err)
			}
			want[id] = true
		}
	}
	api := &countingAPI{API: env.Client}
	got, err := dynamo.NewSimilar(api, table).ActiveListings(context.Background(), "Volkswagen", "Golf")
	if err != nil {
		t.Fatal(err)
	}
	if n := api.queries.Load(); n < 3 {
		t.Fatalf("%d queries: the partition fit in one page, the segments were not exercised", n)
	}
	seen := map[string]bool{}
	for _, c := range got {
		if seen[c.ID] || !want[c.ID] {
			t.Errorf("%s read twice or unexpected", c.ID)
		}
		seen[c.ID] = true
	}
	if len(seen) != len(want) {
		t.Errorf("read %d of %d listings", len(seen), len(want))
	}
}

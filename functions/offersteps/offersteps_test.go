package offersteps_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/functions/offersteps"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/dynalitetest"
	"github.com/acme-oem/vehicle-data/internal/offers"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

var env *dynalitetest.Env

func TestMain(m *testing.M) { dynalitetest.Main(m, &env) }

const vin = vehicle.VIN("WVWZZZCD3MW100001")

type port struct {
	deadline time.Time
	err      error
	calls    int
}

func (p *port) Offers(ctx context.Context, _ vehicle.VIN) ([]offers.Offer, error) {
	p.calls++
	p.deadline, _ = ctx.Deadline()
	return []offers.Offer{{ID: "FI-1", Kind: offers.KindFinancing}, {ID: "SP-1", Kind: offers.KindServicePlan}}, p.err
}

func TestValidate(t *testing.T) {
	h := offersteps.NewValidate()
	out, err := h(t.Context(), []byte(`{"vin":"wvwzzzcd3mw100001"}`))
	if err != nil || string(out) != `{"vin":"WVWZZZCD3MW100001"}` {
		t.Fatalf("%s, %v", out, err)
	}
	if _, err := h(t.Context(), []byte(`{"vin":"1M8GDM9AXKP042788"}`)); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("another make: %v", err)
	}
	if _, err := h(t.Context(), []byte(`{"vin":"WVWZZZCD4MW100001"}`)); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("bad check digit: %v", err)
	}
}

func TestFetchThenPlanFromTheItem(t *testing.T) {
	table := env.NewTable(t)
	now := time.Now()
	clock := func() time.Time { return now }
	cache := dynamo.NewOffersCache(env.Client, table, dynamo.CacheConfig{Now: clock})
	var logs bytes.Buffer
	p := &port{}
	fetch := offersteps.NewFetch(offersteps.FetchOptions{Cache: cache, Margin: 2 * time.Second,
		Log: slog.New(slog.NewJSONHandler(&logs, nil)), Pseudonymizer: vehicle.NewPseudonymizer([]byte("0123456789abcdef"))}, p)
	deadline := time.Now().Add(8 * time.Second)
	ctx, cancel := context.WithDeadline(t.Context(), deadline)
	defer cancel()
	out, err := fetch(ctx, []byte(`{"vin":"`+string(vin)+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	var f offers.Fetched
	if err := json.Unmarshal(out, &f); err != nil || f.Status != offers.StatusFetched || len(f.Offers) != 2 || f.FetchedAt == nil {
		t.Fatalf("fetched %s, %v", out, err)
	}
	if p.deadline.After(deadline.Add(-2 * time.Second)) {
		t.Errorf("legacy deadline %v leaves no margin before %v", p.deadline, deadline)
	}
	if strings.Contains(logs.String(), string(vin)) || !strings.Contains(logs.String(), `"called":true`) {
		t.Errorf("log: %s", logs.String())
	}

	// The plan step answers from the item the state machine would read, filtered by access.
	e, err := cache.Get(t.Context(), vin)
	if err != nil || !e.Present {
		t.Fatalf("cached: %+v, %v", e, err)
	}
	item := readItem(t, table)
	plan := offersteps.NewPlan(clock)
	in, _ := json.Marshal(map[string]any{"vin": vin, "access": "public", "item": item})
	out, err = plan(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	var pl offersteps.Plan
	if err := json.Unmarshal(out, &pl); err != nil || pl.Fetch || !strings.Contains(string(pl.Answer), "FI-1") || strings.Contains(string(pl.Answer), "SP-1") {
		t.Fatalf("plan on a fresh item: %s, %v", out, err)
	}
	// A day later the item is stale: fetch, and no answer yet.
	late := offersteps.NewPlan(func() time.Time { return now.Add(25 * time.Hour) })
	if out, err := late(t.Context(), in); err != nil || !strings.Contains(string(out), `"fetch":true`) || !strings.Contains(string(out), `"answer":null`) {
		t.Fatalf("plan on a stale item: %s, %v", out, err)
	}
	// No item: fetch.
	if out, err := plan(t.Context(), []byte(`{"vin":"`+string(vin)+`","access":"owner","item":null}`)); err != nil || !strings.Contains(string(out), `"fetch":true`) {
		t.Fatalf("plan without an item: %s, %v", out, err)
	}
}

func TestFetchUnknownVINIsNotAnError(t *testing.T) {
	cache := dynamo.NewOffersCache(env.Client, env.NewTable(t), dynamo.CacheConfig{})
	p := &port{err: apperr.New(apperr.NotFound, "unknown")}
	out, err := offersteps.NewFetch(offersteps.FetchOptions{Cache: cache}, p)(t.Context(), []byte(`{"vin":"`+string(vin)+`"}`))
	if err != nil || !strings.Contains(string(out), `"status":"notFound"`) {
		t.Fatalf("%s, %v", out, err)
	}
	p.err = apperr.New(apperr.Unavailable, "down")
	cache = dynamo.NewOffersCache(env.Client, env.NewTable(t), dynamo.CacheConfig{})
	if _, err := offersteps.NewFetch(offersteps.FetchOptions{Cache: cache}, p)(t.Context(), []byte(`{"vin":"`+string(vin)+`"}`)); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("a failing system: %v", err)
	}
}

// readItem reads the offers item in the wire form a state machine's getItem hands to a step.
func readItem(t *testing.T, table string) json.RawMessage {
	t.Helper()
	out, err := env.Client.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "VIN#" + string(vin)}, "sk": &types.AttributeValueMemberS{Value: dynamo.OffersSK},
	}})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := dynamo.ItemJSON(out.Item)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

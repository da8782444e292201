package wiring_test

// The offers state machines (statemachines/offers.asl.json, listing-offers.asl.json) on the local
// engine with the real handlers, dynalite and the offers simulator.

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/offers"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/internal/wiring"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

type offersStack struct {
	*stack
	offers, listingOffers string
}

func newOffersStack(t *testing.T, instances int) *offersStack {
	t.Helper()
	ctx := context.Background()
	cluster, err := sim.Start(ctx, sim.Options{NoLatency: true})
	must(t, err)
	t.Cleanup(func() { _ = cluster.Close() })
	s := &offersStack{stack: &stack{sims: cluster, clock: &clock{}, table: env.NewTable(t), logs: &logBuffer{},
		pseudo: vehicle.NewPseudonymizer([]byte("test-key-0123456789"))}}
	log := slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.grants = dynamo.NewGrants(env.Client, s.table)
	rr := &roundRobin{}
	for range instances {
		fns, err := wiring.Build(ctx, wiring.Config{
			TableName:    s.table,
			DynamoDB:     env.Client,
			Cache:        dynamo.CacheConfig{PollInterval: 10 * time.Millisecond},
			LegacyURLs:   map[vehicle.Source]string{vehicle.SourceOffers: cluster.URL(vehicle.SourceOffers)},
			PseudonymKey: []byte("test-key-0123456789"),
			Now:          s.clock.Now,
			Log:          log,
		}, catalog.ValidateOffersVIN, catalog.PlanOffers, catalog.FetchOffers, catalog.MergeOffers)
		must(t, err)
		t.Cleanup(fns.Close)
		rr.instances = append(rr.instances, fns)
	}
	s.eng = engine.New(engine.Options{Functions: rr, DynamoDB: env.Client})
	s.auth, err = s.eng.Load("ownership-authorization", readASL(t, "ownership-authorization"), map[string]string{"TableName": s.table})
	must(t, err)
	subs := catalog.Substitutions(func(name string) string { return name })
	subs["TableName"] = s.table
	subs["OwnershipAuthorizationStateMachineArn"] = s.auth
	s.offers, err = s.eng.Load("offers", readASL(t, "offers"), subs)
	must(t, err)
	subs["OffersStateMachineArn"] = s.offers
	s.listingOffers, err = s.eng.Load("listing-offers", readASL(t, "listing-offers"), subs)
	must(t, err)
	return s
}

func (s *offersStack) exec(t *testing.T, arn string, in []byte) engine.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 28*time.Second)
	defer cancel()
	res, err := s.eng.StartSyncExecution(ctx, arn, in)
	must(t, err)
	return res
}

func (s *offersStack) view(t *testing.T, vin vehicle.VIN, sub, role string) offers.View {
	t.Helper()
	res := s.exec(t, s.offers, input(vin, sub, role))
	if res.Status != engine.StatusSucceeded {
		t.Fatalf("execution %s: %s: %s", res.Status, res.Error, res.Cause)
	}
	var v offers.View
	must(t, json.Unmarshal([]byte(res.Output), &v))
	return v
}

func (s *offersStack) offerCalls() int64 {
	return s.sims.System(vehicle.SourceOffers).Stats().Total
}

func (s *offersStack) setOffersFaults(t *testing.T, f fault.Faults) {
	t.Helper()
	must(t, s.sims.System(vehicle.SourceOffers).SetFaults(f))
}

// worldOffers are the offer ids of one kind the simulated offers system holds for a car.
func worldOffers(t *testing.T, s *offersStack, vin vehicle.VIN, kind string) []string {
	t.Helper()
	v, ok := s.sims.World().Vehicle(vin)
	if !ok {
		t.Fatalf("the world does not know %s", vin)
	}
	var out []string
	for _, o := range s.sims.World().Offers(v) {
		if o.Kind == kind {
			out = append(out, o.ID)
		}
	}
	if len(out) == 0 {
		t.Fatalf("the world has no %s offer for the test car", kind)
	}
	return out
}

func offerIDs(sec *offers.Section) []string {
	if sec == nil {
		return nil
	}
	var out []string
	for _, o := range sec.Offers {
		out = append(out, o.ID)
	}
	return out
}

func checkSection(t *testing.T, name string, sec *offers.Section, want offers.Freshness) {
	t.Helper()
	switch {
	case sec == nil:
		t.Fatalf("%s: no section", name)
	case sec.Freshness != want:
		t.Fatalf("%s: freshness %s, want %s", name, sec.Freshness, want)
	case sec.Source != vehicle.SourceOffers:
		t.Errorf("%s: source %q", name, sec.Source)
	case want != offers.Unavailable && (sec.FetchedAt == nil || sec.AgeSeconds == nil || sec.Offers == nil):
		t.Errorf("%s: an available section without fetch time, age or offers: %+v", name, sec)
	case want == offers.Unavailable && (sec.FetchedAt != nil || sec.Offers != nil):
		t.Errorf("%s: an unavailable section with data: %+v", name, sec)
	}
}

const offersCar = world.DemoRecall // two service plans, accessories and a trade-in financing offer

func TestOffersOwnerSeesServicePlansOthersFinancingOnly(t *testing.T) {
	s := newOffersStack(t, 1)
	now := time.Now()
	must(t, s.grants.Put(t.Context(), dynamo.Grant{VIN: offersCar, Subject: "user-1", GrantedAt: now, ExpiresAt: now.Add(time.Hour), Method: "owner-code"}))
	must(t, s.grants.Put(t.Context(), dynamo.Grant{VIN: offersCar, Subject: "user-old", GrantedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour), Method: "owner-code"}))

	owner := s.view(t, offersCar, "user-1", "consumer")
	if owner.Access != vehicle.AccessOwner || owner.VIN != offersCar {
		t.Fatalf("owner view: %+v", owner)
	}
	for name, sec := range map[string]*offers.Section{"servicePlans": owner.ServicePlans, "accessories": owner.Accessories, "financing": owner.Financing} {
		checkSection(t, name, sec, offers.Fresh)
	}
	if got, want := offerIDs(owner.ServicePlans), worldOffers(t, s, offersCar, world.OfferServicePlan); !slices.Equal(got, want) {
		t.Errorf("owner's service plans %v, want the system's %v", got, want)
	}
	if got, want := offerIDs(owner.Financing), worldOffers(t, s, offersCar, world.OfferFinancing); !slices.Equal(got, want) {
		t.Errorf("owner's financing %v, want %v", got, want)
	}
	// Everyone else, served from the cache the owner's request filled.
	for _, c := range []struct{ sub, role string }{{"", "anonymous"}, {"user-2", "consumer"}, {"user-old", "consumer"}, {"user-1", "dealer"}} {
		res := s.exec(t, s.offers, input(offersCar, c.sub, c.role))
		if res.Status != engine.StatusSucceeded {
			t.Fatalf("%+v: %s %s", c, res.Status, res.Cause)
		}
		for _, owned := range append(worldOffers(t, s, offersCar, world.OfferServicePlan), `"servicePlans"`, `"accessories"`) {
			if strings.Contains(res.Output, owned) {
				t.Errorf("%+v sees the owner's %s: %s", c, owned, res.Output)
			}
		}
		var v offers.View
		must(t, json.Unmarshal([]byte(res.Output), &v))
		checkSection(t, c.role+" financing", v.Financing, offers.Fresh)
		if v.Access != vehicle.AccessPublic || !slices.Equal(offerIDs(v.Financing), offerIDs(owner.Financing)) {
			t.Errorf("%+v: view %s", c, res.Output)
		}
	}
	if n := s.offerCalls(); n != 1 {
		t.Errorf("%d calls to the offers system, want 1 (the rest from the cache)", n)
	}
}

func TestOffersCachedSoftExpiredAndDegraded(t *testing.T) {
	s := newOffersStack(t, 1)
	cold := s.view(t, offersCar, "", "anonymous")
	checkSection(t, "cold", cold.Financing, offers.Fresh)

	s.clock.Advance(time.Hour)
	warm := s.view(t, offersCar, "", "anonymous")
	checkSection(t, "warm", warm.Financing, offers.Fresh)
	if !warm.Financing.FetchedAt.Equal(*cold.Financing.FetchedAt) || *warm.Financing.AgeSeconds < 3600 || s.offerCalls() != 1 {
		t.Fatalf("warm answer not from the cache: %+v, %d calls", warm.Financing, s.offerCalls())
	}

	// Past the soft expiry (a day) the system is asked again.
	s.clock.Advance(24 * time.Hour)
	refreshed := s.view(t, offersCar, "", "anonymous")
	checkSection(t, "soft-expired", refreshed.Financing, offers.Fresh)
	if s.offerCalls() != 2 || !refreshed.Financing.FetchedAt.After(*cold.Financing.FetchedAt) {
		t.Fatalf("soft-expired: %d calls, fetchedAt %v", s.offerCalls(), refreshed.Financing.FetchedAt)
	}

	// The system fails a day later: the cached copy, stale, with its age.
	s.setOffersFaults(t, fault.Faults{Outage: fault.OutageUnavailable})
	s.clock.Advance(26 * time.Hour)
	stale := s.view(t, offersCar, "", "anonymous")
	checkSection(t, "down with a cached copy", stale.Financing, offers.Stale)
	if *stale.Financing.AgeSeconds < 26*3600 || !slices.Equal(offerIDs(stale.Financing), offerIDs(cold.Financing)) {
		t.Fatalf("stale section %+v", stale.Financing)
	}

	// Past the hard expiry (a week) nothing cached is served: unavailable, still a 200.
	s.clock.Advance(7 * 24 * time.Hour)
	gone := s.view(t, offersCar, "", "anonymous")
	checkSection(t, "down past the hard expiry", gone.Financing, offers.Unavailable)
}

func TestOffersSystemDownWithoutCache(t *testing.T) {
	s := newOffersStack(t, 1)
	now := time.Now()
	must(t, s.grants.Put(t.Context(), dynamo.Grant{VIN: offersCar, Subject: "user-1", GrantedAt: now, ExpiresAt: now.Add(time.Hour)}))
	s.setOffersFaults(t, fault.Faults{Outage: fault.OutageUnavailable})
	v := s.view(t, offersCar, "user-1", "consumer")
	for name, sec := range map[string]*offers.Section{"servicePlans": v.ServicePlans, "accessories": v.Accessories, "financing": v.Financing} {
		checkSection(t, name, sec, offers.Unavailable)
	}
	// Healed, the next request fetches: a failure is never cached.
	s.setOffersFaults(t, fault.Faults{})
	s.clock.Advance(time.Minute) // past the failed lease's hold
	checkSection(t, "healed", s.view(t, offersCar, "user-1", "consumer").ServicePlans, offers.Fresh)
}

func TestOffersUnknownOtherMakeAndInvalidVIN(t *testing.T) {
	s := newOffersStack(t, 1)
	for range 2 {
		res := s.exec(t, s.offers, input(world.DemoUnknown, "", "anonymous"))
		if res.Status != engine.StatusFailed || res.Error != "VehicleData.NotFound" {
			t.Fatalf("unknown VIN: %s %s %s", res.Status, res.Error, res.Cause)
		}
	}
	if n := s.offerCalls(); n != 1 {
		t.Errorf("unknown VIN asked %d times, want 1 (then the negative entry)", n)
	}
	res := s.exec(t, s.offers, input("1M8GDM9AXKP042788", "", "anonymous"))
	if res.Status != engine.StatusFailed || res.Error != "VehicleData.NotFound" || s.offerCalls() != 1 {
		t.Fatalf("another make: %s %s, %d calls", res.Status, res.Error, s.offerCalls())
	}
	res = s.exec(t, s.offers, input("WVWZZZCD4MW100001", "", "anonymous"))
	if res.Status != engine.StatusFailed || res.Error != "VehicleData.Invalid" || !strings.Contains(res.Cause, "check-digit") {
		t.Fatalf("bad check digit: %s %s %s", res.Status, res.Error, res.Cause)
	}
}

func TestConcurrentColdOffersCallTheSystemOnce(t *testing.T) {
	s := newOffersStack(t, 3)
	s.setOffersFaults(t, fault.Faults{Latency: &fault.Latency{FixedMs: 150}})
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			res := s.exec(t, s.offers, input(offersCar, "", "anonymous"))
			if res.Status != engine.StatusSucceeded || !strings.Contains(res.Output, `"freshness":"fresh"`) {
				t.Errorf("request %d: %s %s", i, res.Status, res.Output)
			}
		})
	}
	wg.Wait()
	if n := s.offerCalls(); n != 1 {
		t.Fatalf("30 concurrent cold requests over 3 instances made %d calls, want 1", n)
	}
	if logs := s.logs.String(); strings.Contains(logs, string(offersCar)) || !strings.Contains(logs, s.pseudo.VIN(offersCar)) {
		t.Errorf("the fetch logs carry the VIN or lack its pseudonym")
	}
}

// putListing writes a listing item as the listings machine does (only the attributes read here).
func putListing(t *testing.T, table, id, status string, vin vehicle.VIN) {
	t.Helper()
	item := map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "LISTING#" + id}, "sk": &types.AttributeValueMemberS{Value: "LISTING"},
		"id": &types.AttributeValueMemberS{Value: id}, "status": &types.AttributeValueMemberS{Value: status},
		"make": &types.AttributeValueMemberS{Value: "Skoda"}, "priceEur": &types.AttributeValueMemberN{Value: "18900"},
	}
	if vin != "" {
		item["vin"] = &types.AttributeValueMemberS{Value: string(vin)}
	}
	_, err := env.Client.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item})
	must(t, err)
}

func listingInput(id, sub, role string) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "caller": map[string]string{"sub": sub, "role": role}, "requestId": "r-1"})
	return b
}

func TestListingOffers(t *testing.T) {
	s := newOffersStack(t, 1)
	now := time.Now()
	must(t, s.grants.Put(t.Context(), dynamo.Grant{VIN: offersCar, Subject: "seller", GrantedAt: now, ExpiresAt: now.Add(time.Hour)}))
	putListing(t, s.table, "active0123456789abcdefgh", "active", offersCar)
	putListing(t, s.table, "withdrawn0123456789abcde", "withdrawn", offersCar)
	putListing(t, s.table, "novin0123456789abcdefghi", "active", "")
	putListing(t, s.table, "odd0123456789abcdefghijk", "sold", offersCar)

	// A buyer, anonymous or signed in, and even the seller who owns the car: financing only.
	for _, c := range []struct{ sub, role string }{{"", "anonymous"}, {"buyer", "consumer"}, {"seller", "consumer"}} {
		res := s.exec(t, s.listingOffers, listingInput("active0123456789abcdefgh", c.sub, c.role))
		if res.Status != engine.StatusSucceeded {
			t.Fatalf("%+v: %s %s %s", c, res.Status, res.Error, res.Cause)
		}
		if strings.Contains(res.Output, string(offersCar)) || strings.Contains(strings.ToLower(res.Output), strings.ToLower(string(offersCar))) {
			t.Fatalf("the listing's offers carry the VIN: %s", res.Output)
		}
		var got map[string]json.RawMessage
		must(t, json.Unmarshal([]byte(res.Output), &got))
		if len(got) != 2 || string(got["listingId"]) != `"active0123456789abcdefgh"` {
			t.Fatalf("answer %s, want exactly listingId and financing", res.Output)
		}
		var fin offers.Section
		must(t, json.Unmarshal(got["financing"], &fin))
		checkSection(t, "listing financing", &fin, offers.Fresh)
		if want := worldOffers(t, s, offersCar, world.OfferFinancing); !slices.Equal(offerIDs(&fin), want) {
			t.Errorf("financing %v, want %v", offerIDs(&fin), want)
		}
	}
	for id, want := range map[string]string{
		"withdrawn0123456789abcde": "VehicleData.Gone",
		"unknown0123456789abcdefg": "VehicleData.NotFound",
		"novin0123456789abcdefghi": "VehicleData.NotFound",
		"odd0123456789abcdefghijk": "VehicleData.NotFound",
	} {
		res := s.exec(t, s.listingOffers, listingInput(id, "", "anonymous"))
		if res.Status != engine.StatusFailed || res.Error != want || !strings.Contains(res.Cause, `errorType`) {
			t.Errorf("listing %s: %s %s %s, want %s", id, res.Status, res.Error, res.Cause, want)
		}
	}

	// API Gateway does not enforce the contract's pattern: the machine refuses what cannot be an id.
	for _, id := range []any{"short", strings.Repeat("a", 65), "bad id with spaces!", "../../LISTING#x/abcdef", 1234567890123456789} {
		in, _ := json.Marshal(map[string]any{"id": id, "caller": map[string]string{"role": "anonymous"}})
		res := s.exec(t, s.listingOffers, in)
		if res.Status != engine.StatusFailed || res.Error != "VehicleData.Invalid" || !strings.Contains(res.Cause, `\"field\":\"id\"`) {
			t.Errorf("id %v: %s %s %s", id, res.Status, res.Error, res.Cause)
		}
	}

	// The offers system down, a cached copy past its soft expiry: stale, still a 200.
	s.setOffersFaults(t, fault.Faults{Outage: fault.OutageUnavailable})
	s.clock.Advance(30 * time.Hour)
	res := s.exec(t, s.listingOffers, listingInput("active0123456789abcdefgh", "", "anonymous"))
	if res.Status != engine.StatusSucceeded || !strings.Contains(res.Output, `"freshness":"stale"`) {
		t.Fatalf("degraded listing offers: %s %s %s", res.Status, res.Output, res.Cause)
	}
}

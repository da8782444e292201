package securitytest

// The access matrix: every route of api/openapi.yaml against every kind of caller, with the status
// each must get and what each may see. The route list is read from the contract at test time and
// a route without a row fails the test, so a new route cannot ship without someone deciding who
// may call it. Personal fields are found by reflection over report.Report's `personal` tags, the
// one place they are declared (DESIGN.md, principle 1).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/acme-oem/vehicle-data/api"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/gateway"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
)

// route is one operation of the contract.
type route struct {
	method, path string
	op           *openapi3.Operation
}

func (r route) key() string { return r.method + " " + r.path }

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// samplePath fills the route's path parameters: vin with the given VIN, any other with a
// well-formed id that exists nowhere.
func (r route) samplePath(vin vehicle.VIN) string {
	return pathParam.ReplaceAllStringFunc(r.path, func(m string) string {
		switch m {
		case "{vin}":
			return string(vin)
		case "{id}":
			return unknownListingID
		}
		return "0123456789abcdef0123456789abcdef"
	})
}

// sampleBodies are valid request bodies of the routes that take one: the matrix must reach the
// integration, not stop at body validation.
var sampleBodies = map[string]string{
	"POST /vehicles/{vin}/ownership-challenges":                      `{"method":"owner-code"}`,
	"POST /vehicles/{vin}/ownership-challenges/{challengeId}/verify": `{"code":"123456"}`,
	// Seller listings: {vin} is the caller's car (listingBody).
	"POST /listings":       `{"vin":"{vin}","priceEur":18500,"description":"Matrix.","photos":[],"region":{"country":"DE","postalPrefix":"101"}}`,
	"PATCH /listings/{id}": `{"priceEur":18000}`,
}

// sampleBody is the route's valid sample body, or nil for routes without a request body.
func (r route) sampleBody() []byte {
	if b, ok := sampleBodies[r.key()]; ok {
		return []byte(strings.ReplaceAll(b, "{vin}", string(world.DemoClean)))
	}
	if r.op.RequestBody != nil {
		return []byte("{}") // TestAccessMatrixCoversTheContract asks for a real sample
	}
	return nil
}

// contractRoutes lists every operation of api/openapi.yaml, sorted.
func contractRoutes(t testing.TB) []route {
	t.Helper()
	doc, err := gateway.LoadSpec(t.Context(), api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	var out []route
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out = append(out, route{method: method, path: path, op: op})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	if len(out) == 0 {
		t.Fatal("the contract has no routes")
	}
	return out
}

// caller is a column of the matrix.
type caller string

const (
	anonymous caller = "anonymous"
	owner     caller = "owner"     // alice, with a grant for the VIN asked about
	otherCar  caller = "other-car" // alice, asking about a car bob owns and just read (she owns another)
	nonOwner  caller = "non-owner" // bob, a consumer without a grant for the car
	dealer    caller = "dealer"    // dealer-dan
	expired   caller = "expired"   // bob, whose grant for the car expired a minute ago
	// dealer-dan holding a grant: only consumers prove ownership, so a grant item under a
	// dealer's subject (written by a bug or by hand) must still grant nothing.
	dealerGrant caller = "dealer-with-grant"
)

var callers = []caller{anonymous, owner, otherCar, nonOwner, dealer, expired, dealerGrant}

// view is what a 200 may show.
type view string

const (
	viewNone   view = "no vehicle data" // an error body or a platform answer
	viewPublic view = "public"
	viewOwner  view = "owner"
	// viewChallenge is an ownership challenge: its id, method and expiry, never the code.
	viewChallenge view = "challenge"
	// viewListing is a listing's public share data (or a list of them): never a VIN, a seller or
	// a personal field.
	viewListing view = "listing"
)

// The views of the offers routes (checkOffers): financing for anyone, service plans and
// accessories for the owner only.
const (
	viewOffersPublic view = "public offers"
	viewOffersOwner  view = "owner offers"
)

type cell struct {
	status int
	view   view
}

// accessMatrix: route -> caller -> expected answer. Keep a row per operation of the contract.
var accessMatrix = map[string]map[caller]cell{
	"GET /healthz": {
		anonymous: {200, viewNone}, owner: {200, viewNone}, otherCar: {200, viewNone},
		nonOwner: {200, viewNone}, dealer: {200, viewNone}, expired: {200, viewNone},
		dealerGrant: {200, viewNone},
	},
	"GET /vehicles/{vin}": {
		anonymous: {200, viewPublic}, owner: {200, viewOwner}, otherCar: {200, viewPublic},
		nonOwner: {200, viewPublic}, dealer: {200, viewPublic}, expired: {200, viewPublic},
		dealerGrant: {200, viewPublic},
	},
	// Consumers only (a grant is no precondition: proving is how one gets it); dealers may not.
	"POST /vehicles/{vin}/ownership-challenges": {
		anonymous: {401, viewNone}, owner: {201, viewChallenge}, otherCar: {201, viewChallenge},
		nonOwner: {201, viewChallenge}, dealer: {403, viewNone}, expired: {201, viewChallenge},
		dealerGrant: {403, viewNone},
	},
	// The sample challenge id exists nowhere: consumers get 404 (someone else's challenge is
	// indistinguishable from a missing one), dealers 403, anonymous callers 401.
	"POST /vehicles/{vin}/ownership-challenges/{challengeId}/verify": {
		anonymous: {401, viewNone}, owner: {404, viewNone}, otherCar: {404, viewNone},
		nonOwner: {404, viewNone}, dealer: {403, viewNone}, expired: {404, viewNone},
		dealerGrant: {403, viewNone},
	},
	// Seller listings. POST: only a consumer with owner access to the VIN in the body. Routes of
	// one listing ({id}: a fresh listing alice made, see matrixPath): anyone reads it, only its
	// seller (alice, also in the other-car column) changes, refreshes or withdraws it.
	"POST /listings": {
		anonymous: {401, viewNone}, owner: {201, viewListing}, otherCar: {403, viewNone},
		nonOwner: {403, viewNone}, dealer: {403, viewNone}, expired: {403, viewNone},
		dealerGrant: {403, viewNone},
	},
	"GET /listings/{id}": {
		anonymous: {200, viewListing}, owner: {200, viewListing}, otherCar: {200, viewListing},
		nonOwner: {200, viewListing}, dealer: {200, viewListing}, expired: {200, viewListing},
		dealerGrant: {200, viewListing},
	},
	"PATCH /listings/{id}": {
		anonymous: {401, viewNone}, owner: {200, viewListing}, otherCar: {200, viewListing},
		nonOwner: {403, viewNone}, dealer: {403, viewNone}, expired: {403, viewNone},
		dealerGrant: {403, viewNone},
	},
	"DELETE /listings/{id}": {
		anonymous: {401, viewNone}, owner: {204, viewNone}, otherCar: {204, viewNone},
		nonOwner: {403, viewNone}, dealer: {403, viewNone}, expired: {403, viewNone},
		dealerGrant: {403, viewNone},
	},
	"POST /listings/{id}/refresh": {
		anonymous: {401, viewNone}, owner: {200, viewListing}, otherCar: {200, viewListing},
		nonOwner: {403, viewNone}, dealer: {403, viewNone}, expired: {403, viewNone},
		dealerGrant: {403, viewNone},
	},
	"GET /me/listings": {
		anonymous: {401, viewNone}, owner: {200, viewListing}, otherCar: {200, viewListing},
		nonOwner: {200, viewListing}, dealer: {403, viewNone}, expired: {200, viewListing},
		dealerGrant: {403, viewNone},
	},
	// After-sales offers: the owner (ownership-authorization's decision, as for the report) gets
	// service plans and accessories, everyone else financing only.
	"GET /vehicles/{vin}/offers": {
		anonymous: {200, viewOffersPublic}, owner: {200, viewOffersOwner}, otherCar: {200, viewOffersPublic},
		nonOwner: {200, viewOffersPublic}, dealer: {200, viewOffersPublic}, expired: {200, viewOffersPublic},
		dealerGrant: {200, viewOffersPublic},
	},
	// A listing's offers: financing for anyone, never the car's VIN (alice's fresh listing, see
	// matrixPath; TestListingOffersForEveryCaller checks the body).
	"GET /listings/{id}/offers": {
		anonymous: {200, viewNone}, owner: {200, viewNone}, otherCar: {200, viewNone},
		nonOwner: {200, viewNone}, dealer: {200, viewNone}, expired: {200, viewNone},
		dealerGrant: {200, viewNone},
	},
	// Similar cars (issue 10). Public, so every caller gets the same answer beside alice's fresh
	// listing (matrixPath); a click on a car that was never shown beside it is 404.
	"GET /listings/{id}/similar": {
		anonymous: {200, viewNone}, owner: {200, viewNone}, otherCar: {200, viewNone},
		nonOwner: {200, viewNone}, dealer: {200, viewNone}, expired: {200, viewNone},
		dealerGrant: {200, viewNone},
	},
	"POST /listings/{id}/similar/{itemId}/clicks": {
		anonymous: {404, viewNone}, owner: {404, viewNone}, otherCar: {404, viewNone},
		nonOwner: {404, viewNone}, dealer: {404, viewNone}, expired: {404, viewNone},
		dealerGrant: {404, viewNone},
	},
	// Dealers only; a grant changes nothing, and the answers are counts and market prices, never
	// a personal field.
	"GET /dealer/stock/surfaced": {
		anonymous: {401, viewNone}, owner: {403, viewNone}, otherCar: {403, viewNone},
		nonOwner: {403, viewNone}, dealer: {200, viewNone}, expired: {403, viewNone},
		dealerGrant: {200, viewNone},
	},
	"GET /vehicles/{vin}/market": {
		anonymous: {401, viewNone}, owner: {403, viewNone}, otherCar: {403, viewNone},
		nonOwner: {403, viewNone}, dealer: {200, viewNone}, expired: {403, viewNone},
		dealerGrant: {200, viewNone},
	},
}

// personalKeys derives, by reflection over report.Report, the JSON keys of the fields tagged
// personal. It fails if a key is personal in one struct and public in another: then a key-based
// check could not tell them apart, and this test would need to walk the JSON along the types.
func personalKeys(t testing.TB) []string {
	t.Helper()
	personal, public := map[string]bool{}, map[string]bool{}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(ty reflect.Type) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Array {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || seen[ty] {
			return
		}
		seen[ty] = true
		for i := range ty.NumField() {
			f := ty.Field(i)
			if !f.IsExported() {
				return // an opaque value such as time.Time: no fields of ours
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if f.Tag.Get("personal") == "true" {
				personal[name] = true
			} else {
				public[name] = true
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[report.Report]())
	var out []string
	for k := range personal {
		if public[k] {
			t.Fatalf("the JSON key %q is personal in one struct of report.Report and public in another", k)
		}
		out = append(out, k)
	}
	sort.Strings(out)
	if !slices.Contains(out, "owner") {
		t.Fatalf("personal keys %v lack the owner section: the personal tags changed", out)
	}
	return out
}

// jsonKeys lists every object key anywhere in a JSON document.
func jsonKeys(body []byte) (map[string]bool, error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	keys := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				keys[k] = true
				walk(e)
			}
		}
	}
	walk(v)
	return keys, nil
}

// personalValues are the personal strings the simulated world holds for a car: every keeper's
// name, street and plate, and the registration document codes. No response but the owner's may
// carry any of them, whatever key it hides under.
func personalValues(t testing.TB, vin vehicle.VIN) (map[string]string, *world.Vehicle) {
	t.Helper()
	v, ok := stack.Sims.World().Vehicle(vin)
	if !ok {
		t.Fatalf("the simulated world does not know %s", vin)
	}
	out := map[string]string{}
	for _, r := range v.Registrations {
		out[r.Keeper.Name] = "keeper name"
		out[r.Keeper.Street] = "keeper street"
		out[r.Plate] = "plate"
		out[r.DocumentCode] = "registration document code"
	}
	delete(out, "")
	for val, label := range out {
		remember(label+" of a test car", val)
	}
	return out, v
}

// grant writes an ownership grant through the DynamoDB adapter, as the verify step writes it: for
// grants the routes cannot make (expired ones, a dealer's) and for tests about reading, not
// proving, ownership (TestOwnershipThroughTheRoutes covers proving).
func grant(t testing.TB, vin vehicle.VIN, subject string, expiresAt time.Time) {
	t.Helper()
	g := dynamo.NewGrants(stack.DynamoDB, stack.TableName)
	err := g.Put(t.Context(), dynamo.Grant{
		VIN: vin, Subject: subject, GrantedAt: time.Now().Add(-2 * time.Hour), ExpiresAt: expiresAt,
		Method: "registration-document",
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAccessMatrixCoversTheContract(t *testing.T) {
	routes := contractRoutes(t)
	var keys []string
	for _, r := range routes {
		keys = append(keys, r.key())
		row, ok := accessMatrix[r.key()]
		if !ok {
			t.Errorf("route %s has no row in accessMatrix: decide what each caller gets and add it", r.key())
			continue
		}
		for _, c := range callers {
			if _, ok := row[c]; !ok {
				t.Errorf("route %s: no expectation for the %s caller", r.key(), c)
			}
		}
		if _, ok := sampleBodies[r.key()]; r.op.RequestBody != nil && !ok {
			t.Errorf("route %s takes a body: add a valid one to sampleBodies", r.key())
		}
	}
	for k := range accessMatrix {
		if !slices.Contains(keys, k) {
			t.Errorf("accessMatrix has a row for %s, which is not in the contract", k)
		}
	}
}

func TestAccessMatrix(t *testing.T) {
	pkeys := personalKeys(t)
	bob, dan := subjectOf(t, "bob"), subjectOf(t, "dealer-dan")
	tokens := map[caller]string{
		owner: tokenOf(t, "alice"), otherCar: tokenOf(t, "alice"), nonOwner: tokenOf(t, "bob"),
		dealer: tokenOf(t, "dealer-dan"), expired: tokenOf(t, "bob"), dealerGrant: tokenOf(t, "dealer-dan"),
	}

	for _, rt := range contractRoutes(t) {
		row, ok := accessMatrix[rt.key()]
		if !ok {
			continue // TestAccessMatrixCoversTheContract reports it
		}
		t.Run(rt.key(), func(t *testing.T) {
			// Fresh cars per route, grants in place before any report is read, so the first
			// (cold) read already decides access: alice and bob prove ownership of owned and
			// other through the ownership routes, as users do, and bob reads other first, so its
			// personal data is cached when alice asks. The routes cannot make an expired grant
			// or a dealer's: those are written through the DynamoDB adapter, as the verify
			// step writes grants.
			owned, other, lapsed, dealerCar := freshVIN(t), freshVIN(t), freshVIN(t), freshVIN(t)
			proveOwnership(t, owned, tokens[owner])
			proveOwnership(t, other, tokens[nonOwner])
			grant(t, lapsed, bob, time.Now().Add(-time.Minute))
			grant(t, dealerCar, dan, time.Now().Add(time.Hour))
			ownedSecrets, ownedCar := personalValues(t, owned)
			otherSecrets := map[string]string{}
			for _, v := range []vehicle.VIN{other, lapsed, dealerCar} {
				s, _ := personalValues(t, v)
				otherSecrets = mergeSecrets(otherSecrets, s)
			}
			if strings.Contains(rt.path, "{vin}") {
				checkReport(t, call(t, http.MethodGet, "/vehicles/"+string(other), bearer(tokens[nonOwner]), nil).body,
					other, vehicle.AccessOwner)
			}
			vinOf := map[caller]vehicle.VIN{otherCar: other, expired: lapsed, dealerGrant: dealerCar}

			for _, c := range callers {
				want := row[c]
				t.Run(string(c), func(t *testing.T) {
					vin, ok := vinOf[c]
					if !ok {
						vin = owned
					}
					var h http.Header
					if tok := tokens[c]; tok != "" {
						h = bearer(tok)
					}
					a := call(t, rt.method, rt.matrixPath(t, vin), rt.matrixHeader(h), rt.listingBody(vin))
					if a.status != want.status {
						t.Fatalf("status %d, want %d: %s", a.status, want.status, a.body)
					}
					if a.status == http.StatusNoContent {
						if len(a.body) != 0 {
							t.Fatalf("204 with a body: %s", a.body)
						}
						return
					}
					keys, err := jsonKeys(a.body)
					if err != nil {
						t.Fatalf("the body is not JSON: %v: %s", err, a.body)
					}
					if want.view != viewOwner {
						checkNoPersonalData(t, "the "+string(want.view)+" view", a.body, pkeys, mergeSecrets(ownedSecrets, otherSecrets))
					}
					if want.view == viewPublic || want.view == viewOwner || want.view == viewOffersPublic || want.view == viewOffersOwner {
						// The same URL answers differently per caller: no shared cache may keep it.
						if cc := a.header.Get("Cache-Control"); !strings.Contains(cc, "private") || !strings.Contains(cc, "no-store") {
							t.Errorf("Cache-Control %q on a report, want private, no-store", cc)
						}
					}
					switch want.view {
					case viewListing:
						checkListing(t, a.body, vin)
					case viewOffersPublic, viewOffersOwner:
						checkOffers(t, a.body, vin, want.view)
					case viewChallenge:
						checkChallenge(t, a.body, vin)
					case viewPublic:
						checkReport(t, a.body, vin, vehicle.AccessPublic)
					case viewOwner:
						checkReport(t, a.body, vin, vehicle.AccessOwner)
						checkOwnerView(t, a.body, keys, ownedCar)
						for val, label := range otherSecrets {
							if _, shared := ownedSecrets[val]; shared {
								continue // both cars' keepers share a name or a street
							}
							if strings.Contains(string(a.body), val) {
								t.Errorf("the owner's view of one car carries the %s %q of another", label, val)
							}
						}
					}
				})
			}
		})
	}
}

func mergeSecrets(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// checkNoPersonalData fails when an answer that is not the owner's view carries a personal key
// (anywhere in the JSON) or one of the personal values (anywhere in the text).
func checkNoPersonalData(t *testing.T, what string, body []byte, pkeys []string, values map[string]string) {
	t.Helper()
	keys, err := jsonKeys(body)
	if err != nil {
		t.Fatalf("%s: the body is not JSON: %v: %s", what, err, body)
	}
	for _, k := range pkeys {
		if keys[k] {
			t.Errorf("%s: the personal key %q leaked: %s", what, k, body)
		}
	}
	for val, label := range values {
		if strings.Contains(string(body), val) {
			t.Errorf("%s: the %s %q leaked", what, label, val)
		}
	}
}

// checkReport checks the report is the asked car's, at the expected access level.
func checkReport(t *testing.T, body []byte, vin vehicle.VIN, access vehicle.Access) {
	t.Helper()
	var r struct {
		VIN    string `json:"vin"`
		Access string `json:"access"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("not a report: %v: %s", err, body)
	}
	if r.VIN != string(vin) || r.Access != string(access) {
		t.Errorf("report of %s with access %q, want %s with access %q", r.VIN, r.Access, vin, access)
	}
}

// checkOwnerView checks the owner gets the personal sections, with the world's true values.
func checkOwnerView(t *testing.T, body []byte, keys map[string]bool, car *world.Vehicle) {
	t.Helper()
	var r struct {
		Owner *struct {
			Freshness string `json:"freshness"`
			Data      *struct {
				Name string `json:"name"`
			} `json:"data"`
		} `json:"owner"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("not a report: %v", err)
	}
	switch {
	case r.Owner == nil:
		t.Fatalf("the owner's view has no owner section: %s", body)
	case r.Owner.Data == nil:
		t.Fatalf("the owner section has no data (freshness %q): %s", r.Owner.Freshness, body)
	case r.Owner.Data.Name != car.Owner().Name:
		t.Errorf("owner name %q, want the registry's %q", r.Owner.Data.Name, car.Owner().Name)
	}
	want := []string{"plate", "from"}
	if len(car.Visits) > 0 {
		want = append(want, "date", "workshop")
	}
	for _, k := range want {
		if !keys[k] {
			t.Errorf("the owner's view lacks the personal key %q: %s", k, body)
		}
	}
	if p := car.Current().Plate; !strings.Contains(string(body), p) {
		t.Errorf("the owner's view lacks the current plate %q", p)
	}
}

// TestPersonalKeysAreDerived pins the derivation itself: if reflection found nothing, every
// "no personal key" assertion above would pass vacuously.
func TestPersonalKeysAreDerived(t *testing.T) {
	got := personalKeys(t)
	for _, k := range []string{"owner", "plate", "date", "workshop"} {
		if !slices.Contains(got, k) {
			t.Errorf("personal keys %v lack %q", got, k)
		}
	}
}

// TestViewsStayApartWhenSharingAFetch: concurrent misses for one car share one legacy call per
// source (DESIGN.md), and the cache then serves everyone. Neither may carry the owner's personal
// data to another caller: owner and others ask together on a cold car, then again on the warm
// one, and each gets exactly their own view.
func TestViewsStayApartWhenSharingAFetch(t *testing.T) {
	vin := freshVIN(t)
	grant(t, vin, subjectOf(t, "alice"), time.Now().Add(time.Hour))
	secretsOf, _ := personalValues(t, vin)
	pkeys := personalKeys(t)
	askers := []struct {
		token string
		want  vehicle.Access
	}{
		{tokenOf(t, "alice"), vehicle.AccessOwner},
		{"", vehicle.AccessPublic},
		{tokenOf(t, "bob"), vehicle.AccessPublic},
		{tokenOf(t, "dealer-dan"), vehicle.AccessPublic},
	}
	for _, round := range []string{"cold", "warm"} {
		const perAsker = 3
		answers := make([]answer, len(askers)*perAsker)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range answers {
			wg.Go(func() {
				<-start
				var h http.Header
				if tok := askers[i%len(askers)].token; tok != "" {
					h = bearer(tok)
				}
				answers[i] = call(t, http.MethodGet, "/vehicles/"+string(vin), h, nil)
			})
		}
		close(start)
		wg.Wait()
		for i, a := range answers {
			want := askers[i%len(askers)].want
			if a.status != http.StatusOK {
				t.Errorf("%s, answer %d: %s, want 200", round, i, a)
				continue
			}
			checkReport(t, a.body, vin, want)
			if want == vehicle.AccessOwner {
				continue
			}
			checkNoPersonalData(t, fmt.Sprintf("%s, answer %d (%s view)", round, i, want), a.body, pkeys, secretsOf)
		}
	}
}

// checkChallenge checks a challenge answer carries its id, method and expiry and nothing else:
// in particular not the code that was just sent to the owner on record.
func checkChallenge(t *testing.T, body []byte, vin vehicle.VIN) {
	t.Helper()
	var ch map[string]any
	if err := json.Unmarshal(body, &ch); err != nil {
		t.Fatalf("not a challenge: %v: %s", err, body)
	}
	for k := range ch {
		if k != "challengeId" && k != "method" && k != "expiresAt" {
			t.Errorf("the challenge carries %q: %s", k, body)
		}
	}
	if id, _ := ch["challengeId"].(string); len(id) != 32 {
		t.Errorf("challengeId %q, want 32 hex characters", id)
	}
	for _, m := range stack.Outbox.Sent(vin) {
		remember("one-time ownership code", m.Code)
		if strings.Contains(string(body), m.Code) {
			t.Errorf("the challenge answer carries the code sent to the owner on record: %s", body)
		}
	}
}

// TestVINSpellingsShareOneAccessDecision: the contract accepts a VIN in lower or mixed case, so
// the access decision must be made on the normalized VIN: the owner keeps the owner's view and
// everyone else keeps the public one, whichever way the VIN is spelled.
func TestVINSpellingsShareOneAccessDecision(t *testing.T) {
	vin := freshVIN(t)
	grant(t, vin, subjectOf(t, "alice"), time.Now().Add(time.Hour))
	secretsOf, _ := personalValues(t, vin)
	pkeys := personalKeys(t)
	mixed := []byte(strings.ToLower(string(vin)))
	for i := 0; i < len(mixed); i += 2 {
		mixed[i] = strings.ToUpper(string(mixed[i]))[0]
	}
	for _, spelling := range []string{strings.ToLower(string(vin)), string(mixed)} {
		for _, who := range []struct {
			token string
			want  vehicle.Access
		}{{tokenOf(t, "alice"), vehicle.AccessOwner}, {tokenOf(t, "bob"), vehicle.AccessPublic}, {"", vehicle.AccessPublic}} {
			var h http.Header
			if who.token != "" {
				h = bearer(who.token)
			}
			a := call(t, http.MethodGet, "/vehicles/"+spelling, h, nil)
			if a.status != http.StatusOK {
				t.Errorf("GET /vehicles/%s: %s, want 200", spelling, a)
				continue
			}
			checkReport(t, a.body, vin, who.want)
			if who.want == vehicle.AccessOwner {
				continue
			}
			checkNoPersonalData(t, "GET /vehicles/"+spelling+" (public view)", a.body, pkeys, secretsOf)
		}
	}
}

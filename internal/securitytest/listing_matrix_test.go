package securitytest

// The access matrix's seller-listing support: routes of one listing need a listing to exist, a
// create needs the caller's VIN in its body and an Idempotency-Key, a change an If-Match.

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// unknownListingID is well-formed (26 base32 characters) and exists nowhere.
const unknownListingID = "aaaaaaaaaaaaaaaaaaaaaaaaaa"

func isListingRoute(r route) bool { return strings.HasPrefix(r.path, "/listings/{id}") }

// matrixPath is samplePath, except that a route of one listing gets a fresh listing alice made
// for a fresh car she owns, so every column meets an active listing whatever earlier columns did.
func (r route) matrixPath(t *testing.T, vin vehicle.VIN) string {
	t.Helper()
	if !isListingRoute(r) {
		return r.samplePath(vin)
	}
	// The listing's other path parameters (a similar car's itemId) get samplePath's values.
	r.path = strings.Replace(r.path, "{id}", makeListing(t), 1)
	return r.samplePath(vin)
}

// makeListing creates an active listing as alice, for a fresh car with her grant.
func makeListing(t *testing.T) string {
	t.Helper()
	car := freshVIN(t)
	grant(t, car, subjectOf(t, "alice"), time.Now().Add(time.Hour))
	a := call(t, http.MethodPost, "/listings", r0.matrixHeader(bearer(tokenOf(t, "alice"))), listingBodyFor(car))
	var l struct {
		ID string `json:"id"`
	}
	if a.status != http.StatusCreated || json.Unmarshal(a.body, &l) != nil || l.ID == "" {
		t.Fatalf("make a listing: %s", a)
	}
	secrets, _ := personalValues(t, car)
	checkNoPersonalData(t, "a new listing", a.body, personalKeys(t), secrets)
	return l.ID
}

var r0 route

func listingBodyFor(vin vehicle.VIN) []byte {
	return []byte(strings.ReplaceAll(sampleBodies["POST /listings"], "{vin}", string(vin)))
}

// listingBody is the route's sample body with the caller's VIN where the body names one.
func (r route) listingBody(vin vehicle.VIN) []byte {
	if r.key() == "POST /listings" {
		return listingBodyFor(vin)
	}
	return r.sampleBody()
}

// matrixHeader adds what the listing routes require to h: a fresh Idempotency-Key (every call a
// new create) and If-Match: * (any version: the matrix is about who, not which version).
func (r route) matrixHeader(h http.Header) http.Header {
	out := http.Header{}
	for k, v := range h {
		out[k] = v
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	out.Set("Idempotency-Key", "matrix-"+hex.EncodeToString(b[:]))
	out.Set("If-Match", "*")
	return out
}

// checkListing: a listing (or a list of them) and never the car's VIN; personal keys and values
// are checked by checkNoPersonalData for every non-owner view.
func checkListing(t *testing.T, body []byte, vin vehicle.VIN) {
	t.Helper()
	var one struct {
		ID       string         `json:"id"`
		Listings []any          `json:"listings"`
		Verified map[string]any `json:"verified"`
	}
	if err := json.Unmarshal(body, &one); err != nil || (one.ID == "" && one.Listings == nil) {
		t.Fatalf("not a listing: %v: %s", err, body)
	}
	if one.ID != "" && one.Verified["make"] == nil {
		t.Errorf("a listing without its verified make: %s", body)
	}
	if strings.Contains(string(body), string(vin)) {
		t.Errorf("a listing answer carries the VIN")
	}
	keys, _ := jsonKeys(body)
	for _, k := range []string{"vin", "seller", "sub", "owner"} {
		if keys[k] {
			t.Errorf("a listing answer carries the key %q: %s", k, body)
		}
	}
}

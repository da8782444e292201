package securitytest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// checkOffers checks an offers answer is the asked car's, at the expected view: the owner gets
// service plans (and accessories), everyone else financing only, not even the keys of the rest.
func checkOffers(t *testing.T, body []byte, vin vehicle.VIN, v view) {
	t.Helper()
	var o map[string]json.RawMessage
	if err := json.Unmarshal(body, &o); err != nil {
		t.Fatalf("not an offers answer: %v: %s", err, body)
	}
	wantAccess := `"public"`
	if v == viewOffersOwner {
		wantAccess = `"owner"`
	}
	if string(o["vin"]) != `"`+string(vin)+`"` || string(o["access"]) != wantAccess {
		t.Errorf("offers of %s with access %s, want %s with %s", o["vin"], o["access"], vin, wantAccess)
	}
	if _, ok := o["financing"]; !ok {
		t.Errorf("no financing section: %s", body)
	}
	for _, owners := range []string{"servicePlans", "accessories"} {
		if _, ok := o[owners]; ok != (v == viewOffersOwner) {
			t.Errorf("the %s view has %s = %v: %s", v, owners, ok, body)
		}
	}
	if v == viewOffersOwner && !strings.Contains(string(o["servicePlans"]), `"kind":"service-plan"`) {
		t.Errorf("the owner's service plans section holds no plan: %s", o["servicePlans"])
	}
}

// TestListingOffersForEveryCaller: a listing's offers are the same for every caller, the seller
// who owns the car included: financing only, never the VIN or a personal value of the car.
func TestListingOffersForEveryCaller(t *testing.T) {
	vin := freshVIN(t)
	grant(t, vin, subjectOf(t, "alice"), time.Now().Add(time.Hour))
	secrets, _ := personalValues(t, vin)
	pkeys := personalKeys(t)
	id, gone := fmt.Sprintf("activelisting%011d", serials.Add(1)), fmt.Sprintf("withdrawnlisting%08d", serials.Add(1))
	seedListingForOffers(t, id, "active", vin)
	seedListingForOffers(t, gone, "withdrawn", vin)
	for _, tok := range []string{"", tokenOf(t, "alice"), tokenOf(t, "bob"), tokenOf(t, "dealer-dan")} {
		var h http.Header
		if tok != "" {
			h = bearer(tok)
		}
		a := call(t, http.MethodGet, "/listings/"+id+"/offers", h, nil)
		if a.status != http.StatusOK {
			t.Fatalf("listing offers: %s", a)
		}
		if strings.Contains(strings.ToUpper(string(a.body)), string(vin)) {
			t.Errorf("the listing's offers carry the VIN: %s", a.body)
		}
		if strings.Contains(string(a.body), "servicePlans") || strings.Contains(string(a.body), "service-plan") || !strings.Contains(string(a.body), `"kind":"financing"`) {
			t.Errorf("not financing only: %s", a.body)
		}
		checkNoPersonalData(t, "listing offers", a.body, pkeys, secrets)
		if g := call(t, http.MethodGet, "/listings/"+gone+"/offers", h, nil); g.status != http.StatusGone {
			t.Errorf("withdrawn listing: %s, want 410", g)
		}
	}
}

// seedListingForOffers writes a listing item as the seller routes write it (the attributes the offers
// route reads).
func seedListingForOffers(t *testing.T, id, status string, vin vehicle.VIN) {
	t.Helper()
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	_, err := stack.DynamoDB.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String(stack.TableName),
		Item: map[string]types.AttributeValue{
			"pk": s("LISTING#" + id), "sk": s("LISTING"), "id": s(id), "status": s(status), "vin": s(string(vin)),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
}

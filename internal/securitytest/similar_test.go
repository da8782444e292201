package securitytest

// Similar cars read seller listings, which hold the seller's subject and the car's VIN: no
// similar-cars, click or market answer may carry either, whoever asks, and no log line (the run's
// log scan covers them once remembered here).

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
)

// seedListing writes an active Golf listing in the seller side's item shape, with a canary seller.
func seedListing(t *testing.T, id string, year, km, price int) (vin, seller string) {
	t.Helper()
	vin, seller = string(freshVIN(t)), "canary-seller-"+id
	remember("listing seller", seller)
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	n := func(v int) types.AttributeValue { return &types.AttributeValueMemberN{Value: strconv.Itoa(v)} }
	_, err := stack.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(stack.TableName), Item: map[string]types.AttributeValue{
		"pk": s("LISTING#" + id), "sk": s("LISTING"), "id": s(id), "status": s("active"), "vin": s(vin), "seller": s(seller),
		"make": s("Volkswagen"), "model": s("Golf"), "modelYear": n(year), "odometerKm": n(km), "priceEur": n(price),
		"verified": s(`{"vin":"` + vin + `"}`), "version": n(1),
		dynamo.AttrGSI2PK: s(dynamo.ActiveKey("Volkswagen", "Golf")), dynamo.AttrGSI2SK: s("LISTING#" + id),
	}})
	if err != nil {
		t.Fatal(err)
	}
	return vin, seller
}

func TestSimilarCarsCarryNoSellerAndNoVIN(t *testing.T) {
	const a, b = "securitytestlistingaaaaaaa", "securitytestlistingbbbbbbb"
	vinA, sellerA := seedListing(t, a, 2022, 40000, 15000)
	vinB, sellerB := seedListing(t, b, 2021, 52000, 13900)
	canaries := []string{vinA, sellerA, vinB, sellerB, subjectOf(t, "alice"), subjectOf(t, "dealer-dan")}
	check := func(what string, got answer, want int) {
		t.Helper()
		if got.status != want {
			t.Fatalf("%s: %s, want %d", what, got, want)
		}
		for _, c := range canaries {
			if strings.Contains(string(got.body), c) {
				t.Errorf("%s carries %q: %s", what, c, got.body)
			}
		}
	}
	for _, h := range []http.Header{nil, bearer(tokenOf(t, "alice")), bearer(tokenOf(t, "dealer-dan"))} {
		got := call(t, http.MethodGet, "/listings/"+a+"/similar?limit=50", h, nil)
		check("similar cars", got, http.StatusOK)
		var page struct {
			Items []struct {
				ItemID string `json:"itemId"`
				Kind   string `json:"kind"`
			} `json:"items"`
		}
		if err := json.Unmarshal(got.body, &page); err != nil {
			t.Fatal(err)
		}
		var sawB bool
		for _, it := range page.Items {
			sawB = sawB || it.ItemID == b
			if it.Kind == "stock" {
				check("a click", call(t, http.MethodPost, "/listings/"+a+"/similar/"+it.ItemID+"/clicks", h, nil), http.StatusOK)
			}
		}
		if !sawB {
			t.Errorf("the other listing is not among the similar cars: %s", got.body)
		}
	}
	check("the market view", call(t, http.MethodGet, "/vehicles/"+vinA+"/market", bearer(tokenOf(t, "dealer-dan")), nil), http.StatusOK)
	check("the surfaced stock", call(t, http.MethodGet, "/dealer/stock/surfaced", bearer(tokenOf(t, "dealer-dan")), nil), http.StatusOK)
}

package stack_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/stack"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
)

// Every answer of the offers routes through the gateway keeps the contract, and nothing the
// stack logged while answering them names a VIN.
func TestOffersAnswersKeepTheContract(t *testing.T) {
	logs := &syncBuffer{}
	st, err := stack.Start(t.Context(), stack.Config{
		Sim:    sim.Options{NoLatency: true},
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	get := func(path, token string, want int) []byte {
		t.Helper()
		status, h, body := call(t, http.MethodGet, st.APIURL+path, token, nil)
		if status != want {
			t.Errorf("GET %s: %d, want %d: %s", path, status, want, body)
		}
		checkContract(t, path, status, h, body)
		return body
	}
	for _, d := range world.Demos() {
		want := http.StatusOK
		if d.VIN == world.DemoUnknown {
			want = http.StatusNotFound
		}
		get("/vehicles/"+string(d.VIN)+"/offers", "", want)
	}
	// The owner's view, with the sections only the owner gets.
	alice, err := demoUser("alice")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := dynamo.NewGrants(st.DynamoDB, st.TableName).Put(t.Context(), dynamo.Grant{
		VIN: world.DemoRecall, Subject: alice.Subject, GrantedAt: now, ExpiresAt: now.Add(time.Hour), Method: "owner-code",
	}); err != nil {
		t.Fatal(err)
	}
	s := &scenario{stack: st, client: http.DefaultClient}
	tok, err := s.token(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if body := get("/vehicles/"+string(world.DemoRecall)+"/offers", tok, 200); !strings.Contains(string(body), `"servicePlans"`) {
		t.Errorf("the owner's view lacks service plans: %s", body)
	}
	get("/vehicles/1M8GDM9AXKP042788/offers", "", http.StatusNotFound)
	get("/vehicles/WVWZZZCD4MW100001/offers", "", http.StatusBadRequest)

	for id, status := range map[string]string{"activelisting0123456789ab": "active", "withdrawnlisting01234567": "withdrawn"} {
		str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
		if _, err := st.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(st.TableName), Item: map[string]types.AttributeValue{
			"pk": str("LISTING#" + id), "sk": str("LISTING"), "id": str(id), "status": str(status), "vin": str(string(world.DemoRecall)),
		}}); err != nil {
			t.Fatal(err)
		}
	}
	if body := get("/listings/activelisting0123456789ab/offers", "", 200); strings.Contains(string(body), string(world.DemoRecall)) {
		t.Errorf("the listing's offers carry the VIN: %s", body)
	}
	get("/listings/withdrawnlisting01234567/offers", "", http.StatusGone)
	get("/listings/unknownlisting0123456789/offers", "", http.StatusNotFound)
	get("/listings/short/offers", "", http.StatusBadRequest)

	for _, d := range world.Demos() {
		if strings.Contains(logs.String(), string(d.VIN)) {
			t.Errorf("the logs name the VIN of %s", d.Name)
		}
	}
}

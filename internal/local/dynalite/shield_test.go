package dynalite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/dynalite"
)

// Clients hang up in the middle of requests (deadlines, timeouts); node's dynalite exits on that,
// so they reach it through the shield: after 2,000 requests cancelled at every stage it still
// answers. Without the shield nothing answers after a few hundred.
func TestClientsThatHangUpCannotStopDynalite(t *testing.T) {
	s, err := dynalite.Start(t.Context(), dynalite.Options{Dir: "."})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	api, err := dynamo.NewLocalClient(t.Context(), s.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	if err := dynamo.CreateTable(t.Context(), api, "tbl"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2000; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%50)*50*time.Microsecond)
		_, _ = api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: fmt.Sprint(i)}, "sk": &types.AttributeValueMemberS{Value: "x"}}})
		cancel()
	}
	if _, err := api.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("tbl"), Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "1"}, "sk": &types.AttributeValueMemberS{Value: "x"}}}); err != nil {
		t.Fatalf("dynalite died: %v", err)
	}
}

package dynamo_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/cost"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
)

// TestMeteredCountsUnitsFromItemSizes meters calls against dynalite and checks the units by hand.
// An item's size is the sum of its attribute names' and values' lengths in bytes (DynamoDB's
// rule for strings):
//
//	pk "VIN#A" (2+5) + sk "SRC#x" (2+5) + data of 2,000 bytes (4+2,000) = 2,018 bytes
//	the same with data of 5,000 bytes                                  = 5,018 bytes
func TestMeteredCountsUnitsFromItemSizes(t *testing.T) {
	table := env.NewTable(t)
	api := dynamo.Metered(env.Client)
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "VIN#A"}, "sk": &types.AttributeValueMemberS{Value: "SRC#x"}}
	item := func(n int) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"pk": key["pk"], "sk": key["sk"], "data": &types.AttributeValueMemberS{Value: strings.Repeat("x", n)}}
	}
	m := cost.NewMeter()
	ctx := cost.WithMeter(t.Context(), m)
	step := func(what string, read, write float64, f func() error) {
		t.Helper()
		before := m.Usage()
		if err := f(); err != nil && !strings.Contains(what, "fails") {
			t.Fatalf("%s: %v", what, err)
		}
		after := m.Usage()
		if r, w := after.ReadRequestUnits-before.ReadRequestUnits, after.WriteRequestUnits-before.WriteRequestUnits; r != read || w != write {
			t.Errorf("%s: %v read and %v write units, want %v and %v", what, r, w, read, write)
		}
	}
	// A read of a missing item costs the minimum: 1 unit, halved when eventually consistent.
	step("get missing", 0.5, 0, func() error {
		_, err := api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key})
		return err
	})
	// ceil(2,018 / 1,024) = 2 write units.
	step("put 2,018 bytes", 0, 2, func() error {
		_, err := api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item(2000)})
		return err
	})
	// ceil(2,018 / 4,096) = 1 unit: 0.5 eventually consistent, 1 strongly consistent.
	step("get 2,018 bytes", 0.5, 0, func() error {
		out, err := api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key})
		if err == nil && out.ConsumedCapacity != nil {
			t.Error("the caller did not ask for ConsumedCapacity but got it")
		}
		return err
	})
	step("consistent get 2,018 bytes", 1, 0, func() error {
		_, err := api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
		return err
	})
	// An update bills the larger of before (2,018) and after (5,018): ceil(5,018 / 1,024) = 5.
	step("update to 5,018 bytes", 0, 5, func() error {
		_, err := api.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key,
			UpdateExpression:          aws.String("SET #d = :d"),
			ExpressionAttributeNames:  map[string]string{"#d": "data"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":d": item(5000)["data"]}})
		return err
	})
	// A query bills the items returned together: ceil(5,018 / 4,096) = 2 units, halved: 1.
	step("query 5,018 bytes", 1, 0, func() error {
		_, err := api.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table),
			KeyConditionExpression:    aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": key["pk"]}})
		return err
	})
	// A failed conditional write is billed at the minimum, 1 unit.
	step("conditional put fails", 0, 1, func() error {
		_, err := api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item(10),
			ConditionExpression: aws.String("attribute_not_exists(pk)")})
		if err == nil {
			t.Error("the conditional put succeeded on an existing item")
		}
		return err
	})
	// A delete bills the item removed: ceil(5,018 / 1,024) = 5.
	step("delete 5,018 bytes", 0, 5, func() error {
		_, err := api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: key})
		return err
	})
	// Without a meter in the context nothing is counted and nothing fails.
	if _, err := api.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: key}); err != nil {
		t.Fatal(err)
	}
}

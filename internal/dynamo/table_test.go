package dynamo_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
)

// The local table has exactly the indexes Indexes lists, which CDK deploys: one list for both.
func TestCreateTableCreatesEveryListedIndex(t *testing.T) {
	name := env.NewTable(t)
	out, err := env.Client.DescribeTable(t.Context(), &awsddb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range out.Table.GlobalSecondaryIndexes {
		got = append(got, aws.ToString(g.IndexName)+":"+aws.ToString(g.KeySchema[0].AttributeName)+":"+aws.ToString(g.KeySchema[1].AttributeName))
	}
	var want []string
	for _, ix := range dynamo.Indexes() {
		want = append(want, ix.Name+":"+ix.PK+":"+ix.SK)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || len(want) == 0 {
		t.Fatalf("table indexes %v; Indexes() %v", got, want)
	}
}

package ownershipadapters_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/ownership"
)

// countingAPI counts the requests the ownership store sends to DynamoDB.
type countingAPI struct {
	dynamo.API
	n atomic.Int64
}

func (a *countingAPI) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	a.n.Add(1)
	return a.API.GetItem(ctx, in, o...)
}

func (a *countingAPI) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	a.n.Add(1)
	return a.API.PutItem(ctx, in, o...)
}

func (a *countingAPI) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	a.n.Add(1)
	return a.API.UpdateItem(ctx, in, o...)
}

// BenchmarkProveOwnership is one full owner-code proof on dynalite by a caller new to the car:
// start (2 guess-budget reads, the caller's and the car's send takes, the challenge put), verify
// (the challenge's conditional increment, the caller-and-car and caller guess takes, the give-back
// of a right code, mark used, the grant). ddb-calls/op counts the DynamoDB requests.
func BenchmarkProveOwnership(b *testing.B) {
	f := newFixture(b)
	api := &countingAPI{API: env.Client}
	svc := ownership.NewService(dynamo.NewOwnershipStore(api, table(b)), f.registry, f.outbox, f.coder, f.policy, f.clock.Now)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		vin, sub := f.ownedVIN(b, ""), newSubject()
		b.StartTimer()
		ch, err := svc.StartChallenge(ctx, sub, vin, ownership.MethodOwnerCode)
		if err != nil {
			b.Fatal(err)
		}
		code, _ := f.outbox.Latest(vin)
		if _, err := svc.Verify(ctx, sub, vin, ch.ID, code); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(api.n.Load())/float64(b.N), "ddb-calls/op")
}

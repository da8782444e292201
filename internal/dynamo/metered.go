package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/cost"
)

// Metered returns api that puts the read and write request units of every call on the cost
// meter of the call's context (cost.MeterFrom; nothing when there is none). The units are the
// ones the table reports (ReturnConsumedCapacity TOTAL, asked for when the caller did not): it
// applies DynamoDB's rules to the real item sizes, the item before and after a write included (4
// KB per read unit, half for an eventually consistent read, 1 KB per write unit; at least one
// unit per request), which a client cannot see without reading the item first. A conditional
// write that fails is billed too; its size is not reported, so it counts the 1-unit minimum.
// The local stack meters with it (dynalite computes the units as DynamoDB does); in Lambda there
// is no meter and it only adds the small ConsumedCapacity member to each answer.
func Metered(api API) API { return metered{api} }

type metered struct{ next API }

// total asks for the units when the caller did not, and says whether it did.
func total(rc *types.ReturnConsumedCapacity) bool {
	if *rc == "" || *rc == types.ReturnConsumedCapacityNone {
		*rc = types.ReturnConsumedCapacityTotal
		return false
	}
	return true
}

func units(c *types.ConsumedCapacity) float64 {
	if c == nil || c.CapacityUnits == nil {
		return 0
	}
	return *c.CapacityUnits
}

func (m metered) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c := *in
	asked := total(&c.ReturnConsumedCapacity)
	out, err := m.next.GetItem(ctx, &c, optFns...)
	if err == nil {
		cost.MeterFrom(ctx).AddCapacity(units(out.ConsumedCapacity), 0)
		if !asked {
			out.ConsumedCapacity = nil
		}
	}
	return out, err //nolint:wrapcheck // a decorator passes the client's error on as it is
}

func (m metered) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c := *in
	asked := total(&c.ReturnConsumedCapacity)
	out, err := m.next.Query(ctx, &c, optFns...)
	if err == nil {
		cost.MeterFrom(ctx).AddCapacity(units(out.ConsumedCapacity), 0)
		if !asked {
			out.ConsumedCapacity = nil
		}
	}
	return out, err //nolint:wrapcheck // a decorator passes the client's error on as it is
}

// written meters a write: the reported units, or the minimum for a failed conditional write.
func written(ctx context.Context, c *types.ConsumedCapacity, err error) {
	switch {
	case err == nil:
		cost.MeterFrom(ctx).AddCapacity(0, units(c))
	case isConditionFailed(err):
		cost.MeterFrom(ctx).AddCapacity(0, 1)
	}
}

// meteredWrite runs one write with its consumed capacity asked for (rc is the copied input's
// ReturnConsumedCapacity), meters it, and hides that capacity again from a caller that did not
// ask for it. capacity points into the output at its ConsumedCapacity.
func meteredWrite[O any](ctx context.Context, rc *types.ReturnConsumedCapacity, write func() (*O, error), capacity func(*O) **types.ConsumedCapacity) (*O, error) {
	asked := total(rc)
	out, err := write()
	if out == nil {
		written(ctx, nil, err)
		return out, err
	}
	consumed := capacity(out)
	written(ctx, *consumed, err)
	if !asked {
		*consumed = nil
	}
	return out, err
}

func (m metered) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c := *in
	return meteredWrite(ctx, &c.ReturnConsumedCapacity,
		func() (*dynamodb.PutItemOutput, error) { return m.next.PutItem(ctx, &c, optFns...) },
		func(o *dynamodb.PutItemOutput) **types.ConsumedCapacity { return &o.ConsumedCapacity })
}

func (m metered) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c := *in
	return meteredWrite(ctx, &c.ReturnConsumedCapacity,
		func() (*dynamodb.UpdateItemOutput, error) { return m.next.UpdateItem(ctx, &c, optFns...) },
		func(o *dynamodb.UpdateItemOutput) **types.ConsumedCapacity { return &o.ConsumedCapacity })
}

func (m metered) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c := *in
	return meteredWrite(ctx, &c.ReturnConsumedCapacity,
		func() (*dynamodb.DeleteItemOutput, error) { return m.next.DeleteItem(ctx, &c, optFns...) },
		func(o *dynamodb.DeleteItemOutput) **types.ConsumedCapacity { return &o.ConsumedCapacity })
}

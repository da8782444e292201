// Package dynamo is the DynamoDB adapter: the single table's key design, its creation for local
// use, the report cache (with cross-process single-flight leases) and the ownership grants.
//
// Key design (one table, string keys "pk" and "sk", one GSI):
//
//	pk             sk                 what
//	VIN#<vin>      SRC#<source>       cache: non-personal section data of one source (long expiry)
//	VIN#<vin>      PII#<source>       cache: the same section with its personal fields (short expiry)
//	VIN#<vin>      LEASE#<source>     single-flight lease: who fetches this source right now
//	VIN#<vin>      GRANT#<subject>    ownership grant: subject may see the personal sections
//
// GSI "gsi1" (gsi1pk, gsi1sk) lists a subject's grants: gsi1pk "SUB#<subject>", gsi1sk
// "GRANT#<vin>" (for GET /me and for revoking).
//
// Times are stored as fixed-width UTC strings (TimeLayout) so that condition expressions can
// compare them lexically and ASL Choice states can compare them as timestamps. Expiry is always
// checked in code: DynamoDB TTL deletes up to days late, and dynalite has no TTL at all.
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attribute and index names; CDK declares the same table from these.
const (
	AttrPK     = "pk"
	AttrSK     = "sk"
	AttrGSI1PK = "gsi1pk"
	AttrGSI1SK = "gsi1sk"
	IndexGSI1  = "gsi1"
	// GSI "gsi2" (gsi2pk, gsi2sk) finds active seller listings by make and model for similar-car
	// search: gsi2pk "ACTIVE#<make>#<model>", gsi2sk "LISTING#<id>". Only active listings carry
	// these attributes, so a withdrawn listing leaves the index (a sparse index).
	AttrGSI2PK = "gsi2pk"
	AttrGSI2SK = "gsi2sk"
	IndexGSI2  = "gsi2"
	// AttrTTL (epoch seconds) is the table's TTL attribute in AWS. Code never relies on it (TTL
	// deletes up to days late, dynalite not at all); it makes AWS delete expired items, so
	// personal items do not outlive their hard expiry by more than TTL's lag.
	AttrTTL = "ttl"
)

// TimeLayout is how every time attribute is stored: UTC, millisecond precision, fixed width, so a
// string comparison is a time comparison, and it is a valid ASL timestamp.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime renders t in TimeLayout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime parses a TimeLayout (or any RFC 3339) string.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse time attribute: %w", err)
	}
	return t.UTC(), nil
}

// API is the part of *dynamodb.Client the adapter uses.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// localMaxIdleConns is how many idle connections to dynalite the local client keeps.
const localMaxIdleConns = 512

// localRequestTimeout bounds one request to the local DynamoDB; far above any healthy answer.
const localRequestTimeout = 15 * time.Second

// NewLocalClient builds a client for a local endpoint (dynalite) with static dummy credentials,
// so it never picks up real AWS credentials from the environment.
func NewLocalClient(ctx context.Context, endpoint string) (*dynamodb.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")),
		config.WithBaseEndpoint(endpoint),
		// dynalite is one node process: if it stalls, a request without a deadline would hang its
		// caller (and a test run) forever. With a timeout the SDK's retryer tries again, then the
		// caller gets an error.
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(localRequestTimeout).
			WithTransportOptions(func(t *http.Transport) {
				// Every step and state machine of the local stack shares this client, and a
				// report reads several items at once: with the SDK's default of 10 idle
				// connections per host, most requests under load would dial (and dynalite
				// accept) a new connection.
				t.MaxIdleConns, t.MaxIdleConnsPerHost = localMaxIdleConns, localMaxIdleConns
			})),
	)
	if err != nil {
		return nil, fmt.Errorf("dynamodb local client: %w", err)
	}
	return dynamodb.NewFromConfig(cfg), nil
}

// Index is one global secondary index (string keys, every attribute projected).
type Index struct {
	Name, PK, SK string
}

// Indexes lists every GSI of the table: CreateTable creates them locally and CDK declares them in
// AWS from this one list, so a new index reaches both.
func Indexes() []Index {
	return []Index{{Name: IndexGSI1, PK: AttrGSI1PK, SK: AttrGSI1SK}, {Name: IndexGSI2, PK: AttrGSI2PK, SK: AttrGSI2SK}}
}

// CreateTable creates the table for local use (CDK creates it in AWS). An existing table is
// fine, so `make run` can restart on a kept data directory.
func CreateTable(ctx context.Context, api *dynamodb.Client, name string) error {
	str := types.ScalarAttributeTypeS
	attrs := []types.AttributeDefinition{
		{AttributeName: aws.String(AttrPK), AttributeType: str},
		{AttributeName: aws.String(AttrSK), AttributeType: str},
	}
	var gsis []types.GlobalSecondaryIndex
	for _, ix := range Indexes() {
		attrs = append(attrs,
			types.AttributeDefinition{AttributeName: aws.String(ix.PK), AttributeType: str},
			types.AttributeDefinition{AttributeName: aws.String(ix.SK), AttributeType: str})
		gsis = append(gsis, types.GlobalSecondaryIndex{
			IndexName: aws.String(ix.Name),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(ix.PK), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(ix.SK), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	_, err := api.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: attrs,
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(AttrPK), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(AttrSK), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: gsis,
	})
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	return waitActive(ctx, api, name)
}

// waitActive polls DescribeTable (dynalite started by internal/local/dynalite creates tables at once;
// the SDK's waiter would sleep 20 s before its first look).
func waitActive(ctx context.Context, api *dynamodb.Client, name string) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for delay := 10 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		out, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("wait for table %s: %w", name, err)
		}
		if out.Table.TableStatus == types.TableStatusActive {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for table %s: %w", name, ctx.Err())
		case <-time.After(delay):
		}
	}
}

func isConditionFailed(err error) bool {
	var cf *types.ConditionalCheckFailedException
	return errors.As(err, &cf)
}

func keyOf(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		AttrPK: &types.AttributeValueMemberS{Value: pk},
		AttrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func ttl(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Unix(), 10)}
}

func strAttr(item map[string]types.AttributeValue, name string) string {
	if s, ok := item[name].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

func boolAttr(item map[string]types.AttributeValue, name string) bool {
	if b, ok := item[name].(*types.AttributeValueMemberBOOL); ok {
		return b.Value
	}
	return false
}

// intAttr reads a whole-number attribute; a missing or non-number one is an error naming it.
func intAttr(item map[string]types.AttributeValue, name string) (int, error) {
	v, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("attribute %s missing or not a number", name)
	}
	n, err := strconv.Atoi(v.Value)
	if err != nil {
		return 0, fmt.Errorf("attribute %s: %w", name, err)
	}
	return n, nil
}

func timeAttr(item map[string]types.AttributeValue, name string) (time.Time, error) {
	s := strAttr(item, name)
	if s == "" {
		return time.Time{}, fmt.Errorf("attribute %s missing", name)
	}
	return ParseTime(s)
}

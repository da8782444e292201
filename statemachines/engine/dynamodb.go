package engine

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// DynamoDBAPI is the part of *dynamodb.Client the dynamodb:* integrations call.
type DynamoDBAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Parameters holding typed attribute values; the rest of a request maps onto the SDK input
// struct by field name.
var attributeFields = []string{"Key", "Item", "ExpressionAttributeValues", "ExclusiveStartKey"}

// dynamo implements arn:aws:states:::dynamodb:<op>, returning the API's response shape with
// typed attribute values ({"Item":{"pk":{"S":"x"}}}) as Step Functions does.
func (e *Engine) dynamo(op string) IntegrationFunc {
	return func(ctx context.Context, req TaskRequest) (any, error) {
		client := e.opts.DynamoDB
		if client == nil {
			return nil, &value.Error{Name: errRuntime, Cause: "No DynamoDB client is configured for resource " + req.Resource}
		}
		obj, ok := req.Parameters.(*value.Object)
		if !ok {
			return nil, dynamoValidation("The parameters of " + req.Resource + " must be an object")
		}
		// The request's members have no order for the SDK; the response's come sorted, as AWS
		// returns them.
		res, err := e.dynamoCall(ctx, op, client, value.ToGo(obj).(map[string]any)) //nolint:forcetypeassert // ToGo maps an object to a map
		if err != nil {
			return nil, err
		}
		return value.FromMap(res), nil
	}
}

func (e *Engine) dynamoCall(ctx context.Context, op string, client DynamoDBAPI, params map[string]any) (map[string]any, error) {
	rest, avs, err := splitAttributes(params)
	if err != nil {
		return nil, err
	}
	switch op {
	case "getItem":
		return e.dynamoGetItem(ctx, client, rest, avs)
	case "putItem":
		out, err := callDynamo(ctx, rest, func(in *dynamodb.PutItemInput) {
			in.Item, in.ExpressionAttributeValues = avs["Item"], avs["ExpressionAttributeValues"]
		}, client.PutItem)
		if err != nil {
			return nil, err
		}
		return e.withSdkMetadata(attributesResult(out.Attributes, out.ConsumedCapacity), out.ResultMetadata), nil
	case "updateItem":
		out, err := callDynamo(ctx, rest, func(in *dynamodb.UpdateItemInput) {
			in.Key, in.ExpressionAttributeValues = avs["Key"], avs["ExpressionAttributeValues"]
		}, client.UpdateItem)
		if err != nil {
			return nil, err
		}
		return e.withSdkMetadata(attributesResult(out.Attributes, out.ConsumedCapacity), out.ResultMetadata), nil
	case "deleteItem":
		out, err := callDynamo(ctx, rest, func(in *dynamodb.DeleteItemInput) {
			in.Key, in.ExpressionAttributeValues = avs["Key"], avs["ExpressionAttributeValues"]
		}, client.DeleteItem)
		if err != nil {
			return nil, err
		}
		return e.withSdkMetadata(attributesResult(out.Attributes, out.ConsumedCapacity), out.ResultMetadata), nil
	default: // query
		return e.dynamoQuery(ctx, client, rest, avs)
	}
}

// splitAttributes separates the parameters holding typed attribute values (converted to the
// SDK's types) from the rest.
func splitAttributes(params map[string]any) (map[string]any, map[string]map[string]types.AttributeValue, error) {
	avs := map[string]map[string]types.AttributeValue{}
	rest := make(map[string]any, len(params))
	for k, v := range params {
		rest[k] = v
	}
	for _, f := range attributeFields {
		v, ok := params[f]
		if !ok {
			continue
		}
		delete(rest, f)
		m, err := toAttributeMap(v)
		if err != nil {
			return nil, nil, dynamoValidation(fmt.Sprintf("Invalid %s: %v", f, err))
		}
		avs[f] = m
	}
	return rest, avs, nil
}

func (e *Engine) dynamoGetItem(ctx context.Context, client DynamoDBAPI, rest map[string]any, avs map[string]map[string]types.AttributeValue) (map[string]any, error) {
	in := &dynamodb.GetItemInput{}
	if !simpleGetItem(rest, in) {
		in = &dynamodb.GetItemInput{}
		if err := decodeInto(rest, in); err != nil {
			return nil, err
		}
	}
	in.Key = avs["Key"]
	out, err := client.GetItem(ctx, in)
	if err != nil {
		return nil, dynamoError(err)
	}
	res := map[string]any{}
	if out.Item != nil {
		res["Item"] = fromAttributeMap(out.Item)
	}
	addCapacity(res, out.ConsumedCapacity)
	return e.withSdkMetadata(res, out.ResultMetadata), nil
}

func (e *Engine) dynamoQuery(ctx context.Context, client DynamoDBAPI, rest map[string]any, avs map[string]map[string]types.AttributeValue) (map[string]any, error) {
	in := &dynamodb.QueryInput{}
	if err := decodeInto(rest, in); err != nil {
		return nil, err
	}
	in.ExpressionAttributeValues, in.ExclusiveStartKey = avs["ExpressionAttributeValues"], avs["ExclusiveStartKey"]
	out, err := client.Query(ctx, in)
	if err != nil {
		return nil, dynamoError(err)
	}
	items := make([]any, len(out.Items))
	for i, it := range out.Items {
		items[i] = fromAttributeMap(it)
	}
	res := map[string]any{"Count": value.Int(int64(out.Count)), "Items": items, "ScannedCount": value.Int(int64(out.ScannedCount))}
	if out.LastEvaluatedKey != nil {
		res["LastEvaluatedKey"] = fromAttributeMap(out.LastEvaluatedKey)
	}
	addCapacity(res, out.ConsumedCapacity)
	return e.withSdkMetadata(res, out.ResultMetadata), nil
}

// withSdkMetadata adds the SdkHttpMetadata and SdkResponseMetadata members Step Functions'
// optimized DynamoDB integrations return next to the API response.
func (e *Engine) withSdkMetadata(res map[string]any, md middleware.Metadata) map[string]any {
	reqID, _ := awsmiddleware.GetRequestIDMetadata(md)
	headers := map[string]any{
		"Connection":       "keep-alive",
		"Content-Length":   strconv.Itoa(encodedLen(res)),
		"Content-Type":     "application/x-amz-json-1.0",
		"Date":             e.clock.Now().UTC().Format(time.RFC1123),
		"Server":           "Server",
		"x-amzn-RequestId": reqID,
	}
	all := make(map[string]any, len(headers))
	for k, v := range headers {
		all[k] = []any{v}
	}
	res["SdkHttpMetadata"] = map[string]any{"AllHttpHeaders": all, "HttpHeaders": headers, "HttpStatusCode": value.Int(200)}
	res["SdkResponseMetadata"] = map[string]any{"RequestId": reqID}
	return res
}

func dynamoValidation(msg string) *value.Error {
	return &value.Error{Name: "DynamoDB.ValidationException", Cause: msg + " (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: null; Proxy: null)"}
}

// simpleGetItem fills in from parameters that hold only a string TableName and a boolean
// ConsistentRead (what nearly every getItem task has), as decodeInto would, without a JSON round
// trip; it reports false for anything else.
func simpleGetItem(params map[string]any, in *dynamodb.GetItemInput) bool {
	for k, v := range params {
		switch k {
		case "TableName":
			s, ok := v.(string)
			if !ok {
				return false
			}
			in.TableName = &s
		case "ConsistentRead":
			b, ok := v.(bool)
			if !ok {
				return false
			}
			in.ConsistentRead = &b
		default:
			return false
		}
	}
	return true
}

// decodeInto maps the plain (non attribute-value) parameters onto an SDK input struct; field
// names match the API's, enum fields are strings.
// callDynamo decodes the task's parameters into a fresh input, sets the attribute-value fields
// (decoded separately, from AWS's typed JSON), calls the API and maps a service error.
func callDynamo[In, Out any](ctx context.Context, params map[string]any, setAttributes func(*In),
	call func(context.Context, *In, ...func(*dynamodb.Options)) (*Out, error)) (*Out, error) {
	in := new(In)
	if err := decodeInto(params, in); err != nil {
		return nil, err
	}
	setAttributes(in)
	out, err := call(ctx, in)
	if err != nil {
		return nil, dynamoError(err)
	}
	return out, nil
}

// attributesResult is the answer of putItem, updateItem and deleteItem: Attributes only when the
// request asked for them (ReturnValues), as AWS returns it.
func attributesResult(attrs map[string]types.AttributeValue, c *types.ConsumedCapacity) map[string]any {
	res := map[string]any{}
	if attrs != nil {
		res["Attributes"] = fromAttributeMap(attrs)
	}
	addCapacity(res, c)
	return res
}

func decodeInto(params map[string]any, in any) error {
	b, err := value.Marshal(params)
	if err != nil {
		return dynamoValidation(err.Error())
	}
	if err := json.Unmarshal(b, in); err != nil {
		return dynamoValidation("Invalid request parameters: " + err.Error())
	}
	return nil
}

func addCapacity(res map[string]any, c *types.ConsumedCapacity) {
	if c == nil {
		return
	}
	cc := map[string]any{}
	if c.TableName != nil {
		cc["TableName"] = *c.TableName
	}
	if c.CapacityUnits != nil {
		cc["CapacityUnits"] = value.Number(*c.CapacityUnits)
	}
	res["ConsumedCapacity"] = cc
}

// dynamoError names a service error DynamoDB.<Code> with the cause worded as Step Functions
// words SDK errors.
func dynamoError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return err
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return &value.Error{Name: "DynamoDB.SdkClientException", Cause: "Unable to execute HTTP request: " + err.Error()}
	}
	status, reqID := 400, "null"
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status, reqID = re.HTTPStatusCode(), re.ServiceRequestID()
	}
	code := ae.ErrorCode()
	return &value.Error{
		Name:  "DynamoDB." + code,
		Cause: fmt.Sprintf("%s (Service: AmazonDynamoDBv2; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)", ae.ErrorMessage(), status, code, reqID),
	}
}

func toAttributeMap(v any) (map[string]types.AttributeValue, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("expected an object of attribute values")
	}
	out := make(map[string]types.AttributeValue, len(m))
	for k, x := range m {
		av, err := toAttribute(x)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", k, err)
		}
		out[k] = av
	}
	return out, nil
}

func toAttribute(v any) (types.AttributeValue, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return nil, errors.New("an attribute value must be an object with exactly one type key (S, N, B, BOOL, NULL, SS, NS, BS, L, M)")
	}
	for k, x := range m {
		return typedAttribute(k, x)
	}
	return nil, errors.New("empty attribute value")
}

// typedAttribute converts the member x of type key k ("S", "N", ...).
func typedAttribute(k string, x any) (types.AttributeValue, error) {
	switch k {
	case "S":
		s, ok := x.(string)
		if !ok {
			return nil, errors.New("the S member must be a string")
		}
		return &types.AttributeValueMemberS{Value: s}, nil
	case "N":
		switch n := x.(type) {
		case string:
			return &types.AttributeValueMemberN{Value: n}, nil
		case json.Number:
			return &types.AttributeValueMemberN{Value: string(n)}, nil
		}
		return nil, errors.New("the N member must be a string")
	case "B":
		b, err := decodeB64(x)
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberB{Value: b}, nil
	case "BOOL":
		b, ok := x.(bool)
		if !ok {
			return nil, errors.New("the BOOL member must be a boolean")
		}
		return &types.AttributeValueMemberBOOL{Value: b}, nil
	case "NULL":
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case "SS", "NS":
		return stringSetAttribute(k, x)
	case "BS":
		return binarySetAttribute(x)
	case "L":
		return listAttribute(x)
	case "M":
		mm, err := toAttributeMap(x)
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberM{Value: mm}, nil
	}
	return nil, fmt.Errorf("unknown attribute type %q", k)
}

func stringSetAttribute(k string, x any) (types.AttributeValue, error) {
	arr, ok := x.([]any)
	if !ok {
		return nil, fmt.Errorf("the %s member must be an array of strings", k)
	}
	ss := make([]string, len(arr))
	for i, e := range arr {
		switch s := e.(type) {
		case string:
			ss[i] = s
		case json.Number:
			ss[i] = string(s)
		default:
			return nil, fmt.Errorf("the %s member must be an array of strings", k)
		}
	}
	if k == "SS" {
		return &types.AttributeValueMemberSS{Value: ss}, nil
	}
	return &types.AttributeValueMemberNS{Value: ss}, nil
}

func binarySetAttribute(x any) (types.AttributeValue, error) {
	arr, ok := x.([]any)
	if !ok {
		return nil, errors.New("the BS member must be an array of base64 strings")
	}
	bs := make([][]byte, len(arr))
	for i, e := range arr {
		b, err := decodeB64(e)
		if err != nil {
			return nil, err
		}
		bs[i] = b
	}
	return &types.AttributeValueMemberBS{Value: bs}, nil
}

func listAttribute(x any) (types.AttributeValue, error) {
	arr, ok := x.([]any)
	if !ok {
		return nil, errors.New("the L member must be an array")
	}
	l := make([]types.AttributeValue, len(arr))
	for i, e := range arr {
		av, err := toAttribute(e)
		if err != nil {
			return nil, err
		}
		l[i] = av
	}
	return &types.AttributeValueMemberL{Value: l}, nil
}

func decodeB64(x any) ([]byte, error) {
	s, ok := x.(string)
	if !ok {
		return nil, errors.New("the B member must be a base64 string")
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("the B member must be base64: %w", err)
	}
	return b, nil
}

func fromAttributeMap(m map[string]types.AttributeValue) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = fromAttribute(v)
	}
	return out
}

func fromAttribute(v types.AttributeValue) any {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": x.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": x.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(x.Value)}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": x.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": x.Value}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": stringsToAny(x.Value)}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": stringsToAny(x.Value)}
	case *types.AttributeValueMemberBS:
		l := make([]any, len(x.Value))
		for i, b := range x.Value {
			l[i] = base64.StdEncoding.EncodeToString(b)
		}
		return map[string]any{"BS": l}
	case *types.AttributeValueMemberL:
		l := make([]any, len(x.Value))
		for i, e := range x.Value {
			l[i] = fromAttribute(e)
		}
		return map[string]any{"L": l}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": fromAttributeMap(x.Value)}
	}
	return nil
}

func stringsToAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/listing"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Listings stores seller listings (listing.Store). Items:
//
//	pk LISTING#<id>          sk LISTING  the listing: id, status, vin, seller, make, model,
//	                                     modelYear, odometerKm, priceEur, country, postalPrefix,
//	                                     description, photos, verified (JSON), createdAt, updatedAt,
//	                                     version; gsi1 SELLER#<sub> / LISTING#<createdAt>#<id>;
//	                                     gsi2 ACTIVE#<make>#<model> / LISTING#<id> while active
//	pk IDEMP#<hash>          sk IDEMP    a create's idempotency record: listingId, fingerprint,
//	                                     expiresAt (hash of seller and key: neither is stored)
//	pk VIN#<vin>             sk LISTING  the VIN's one active slot: listingId, claimedAt
type Listings struct {
	api   API
	table string
}

// NewListings builds the listing store on table.
func NewListings(api API, table string) *Listings { return &Listings{api: api, table: table} }

const listingSK = "LISTING"

func listingPK(id string) string { return "LISTING#" + id }

func idempotencyPK(seller, key string) string {
	sum := sha256.Sum256([]byte(seller + "\x00" + key))
	return "IDEMP#" + hex.EncodeToString(sum[:])
}

func num(n int) types.AttributeValue { return &types.AttributeValueMemberN{Value: strconv.Itoa(n)} }

// Reserve implements listing.Store.
func (s *Listings) Reserve(ctx context.Context, seller, key string, r listing.Reservation, now time.Time) (listing.Reservation, error) {
	pk := idempotencyPK(seller, key)
	_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: map[string]types.AttributeValue{
			AttrPK: str(pk), AttrSK: str("IDEMP"), "kind": str("idempotency"),
			"listingId": str(r.ListingID), "fingerprint": str(r.Fingerprint),
			"expiresAt": str(FormatTime(r.ExpiresAt)), AttrTTL: num(int(r.ExpiresAt.Unix())),
		},
		// Expiry is checked here, in code: TTL deletes late (and dynalite never).
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR expiresAt <= :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": str(FormatTime(now))},
	})
	if err == nil {
		return r, nil
	}
	if !isConditionFailed(err) {
		return listing.Reservation{}, fmt.Errorf("put idempotency record: %w", err)
	}
	item, err := s.get(ctx, pk, "IDEMP")
	if err != nil {
		return listing.Reservation{}, err
	}
	if item == nil {
		return listing.Reservation{}, fmt.Errorf("idempotency record vanished after a failed condition")
	}
	exp, err := timeAttr(item, "expiresAt")
	if err != nil {
		return listing.Reservation{}, fmt.Errorf("idempotency record: %w", err)
	}
	return listing.Reservation{ListingID: strAttr(item, "listingId"), Fingerprint: strAttr(item, "fingerprint"), ExpiresAt: exp}, nil
}

// ClaimVIN implements listing.Store.
func (s *Listings) ClaimVIN(ctx context.Context, vin vehicle.VIN, c listing.Claim, expected string) (listing.Claim, error) {
	cond := "attribute_not_exists(pk) OR listingId = :id"
	values := map[string]types.AttributeValue{":id": str(c.ListingID)}
	if expected != "" {
		cond += " OR listingId = :expected"
		values[":expected"] = str(expected)
	}
	for range 3 {
		_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(s.table),
			Item: map[string]types.AttributeValue{
				AttrPK: str(pkOf(vin)), AttrSK: str(listingSK), "kind": str("listing-claim"),
				"listingId": str(c.ListingID), "claimedAt": str(FormatTime(c.ClaimedAt)),
			},
			ConditionExpression:       aws.String(cond),
			ExpressionAttributeValues: values,
		})
		if err == nil {
			return c, nil
		}
		if !isConditionFailed(err) {
			return listing.Claim{}, fmt.Errorf("claim vehicle: %w", err)
		}
		item, err := s.get(ctx, pkOf(vin), listingSK)
		if err != nil {
			return listing.Claim{}, err
		}
		if item == nil {
			continue // released in between: try again
		}
		at, err := timeAttr(item, "claimedAt")
		if err != nil {
			return listing.Claim{}, fmt.Errorf("vehicle claim: %w", err)
		}
		return listing.Claim{ListingID: strAttr(item, "listingId"), ClaimedAt: at}, nil
	}
	return listing.Claim{}, fmt.Errorf("claim vehicle: the claim kept changing")
}

// ReleaseVIN implements listing.Store.
func (s *Listings) ReleaseVIN(ctx context.Context, vin vehicle.VIN, id string) error {
	_, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       keyOf(pkOf(vin), listingSK),
		ConditionExpression:       aws.String("listingId = :id"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": str(id)},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("release vehicle: %w", err)
	}
	return nil
}

// Insert implements listing.Store.
func (s *Listings) Insert(ctx context.Context, l listing.Listing) error {
	item, err := listingItem(l)
	if err != nil {
		return err
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if isConditionFailed(err) {
		return listing.ErrConditionFailed
	}
	if err != nil {
		return fmt.Errorf("insert listing: %w", err)
	}
	return nil
}

// Replace implements listing.Store.
func (s *Listings) Replace(ctx context.Context, l listing.Listing, prev int) error {
	item, err := listingItem(l)
	if err != nil {
		return err
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table), Item: item,
		ConditionExpression:       aws.String("version = :prev"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":prev": num(prev)},
	})
	if isConditionFailed(err) {
		return listing.ErrConditionFailed
	}
	if err != nil {
		return fmt.Errorf("replace listing: %w", err)
	}
	return nil
}

// Get implements listing.Store.
func (s *Listings) Get(ctx context.Context, id string) (listing.Listing, error) {
	item, err := s.get(ctx, listingPK(id), listingSK)
	if err != nil {
		return listing.Listing{}, err
	}
	if item == nil {
		return listing.Listing{}, listing.ErrNotFound
	}
	return listingFromItem(item)
}

// BySeller implements listing.Store: newest first.
func (s *Listings) BySeller(ctx context.Context, seller string) ([]listing.Listing, error) {
	var out []listing.Listing
	var start map[string]types.AttributeValue
	for {
		res, err := s.api.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String(s.table), IndexName: aws.String(IndexGSI1),
			KeyConditionExpression: aws.String("gsi1pk = :pk AND begins_with(gsi1sk, :prefix)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": str("SELLER#" + seller), ":prefix": str("LISTING#"),
			},
			ScanIndexForward:  aws.Bool(false),
			ExclusiveStartKey: start,
		})
		if err != nil {
			return nil, fmt.Errorf("query seller listings: %w", err)
		}
		for _, item := range res.Items {
			l, err := listingFromItem(item)
			if err != nil {
				return nil, err
			}
			out = append(out, l)
		}
		if len(res.LastEvaluatedKey) == 0 {
			return out, nil
		}
		start = res.LastEvaluatedKey
	}
}

func (s *Listings) get(ctx context.Context, pk, sk string) (map[string]types.AttributeValue, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: keyOf(pk, sk), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("get item: %w", err)
	}
	return out.Item, nil
}

func listingItem(l listing.Listing) (map[string]types.AttributeValue, error) {
	verified, err := json.Marshal(l.Verified)
	if err != nil {
		return nil, fmt.Errorf("encode verified snapshot: %w", err)
	}
	photos := make([]types.AttributeValue, len(l.Photos))
	for i, p := range l.Photos {
		photos[i] = str(p)
	}
	created := FormatTime(l.CreatedAt)
	item := map[string]types.AttributeValue{
		AttrPK: str(listingPK(l.ID)), AttrSK: str(listingSK), "kind": str("listing"),
		"id": str(l.ID), "status": str(string(l.Status)), "vin": str(string(l.VIN)), "seller": str(l.Seller),
		"priceEur": num(l.PriceEur), "country": str(l.Region.Country), "postalPrefix": str(l.Region.PostalPrefix),
		"description": str(l.Description), "photos": &types.AttributeValueMemberL{Value: photos},
		"verified": str(string(verified)), "createdAt": str(created), "updatedAt": str(FormatTime(l.UpdatedAt)),
		"version":  num(l.Version),
		AttrGSI1PK: str("SELLER#" + l.Seller), AttrGSI1SK: str("LISTING#" + created + "#" + l.ID),
	}
	mk, model := "", ""
	if f := l.Verified.Make; f != nil {
		mk = f.Value
		item["make"] = str(mk)
	}
	if f := l.Verified.Model; f != nil {
		model = f.Value
		item["model"] = str(model)
	}
	if f := l.Verified.ModelYear; f != nil {
		item["modelYear"] = num(f.Value)
	}
	if f := l.Verified.Odometer; f != nil {
		item["odometerKm"] = num(f.Value.Km)
	}
	if l.Status == listing.StatusActive && mk != "" && model != "" {
		item[AttrGSI2PK] = str("ACTIVE#" + mk + "#" + model)
		item[AttrGSI2SK] = str("LISTING#" + l.ID)
	}
	return item, nil
}

func listingFromItem(item map[string]types.AttributeValue) (listing.Listing, error) {
	l := listing.Listing{
		ID: strAttr(item, "id"), Status: listing.Status(strAttr(item, "status")),
		VIN: vehicle.VIN(strAttr(item, "vin")), Seller: strAttr(item, "seller"),
		Description: strAttr(item, "description"),
		Region:      listing.Region{Country: strAttr(item, "country"), PostalPrefix: strAttr(item, "postalPrefix")},
		Photos:      []string{},
	}
	var err error
	if l.PriceEur, err = intAttr(item, "priceEur"); err != nil {
		return listing.Listing{}, fmt.Errorf("listing item: %w", err)
	}
	if l.Version, err = intAttr(item, "version"); err != nil {
		return listing.Listing{}, fmt.Errorf("listing item: %w", err)
	}
	if l.CreatedAt, err = timeAttr(item, "createdAt"); err != nil {
		return listing.Listing{}, fmt.Errorf("listing item: %w", err)
	}
	if l.UpdatedAt, err = timeAttr(item, "updatedAt"); err != nil {
		return listing.Listing{}, fmt.Errorf("listing item: %w", err)
	}
	if ph, ok := item["photos"].(*types.AttributeValueMemberL); ok {
		for _, v := range ph.Value {
			if s, ok := v.(*types.AttributeValueMemberS); ok {
				l.Photos = append(l.Photos, s.Value)
			}
		}
	}
	if err := json.Unmarshal([]byte(strAttr(item, "verified")), &l.Verified); err != nil {
		return listing.Listing{}, fmt.Errorf("listing item: verified: %w", err)
	}
	return l, nil
}

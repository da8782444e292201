package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// OwnershipStore implements ownership.Repository on the single table. Every call is one
// single-item read or one conditional single-item write (dynalite has no transactions).
//
// Items, besides the grants of grants.go (which PutGrant writes through Grants.Put, so both read
// and write the same shape):
//
//	pk                  sk          attributes
//	CHALLENGE#<id>      CHALLENGE   kind "challenge", vin, subject, method, codeMac,
//	                                createdAt, expiresAt (TimeLayout), attempts (N),
//	                                maxAttempts (N), used (BOOL)
//	LOCKOUT#<key>       LOCKOUT     kind "lockout", failures (N), lastFailure, lockedUntil
//	                                (TimeLayout; absent when zero)
//
// <key> is ownership.LockoutKeys' "SUB#<subject>" or "VIN#<vin>". Challenges live under their own
// partition, not under VIN#<vin>: the verify route knows the id, and a challenge for one VIN must
// not be found through another VIN's partition. codeMac is an HMAC under a pepper that never enters
// the table, so a leaked item reveals no code.
type OwnershipStore struct {
	api   API
	table string
}

var _ ownership.Repository = (*OwnershipStore)(nil)

// NewOwnershipStore builds the ownership repository on table.
func NewOwnershipStore(api API, table string) *OwnershipStore {
	return &OwnershipStore{api: api, table: table}
}

const (
	ownChallengeSK = "CHALLENGE"
	ownLockoutSK   = "LOCKOUT"
	// ownMaxIDLen bounds ids that reach a key: the id comes from the URL, and an oversized key is
	// a ValidationException (a 500) where the caller deserves "no such challenge".
	ownMaxIDLen = 64
)

func ownChallengePK(id string) string { return "CHALLENGE#" + id }
func ownLockoutPK(key string) string  { return "LOCKOUT#" + key }

func ownNum(n int) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.Itoa(n)}
}

func ownNumAttr(item map[string]types.AttributeValue, name string) (int, error) {
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

func ownNotFound() error { return apperr.New(apperr.NotFound, "no such challenge") }

// CreateChallenge implements ownership.Repository.
func (s *OwnershipStore) CreateChallenge(ctx context.Context, ch ownership.Challenge) error {
	_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: map[string]types.AttributeValue{
			AttrPK:        str(ownChallengePK(ch.ID)),
			AttrSK:        str(ownChallengeSK),
			"kind":        str("challenge"),
			"vin":         str(string(ch.VIN)),
			"subject":     str(ch.Subject),
			"method":      str(string(ch.Method)),
			"codeMac":     str(ch.CodeMAC),
			"createdAt":   str(FormatTime(ch.CreatedAt)),
			"expiresAt":   str(FormatTime(ch.ExpiresAt)),
			"attempts":    ownNum(ch.Attempts),
			"maxAttempts": ownNum(ch.MaxAttempts),
			"used":        &types.AttributeValueMemberBOOL{Value: ch.Used},
		},
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK},
	})
	if isConditionFailed(err) {
		return errors.New("create challenge: id already taken")
	}
	if err != nil {
		return fmt.Errorf("create challenge: %w", err)
	}
	return nil
}

// ConsumeAttempt implements ownership.Repository: one conditional increment, so parallel
// guesses can never evaluate more than maxAttempts between them.
func (s *OwnershipStore) ConsumeAttempt(ctx context.Context, id, subject string, vin vehicle.VIN, now time.Time) (ownership.Challenge, error) {
	if id == "" || len(id) > ownMaxIDLen {
		return ownership.Challenge{}, ownNotFound()
	}
	out, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(s.table),
		Key:              keyOf(ownChallengePK(id), ownChallengeSK),
		UpdateExpression: aws.String("ADD #a :one"),
		// The conditions of ownership.CheckChallenge, plus the VIN; a missing item fails them too.
		ConditionExpression: aws.String("#s = :s AND #v = :v AND #u = :false AND #e > :now AND #a < #m"),
		ExpressionAttributeNames: map[string]string{
			"#a": "attempts", "#m": "maxAttempts", "#s": "subject", "#v": "vin", "#u": "used", "#e": "expiresAt",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one":   ownNum(1),
			":s":     str(subject),
			":v":     str(string(vin)),
			":false": &types.AttributeValueMemberBOOL{Value: false},
			":now":   str(FormatTime(now)),
		},
		ReturnValues: types.ReturnValueAllNew,
		// DynamoDB returns the item with the failure, saving a read; dynalite ignores this and
		// ownRejected falls back to a GetItem.
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err != nil {
		if isConditionFailed(err) {
			return ownership.Challenge{}, s.ownRejected(ctx, id, subject, vin, now, err)
		}
		return ownership.Challenge{}, fmt.Errorf("consume attempt: %w", err)
	}
	ch, err := ownChallengeFromItem(out.Attributes)
	if err != nil {
		return ownership.Challenge{}, fmt.Errorf("consume attempt: %w", err)
	}
	return ch, nil
}

// ownRejected explains a failed ConsumeAttempt with the code CheckChallenge gives for the item as
// it is now.
func (s *OwnershipStore) ownRejected(ctx context.Context, id, subject string, vin vehicle.VIN, now time.Time, condErr error) error {
	item, err := s.ownItemAfterFailure(ctx, ownChallengePK(id), ownChallengeSK, condErr)
	if err != nil {
		return fmt.Errorf("consume attempt: %w", err)
	}
	if item == nil {
		return ownNotFound()
	}
	ch, err := ownChallengeFromItem(item)
	if err != nil {
		return fmt.Errorf("consume attempt: %w", err)
	}
	if ch.VIN != vin {
		// A challenge for another car answers like a missing one, as for another subject.
		return ownNotFound()
	}
	if err := ownership.CheckChallenge(ch, subject, now); err != nil {
		return err
	}
	// Only reachable when now and expiresAt differ by less than the stored millisecond
	// precision: the write saw it expired.
	return apperr.New(apperr.Conflict, "the challenge has expired; start a new one")
}

// ownItemAfterFailure returns the item a conditional write failed on: from the exception when
// DynamoDB sent it, else read consistently. Nil means there is no item.
func (s *OwnershipStore) ownItemAfterFailure(ctx context.Context, pk, sk string, condErr error) (map[string]types.AttributeValue, error) {
	var cf *types.ConditionalCheckFailedException
	if errors.As(condErr, &cf) && len(cf.Item) > 0 {
		return cf.Item, nil
	}
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            keyOf(pk, sk),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read after failed condition: %w", err)
	}
	return out.Item, nil
}

// MarkUsed implements ownership.Repository.
func (s *OwnershipStore) MarkUsed(ctx context.Context, id string) error {
	if id == "" || len(id) > ownMaxIDLen {
		return ownNotFound()
	}
	_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           aws.String(s.table),
		Key:                                 keyOf(ownChallengePK(id), ownChallengeSK),
		UpdateExpression:                    aws.String("SET #u = :true"),
		ConditionExpression:                 aws.String("#u = :false"),
		ExpressionAttributeNames:            map[string]string{"#u": "used"},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":true": &types.AttributeValueMemberBOOL{Value: true}, ":false": &types.AttributeValueMemberBOOL{Value: false}},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return nil
	}
	if !isConditionFailed(err) {
		return fmt.Errorf("mark challenge used: %w", err)
	}
	item, rerr := s.ownItemAfterFailure(ctx, ownChallengePK(id), ownChallengeSK, err)
	if rerr != nil {
		return fmt.Errorf("mark challenge used: %w", rerr)
	}
	if item == nil {
		return ownNotFound()
	}
	return apperr.New(apperr.Conflict, "the challenge has already been used")
}

// PutGrant implements ownership.Repository through Grants.Put, so the grant has exactly the shape
// ownership-authorization reads (and a retried older verification never shortens it).
func (s *OwnershipStore) PutGrant(ctx context.Context, g ownership.Grant) error {
	return NewGrants(s.api, s.table).Put(ctx, Grant{
		VIN: g.VIN, Subject: g.Subject, GrantedAt: g.GrantedAt, ExpiresAt: g.ExpiresAt, Method: string(g.Method),
	})
}

// Lockout implements ownership.Repository.
func (s *OwnershipStore) Lockout(ctx context.Context, key string) (ownership.Lockout, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            keyOf(ownLockoutPK(key), ownLockoutSK),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return ownership.Lockout{}, fmt.Errorf("get lockout: %w", err)
	}
	if out.Item == nil {
		return ownership.Lockout{}, nil
	}
	var l ownership.Lockout
	if l.Failures, err = ownNumAttr(out.Item, "failures"); err != nil {
		return ownership.Lockout{}, fmt.Errorf("get lockout: %w", err)
	}
	if l.LastFailure, err = ownOptTime(out.Item, "lastFailure"); err != nil {
		return ownership.Lockout{}, fmt.Errorf("get lockout: %w", err)
	}
	if l.LockedUntil, err = ownOptTime(out.Item, "lockedUntil"); err != nil {
		return ownership.Lockout{}, fmt.Errorf("get lockout: %w", err)
	}
	return l, nil
}

// SaveLockout implements ownership.Repository. It overwrites: the service documents why a lost
// concurrent update is acceptable here.
func (s *OwnershipStore) SaveLockout(ctx context.Context, key string, l ownership.Lockout) error {
	item := map[string]types.AttributeValue{
		AttrPK:     str(ownLockoutPK(key)),
		AttrSK:     str(ownLockoutSK),
		"kind":     str("lockout"),
		"failures": ownNum(l.Failures),
	}
	if !l.LastFailure.IsZero() {
		item["lastFailure"] = str(FormatTime(l.LastFailure))
	}
	if !l.LockedUntil.IsZero() {
		item["lockedUntil"] = str(FormatTime(l.LockedUntil))
	}
	if _, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return fmt.Errorf("save lockout: %w", err)
	}
	return nil
}

func ownOptTime(item map[string]types.AttributeValue, name string) (time.Time, error) {
	if strAttr(item, name) == "" {
		return time.Time{}, nil
	}
	return timeAttr(item, name)
}

func ownChallengeFromItem(item map[string]types.AttributeValue) (ownership.Challenge, error) {
	pk := strAttr(item, AttrPK)
	const prefix = "CHALLENGE#"
	if len(pk) <= len(prefix) {
		return ownership.Challenge{}, fmt.Errorf("challenge item: bad key")
	}
	ch := ownership.Challenge{
		ID:      pk[len(prefix):],
		VIN:     vehicle.VIN(strAttr(item, "vin")),
		Subject: strAttr(item, "subject"),
		Method:  ownership.Method(strAttr(item, "method")),
		CodeMAC: strAttr(item, "codeMac"),
		Used:    boolAttr(item, "used"),
	}
	var err error
	if ch.CreatedAt, err = timeAttr(item, "createdAt"); err != nil {
		return ownership.Challenge{}, fmt.Errorf("challenge item: %w", err)
	}
	if ch.ExpiresAt, err = timeAttr(item, "expiresAt"); err != nil {
		return ownership.Challenge{}, fmt.Errorf("challenge item: %w", err)
	}
	if ch.Attempts, err = ownNumAttr(item, "attempts"); err != nil {
		return ownership.Challenge{}, fmt.Errorf("challenge item: %w", err)
	}
	if ch.MaxAttempts, err = ownNumAttr(item, "maxAttempts"); err != nil {
		return ownership.Challenge{}, fmt.Errorf("challenge item: %w", err)
	}
	return ch, nil
}

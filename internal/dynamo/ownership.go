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
//	LIMIT#<key>         LIMIT       kind "limit", count (N), ends (TimeLayout), length (N, ms),
//	                                ttl (epoch seconds, clean-up only)
//
// <key> is the ownership service's limit key (guesses per caller and VIN, per caller, sends per
// caller and per VIN, failures per VIN). Challenges live under their own
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
	ownLimitSK     = "LIMIT"
	// ownMaxIDLen bounds ids that reach a key: the id comes from the URL, and an oversized key is
	// a ValidationException (a 500) where the caller deserves "no such challenge".
	ownMaxIDLen = 64
)

func ownChallengePK(id string) string { return "CHALLENGE#" + id }
func ownLimitPK(key string) string    { return "LIMIT#" + key }

func ownNum(n int) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.Itoa(n)}
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

// ownTakeRounds bounds Take's loop. Each round either counts, refuses, or loses a race to a
// writer that opened the new window, after which the next round's increment decides: two rounds
// settle any race, the rest is margin.
const ownTakeRounds = 4

// Take implements ownership.Repository. One conditional write counts in an open window with room,
// or creates the item with the first window when there is none, so parallel takes can never count
// more than lim.N. When the window has closed, a new one is put only if the item is still the one
// read (its end time is the version), so of two takers that both saw it closed, one opens the
// window and the other counts in it.
func (s *OwnershipStore) Take(ctx context.Context, key string, lim ownership.Limit, now time.Time) (ownership.Window, bool, error) {
	first := lim.Next(ownership.Window{}, now)
	for range ownTakeRounds {
		out, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(s.table),
			Key:       keyOf(ownLimitPK(key), ownLimitSK),
			UpdateExpression: aws.String("SET #c = if_not_exists(#c, :zero) + :one, #e = if_not_exists(#e, :ends), " +
				"#l = if_not_exists(#l, :len), #k = if_not_exists(#k, :kind), #t = if_not_exists(#t, :ttl)"),
			ConditionExpression: aws.String("attribute_not_exists(#pk) OR (#e > :now AND #c < :n)"),
			ExpressionAttributeNames: map[string]string{
				"#pk": AttrPK, "#c": "count", "#e": "ends", "#l": "length", "#k": "kind", "#t": AttrTTL,
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":zero": ownNum(0), ":one": ownNum(1), ":n": ownNum(lim.N), ":now": str(FormatTime(now)),
				":ends": str(FormatTime(first.Ends)), ":len": ownNum(int(first.Length / time.Millisecond)),
				":kind": str("limit"), ":ttl": ttl(first.Ends.Add(lim.Max)),
			},
			ReturnValues:                        types.ReturnValueAllNew,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if err == nil {
			w, err := ownWindowFromItem(out.Attributes)
			if err != nil {
				return ownership.Window{}, false, fmt.Errorf("take: %w", err)
			}
			return w, true, nil
		}
		if !isConditionFailed(err) {
			return ownership.Window{}, false, fmt.Errorf("take: %w", err)
		}
		item, err := s.ownItemAfterFailure(ctx, ownLimitPK(key), ownLimitSK, err)
		if err != nil {
			return ownership.Window{}, false, fmt.Errorf("take: %w", err)
		}
		if item == nil {
			continue // deleted (TTL) since the write: the next round creates it
		}
		old, err := ownWindowFromItem(item)
		if err != nil {
			return ownership.Window{}, false, fmt.Errorf("take: %w", err)
		}
		if old.Open(now) {
			if old.Count >= lim.N {
				return old, false, nil
			}
			continue // another taker opened a new window since the increment was refused
		}
		next := lim.Next(old, now)
		put := &dynamodb.PutItemInput{
			TableName: aws.String(s.table),
			Item: map[string]types.AttributeValue{
				AttrPK:   str(ownLimitPK(key)),
				AttrSK:   str(ownLimitSK),
				AttrTTL:  ttl(next.Ends.Add(lim.Max)), // clean-up only, once the window can no longer double
				"kind":   str("limit"),
				"count":  ownNum(next.Count),
				"ends":   str(FormatTime(next.Ends)),
				"length": ownNum(int(next.Length / time.Millisecond)),
			},
			ConditionExpression:       aws.String("#e = :old"),
			ExpressionAttributeNames:  map[string]string{"#e": "ends"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":old": item["ends"]},
		}
		_, err = s.api.PutItem(ctx, put)
		if err == nil {
			return next, true, nil
		}
		if !isConditionFailed(err) {
			return ownership.Window{}, false, fmt.Errorf("take: open window: %w", err)
		}
	}
	return ownership.Window{}, false, errors.New("take: the window kept changing under contention")
}

// GiveBack implements ownership.Repository: a conditional decrement in the same window only.
func (s *OwnershipStore) GiveBack(ctx context.Context, key string, ends time.Time) error {
	_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       keyOf(ownLimitPK(key), ownLimitSK),
		UpdateExpression:          aws.String("ADD #c :minus"),
		ConditionExpression:       aws.String("#e = :ends AND #c > :zero"),
		ExpressionAttributeNames:  map[string]string{"#c": "count", "#e": "ends"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":minus": ownNum(-1), ":zero": ownNum(0), ":ends": str(FormatTime(ends))},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("give back: %w", err)
	}
	return nil
}

// Window implements ownership.Repository.
func (s *OwnershipStore) Window(ctx context.Context, key string) (ownership.Window, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            keyOf(ownLimitPK(key), ownLimitSK),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return ownership.Window{}, fmt.Errorf("get window: %w", err)
	}
	if out.Item == nil {
		return ownership.Window{}, nil
	}
	w, err := ownWindowFromItem(out.Item)
	if err != nil {
		return ownership.Window{}, fmt.Errorf("get window: %w", err)
	}
	return w, nil
}

func ownWindowFromItem(item map[string]types.AttributeValue) (ownership.Window, error) {
	var w ownership.Window
	var err error
	if w.Count, err = intAttr(item, "count"); err != nil {
		return ownership.Window{}, fmt.Errorf("limit item: %w", err)
	}
	if w.Ends, err = timeAttr(item, "ends"); err != nil {
		return ownership.Window{}, fmt.Errorf("limit item: %w", err)
	}
	ms, err := intAttr(item, "length")
	if err != nil {
		return ownership.Window{}, fmt.Errorf("limit item: %w", err)
	}
	w.Length = time.Duration(ms) * time.Millisecond
	return w, nil
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
	if ch.Attempts, err = intAttr(item, "attempts"); err != nil {
		return ownership.Challenge{}, fmt.Errorf("challenge item: %w", err)
	}
	if ch.MaxAttempts, err = intAttr(item, "maxAttempts"); err != nil {
		return ownership.Challenge{}, fmt.Errorf("challenge item: %w", err)
	}
	return ch, nil
}

package dynamo_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// The ownership tests share TestMain (and env) with cache_test.go; their names carry "own" so
// they cannot clash with the cache's helpers.

var ownT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	ownVIN   = vehicle.VIN("WVWZZZAUZLW000013")
	ownOther = vehicle.VIN("WAUZZZ8V5KA000042")
)

func ownStore(t *testing.T) (*dynamo.OwnershipStore, string) {
	t.Helper()
	table := env.NewTable(t)
	return dynamo.NewOwnershipStore(env.Client, table), table
}

func ownChallenge(id string) ownership.Challenge {
	return ownership.Challenge{
		ID: id, VIN: ownVIN, Subject: "alice", Method: ownership.MethodOwnerCode, CodeMAC: "mac-" + id,
		CreatedAt: ownT0, ExpiresAt: ownT0.Add(10 * time.Minute), MaxAttempts: 5,
	}
}

func ownCreate(t *testing.T, s *dynamo.OwnershipStore, ch ownership.Challenge) {
	t.Helper()
	if err := s.CreateChallenge(context.Background(), ch); err != nil {
		t.Fatalf("CreateChallenge: %v", err)
	}
}

func ownWantCode(t *testing.T, err error, want apperr.Code) {
	t.Helper()
	if err == nil || apperr.CodeOf(err) != want {
		t.Fatalf("error = %v, want code %s", err, want)
	}
}

func TestOwnershipChallengeRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := ownStore(t)
	ch := ownChallenge("c1")
	ownCreate(t, s, ch)
	if err := s.CreateChallenge(ctx, ch); err == nil {
		t.Fatal("a second challenge with the same id was accepted")
	}
	got, err := s.ConsumeAttempt(ctx, "c1", "alice", ownVIN, ownT0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := ch
	want.Attempts = 1
	if got != want {
		t.Fatalf("after one attempt:\n got %+v\nwant %+v", got, want)
	}
	if got, err = s.ConsumeAttempt(ctx, "c1", "alice", ownVIN, ownT0.Add(time.Minute)); err != nil || got.Attempts != 2 {
		t.Fatalf("second attempt = %+v, %v", got, err)
	}
}

func TestOwnershipConsumeAttemptConditions(t *testing.T) {
	ctx := context.Background()
	s, _ := ownStore(t)
	now := ownT0.Add(time.Minute)

	ownCreate(t, s, ownChallenge("c"))
	cases := []struct {
		name    string
		id, sub string
		vin     vehicle.VIN
		now     time.Time
		want    apperr.Code
	}{
		{"unknown id", "nope", "alice", ownVIN, now, apperr.NotFound},
		{"oversized id", string(make([]byte, 3000)), "alice", ownVIN, now, apperr.NotFound},
		{"other subject", "c", "mallory", ownVIN, now, apperr.NotFound},
		{"other VIN", "c", "alice", ownOther, now, apperr.NotFound},
		{"at expiry", "c", "alice", ownVIN, ownT0.Add(10 * time.Minute), apperr.Conflict},
		{"after expiry", "c", "alice", ownVIN, ownT0.Add(time.Hour), apperr.Conflict},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.ConsumeAttempt(ctx, c.id, c.sub, c.vin, c.now)
			ownWantCode(t, err, c.want)
		})
	}
	// None of the refusals cost an attempt.
	got, err := s.ConsumeAttempt(ctx, "c", "alice", ownVIN, now)
	if err != nil || got.Attempts != 1 {
		t.Fatalf("first valid attempt after refusals = %+v, %v", got, err)
	}

	t.Run("exhausted", func(t *testing.T) {
		for i := 2; i <= 5; i++ {
			if _, err := s.ConsumeAttempt(ctx, "c", "alice", ownVIN, now); err != nil {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		_, err := s.ConsumeAttempt(ctx, "c", "alice", ownVIN, now)
		ownWantCode(t, err, apperr.TooManyRequests)
	})

	t.Run("used", func(t *testing.T) {
		ownCreate(t, s, ownChallenge("u"))
		if err := s.MarkUsed(ctx, "u"); err != nil {
			t.Fatal(err)
		}
		_, err := s.ConsumeAttempt(ctx, "u", "alice", ownVIN, now)
		ownWantCode(t, err, apperr.Conflict)
	})
}

func TestOwnershipParallelAttemptsNeverExceedTheBound(t *testing.T) {
	ctx := context.Background()
	s, _ := ownStore(t)
	ownCreate(t, s, ownChallenge("p"))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		ok       int
		attempts = map[int]bool{}
		others   []error
	)
	for range 30 {
		wg.Go(func() {
			ch, err := s.ConsumeAttempt(ctx, "p", "alice", ownVIN, ownT0.Add(time.Minute))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
				attempts[ch.Attempts] = true
			case apperr.CodeOf(err) != apperr.TooManyRequests:
				others = append(others, err)
			}
		})
	}
	wg.Wait()
	if ok != 5 || len(attempts) != 5 || len(others) != 0 {
		t.Fatalf("succeeded %d (distinct counts %v), unexpected errors %v; want exactly 5", ok, attempts, others)
	}
}

func TestOwnershipMarkUsedOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := ownStore(t)
	ownCreate(t, s, ownChallenge("m"))
	if err := s.MarkUsed(ctx, "m"); err != nil {
		t.Fatal(err)
	}
	ownWantCode(t, s.MarkUsed(ctx, "m"), apperr.Conflict)
	ownWantCode(t, s.MarkUsed(ctx, "missing"), apperr.NotFound)
}

func TestOwnershipGrantIsWhatGrantsReads(t *testing.T) {
	ctx := context.Background()
	s, table := ownStore(t)
	g := ownership.Grant{VIN: ownVIN, Subject: "alice", GrantedAt: ownT0, ExpiresAt: ownT0.Add(90 * 24 * time.Hour), Method: ownership.MethodDocumentCode}
	if err := s.PutGrant(ctx, g); err != nil {
		t.Fatal(err)
	}
	grants := dynamo.NewGrants(env.Client, table)
	got, ok, err := grants.Get(ctx, ownVIN, "alice", ownT0.Add(time.Hour))
	if err != nil || !ok {
		t.Fatalf("Get = %v, %v", ok, err)
	}
	if !got.GrantedAt.Equal(g.GrantedAt) || !got.ExpiresAt.Equal(g.ExpiresAt) || got.Method != "document-code" {
		t.Fatalf("grant read back as %+v", got)
	}
	if _, ok, _ := grants.Get(ctx, ownOther, "alice", ownT0.Add(time.Hour)); ok {
		t.Fatal("a grant for one car reads as a grant for another")
	}
	if _, ok, _ := grants.Get(ctx, ownVIN, "bob", ownT0.Add(time.Hour)); ok {
		t.Fatal("a grant for one subject reads as a grant for another")
	}
}

func TestOwnershipTakeCountsUpToTheLimitAndOpensTheNextWindow(t *testing.T) {
	ctx := context.Background()
	s, _ := ownStore(t)
	lim := ownership.Limit{N: 3, Base: time.Minute, Max: time.Hour}
	if w, err := s.Window(ctx, "k"); err != nil || w != (ownership.Window{}) {
		t.Fatalf("missing window = %+v, %v", w, err)
	}
	for i := 1; i <= 3; i++ {
		w, ok, err := s.Take(ctx, "k", lim, ownT0.Add(time.Duration(i)*time.Second))
		if err != nil || !ok || w.Count != i || !w.Ends.Equal(ownT0.Add(time.Second+time.Minute)) {
			t.Fatalf("take %d: %+v %v %v", i, w, ok, err)
		}
	}
	w, ok, err := s.Take(ctx, "k", lim, ownT0.Add(time.Minute))
	if err != nil || ok || w.Count != 3 {
		t.Fatalf("take over the limit: %+v %v %v", w, ok, err)
	}
	if got, _ := s.Window(ctx, "k"); got != w {
		t.Fatalf("Window = %+v, want %+v", got, w)
	}
	if _, ok, _ := s.Take(ctx, "other", lim, ownT0.Add(time.Minute)); !ok {
		t.Fatal("limits leak between keys")
	}
	// The used-up window closed: the next one opens with this take and lasts twice as long.
	at := w.Ends
	w, ok, err = s.Take(ctx, "k", lim, at)
	if err != nil || !ok || w.Count != 1 || w.Length != 2*time.Minute || !w.Ends.Equal(at.Add(2*time.Minute)) {
		t.Fatalf("take after the window: %+v %v %v", w, ok, err)
	}
	// A give-back counts in its own window only.
	if err := s.GiveBack(ctx, "k", ownT0); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Window(ctx, "k"); got.Count != 1 {
		t.Fatalf("a give-back for an old window changed the new one: %+v", got)
	}
	if err := s.GiveBack(ctx, "k", w.Ends); err != nil {
		t.Fatal(err)
	}
	if err := s.GiveBack(ctx, "k", w.Ends); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Window(ctx, "k"); got.Count != 0 {
		t.Fatalf("after giving back more than was taken: %+v", got)
	}
}

// Parallel takes, on a fresh key and on a closed window alike, never count more than the limit:
// the increment is conditional, and of two takers that see the window closed, only one opens the
// next.
func TestOwnershipParallelTakesNeverExceedTheLimit(t *testing.T) {
	ctx := context.Background()
	s, _ := ownStore(t)
	lim := ownership.Limit{N: 5, Base: time.Minute, Max: time.Hour}
	for round, at := range []time.Time{ownT0, ownT0.Add(time.Hour)} {
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			taken int
			errs  []error
		)
		for range 40 {
			wg.Go(func() {
				_, ok, err := s.Take(ctx, "race", lim, at)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				}
				if ok {
					taken++
				}
			})
		}
		wg.Wait()
		if taken != lim.N || len(errs) != 0 {
			t.Fatalf("round %d: 40 parallel takes counted %d (want %d), errors %v", round, taken, lim.N, errs)
		}
	}
}

func TestOwnershipStoreErrorsCarryContext(t *testing.T) {
	s := dynamo.NewOwnershipStore(env.Client, "no-such-table")
	_, err := s.Window(context.Background(), "SUB#alice")
	if err == nil || apperr.CodeOf(err) != apperr.Internal || !strings.HasPrefix(err.Error(), "get window:") {
		t.Fatalf("err = %v, want an Internal error saying what failed", err)
	}
	_, _, err = s.Take(context.Background(), "SUB#alice", ownership.Limit{N: 1, Base: time.Minute, Max: time.Minute}, ownT0)
	if err == nil || !strings.HasPrefix(err.Error(), "take:") {
		t.Fatalf("err = %v, want an error saying what failed", err)
	}
}

// ownFailingAPI answers UpdateItem as DynamoDB does with ReturnValuesOnConditionCheckFailure
// ALL_OLD (dynalite does not): a condition failure carrying the item. It counts reads.
type ownFailingAPI struct {
	dynamo.API
	item  map[string]types.AttributeValue
	reads int
}

func (a *ownFailingAPI) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return nil, &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed"), Item: a.item}
}

func (a *ownFailingAPI) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	a.reads++
	return a.API.GetItem(ctx, in, opts...)
}

func TestOwnershipUsesTheItemReturnedWithAFailedCondition(t *testing.T) {
	ctx := context.Background()
	item := map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "CHALLENGE#x"}, "sk": &types.AttributeValueMemberS{Value: "CHALLENGE"},
		"vin": &types.AttributeValueMemberS{Value: string(ownVIN)}, "subject": &types.AttributeValueMemberS{Value: "alice"},
		"method": &types.AttributeValueMemberS{Value: "owner-code"}, "codeMac": &types.AttributeValueMemberS{Value: "m"},
		"createdAt": &types.AttributeValueMemberS{Value: "2026-03-01T12:00:00.000Z"}, "expiresAt": &types.AttributeValueMemberS{Value: "2026-03-01T12:10:00.000Z"},
		"attempts": &types.AttributeValueMemberN{Value: "5"}, "maxAttempts": &types.AttributeValueMemberN{Value: "5"},
		"used": &types.AttributeValueMemberBOOL{Value: false},
	}
	api := &ownFailingAPI{API: env.Client, item: item}
	s := dynamo.NewOwnershipStore(api, env.NewTable(t))
	_, err := s.ConsumeAttempt(ctx, "x", "alice", ownVIN, ownT0.Add(time.Minute))
	ownWantCode(t, err, apperr.TooManyRequests)
	_, err = s.ConsumeAttempt(ctx, "x", "alice", ownOther, ownT0.Add(time.Minute))
	ownWantCode(t, err, apperr.NotFound)
	if api.reads != 0 {
		t.Fatalf("read the item %d times although the failure carried it", api.reads)
	}
	// Without the item (dynalite), the store reads it: here there is none.
	api.item = nil
	_, err = s.ConsumeAttempt(ctx, "x", "alice", ownVIN, ownT0.Add(time.Minute))
	ownWantCode(t, err, apperr.NotFound)
	if api.reads != 1 {
		t.Fatalf("reads = %d, want 1", api.reads)
	}
}

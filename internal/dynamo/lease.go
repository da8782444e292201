package dynamo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// lease is the state of a (VIN, source) lease as seen by one contender.
type lease struct {
	held   bool   // this contender holds it
	failed bool   // the holder's fetch failed within FailureHold
	code   string // the failed fetch's apperr code
}

func (l lease) failure() error {
	code := apperr.Code(l.code)
	if code != apperr.Timeout {
		code = apperr.Unavailable
	}
	return apperr.New(code, "the source failed moments ago")
}

func newOwnerID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// acquire takes the lease with one conditional put that succeeds only if nobody holds it or the
// holder's lease has expired. When it fails, it reads the lease to learn whether the holder has
// already failed.
func (c *Cache) acquire(ctx context.Context, vin vehicle.VIN, src vehicle.Source, owner string) (lease, error) {
	held, err := c.tryAcquire(ctx, vin, src, owner)
	if held {
		return lease{held: true}, nil
	}
	if err != nil {
		return lease{}, err
	}
	item, err := c.getItem(ctx, pkOf(vin), leaseSK(src))
	if err != nil {
		return lease{}, fmt.Errorf("lease %s: read: %w", src, err)
	}
	if item == nil {
		return lease{}, nil // released in between: the next round tries again
	}
	exp, err := timeAttr(item, "expiresAt")
	if err != nil {
		return lease{}, fmt.Errorf("lease %s: %w", src, err)
	}
	if boolAttr(item, "failed") && c.cfg.Now().Before(exp) {
		return lease{failed: true, code: strAttr(item, "errorCode")}, nil
	}
	return lease{}, nil
}

// tryAcquire is acquire's conditional put alone: false with a nil error when someone holds the
// lease (or held it for a failed fetch, within FailureHold).
func (c *Cache) tryAcquire(ctx context.Context, vin vehicle.VIN, src vehicle.Source, owner string) (bool, error) {
	now := c.cfg.Now()
	_, err := c.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(c.table),
		Item: map[string]types.AttributeValue{
			AttrPK:      str(pkOf(vin)),
			AttrSK:      str(leaseSK(src)),
			AttrTTL:     ttl(now.Add(c.cfg.LeaseTTL + time.Hour)),
			"kind":      str("lease"),
			"owner":     str(owner),
			"expiresAt": str(FormatTime(now.Add(c.cfg.LeaseTTL))),
		},
		ConditionExpression:       aws.String("attribute_not_exists(#pk) OR #e <= :now"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#e": "expiresAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": str(FormatTime(now))},
	})
	if err == nil {
		return true, nil
	}
	if isConditionFailed(err) {
		return false, nil
	}
	return false, fmt.Errorf("lease %s: %w", src, err)
}

// release deletes the lease if this owner still holds it. It runs even when ctx has just ended
// (a deadline that passed mid-fetch), with its own short budget: a lease left behind would make
// every other request wait until it expires.
func (c *Cache) release(ctx context.Context, vin vehicle.VIN, src vehicle.Source, owner string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	_, err := c.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(c.table),
		Key:                       keyOf(pkOf(vin), leaseSK(src)),
		ConditionExpression:       aws.String("#o = :o"),
		ExpressionAttributeNames:  map[string]string{"#o": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":o": str(owner)},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("lease %s: release: %w", src, err)
	}
	return nil
}

// releaseFailed keeps the lease for FailureHold, marked failed, so that waiting followers (and
// requests arriving right now) answer "unavailable" at once instead of calling a system that has
// just failed. The context may already be done (the fetch timed out), so the write gets its own
// short budget.
func (c *Cache) releaseFailed(ctx context.Context, vin vehicle.VIN, src vehicle.Source, owner string, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	_, err := c.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(c.table),
		Key:                      keyOf(pkOf(vin), leaseSK(src)),
		UpdateExpression:         aws.String("SET #f = :t, #c = :c, #e = :e"),
		ConditionExpression:      aws.String("#o = :o"),
		ExpressionAttributeNames: map[string]string{"#f": "failed", "#c": "errorCode", "#e": "expiresAt", "#o": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":t": &types.AttributeValueMemberBOOL{Value: true},
			":c": str(string(apperr.CodeOf(cause))),
			":e": str(FormatTime(c.cfg.Now().Add(c.cfg.FailureHold))),
			":o": str(owner),
		},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("lease %s: release failed: %w", src, err)
	}
	return nil
}

// waitTimeout is the error of a follower whose deadline passed before the leader finished.
func waitTimeout(ctx context.Context) error {
	return fmt.Errorf("%w: %w", apperr.New(apperr.Timeout, "the source did not answer in time"), ctx.Err())
}

// Refresh asks the source again in the background of a report that served its stale entry. It
// shares Fetch's (VIN, source) lease but never waits for another caller: when someone (any
// process) holds the lease, or held it for a fetch that failed within FailureHold, it returns at
// once after one conditional write, so however many reports serve the stale entry at the same
// time, one call per (VIN, source) is made and a system that has just failed is not called again
// at once. It reports whether the entry is now fresh (fetched by this call, or found fresh); false
// with a nil error means it left the source to another caller. A failed call leaves the stale
// entry as it was: it is served until its hard expiry.
func (c *Cache) Refresh(ctx context.Context, vin vehicle.VIN, src vehicle.Source, fetch FetchFunc) (bool, error) {
	// This process attempted it moments ago (or still does): the lease would refuse anyway, so
	// skip even its conditional write. Every report of a popular stale VIN starts a refresh.
	key := string(vin) + "|" + string(src)
	if !c.refreshes.begin(key, c.cfg.Now()) {
		return false, nil
	}
	defer func() { c.refreshes.end(key, c.cfg.Now().Add(c.cfg.FailureHold)) }()
	owner := newOwnerID()
	held, err := c.tryAcquire(ctx, vin, src, owner)
	if err != nil || !held {
		return false, err
	}
	// A refresh that finished before we took the lease has written the cache first.
	e, err := c.Get(ctx, vin, src)
	if err != nil {
		_ = c.release(ctx, vin, src, owner)
		return false, err
	}
	if e.Fresh(c.cfg.Now(), false) {
		return true, c.release(ctx, vin, src, owner)
	}
	if _, err := c.lead(ctx, vin, src, owner, fetch); err != nil {
		return false, fmt.Errorf("cache refresh %s: %w", src, err)
	}
	return true, nil
}

// refreshMemo remembers, per (VIN, source), until when this process leaves refreshing to the
// attempt it has made: while that attempt runs, and FailureHold after it ends (on success the
// entry is fresh and no report asks for a refresh; on failure the lease is held failed that long).
type refreshMemo struct {
	mu    sync.Mutex
	until map[string]time.Time
}

// maxRefreshMemo bounds the memo; expired entries are dropped when it is reached.
const maxRefreshMemo = 4096

// begin reports whether an attempt may start now, and if so marks it running.
func (m *refreshMemo) begin(key string, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Before(m.until[key]) {
		return false
	}
	if m.until == nil {
		m.until = map[string]time.Time{}
	}
	if len(m.until) >= maxRefreshMemo {
		for k, u := range m.until {
			if !now.Before(u) {
				delete(m.until, k)
			}
		}
	}
	m.until[key] = time.Unix(1<<62, 0) // running: no end yet
	return true
}

func (m *refreshMemo) end(key string, until time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.until[key] = until
}

package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/singleflight"

	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// SourcePolicy is how long one source's data may be cached.
type SourcePolicy struct {
	// Soft is how long after a fetch the data counts as fresh; after it the source is asked again.
	Soft time.Duration `json:"soft"`
	// Hard is how long after a fetch the data may still be served (flagged stale) while the
	// source fails. Hard >= Soft.
	Hard time.Duration `json:"hard"`
	// Personal says the source's sections hold personal fields, kept in a separate item that
	// hard-expires after CacheConfig.PersonalHard.
	Personal bool `json:"personal"`
}

// CacheConfig is the cache's expiry policy and single-flight tuning.
type CacheConfig struct {
	Sources map[vehicle.Source]SourcePolicy
	// PersonalHard is the hard expiry of personal items: personal data is not kept long.
	PersonalHard time.Duration
	// Negative is the expiry of "unknown VIN" entries: short, as a car may be registered later.
	Negative time.Duration
	// LeaseTTL bounds how long a leader may hold a source's lease; a crashed leader's lease is
	// free again after it. It should equal the fetch step's Lambda timeout.
	LeaseTTL time.Duration
	// FailureHold is how long a failed fetch keeps the lease, so that concurrent requests that
	// waited for it answer "unavailable" instead of each hammering the failing system again.
	FailureHold time.Duration
	// PollInterval is how often followers look for the leader's result.
	PollInterval time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// DefaultCacheConfig returns the defaults: build data changes never (30 days), recalls, the
// registry and the workshop history daily; personal data is kept for one day at most and unknown
// VINs for ten minutes.
func DefaultCacheConfig() CacheConfig {
	const day = 24 * time.Hour
	return CacheConfig{
		Sources: map[vehicle.Source]SourcePolicy{
			vehicle.SourceVehicleMaster: {Soft: 30 * day, Hard: 90 * day},
			vehicle.SourceWorkshop:      {Soft: day, Hard: 30 * day, Personal: true},
			vehicle.SourceRegistry:      {Soft: day, Hard: 30 * day, Personal: true},
			vehicle.SourceRecalls:       {Soft: day, Hard: 7 * day},
		},
		PersonalHard: day,
		Negative:     10 * time.Minute,
		LeaseTTL:     10 * time.Second,
		FailureHold:  2 * time.Second,
		PollInterval: 50 * time.Millisecond,
	}
}

// Record is what a fetch produced, ready to be cached.
type Record struct {
	FetchedAt time.Time
	// NotFound marks a negative entry: the source does not know the VIN.
	NotFound bool
	// Public is the section data without personal fields; Personal the complete data (nil for a
	// source without personal fields).
	Public   json.RawMessage
	Personal json.RawMessage
}

// Cache is the report cache. It is safe for concurrent use.
type Cache struct {
	api   API
	table string
	cfg   CacheConfig
	group singleflight.Group
	// refreshes are this process's recent refresh attempts (Refresh), by (VIN, source).
	refreshes refreshMemo
}

// NewCache builds the cache on table. Zero fields of cfg take their defaults.
func NewCache(api API, table string, cfg CacheConfig) *Cache {
	def := DefaultCacheConfig()
	if cfg.Sources == nil {
		cfg.Sources = def.Sources
	}
	if cfg.PersonalHard == 0 {
		cfg.PersonalHard = def.PersonalHard
	}
	if cfg.Negative == 0 {
		cfg.Negative = def.Negative
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = def.LeaseTTL
	}
	if cfg.FailureHold == 0 {
		cfg.FailureHold = def.FailureHold
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = def.PollInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Cache{api: api, table: table, cfg: cfg}
}

// Policy returns the policy of a source (zero durations for an unknown source: never cached).
func (c *Cache) Policy(src vehicle.Source) SourcePolicy { return c.cfg.Sources[src] }

// Now is the cache's clock, for callers deciding freshness with the same time base.
func (c *Cache) Now() time.Time { return c.cfg.Now() }

func pkOf(vin vehicle.VIN) string        { return "VIN#" + string(vin) }
func publicSK(src vehicle.Source) string { return "SRC#" + string(src) }
func personalSK(s vehicle.Source) string { return "PII#" + string(s) }
func leaseSK(src vehicle.Source) string  { return "LEASE#" + string(src) }

// Get reads the entry of one source with a strongly consistent read.
func (c *Cache) Get(ctx context.Context, vin vehicle.VIN, src vehicle.Source) (report.Cached, error) {
	pub, err := c.getItem(ctx, pkOf(vin), publicSK(src))
	if err != nil {
		return report.Cached{}, fmt.Errorf("cache get %s: %w", src, err)
	}
	var pers map[string]types.AttributeValue
	if c.cfg.Sources[src].Personal {
		if pers, err = c.getItem(ctx, pkOf(vin), personalSK(src)); err != nil {
			return report.Cached{}, fmt.Errorf("cache get %s personal: %w", src, err)
		}
	}
	return CachedFromItems(src, pub, pers, c.cfg.Now())
}

func (c *Cache) getItem(ctx context.Context, pk, sk string) (map[string]types.AttributeValue, error) {
	out, err := c.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(c.table),
		Key:            keyOf(pk, sk),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, err
	}
	return out.Item, nil
}

// CachedFromItems builds an report.Cached from the raw public and personal items (either may be nil),
// dropping whatever is past its hard expiry at now.
func CachedFromItems(src vehicle.Source, pub, pers map[string]types.AttributeValue, now time.Time) (report.Cached, error) {
	e := report.Cached{Source: src}
	if pub != nil {
		var err error
		if e.FetchedAt, err = timeAttr(pub, "fetchedAt"); err != nil {
			return report.Cached{}, fmt.Errorf("cache item %s: %w", src, err)
		}
		if e.SoftExpiry, err = timeAttr(pub, "softExpiry"); err != nil {
			return report.Cached{}, fmt.Errorf("cache item %s: %w", src, err)
		}
		if e.HardExpiry, err = timeAttr(pub, "hardExpiry"); err != nil {
			return report.Cached{}, fmt.Errorf("cache item %s: %w", src, err)
		}
		if now.Before(e.HardExpiry) {
			e.Present = true
			e.NotFound = boolAttr(pub, "notFound")
			e.HasPersonal = boolAttr(pub, "hasPersonal")
			if d := strAttr(pub, "data"); d != "" {
				e.Public = json.RawMessage(d)
			}
		} else {
			e = report.Cached{Source: src}
		}
	}
	if pers != nil && e.Present {
		hard, err := timeAttr(pers, "hardExpiry")
		if err != nil {
			return report.Cached{}, fmt.Errorf("cache personal item %s: %w", src, err)
		}
		fetched, err := timeAttr(pers, "fetchedAt")
		if err != nil {
			return report.Cached{}, fmt.Errorf("cache personal item %s: %w", src, err)
		}
		// A personal item from another fetch than the public one would mix two versions of the
		// section; serve only a matching pair.
		if now.Before(hard) && fetched.Equal(e.FetchedAt) {
			e.PersonalHardExpiry = hard
			if d := strAttr(pers, "data"); d != "" {
				e.Personal = json.RawMessage(d)
			}
		}
	}
	return e, nil
}

// Put writes a record: the personal item first, then the public one, each a single conditional
// put that only replaces an older fetch, so a slow writer never overwrites newer data. It
// reports whether the public item was written.
func (c *Cache) Put(ctx context.Context, vin vehicle.VIN, src vehicle.Source, rec Record) (bool, error) {
	pol := c.cfg.Sources[src]
	soft, hard := pol.Soft, pol.Hard
	if rec.NotFound {
		soft, hard = c.cfg.Negative, c.cfg.Negative
	}
	fetched := FormatTime(rec.FetchedAt)
	hasPersonal := pol.Personal && rec.Personal != nil && !rec.NotFound
	if hasPersonal {
		persHard := rec.FetchedAt.Add(min(c.cfg.PersonalHard, hard))
		if _, err := c.putIfNewer(ctx, map[string]types.AttributeValue{
			AttrPK:       str(pkOf(vin)),
			AttrSK:       str(personalSK(src)),
			AttrTTL:      ttl(persHard),
			"kind":       str("personal"),
			"fetchedAt":  str(fetched),
			"hardExpiry": str(FormatTime(persHard)),
			"data":       str(string(rec.Personal)),
		}); err != nil {
			return false, fmt.Errorf("cache put %s personal: %w", src, err)
		}
	}
	item := map[string]types.AttributeValue{
		AttrPK:        str(pkOf(vin)),
		AttrSK:        str(publicSK(src)),
		AttrTTL:       ttl(rec.FetchedAt.Add(hard)),
		"kind":        str("section"),
		"fetchedAt":   str(fetched),
		"softExpiry":  str(FormatTime(rec.FetchedAt.Add(soft))),
		"hardExpiry":  str(FormatTime(rec.FetchedAt.Add(hard))),
		"notFound":    &types.AttributeValueMemberBOOL{Value: rec.NotFound},
		"hasPersonal": &types.AttributeValueMemberBOOL{Value: hasPersonal},
	}
	if rec.Public != nil {
		item["data"] = str(string(rec.Public))
	}
	ok, err := c.putIfNewer(ctx, item)
	if err != nil {
		return false, fmt.Errorf("cache put %s: %w", src, err)
	}
	return ok, nil
}

func (c *Cache) putIfNewer(ctx context.Context, item map[string]types.AttributeValue) (bool, error) {
	_, err := c.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(c.table),
		Item:                      item,
		ConditionExpression:       aws.String("attribute_not_exists(#pk) OR #f < :f"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#f": "fetchedAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":f": item["fetchedAt"]},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	return err == nil, err
}

// FetchFunc asks a source; it returns a Record, or an error with an apperr code.
type FetchFunc func(ctx context.Context) (Record, error)

// Fetch returns the source's entry after making sure it is fresh (for a caller that needsPersonal
// or not), calling fetch at most once per (VIN, source) across every process sharing the table:
// goroutines of one process share one call (singleflight), and processes (Lambda instances)
// share one call through a lease item taken with a conditional put. Whoever holds the lease calls
// fetch and writes the cache; everyone else polls the cache until the leader's result appears,
// the leader reports failure (an apperr.Unavailable error), or ctx ends.
func (c *Cache) Fetch(ctx context.Context, vin vehicle.VIN, src vehicle.Source, needPersonal bool, fetch FetchFunc) (report.Cached, error) {
	key := string(vin) + "|" + string(src)
	if needPersonal {
		key += "|p"
	}
	for {
		e, retry, err := c.fetchShared(ctx, key, vin, src, needPersonal, fetch)
		if !retry {
			return e, err
		}
	}
}

// fetchShared joins (or starts) this process's call for key. It asks for a retry when the shared
// call ended on another caller's earlier deadline while this caller still has time.
func (c *Cache) fetchShared(ctx context.Context, key string, vin vehicle.VIN, src vehicle.Source, needPersonal bool, fetch FetchFunc) (report.Cached, bool, error) {
	// The shared call must not die with the first caller's cancellation while others wait for
	// it, but it keeps the first caller's deadline, which bounds the legacy call.
	shared := context.WithoutCancel(ctx)
	cancel := func() {}
	if d, ok := ctx.Deadline(); ok {
		shared, cancel = context.WithDeadline(shared, d)
	}
	ch := c.group.DoChan(key, func() (any, error) {
		defer cancel()
		return c.fetchOnce(shared, vin, src, needPersonal, fetch)
	})
	select {
	case r := <-ch:
		if !r.Shared {
			cancel()
		}
		if r.Err != nil {
			if ctx.Err() != nil {
				// Our own deadline passed, possibly inside a DynamoDB call: report it as ours.
				return report.Cached{}, false, fmt.Errorf("cache fetch %s: %w: %w", src, waitTimeout(ctx), r.Err)
			}
			if errors.Is(r.Err, context.DeadlineExceeded) {
				return report.Cached{}, true, nil
			}
			return report.Cached{}, false, r.Err
		}
		return r.Val.(report.Cached), false, nil
	case <-ctx.Done():
		return report.Cached{}, false, fmt.Errorf("cache fetch %s: %w", src, waitTimeout(ctx))
	}
}

func (c *Cache) fetchOnce(ctx context.Context, vin vehicle.VIN, src vehicle.Source, needPersonal bool, fetch FetchFunc) (report.Cached, error) {
	owner := newOwnerID()
	for {
		e, err := c.Get(ctx, vin, src)
		if err != nil {
			return report.Cached{}, err
		}
		if e.Fresh(c.cfg.Now(), needPersonal) {
			return e, nil
		}
		l, err := c.acquire(ctx, vin, src, owner)
		if err != nil {
			return report.Cached{}, err
		}
		if l.held {
			// Double-check: a leader that finished between our read and our put has written
			// the cache before releasing, so a fresh entry now means no call is needed.
			e, err := c.Get(ctx, vin, src)
			if err != nil {
				_ = c.release(ctx, vin, src, owner)
				return report.Cached{}, err
			}
			if e.Fresh(c.cfg.Now(), needPersonal) {
				return e, c.release(ctx, vin, src, owner)
			}
			return c.lead(ctx, vin, src, owner, fetch)
		}
		if l.failed {
			return report.Cached{}, fmt.Errorf("cache fetch %s: %w", src, l.failure())
		}
		select {
		case <-ctx.Done():
			return report.Cached{}, fmt.Errorf("cache fetch %s: %w", src, waitTimeout(ctx))
		case <-time.After(c.cfg.PollInterval):
		}
	}
}

// lead calls the source while holding the lease and writes the result before releasing it, so a
// follower that sees the lease gone finds the new item.
func (c *Cache) lead(ctx context.Context, vin vehicle.VIN, src vehicle.Source, owner string, fetch FetchFunc) (report.Cached, error) {
	// Stop before the lease expires, or a second leader could start while this one still works.
	fctx, cancel := context.WithTimeout(ctx, c.cfg.LeaseTTL)
	rec, err := fetch(fctx)
	cancel()
	if err != nil {
		if rerr := c.releaseFailed(ctx, vin, src, owner, err); rerr != nil {
			return report.Cached{}, errors.Join(err, rerr)
		}
		return report.Cached{}, err
	}
	if _, err := c.Put(ctx, vin, src, rec); err != nil {
		_ = c.releaseFailed(ctx, vin, src, owner, err)
		return report.Cached{}, err
	}
	if err := c.release(ctx, vin, src, owner); err != nil {
		return report.Cached{}, err
	}
	// Read back rather than building the entry from rec: a newer fetch may have won the
	// conditional write, and then that one is what everyone serves.
	return c.Get(ctx, vin, src)
}

// NewRecord turns fetched data into a cache record: the public part (report.SourceData.Public)
// for the long-lived item and, for a source with personal fields, the whole data for the
// short-lived one.
func NewRecord(d report.SourceData, fetchedAt time.Time, personal bool) (Record, error) {
	pub, err := json.Marshal(d.Public())
	if err != nil {
		return Record{}, fmt.Errorf("encode public section: %w", err)
	}
	rec := Record{FetchedAt: fetchedAt, Public: pub}
	if personal {
		if rec.Personal, err = json.Marshal(d); err != nil {
			return Record{}, fmt.Errorf("encode personal section: %w", err)
		}
	}
	return rec, nil
}

// Package reportflow holds what the vehicle-report steps exchange through the state machine: the
// per-source payload, the fetch result, and the split of a payload into its public and personal
// parts. The steps are separate Lambda functions; this is their shared vocabulary, not a domain.
package reportflow

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// SourceData is what one source contributes to a report; each source fills its own fields.
type SourceData struct {
	Build        *report.BuildData        `json:"build,omitempty"`
	Service      *report.ServiceData      `json:"service,omitempty"`
	Registration *report.RegistrationData `json:"registration,omitempty"`
	Owner        *report.OwnerData        `json:"owner,omitempty"`
	Odometer     []report.OdometerReading `json:"odometer,omitempty"`
	Recalls      *report.RecallData       `json:"recalls,omitempty"`
}

// Public returns d without personal fields. The fields are found by report.Redact, so the
// report model's `personal` tags stay the only place that says what is personal.
func (d SourceData) Public() SourceData {
	r := report.Report{
		Build:        section(d.Build),
		Service:      section(d.Service),
		Registration: section(d.Registration),
		Owner:        section(d.Owner),
		Recalls:      section(d.Recalls),
	}
	if d.Odometer != nil {
		r.Odometer = section(&report.OdometerData{Readings: d.Odometer})
	}
	p := report.Redact(r, vehicle.AccessPublic)
	out := SourceData{
		Build:        data(p.Build),
		Service:      data(p.Service),
		Registration: data(p.Registration),
		Owner:        data(p.Owner),
		Recalls:      data(p.Recalls),
	}
	if od := data(p.Odometer); od != nil {
		out.Odometer = od.Readings
	}
	return out
}

func section[T any](d *T) *report.Section[T] {
	if d == nil {
		return nil
	}
	return &report.Section[T]{Data: d}
}

func data[T any](s *report.Section[T]) *T {
	if s == nil {
		return nil
	}
	return s.Data
}

// Record turns fetched data into a cache record: the public part for the long-lived item and,
// for a source with personal fields, the whole data for the short-lived one.
func Record(d SourceData, fetchedAt time.Time, personal bool) (dynamo.Record, error) {
	pub, err := json.Marshal(d.Public())
	if err != nil {
		return dynamo.Record{}, fmt.Errorf("encode public section: %w", err)
	}
	rec := dynamo.Record{FetchedAt: fetchedAt, Public: pub}
	if personal {
		if rec.Personal, err = json.Marshal(d); err != nil {
			return dynamo.Record{}, fmt.Errorf("encode personal section: %w", err)
		}
	}
	return rec, nil
}

// Status says what a fetch step achieved for its source.
type Status string

const (
	StatusFetched     Status = "fetched"     // the source's data is current (fetched now, or by a concurrent request)
	StatusNotFound    Status = "notFound"    // the vehicle master does not know the VIN
	StatusUnavailable Status = "unavailable" // set by the state machine's Catch: the fetch failed
	StatusSkipped     Status = "skipped"     // set by the state machine: the cache was fresh
)

// FetchInput is a fetch step's event.
type FetchInput struct {
	VIN    string         `json:"vin"`
	Access vehicle.Access `json:"access"`
}

// FetchResult is a fetch step's result, and what the state machine records for a source that
// was skipped or failed (then only Source, Status and Error are set).
type FetchResult struct {
	Source    vehicle.Source `json:"source"`
	Status    Status         `json:"status"`
	FetchedAt *time.Time     `json:"fetchedAt,omitempty"`
	// Data is the complete data (personal fields included when the cache holds them); the redact
	// step decides what the caller sees.
	Data  *SourceData `json:"data,omitempty"`
	Error string      `json:"error,omitempty"`
}

// ResultFromEntry builds a fetch result from a cache entry that Cache.Fetch made current.
func ResultFromEntry(e dynamo.Entry) (FetchResult, error) {
	if e.NotFound {
		return FetchResult{Source: e.Source, Status: StatusNotFound}, nil
	}
	d, err := EntryData(e)
	if err != nil {
		return FetchResult{}, err
	}
	at := e.FetchedAt
	return FetchResult{Source: e.Source, Status: StatusFetched, FetchedAt: &at, Data: d}, nil
}

// EntryData decodes a cache entry's data, preferring the complete (personal) item.
func EntryData(e dynamo.Entry) (*SourceData, error) {
	raw := e.Personal
	if raw == nil {
		raw = e.Public
	}
	if raw == nil {
		return &SourceData{}, nil
	}
	var d SourceData
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("decode cached %s section: %w", e.Source, err)
	}
	return &d, nil
}

// CacheRead is the plan and merge steps' view of what the state machine read: the caller's
// access and the items its cache getItem tasks found (Items, as the ASL passes them), or the
// raw outputs of those tasks ({"Item": ...} or {} when absent; Cache), or both.
type CacheRead struct {
	VIN    string            `json:"vin"`
	Access vehicle.Access    `json:"access"`
	Cache  []json.RawMessage `json:"cache,omitempty"`
	Items  []json.RawMessage `json:"items,omitempty"`
}

// Entries decodes the cache read into entries by source, evaluated at now.
func (c CacheRead) Entries(now func() time.Time) (map[vehicle.Source]dynamo.Entry, error) {
	items := make([]map[string]types.AttributeValue, 0, len(c.Cache)+len(c.Items))
	for i, o := range c.Cache {
		var wrapper struct {
			Item json.RawMessage `json:"Item"`
		}
		if err := json.Unmarshal(o, &wrapper); err != nil {
			return nil, fmt.Errorf("cache read %d: %w", i, err)
		}
		item, err := dynamo.ItemFromJSON(wrapper.Item)
		if err != nil {
			return nil, fmt.Errorf("cache read %d: %w", i, err)
		}
		items = append(items, item)
	}
	for i, raw := range c.Items {
		item, err := dynamo.ItemFromJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("cache item %d: %w", i, err)
		}
		items = append(items, item)
	}
	raw, err := dynamo.EntriesFromItems(items, now)
	if err != nil {
		return nil, err
	}
	return bySource(raw), nil
}

// Entry is a cache entry as the steps see it.
type Entry = dynamo.Entry

// CacheEvent is CacheRead as the plan and merge steps decode it: each getItem output's item
// goes straight into typed attribute values in the one decoding pass of the event, instead of
// being kept raw and decoded again attribute by attribute. Only the attribute types the cache
// writes (S, N, BOOL, NULL) are handled; DecodeCacheEvent reports any other shape as not ok so
// that the step falls back to CacheRead, whose decoding (and errors) stay the reference.
type CacheEvent struct {
	VIN    string                     `json:"vin"`
	Access vehicle.Access             `json:"access"`
	Cache  []GetItemOutput            `json:"cache"`
	Items  []map[string]WireAttribute `json:"items"`
}

// GetItemOutput is the part of a dynamodb:getItem task's output the steps read.
type GetItemOutput struct {
	Item map[string]WireAttribute `json:"Item"`
}

// WireAttribute is an attribute value in DynamoDB's JSON wire form. The fields other than S, N,
// BOOL and NULL only detect types the fast path leaves to the general decoder.
type WireAttribute struct {
	S    *string         `json:"S"`
	N    *string         `json:"N"`
	BOOL *bool           `json:"BOOL"`
	NULL *bool           `json:"NULL"`
	B    json.RawMessage `json:"B"`
	SS   json.RawMessage `json:"SS"`
	NS   json.RawMessage `json:"NS"`
	BS   json.RawMessage `json:"BS"`
	M    json.RawMessage `json:"M"`
	L    json.RawMessage `json:"L"`
}

// attributeValue converts a, or reports false when it is not exactly one simple type.
func (a WireAttribute) attributeValue() (types.AttributeValue, bool) {
	if a.B != nil || a.SS != nil || a.NS != nil || a.BS != nil || a.M != nil || a.L != nil {
		return nil, false
	}
	var av types.AttributeValue
	n := 0
	if a.S != nil {
		av, n = &types.AttributeValueMemberS{Value: *a.S}, n+1
	}
	if a.N != nil {
		av, n = &types.AttributeValueMemberN{Value: *a.N}, n+1
	}
	if a.BOOL != nil {
		av, n = &types.AttributeValueMemberBOOL{Value: *a.BOOL}, n+1
	}
	if a.NULL != nil {
		av, n = &types.AttributeValueMemberNULL{Value: true}, n+1
	}
	return av, n == 1
}

// items converts the getItem outputs and the items to items (nil where nothing was found), or
// reports false when an attribute needs the general decoder.
func (c CacheEvent) items() ([]map[string]types.AttributeValue, bool) {
	out := make([]map[string]types.AttributeValue, 0, len(c.Cache)+len(c.Items))
	add := func(in map[string]WireAttribute) bool {
		if len(in) == 0 {
			out = append(out, nil)
			return true
		}
		item := make(map[string]types.AttributeValue, len(in))
		for k, a := range in {
			av, ok := a.attributeValue()
			if !ok {
				return false
			}
			item[k] = av
		}
		out = append(out, item)
		return true
	}
	for _, o := range c.Cache {
		if !add(o.Item) {
			return nil, false
		}
	}
	for _, it := range c.Items {
		if !add(it) {
			return nil, false
		}
	}
	return out, true
}

// DecodeCacheEvent decodes a step event into dst, whose type embeds CacheEvent, and returns the
// entries by source. ok is false when the event is not in the shape the fast path handles; the
// caller then decodes it the general way (as CacheRead), which also words any error.
func DecodeCacheEvent(payload []byte, dst any, ev *CacheEvent, now func() time.Time) (map[vehicle.Source]dynamo.Entry, bool) {
	if err := json.Unmarshal(payload, dst); err != nil {
		return nil, false
	}
	items, ok := ev.items()
	if !ok {
		return nil, false
	}
	raw, err := dynamo.EntriesFromItems(items, now)
	if err != nil {
		return nil, false
	}
	return bySource(raw), true
}

// ScanCacheEvent is DecodeCacheEvent for the plan step's event ({vin, access, items, cache}), read in
// one pass over the bytes without encoding/json; ok is false whenever the event needs the
// general decoder.
func ScanCacheEvent(payload []byte, now func() time.Time) (vin string, access vehicle.Access, entries map[vehicle.Source]dynamo.Entry, ok bool) {
	v, a, items, ok := scanCacheEvent(payload)
	if !ok {
		return "", "", nil, false
	}
	raw, err := dynamo.EntriesFromItems(items, now)
	if err != nil {
		return "", "", nil, false
	}
	return v, vehicle.Access(a), bySource(raw), true
}

func bySource(raw map[string]dynamo.Entry) map[vehicle.Source]dynamo.Entry {
	out := make(map[vehicle.Source]dynamo.Entry, len(raw))
	for _, src := range report.Sources() {
		if e, ok := raw[string(src)]; ok {
			out[src] = e
		} else {
			out[src] = dynamo.Entry{Source: src}
		}
	}
	return out
}

package dynamo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// ItemFromJSON decodes an item in DynamoDB's JSON wire form ({"pk": {"S": "..."}, ...}), as a
// state machine's dynamodb:getItem task returns it under "Item", so Lambda steps can read what
// the state machine read without a second DynamoDB call. A null or empty document is no item.
func ItemFromJSON(raw json.RawMessage) (map[string]types.AttributeValue, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]wireAttribute
	if err := decodeStrict(raw, &m); err != nil {
		return nil, fmt.Errorf("decode item: %w", err)
	}
	if len(m) == 0 {
		return nil, nil
	}
	out := make(map[string]types.AttributeValue, len(m))
	for k, a := range m {
		av, err := a.value()
		if err != nil {
			return nil, fmt.Errorf("decode item attribute %q: %w", k, err)
		}
		out[k] = av
	}
	return out, nil
}

// wireAttribute is one attribute value in DynamoDB's JSON wire form. encoding/json matches the
// type descriptors case-insensitively; decoders of it refuse unknown descriptors (B, NS and BS are
// not written by the cache), and value refuses anything but exactly one descriptor.
type wireAttribute struct {
	S    *string           `json:"S"`
	N    *string           `json:"N"`
	BOOL *bool             `json:"BOOL"`
	NULL *bool             `json:"NULL"`
	SS   []string          `json:"SS"`
	M    json.RawMessage   `json:"M"`
	L    []json.RawMessage `json:"L"`
}

// decodeStrict decodes raw into v in one pass, refusing unknown type descriptors.
func decodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func attrFromJSON(raw json.RawMessage) (types.AttributeValue, error) {
	var a wireAttribute
	if err := decodeStrict(raw, &a); err != nil {
		return nil, err
	}
	return a.value()
}

func (a *wireAttribute) count() int {
	n := 0
	for _, set := range []bool{a.S != nil, a.N != nil, a.BOOL != nil, a.NULL != nil, a.SS != nil, a.M != nil, a.L != nil} {
		if set {
			n++
		}
	}
	return n
}

func (a *wireAttribute) value() (types.AttributeValue, error) {
	if n := a.count(); n != 1 {
		return nil, fmt.Errorf("want exactly one type descriptor, got %d", n)
	}
	switch {
	case a.S != nil:
		return &types.AttributeValueMemberS{Value: *a.S}, nil
	case a.N != nil:
		return &types.AttributeValueMemberN{Value: *a.N}, nil
	case a.BOOL != nil:
		return &types.AttributeValueMemberBOOL{Value: *a.BOOL}, nil
	case a.NULL != nil:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case a.SS != nil:
		return &types.AttributeValueMemberSS{Value: a.SS}, nil
	case a.M != nil:
		m, err := ItemFromJSON(a.M)
		if m == nil {
			m = map[string]types.AttributeValue{}
		}
		return &types.AttributeValueMemberM{Value: m}, err
	case a.L != nil:
		l := make([]types.AttributeValue, len(a.L))
		for i, it := range a.L {
			av, err := attrFromJSON(it)
			if err != nil {
				return nil, err
			}
			l[i] = av
		}
		return &types.AttributeValueMemberL{Value: l}, nil
	}
	return nil, errors.New("unsupported or null type descriptor")
}

// Item is an item in DynamoDB's JSON wire form, as a state machine's dynamodb:getItem task
// returns it under "Item" and passes it to a Lambda step; null or {} is no item.
type Item map[string]types.AttributeValue

// UnmarshalJSON decodes the wire form (ItemFromJSON).
func (it *Item) UnmarshalJSON(b []byte) error {
	m, err := ItemFromJSON(b)
	if err != nil {
		return err
	}
	*it = m
	return nil
}

// CachedSections maps the items the vehicle-report state machine read (nil for a getItem that
// found nothing) to what the cache holds per report source at now, pairing each public item with
// the personal item of the same source. Items are recognised by their sort key, so their order
// does not matter; a source without items gets an absent report.Cached.
func CachedSections(items []Item, now time.Time) (map[vehicle.Source]report.Cached, error) {
	pub := map[string]map[string]types.AttributeValue{}
	pers := map[string]map[string]types.AttributeValue{}
	for _, item := range items {
		if item == nil {
			continue
		}
		sk := strAttr(item, AttrSK)
		switch {
		case strings.HasPrefix(sk, "SRC#"):
			pub[strings.TrimPrefix(sk, "SRC#")] = item
		case strings.HasPrefix(sk, "PII#"):
			pers[strings.TrimPrefix(sk, "PII#")] = item
		}
	}
	out := make(map[vehicle.Source]report.Cached, len(pub))
	for _, src := range report.Sources() {
		out[src] = report.Cached{Source: src}
	}
	for src, item := range pub {
		c, err := CachedFromItems(vehicle.Source(src), item, pers[src], now)
		if err != nil {
			return nil, err
		}
		out[vehicle.Source(src)] = c
	}
	return out, nil
}

// ItemJSON encodes an item in DynamoDB's JSON wire form, the inverse of ItemFromJSON, for
// tests that hand steps what a state machine's getItem would.
func ItemJSON(item map[string]types.AttributeValue) (json.RawMessage, error) {
	m := make(map[string]any, len(item))
	for k, v := range item {
		enc, err := attrJSON(v)
		if err != nil {
			return nil, fmt.Errorf("encode item attribute %q: %w", k, err)
		}
		m[k] = enc
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode item: %w", err)
	}
	return b, nil
}

func attrJSON(v types.AttributeValue) (any, error) {
	switch a := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]string{"S": a.Value}, nil
	case *types.AttributeValueMemberN:
		return map[string]string{"N": a.Value}, nil
	case *types.AttributeValueMemberBOOL:
		return map[string]bool{"BOOL": a.Value}, nil
	case *types.AttributeValueMemberNULL:
		return map[string]bool{"NULL": true}, nil
	case *types.AttributeValueMemberSS:
		return map[string][]string{"SS": a.Value}, nil
	case *types.AttributeValueMemberM:
		m := map[string]any{}
		for k, e := range a.Value {
			enc, err := attrJSON(e)
			if err != nil {
				return nil, err
			}
			m[k] = enc
		}
		return map[string]any{"M": m}, nil
	case *types.AttributeValueMemberL:
		l := make([]any, len(a.Value))
		for i, e := range a.Value {
			enc, err := attrJSON(e)
			if err != nil {
				return nil, err
			}
			l[i] = enc
		}
		return map[string]any{"L": l}, nil
	default:
		return nil, fmt.Errorf("unsupported attribute type %T", v)
	}
}

// StateMachineCacheKeys are the sort keys the vehicle-report state machine reads with getItem
// (statemachines/vehicle-report.asl.json, state ReadCache), in its order.
func StateMachineCacheKeys() []string {
	return []string{"SRC#vehicle-master", "SRC#workshop", "PII#workshop", "SRC#registry", "PII#registry", "SRC#recalls"}
}

package dynamo

import (
	"encoding/json"
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
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode item: %w", err)
	}
	if len(m) == 0 {
		return nil, nil
	}
	out := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		av, err := attrFromJSON(v)
		if err != nil {
			return nil, fmt.Errorf("decode item attribute %q: %w", k, err)
		}
		out[k] = av
	}
	return out, nil
}

func attrFromJSON(raw json.RawMessage) (types.AttributeValue, error) {
	var tagged map[string]json.RawMessage
	if err := json.Unmarshal(raw, &tagged); err != nil {
		return nil, err
	}
	if len(tagged) != 1 {
		return nil, fmt.Errorf("want exactly one type descriptor, got %d", len(tagged))
	}
	for typ, v := range tagged {
		switch strings.ToUpper(typ) {
		case "S":
			var s string
			err := json.Unmarshal(v, &s)
			return &types.AttributeValueMemberS{Value: s}, err
		case "N":
			var s string
			err := json.Unmarshal(v, &s)
			return &types.AttributeValueMemberN{Value: s}, err
		case "BOOL":
			var b bool
			err := json.Unmarshal(v, &b)
			return &types.AttributeValueMemberBOOL{Value: b}, err
		case "NULL":
			return &types.AttributeValueMemberNULL{Value: true}, nil
		case "SS":
			var ss []string
			err := json.Unmarshal(v, &ss)
			return &types.AttributeValueMemberSS{Value: ss}, err
		case "M":
			m, err := ItemFromJSON(v)
			if m == nil {
				m = map[string]types.AttributeValue{}
			}
			return &types.AttributeValueMemberM{Value: m}, err
		case "L":
			var items []json.RawMessage
			if err := json.Unmarshal(v, &items); err != nil {
				return nil, err
			}
			l := make([]types.AttributeValue, len(items))
			for i, it := range items {
				av, err := attrFromJSON(it)
				if err != nil {
					return nil, err
				}
				l[i] = av
			}
			return &types.AttributeValueMemberL{Value: l}, nil
		default:
			return nil, fmt.Errorf("unsupported type descriptor %q", typ)
		}
	}
	return nil, nil // unreachable: len(tagged) == 1
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

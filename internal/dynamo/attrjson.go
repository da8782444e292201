package dynamo

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

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

// EntriesFromGetItemOutputs decodes the outputs of the state machine's getItem tasks (each
// {"Item": {...}} or {} when absent) into one Entry per report source, pairing each public item
// with the personal item of the same source. Items are recognised by their sort key, so the
// order of the outputs does not matter. Sources without items get an absent Entry.
func EntriesFromGetItemOutputs(outputs []json.RawMessage, now timeNow) (map[string]Entry, error) {
	items := make([]map[string]types.AttributeValue, len(outputs))
	for i, o := range outputs {
		var wrapper struct {
			Item json.RawMessage `json:"Item"`
		}
		if err := json.Unmarshal(o, &wrapper); err != nil {
			return nil, fmt.Errorf("cache read %d: %w", i, err)
		}
		item, err := ItemFromJSON(wrapper.Item)
		if err != nil {
			return nil, fmt.Errorf("cache read %d: %w", i, err)
		}
		items[i] = item
	}
	return EntriesFromItems(items, now)
}

// EntriesFromItems is EntriesFromGetItemOutputs for items already decoded (nil for a getItem
// that found nothing).
func EntriesFromItems(items []map[string]types.AttributeValue, now timeNow) (map[string]Entry, error) {
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
	out := map[string]Entry{}
	for src, item := range pub {
		e, err := EntryFromItems(sourceOf(src), item, pers[src], now())
		if err != nil {
			return nil, err
		}
		out[src] = e
	}
	return out, nil
}

type timeNow = func() time.Time

func sourceOf(s string) vehicle.Source { return vehicle.Source(s) }

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

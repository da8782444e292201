package jsonpath

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

func jsonInt(n int) json.Number { return json.Number(strconv.Itoa(n)) }

// sortedKeys gives wildcard and recursive-descent results a stable order; Go maps keep no
// insertion order (Jayway would use the document's order).
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// javaClass names the class json-smart (Jayway's default provider) would decode v into;
// Jayway puts it in some messages.
func javaClass(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "java.lang.Boolean"
	case string:
		return "java.lang.String"
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return "java.lang.Double"
		}
		if _, err := strconv.ParseInt(string(x), 10, 32); err == nil {
			return "java.lang.Integer"
		}
		return "java.lang.Long"
	case []any:
		return "net.minidev.json.JSONArray"
	case map[string]any:
		return "net.minidev.json.JSONObject"
	}
	return "java.lang.Object"
}

// javaString renders v the way Java's toString would for json-smart values ({a=1}, [1, 2]).
func javaString(v any) string {
	var b strings.Builder
	writeJava(&b, v)
	return b.String()
}

func writeJava(b *strings.Builder, v any) {
	switch x := v.(type) {
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJava(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			writeJava(b, x[k])
		}
		b.WriteByte('}')
	case string:
		b.WriteString(x)
	default:
		b.WriteString(value.MustString(x))
	}
}

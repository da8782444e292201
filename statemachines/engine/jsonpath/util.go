package jsonpath

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

func jsonInt(n int) json.Number { return json.Number(strconv.Itoa(n)) }

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
	case *value.Object:
		return "net.minidev.json.JSONObject"
	}
	return "java.lang.Object"
}

// javaString renders v the way Java's toString would for json-smart values ({a=1}, [1, 2]).
func javaString(v any) string {
	var b strings.Builder
	value.WriteJava(&b, v)
	return b.String()
}

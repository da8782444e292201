package gateway

import (
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/api"
)

// The contract's request schemas mean the same in 3.0, so requests skip the per-request 2020-12
// compile; a request schema with a 3.1-only keyword keeps the 3.1 validator.
func TestRequestValidationSpecOnlyWhenEquivalent(t *testing.T) {
	doc, err := LoadSpec(t.Context(), api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if got := requestValidationSpec(doc); got.OpenAPI != "3.0.3" || doc.OpenAPI != "3.1.0" {
		t.Fatalf("contract: validated as %q (document left as %q)", got.OpenAPI, doc.OpenAPI)
	}
	for name, schema := range map[string]string{
		"type list":         `{type: [string, "null"]}`,
		"const":             `{type: string, const: x}`,
		"numeric exclusive": `{type: integer, exclusiveMinimum: 3}`,
		"nested in body":    `{type: object, properties: {a: {type: [integer, "null"]}}}`,
	} {
		spec := strings.Replace(minimalSpec, "SCHEMA", schema, 1)
		doc, err := LoadSpec(t.Context(), []byte(spec))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := requestValidationSpec(doc); got != doc {
			t.Errorf("%s: a 3.1-only request schema was validated as %s", name, got.OpenAPI)
		}
	}
}

const minimalSpec = `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /x:
    post:
      x-state-machine: m
      requestBody:
        content:
          application/json:
            schema: SCHEMA
      responses:
        "200": {description: ok}
`

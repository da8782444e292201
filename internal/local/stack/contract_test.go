package stack_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/acme-oem/vehicle-data/api"
	"github.com/acme-oem/vehicle-data/internal/local/gateway"
)

// checkContract validates a response of the running stack against api/openapi.yaml: the status is
// declared for the route and the body matches its schema. path is relative to /api.
func checkContract(t *testing.T, path string, status int, header http.Header, body []byte) {
	t.Helper()
	doc, err := gateway.LoadSpec(t.Context(), api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, path, nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("no route for %s: %v", path, err)
	}
	err = openapi3filter.ValidateResponse(t.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	})
	if err != nil {
		t.Errorf("GET %s answered %d, which breaks the contract: %v\n%s", path, status, err, body)
	}
}

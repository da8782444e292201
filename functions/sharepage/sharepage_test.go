package sharepage_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/acme-oem/vehicle-data/functions/sharepage"
	"github.com/acme-oem/vehicle-data/internal/local/stacktest"
	page "github.com/acme-oem/vehicle-data/internal/sharepage"
)

const index = `<!doctype html>
<html lang="en">
  <head>
    <title>Vehicle history</title>
    <meta property="og:type" content="website" />
    <meta property="og:title" content="Vehicle history" />
    <script type="module" src="/assets/index-abc123.js"></script>
  </head>
  <body><div id="root"></div></body>
</html>`

var metaTag = regexp.MustCompile(`<meta property="(og:[a-z]+)" content="([^"]*)" />`)

func tags(body string) map[string]string {
	out := map[string]string{}
	for _, m := range metaTag.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// invoke sends a function URL event through aws-lambda-go's handler adapter, as the runtime
// does: the JSON CloudFront's request becomes, not a Go value built by hand.
func invoke(t *testing.T, h *sharepage.Handler, method, path string) events.LambdaFunctionURLResponse {
	t.Helper()
	event := map[string]any{
		"version": "2.0", "rawPath": path, "rawQueryString": "",
		"headers": map[string]string{"host": "abc.lambda-url.eu-central-1.on.aws", "x-amz-cf-id": "cf"},
		"requestContext": map[string]any{
			"domainName": "abc.lambda-url.eu-central-1.on.aws",
			"http":       map[string]string{"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1"},
		},
		"isBase64Encoded": false,
	}
	payload, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	out, err := lambda.NewHandler(h.Handle).Invoke(t.Context(), payload)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	var res events.LambdaFunctionURLResponse
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// Against the real local stack: a listing created through the listings state machine gets its
// own card, kept a minute; an unknown id the generic card, kept as long; the API down gives the
// generic card kept nowhere; no index gives a 503.
func TestSharePageLambdaAnswersTheListingsCard(t *testing.T) {
	st, ids := stacktest.WithListings(t)
	var listing struct {
		PriceEur int `json:"priceEur"`
		Verified struct {
			Make struct{ Value string } `json:"make"`
		} `json:"verified"`
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, st.APIURL+"/listings/"+ids[0], nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(res.Body).Decode(&listing); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("listing: %d %v", res.StatusCode, err)
	}
	_ = res.Body.Close()

	var indexCalls int
	h := &sharepage.Handler{
		Index:    func(context.Context) ([]byte, error) { indexCalls++; return []byte(index), nil },
		Listings: page.Listings{APIURL: st.APIURL},
		SiteURL:  "https://cars.example",
	}
	got := invoke(t, h, http.MethodGet, "/l/"+ids[0])
	og := tags(got.Body)
	if got.StatusCode != http.StatusOK || got.Headers["Content-Type"] != "text/html; charset=utf-8" || got.Headers["Cache-Control"] != "public, max-age=60" {
		t.Errorf("listing: %d %v", got.StatusCode, got.Headers)
	}
	if !strings.Contains(og["og:title"], listing.Verified.Make.Value) || !strings.Contains(og["og:title"], "EUR") {
		t.Errorf("og:title %q does not name the car (%s) and its price", og["og:title"], listing.Verified.Make.Value)
	}
	if !strings.HasSuffix(og["og:url"], "/l/"+ids[0]) || !strings.HasPrefix(og["og:url"], "http") {
		t.Errorf("og:url %q", og["og:url"])
	}
	if !strings.Contains(got.Body, `src="/assets/index-abc123.js"`) {
		t.Error("the deployed index's script is gone: the page would not run")
	}
	if vin := regexp.MustCompile(`\b[A-HJ-NPR-Z0-9]{17}\b`).FindString(got.Body); vin != "" {
		t.Errorf("the share page carries a VIN-like %s", vin)
	}

	head := invoke(t, h, http.MethodHead, "/l/"+ids[0])
	if head.StatusCode != http.StatusOK || head.Body != "" {
		t.Errorf("HEAD: %d with %d bytes", head.StatusCode, len(head.Body))
	}

	for _, path := range []string{"/l/aaaaaaaaaaaaaaaaaaaaaaaaaa", "/l/not-an-id"} {
		got := invoke(t, h, http.MethodGet, path)
		og := tags(got.Body)
		if got.StatusCode != http.StatusOK || got.Headers["Cache-Control"] != "public, max-age=60" || strings.Contains(og["og:title"], "EUR") {
			t.Errorf("%s: %d %v og:title %q, want the generic card kept a minute", path, got.StatusCode, got.Headers, og["og:title"])
		}
	}
	if og := tags(invoke(t, h, http.MethodGet, "/l/not-an-id").Body); og["og:url"] != "" {
		t.Errorf("a path naming no listing got og:url %q", og["og:url"])
	}

	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	t.Cleanup(down.Close)
	h.Listings = page.Listings{APIURL: down.URL}
	got = invoke(t, h, http.MethodGet, "/l/"+ids[0])
	if got.StatusCode != http.StatusOK || got.Headers["Cache-Control"] != "no-store" || strings.Contains(tags(got.Body)["og:title"], "EUR") {
		t.Errorf("API down: %d %v, want the generic card, not stored", got.StatusCode, got.Headers)
	}

	h.Index = func(context.Context) ([]byte, error) { return nil, errors.New("s3 down") }
	if got := invoke(t, h, http.MethodGet, "/l/"+ids[0]); got.StatusCode != http.StatusServiceUnavailable || got.Headers["Cache-Control"] != "no-store" {
		t.Errorf("no index: %d %v", got.StatusCode, got.Headers)
	}
	if got := invoke(t, h, http.MethodPost, "/l/"+ids[0]); got.StatusCode != http.StatusMethodNotAllowed || got.Headers["Allow"] != "GET, HEAD" {
		t.Errorf("POST: %d %v", got.StatusCode, got.Headers)
	}
	if indexCalls != 6 {
		t.Errorf("index read %d times, want once per GET/HEAD (6)", indexCalls)
	}
}

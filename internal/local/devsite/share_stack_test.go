package devsite_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/local/devsite"
	"github.com/acme-oem/vehicle-data/internal/local/stacktest"
)

const index = `<!doctype html>
<html lang="en">
  <head>
    <title>Vehicle history</title>
    <meta property="og:type" content="website" />
    <meta property="og:title" content="Vehicle history" />
  </head>
  <body><div id="root"></div></body>
</html>`

var metaTag = regexp.MustCompile(`<meta property="(og:[a-z]+)" content="([^"]*)" />`)

func ogTags(t *testing.T, body string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, m := range metaTag.FindAllStringSubmatch(body, -1) {
		out[m[1]] = append(out[m[1]], m[2])
	}
	return out
}

// The share page of a real listing (seeded through the listings state machine of the local
// stack) carries its Open Graph tags in the HTML, and unknown or malformed ids the generic ones.
func TestSharePageCarriesTheListingsOpenGraphTags(t *testing.T) {
	st, ids := stacktest.WithListings(t)

	root := t.TempDir()
	for name, body := range map[string]string{"frontend/dist/index.html": index, "frontend/security-headers.json": `{"X-Content-Type-Options":"nosniff"}`} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	site, err := devsite.New(devsite.Options{Root: root, Origin: st.URL, APIURL: st.APIURL, IssuerURL: st.URL + "/oidc"})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) string {
		t.Helper()
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, st.URL+path, nil)
		u, _ := url.Parse(st.URL)
		req.Host = u.Host
		rec := httptest.NewRecorder()
		site.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		b, _ := io.ReadAll(rec.Body)
		return string(b)
	}

	// What the API says about the listing is what the tags say.
	status, _, body := getJSON(t, st.APIURL+"/listings/"+ids[0])
	if status != http.StatusOK {
		t.Fatalf("listing %s: %d", ids[0], status)
	}
	page := get("/l/" + ids[0])
	tags := ogTags(t, page)
	if got := tags["og:url"]; len(got) != 1 || got[0] != body.ShareURL {
		t.Errorf("og:url %v, want [%s]", got, body.ShareURL)
	}
	title := tags["og:title"]
	if len(title) != 1 || !strings.Contains(title[0], body.Verified.Make.Value) || !strings.Contains(title[0], "EUR") {
		t.Errorf("og:title %v does not name the car and its price (%s)", title, body.Verified.Make.Value)
	}
	if d := tags["og:description"]; len(d) != 1 || d[0] == "" {
		t.Errorf("og:description %v", d)
	}
	if len(tags["og:type"]) != 1 {
		t.Errorf("og:type %v: the generic tags were not replaced", tags["og:type"])
	}
	if strings.Contains(page, "<title>Vehicle history</title>") {
		t.Error("the page title is still the generic one")
	}
	// The VIN is never in the page: the tags come from the public view.
	if vin := regexp.MustCompile(`\b[A-HJ-NPR-Z0-9]{17}\b`).FindString(page); vin != "" {
		t.Errorf("the share page carries a VIN-like %s", vin)
	}

	// An unknown listing and a malformed id: generic tags, no error.
	for _, id := range []string{"aaaaaaaaaaaaaaaaaaaaaaaaaa", "not-an-id"} {
		tags := ogTags(t, get("/l/"+id))
		if got := tags["og:title"]; len(got) != 1 || strings.Contains(got[0], "EUR") {
			t.Errorf("/l/%s: og:title %v, want the generic one", id, got)
		}
	}

}

type listingBody struct {
	ShareURL string `json:"shareUrl"`
	Verified struct {
		Make struct{ Value string } `json:"make"`
	} `json:"verified"`
}

func getJSON(t *testing.T, u string) (int, http.Header, listingBody) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	var b listingBody
	if err := json.NewDecoder(res.Body).Decode(&b); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, b
}

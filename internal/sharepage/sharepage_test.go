package sharepage_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/sharepage"
)

const id = "abcdefghijklmnopqrstuvwxyz"

func TestIDAcceptsOnlyShareIDs(t *testing.T) {
	for path, want := range map[string]string{
		"/l/" + id: id, "l/" + id: id, "/l/" + id + "/": id,
		"/l/" + strings.ToUpper(id): "", "/l/" + id + "a": "", "/l/abc": "", "/l/" + id + "/x": "",
		"/x/" + id: "", "/l/": "", "/l/../" + id: "",
	} {
		got, ok := sharepage.ID(path)
		if got != want || ok != (want != "") {
			t.Errorf("ID(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
}

// Each API answer maps to its outcome: only 404 and 410 are definite absences; anything else
// that is not a listing is Unavailable, so a cache never keeps generic tags for a live listing.
func TestMetaOutcomes(t *testing.T) {
	body := `{"shareUrl":"/l/` + id + `","priceEur":1234567,"description":"  Two\n owners,   full   history ","photos":["http://img.example/a.jpg"],
		"verified":{"make":{"value":"Volkswagen"},"model":{"value":"Golf"}}}`
	var answer struct {
		status int
		body   string
		delay  time.Duration
	}
	var asked []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Path)
		time.Sleep(answer.delay)
		w.WriteHeader(answer.status)
		_, _ = w.Write([]byte(answer.body))
	}))
	t.Cleanup(api.Close)
	l := sharepage.Listings{APIURL: api.URL + "/prod/", Client: api.Client(), Timeout: 200 * time.Millisecond}

	answer.status, answer.body = http.StatusOK, body
	m, out := l.Meta(t.Context(), id, "https://cars.example")
	want := sharepage.Meta{Title: "Volkswagen Golf · 1,234,567 EUR", Description: "Two owners, full history",
		URL: "https://cars.example/l/" + id} // an http photo is no preview image
	if out != sharepage.Found || m != want {
		t.Errorf("200: %+v %v, want %+v Found", m, out, want)
	}
	if asked[0] != "/prod/listings/"+id {
		t.Errorf("asked %s", asked[0])
	}
	// Without the site's origin a relative share URL gives no og:url rather than a wrong one.
	if m, _ := l.Meta(t.Context(), id, ""); m.URL != "" {
		t.Errorf("og:url %q without a site URL", m.URL)
	}

	for _, tc := range []struct {
		status int
		body   string
		delay  time.Duration
		want   sharepage.Outcome
	}{
		{http.StatusNotFound, `{}`, 0, sharepage.Absent},
		{http.StatusGone, `{}`, 0, sharepage.Absent},
		{http.StatusInternalServerError, `{}`, 0, sharepage.Unavailable},
		{http.StatusTooManyRequests, `{}`, 0, sharepage.Unavailable},
		{http.StatusOK, `<html>`, 0, sharepage.Unavailable},
		{http.StatusOK, body, time.Second, sharepage.Unavailable},
	} {
		answer.status, answer.body, answer.delay = tc.status, tc.body, tc.delay
		if _, out := l.Meta(t.Context(), id, ""); out != tc.want {
			t.Errorf("%d %q after %s: outcome %v, want %v", tc.status, tc.body, tc.delay, out, tc.want)
		}
	}
}

func TestRenderReplacesTheGenericTagsEscaped(t *testing.T) {
	index := []byte(`<html><head><title>Vehicle history</title><meta property="og:title" content="Vehicle history" /><meta property="og:type" content="website"></head><body></body></html>`)
	page := string(sharepage.Render(index, sharepage.Meta{Title: `A "car" & <b>`, Description: "d", Image: "https://i.example/a.jpg?x=1&y=2"}))
	for _, want := range []string{
		`<title>A &#34;car&#34; &amp; &lt;b&gt;</title>`,
		`<meta property="og:title" content="A &#34;car&#34; &amp; &lt;b&gt;" />`,
		`<meta property="og:image" content="https://i.example/a.jpg?x=1&amp;y=2" />`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("missing %s in\n%s", want, page)
		}
	}
	if strings.Count(page, `property="og:title"`) != 1 || strings.Count(page, `property="og:type"`) != 1 {
		t.Errorf("the generic tags were not replaced:\n%s", page)
	}
	if strings.Contains(page, "og:url") {
		t.Errorf("an empty URL left an og:url:\n%s", page)
	}
	if g := sharepage.Generic("https://cars.example/", id); g.URL != "https://cars.example/l/"+id {
		t.Errorf("generic og:url %q", g.URL)
	}
	if g := sharepage.Generic("https://cars.example", ""); g.URL != "" {
		t.Errorf("a path naming no listing got og:url %q", g.URL)
	}
}

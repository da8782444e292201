package devsite

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// newRoot builds a repository root with the real headers file and a small dist.
func newRoot(t *testing.T, withDist bool) string {
	t.Helper()
	root := t.TempDir()
	hdr, err := os.ReadFile(filepath.Join("..", "..", "..", "frontend", "security-headers.json"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("frontend/security-headers.json", string(hdr))
	if withDist {
		write("frontend/dist/index.html", "<!doctype html><title>site</title>")
		write("frontend/dist/assets/app-abc123.js", "console.log(1)")
		write("frontend/dist/favicon.svg", "<svg/>")
	}
	write("secret.txt", "outside dist")
	return root
}

// fakeSim is a simulator's admin API: it records the faults put to it.
type fakeSim struct {
	mu     sync.Mutex
	faults string
}

func (f *fakeSim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path != "/__admin/faults" {
		http.NotFound(w, r)
		return
	}
	if r.Method == http.MethodPut {
		b, _ := io.ReadAll(r.Body)
		if !json.Valid(b) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid faults JSON"}`))
			return
		}
		f.faults = string(b)
	}
	w.Header().Set("Content-Type", "application/json")
	if f.faults == "" {
		_, _ = w.Write([]byte("{}\n"))
		return
	}
	_, _ = w.Write([]byte(f.faults + "\n"))
}

type fixture struct {
	srv *httptest.Server
	sim *fakeSim
}

func newFixture(t *testing.T, withDist bool) fixture {
	t.Helper()
	sim := &fakeSim{}
	simSrv := httptest.NewServer(sim)
	t.Cleanup(simSrv.Close)
	srv := httptest.NewUnstartedServer(nil)
	origin := "http://" + srv.Listener.Addr().String()
	site, err := New(Options{
		Root:      newRoot(t, withDist),
		Origin:    origin,
		IssuerURL: origin + "/oidc",
		Systems:   map[vehicle.Source]string{vehicle.SourceWorkshop: simSrv.URL},
		NotFound: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":{"code":"NOT_FOUND","message":"no such route"}}`))
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = site
	srv.Start()
	t.Cleanup(srv.Close)
	return fixture{srv: srv, sim: sim}
}

// answer is a response whose body has been read and closed.
type answer struct {
	StatusCode int
	Header     http.Header
}

func do(t *testing.T, method, url, host, ctype, body string) (answer, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	b, _ := io.ReadAll(res.Body)
	return answer{StatusCode: res.StatusCode, Header: res.Header}, string(b)
}

func TestSiteServesFilesAndFallsBackToIndex(t *testing.T) {
	f := newFixture(t, true)
	for _, tc := range []struct {
		path, want string
		status     int
	}{
		{"/", "<title>site</title>", 200},
		{"/vehicles/WVWZZZCD3MW100001", "<title>site</title>", 200},
		{"/auth/callback?code=x&state=y", "<title>site</title>", 200},
		{"/assets/app-abc123.js", "console.log(1)", 200},
		{"/favicon.svg", "<svg/>", 200},
		{"/assets/missing-123.js", "404 page not found", 404},
		{"/missing.png", "404 page not found", 404},
		{"/../secret.txt", "", 307}, // the mux redirects to the cleaned /secret.txt
		{"/secret.txt", "404 page not found", 404},
		{"/assets/..%2f..%2fsecret.txt", "404 page not found", 404},
		{"/api/nope", `"NOT_FOUND"`, 404},
		{"/api", `"NOT_FOUND"`, 404},
		{"/oidc/nope", `"NOT_FOUND"`, 404},
		{"/dev/nope", `"NOT_FOUND"`, 404},
		{"/healthz/x", `"NOT_FOUND"`, 404},
	} {
		res, body := do(t, "GET", f.srv.URL+tc.path, "", "", "")
		if res.StatusCode != tc.status || !strings.Contains(body, tc.want) || strings.Contains(body, "outside dist") {
			t.Errorf("GET %s: %d %q, want %d with %q", tc.path, res.StatusCode, body, tc.status, tc.want)
		}
	}
	res, _ := do(t, "GET", f.srv.URL+"/assets/app-abc123.js", "", "", "")
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("hashed asset Cache-Control %q", cc)
	}
	res, _ = do(t, "GET", f.srv.URL+"/", "", "", "")
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("index Cache-Control %q", cc)
	}
	res, _ = do(t, "POST", f.srv.URL+"/", "", "", "")
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d", res.StatusCode)
	}
}

func TestEveryAnswerCarriesTheSecurityHeaders(t *testing.T) {
	f := newFixture(t, true)
	want, err := ReadHeaders(filepath.Join("..", "..", "..", "frontend", "security-headers.json"))
	if err != nil {
		t.Fatal(err)
	}
	csp := want["Content-Security-Policy"]
	if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("the headers file lost a protection: %q", csp)
	}
	for _, d := range strings.Split(csp, ";") {
		if strings.HasPrefix(strings.TrimSpace(d), "script-src") && strings.Contains(d, "unsafe-inline") {
			t.Fatalf("script-src allows inline scripts: %q", d)
		}
	}
	for _, p := range []string{"/", "/x/y", "/assets/app-abc123.js", "/missing.png", "/config.json", "/dev/chaos", "/api/nope"} {
		res, _ := do(t, "GET", f.srv.URL+p, "", "", "")
		for k, v := range want {
			if got := res.Header.Get(k); got != v {
				t.Errorf("GET %s: %s = %q, want %q", p, k, got, v)
			}
		}
	}
}

func TestMissingDistSaysHowToBuild(t *testing.T) {
	f := newFixture(t, false)
	res, body := do(t, "GET", f.srv.URL+"/", "", "", "")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "make site") {
		t.Errorf("%d %q", res.StatusCode, body)
	}
	res, body = do(t, "GET", f.srv.URL+"/config.json", "", "", "")
	if res.StatusCode != 200 || !strings.Contains(body, `"clientId"`) {
		t.Errorf("config.json without dist: %d %q", res.StatusCode, body)
	}
}

func TestConfigJSON(t *testing.T) {
	f := newFixture(t, true)
	res, body := do(t, "GET", f.srv.URL+"/config.json", "", "", "")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %v", res.StatusCode, res.Header)
	}
	var c Config
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		t.Fatal(err)
	}
	want, err := LocalFeatures()
	if err != nil {
		t.Fatal(err)
	}
	if c.Issuer != f.srv.URL+"/oidc" || c.ClientID != ClientID || c.APIBase != "/api" || !c.Local || len(c.Features) != len(want) {
		t.Errorf("config %+v", c)
	}
	for k, v := range want {
		if c.Features[k] != v {
			t.Errorf("feature %s = %v, want %v", k, c.Features[k], v)
		}
	}
}

func TestOtherHostsAreRedirectedToTheIssuersOrigin(t *testing.T) {
	f := newFixture(t, true)
	port := f.srv.URL[strings.LastIndex(f.srv.URL, ":"):]
	res, _ := do(t, "GET", f.srv.URL+"/vehicles/X?lang=de", "localhost"+port, "", "")
	if res.StatusCode != http.StatusTemporaryRedirect || res.Header.Get("Location") != f.srv.URL+"/vehicles/X?lang=de" {
		t.Errorf("%d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// The API is not redirected: it does not depend on the origin.
	res, _ = do(t, "GET", f.srv.URL+"/api/nope", "localhost"+port, "", "")
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("api: %d", res.StatusCode)
	}
}

func TestChaosProxy(t *testing.T) {
	f := newFixture(t, true)
	res, body := do(t, "PUT", f.srv.URL+"/dev/chaos/workshop", "", "application/json", `{"outage":"unavailable"}`)
	if res.StatusCode != 200 || !strings.Contains(body, "unavailable") {
		t.Fatalf("put: %d %s", res.StatusCode, body)
	}
	if f.sim.faults != `{"outage":"unavailable"}` {
		t.Errorf("the simulator got %q", f.sim.faults)
	}
	res, body = do(t, "GET", f.srv.URL+"/dev/chaos", "", "", "")
	var list struct {
		Systems []struct {
			System string          `json:"system"`
			Faults json.RawMessage `json:"faults"`
		} `json:"systems"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || res.StatusCode != 200 || len(list.Systems) != 1 ||
		list.Systems[0].System != "workshop" || string(list.Systems[0].Faults) != `{"outage":"unavailable"}` {
		t.Errorf("list: %d %s", res.StatusCode, body)
	}
	// The simulator's own rejection comes through.
	res, body = do(t, "PUT", f.srv.URL+"/dev/chaos/workshop", "", "application/json", `{nope`)
	if res.StatusCode != 400 || !strings.Contains(body, "invalid faults") {
		t.Errorf("bad body: %d %s", res.StatusCode, body)
	}
	res, body = do(t, "PUT", f.srv.URL+"/dev/chaos/mainframe", "", "application/json", `{}`)
	if res.StatusCode != 404 || !strings.Contains(body, `"field":"system"`) {
		t.Errorf("unknown system: %d %s", res.StatusCode, body)
	}
	// A form post from another site cannot switch faults: it cannot send JSON without a preflight.
	res, _ = do(t, "PUT", f.srv.URL+"/dev/chaos/workshop", "", "text/plain", `{}`)
	if res.StatusCode != http.StatusUnsupportedMediaType || f.sim.faults != `{"outage":"unavailable"}` {
		t.Errorf("text/plain: %d, faults %q", res.StatusCode, f.sim.faults)
	}
	res, _ = do(t, "PUT", f.srv.URL+"/dev/chaos/workshop", "", "application/json", strings.Repeat(" ", maxFaultsBody+1))
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized: %d", res.StatusCode)
	}
}

// The tags are HTML-escaped: a description with quotes and ampersands (which the API allows)
// cannot end the attribute, and a title element stays one.
func TestShareTagsAreEscaped(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/listings/abcdefghijklmnopqrstuvwxyz" {
			w.WriteHeader(http.StatusGone)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"shareUrl":"http://x/l/abcdefghijklmnopqrstuvwxyz","priceEur":18500,
			"description":"Mint \"as new\" & <b>loud</b> ` + strings.Repeat("long ", 80) + `","photos":["https://img.example/a.jpg?x=1&y=2"],
			"verified":{"make":{"value":"Volks\"wagen"},"model":{"value":"Golf"},"modelYear":{"value":2021}}}`))
	}))
	t.Cleanup(api.Close)
	root := newRoot(t, true)
	if err := os.WriteFile(filepath.Join(root, "frontend/dist/index.html"), []byte(`<html><head><title>site</title><meta property="og:title" content="generic" /></head><body></body></html>`), 0o600); err != nil {
		t.Fatal(err)
	}
	site, err := New(Options{Root: root, Origin: "http://site.test", APIURL: api.URL + "/api"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ id, want, not string }{
		{"abcdefghijklmnopqrstuvwxyz", `<meta property="og:title" content="Volks&#34;wagen Golf 2021 · 18,500 EUR" />`, `content="generic"`},
		{"abcdefghijklmnopqrstuvwxyz", `content="Mint &#34;as new&#34; &amp; &lt;b&gt;loud&lt;/b&gt; long`, "<b>"},
		{"abcdefghijklmnopqrstuvwxyz", `<meta property="og:image" content="https://img.example/a.jpg?x=1&amp;y=2" />`, ""},
		{"abcdefghijklmnopqrstuvwxyz", `<title>Volks&#34;wagen Golf 2021 · 18,500 EUR</title>`, "<title>site</title>"},
		// Withdrawn (410): the generic card, and no image.
		{"bbbbbbbbbbbbbbbbbbbbbbbbbb", `<meta property="og:url" content="http://site.test/l/bbbbbbbbbbbbbbbbbbbbbbbbbb" />`, "og:image"},
	} {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "http://site.test/l/"+tc.id, nil)
		rec := httptest.NewRecorder()
		site.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, tc.want) || (tc.not != "" && strings.Contains(body, tc.not)) {
			t.Errorf("/l/%s: %d, want %q and not %q in\n%s", tc.id, rec.Code, tc.want, tc.not, body)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("/l/%s: security headers missing", tc.id)
		}
	}
}

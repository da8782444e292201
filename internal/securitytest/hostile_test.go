package securitytest

// Hostile requests (DESIGN.md, principles 5 and 6): whatever a client sends, the answer is a 4xx
// in the contract's error shape (or net/http's redirect to the clean path on the same server),
// never a 500, and never echoes what was sent; and no header,
// query or path trick makes the gateway believe in a caller the token did not prove.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// rawCall writes one HTTP/1.1 request by hand on a loopback connection, so that the path and
// query reach the server byte for byte as an attacker sends them (net/url would normalize or
// refuse some), and reads the answer without following redirects: where one points is tested.
func rawCall(t *testing.T, method, rawPathAndQuery string, header http.Header, body string) answer {
	t.Helper()
	u, err := url.Parse(stack.URL)
	if err != nil {
		t.Fatal(err)
	}
	var d net.Dialer
	conn, err := d.DialContext(t.Context(), "tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if err := conn.SetDeadline(time.Now().Add(client.Timeout)); err != nil {
		t.Fatal(err)
	}
	var req strings.Builder
	fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", method, rawPathAndQuery, u.Host)
	for k, vs := range header {
		for _, v := range vs {
			fmt.Fprintf(&req, "%s: %s\r\n", k, v)
		}
	}
	if body != "" {
		fmt.Fprintf(&req, "Content-Type: application/json\r\nContent-Length: %d\r\n", len(body))
	}
	req.WriteString("\r\n")
	req.WriteString(body)
	// The server may answer (413) and close before reading a large body: a write error then is
	// expected, and the answer is still there to read.
	_, _ = io.WriteString(conn, req.String())
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %.80s: read the answer: %v", method, rawPathAndQuery, err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %.80s: read the body: %v", method, rawPathAndQuery, err)
	}
	return answer{status: res.StatusCode, header: res.Header, body: b}
}

func TestHostileRequestsGetA4xxThatEchoesNothing(t *testing.T) {
	vin := string(freshVIN(t))
	long := strings.Repeat("A", 10000)
	cases := []struct {
		name, method, path, body string
		header                   http.Header
		echo                     string // a distinctive part of the input the answer must not repeat
	}{
		{name: "encoded traversal", method: "GET", path: "/api/vehicles/%2e%2e%2fhealthz", echo: "%2e%2e"},
		{name: "encoded traversal, upper case", method: "GET", path: "/api/vehicles/..%2F..%2Fhealthz", echo: "..%2F"},
		{name: "traversal", method: "GET", path: "/api/vehicles/../../oidc/jwks.json"},
		{name: "NUL in the VIN", method: "GET", path: "/api/vehicles/" + vin[:16] + "%00", echo: vin[:16]},
		{name: "invalid percent-encoding", method: "GET", path: "/api/vehicles/%zz" + vin[:14], echo: vin[:14]},
		{name: "emoji VIN", method: "GET", path: "/api/vehicles/" + strings.Repeat("%F0%9F%9A%97", 17)},
		{name: "10,000-character VIN", method: "GET", path: "/api/vehicles/" + long, echo: long[:64]},
		{name: "script in the VIN", method: "GET", path: "/api/vehicles/%3Cscript%3Ealert(1)%3C%2Fscript%3E", echo: "<script>"},
		{name: "SQL in the VIN", method: "GET", path: "/api/vehicles/'%20OR%201=1%20--%20xxxxx", echo: "OR 1=1"},
		{name: "JSONPath in the VIN", method: "GET", path: "/api/vehicles/$.caller.sub", echo: "$.caller"},
		{name: "intrinsic in the VIN", method: "GET", path: "/api/vehicles/States.Format('x')", echo: "States.Format"},
		{name: "JSON in the VIN", method: "GET", path: "/api/vehicles/%7B%22role%22%3A%22dealer%22%7D", echo: `"role"`},
		{name: "log4shell in the VIN", method: "GET", path: "/api/vehicles/$%7Bjndi:ldap:x%7D", echo: "jndi"},
		{name: "wrong check digit", method: "GET", path: "/api/vehicles/" + vin[:8] + "Z" + vin[9:], echo: vin[9:]},
		{name: "trailing slash", method: "GET", path: "/api/vehicles/" + vin + "/", echo: vin},
		{name: "double slash", method: "GET", path: "/api//vehicles/" + vin, echo: vin},
		{name: "open redirect attempt", method: "GET", path: "//evil.example/%2e%2e/api/healthz"},
		{name: "open redirect with a backslash", method: "GET", path: "/\\evil.example/../api/healthz"},
		{name: "unknown route", method: "GET", path: "/api/admin", echo: "admin"},
		{name: "POST on a read route", method: "POST", path: "/api/vehicles/" + vin, body: `{"vin":"x"}`, echo: vin},
		{name: "PUT on a read route", method: "PUT", path: "/api/vehicles/" + vin, body: "{}", echo: vin},
		{name: "DELETE on a read route", method: "DELETE", path: "/api/vehicles/" + vin, echo: vin},
		{name: "TRACE", method: "TRACE", path: "/api/vehicles/" + vin, echo: vin,
			header: http.Header{"X-Canary": {"trace-me-back-123"}}},
		{name: "PATCH on health", method: "PATCH", path: "/api/healthz", body: "{}"},
		{name: "oversized body", method: "GET", path: "/api/vehicles/" + vin, body: strings.Repeat("x", 2<<20)},
		{name: "oversized token", method: "GET", path: "/api/vehicles/" + vin,
			header: http.Header{"Authorization": {"Bearer " + strings.Repeat("a", 100<<10)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := rawCall(t, c.method, c.path, c.header, c.body)
			if a.status >= 300 && a.status < 400 {
				// net/http's ServeMux redirects an unclean path (dot segments, double slashes)
				// to its clean form on the same server; that is fine, an open redirect is not.
				loc := a.header.Get("Location")
				if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
					t.Errorf("%s %.80s: redirect to %q, want a path on this server", c.method, c.path, loc)
				}
				return
			}
			if a.status < 400 || a.status >= 500 {
				t.Fatalf("%s %.80s: status %d, want a 4xx (or a redirect to the clean path): %.300s", c.method, c.path, a.status, a.body)
			}
			if c.echo != "" && strings.Contains(string(a.body), c.echo) {
				t.Errorf("the answer echoes the input %q: %.300s", c.echo, a.body)
			}
			if strings.Contains(string(a.body), "trace-me-back-123") {
				t.Errorf("the answer reflects a request header: %.300s", a.body)
			}
			if a.header.Get("X-Request-Id") == "" {
				return // answered by net/http before the gateway (e.g. a malformed request line)
			}
			var e struct {
				Error struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal(a.body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Errorf("status %d without the contract's error body: %.300s", a.status, a.body)
			}
			if a.status == http.StatusMethodNotAllowed && a.header.Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
		})
	}
}

// TestCallerCannotBeSmuggled sends, without a token, every header and query an upstream proxy or
// a careless integration might trust for identity, naming alice, who holds a grant for the car:
// the answer must stay the public view.
func TestCallerCannotBeSmuggled(t *testing.T) {
	vin := freshVIN(t)
	alice := subjectOf(t, "alice")
	grant(t, vin, alice, time.Now().Add(time.Hour))
	secretsOf, _ := personalValues(t, vin)
	smuggled := http.Header{}
	for _, h := range []string{
		"X-Caller-Sub", "X-Sub", "X-User", "X-User-Id", "X-Forwarded-User", "X-Remote-User", "Remote-User",
		"X-Amzn-Oidc-Identity", "X-Auth-Request-User", "X-Authenticated-Userid",
	} {
		smuggled.Set(h, alice)
	}
	for _, h := range []string{"X-Role", "X-Caller-Role", "X-User-Role"} {
		smuggled.Set(h, "consumer")
	}
	smuggled.Set("X-Amzn-Oidc-Data", tokenOf(t, "alice")) // an ALB-style identity header, unsigned by us
	smuggled.Set("Cookie", "access_token="+tokenOf(t, "alice"))
	q := url.Values{
		"sub": {alice}, "caller.sub": {alice}, "caller[sub]": {alice}, "role": {"consumer"},
		"caller.role": {"consumer"}, "access_token": {tokenOf(t, "alice")}, "access": {"owner"},
	}
	pkeys := personalKeys(t)
	for name, path := range map[string]string{
		"headers":          "/vehicles/" + string(vin),
		"query":            "/vehicles/" + string(vin) + "?" + q.Encode(),
		"query and header": "/vehicles/" + string(vin) + "?" + q.Encode(),
	} {
		h := http.Header{}
		if name != "query" {
			h = smuggled
		}
		a := call(t, http.MethodGet, path, h, nil)
		if a.status != http.StatusOK {
			t.Errorf("%s: status %d, want 200 (the public view): %s", name, a.status, a.body)
			continue
		}
		checkReport(t, a.body, vin, "public")
		checkNoPersonalData(t, name, a.body, pkeys, secretsOf)
	}
}

// TestClientCannotChooseItsRequestID: the request id correlates the access log with the state
// machines' logs, so a client must not be able to plant one (to forge or hide log lines); and a
// foreign origin gets no credentialed CORS grant.
func TestClientCannotChooseItsRequestIDOrOrigin(t *testing.T) {
	const planted = "planted-request-id-5f1c9e"
	remember("client-chosen request id", planted)
	h := http.Header{"X-Request-Id": {planted}, "Origin": {"https://evil.example"}}
	for _, path := range []string{"/healthz", "/vehicles/" + string(freshVIN(t)), "/vehicles/invalid"} {
		a := call(t, http.MethodGet, path, h, nil)
		if got := a.header.Get("X-Request-Id"); got == "" || got == planted {
			t.Errorf("GET %s: X-Request-Id %q, want the gateway's own id", path, got)
		}
		acao := a.header.Get("Access-Control-Allow-Origin")
		if acao == "https://evil.example" || (acao == "*" && a.header.Get("Access-Control-Allow-Credentials") == "true") {
			t.Errorf("GET %s: a foreign origin gets CORS access (%q, credentials %q)", path, acao,
				a.header.Get("Access-Control-Allow-Credentials"))
		}
	}
}

// TestHostileBodiesGetA400: request bodies that try to smuggle a caller, or that are malformed in
// ways parsers disagree on, are refused with a 400 naming a field, never a 500 and never run.
func TestHostileBodiesGetA400(t *testing.T) {
	token, _ := freshConsumer(t)
	vin := string(freshVIN(t))
	challenge := "/api/vehicles/" + vin + "/ownership-challenges"
	verify := challenge + "/0123456789abcdef0123456789abcdef/verify"
	asJSON := http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}
	asText := http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"text/plain"}}
	cases := []struct {
		name, path, body string
		header           http.Header
	}{
		{"caller smuggled in the body", challenge, `{"method":"owner-code","caller":{"sub":"x","role":"consumer"}}`, asJSON},
		{"VIN smuggled in the body", challenge, `{"method":"owner-code","vin":"WVWZZZCD3MW100001"}`, asJSON},
		{"challenge id smuggled in the body", challenge, `{"method":"owner-code","challengeId":"0123456789abcdef0123456789abcdef"}`, asJSON},
		{"unknown method", challenge, `{"method":"trust-me"}`, asJSON},
		{"method of the wrong type", challenge, `{"method":["owner-code"]}`, asJSON},
		{"null body", challenge, `null`, asJSON},
		{"empty object", challenge, `{}`, asJSON},
		{"not JSON", challenge, `method=owner-code`, asJSON},
		{"text/plain", challenge, `{"method":"owner-code"}`, asText},
		{"invalid UTF-8", challenge, "{\"method\":\"owner-code\xff\"}", asJSON},
		{"deep nesting", challenge, strings.Repeat("[", 100000) + strings.Repeat("]", 100000), asJSON},
		{"trailing garbage", challenge, `{"method":"owner-code"}{"method":"document-code"}`, asJSON},
		{"code of Arabic-Indic digits", verify, `{"code":"١٢٣٤٥٦"}`, asJSON},
		{"code too long", verify, `{"code":"` + strings.Repeat("1", 64) + `"}`, asJSON},
		{"code as a number", verify, `{"code":123456}`, asJSON},
		{"code with a NUL", verify, `{"code":"12345\u00006"}`, asJSON},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := rawCall(t, http.MethodPost, c.path, c.header, c.body)
			if a.status != http.StatusBadRequest && a.status != http.StatusUnsupportedMediaType {
				t.Fatalf("status %d, want 400 (or 415): %.300s", a.status, a.body)
			}
			var e struct {
				Error struct{ Code, Field, Rule string }
			}
			if err := json.Unmarshal(a.body, &e); err != nil || e.Error.Code == "" {
				t.Errorf("no contract error body: %.300s", a.body)
			}
			if a.status == http.StatusBadRequest && (e.Error.Field == "" || e.Error.Rule == "") {
				t.Errorf("a 400 that names no field or rule: %.300s", a.body)
			}
		})
	}
	if n := len(stack.Outbox.Sent(vehicle.VIN(vin))); n != 0 {
		t.Errorf("a refused body still sent %d codes to the owner on record", n)
	}
}

package stack_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/local/stack"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func call(t *testing.T, method, u, token string, form url.Values) (int, http.Header, []byte) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, b
}

// TestStackEndToEnd drives the running stack the way the README tells a developer to, then
// closes it and checks nothing is left listening.
func TestStackEndToEnd(t *testing.T) {
	logs := &syncBuffer{}
	stack, err := stack.Start(t.Context(), stack.Config{
		Sim:    sim.Options{NoLatency: true},
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = stack.Close()
		}
	})

	t.Run("health names every part", func(t *testing.T) {
		status, _, body := call(t, "GET", stack.URL+"/healthz", "", nil)
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		for _, part := range []string{"dynalite", "oidc-issuer", "state-machines"} {
			if !bytes.Contains(body, []byte(`"name":"`+part+`","status":"up"`)) {
				t.Errorf("health lacks %s up: %s", part, body)
			}
		}
		// Legacy systems are reported from their clients' knowledge, never probed.
		for _, part := range []string{"legacy-workshop", "legacy-registry"} {
			if !bytes.Contains(body, []byte(`"name":"`+part+`"`)) {
				t.Errorf("health lacks %s: %s", part, body)
			}
		}
	})

	t.Run("a stalled body is cut off with 408", func(t *testing.T) {
		// Over a real TCP connection, anonymous: Content-Length 100, 12 bytes, then silence.
		conn, err := (&net.Dialer{}).DialContext(t.Context(), "tcp", strings.TrimPrefix(stack.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = conn.Close() }()
		req := "POST /api/vehicles/" + string(world.DemoClean) + "/ownership-challenges HTTP/1.1\r\nHost: x\r\n" +
			"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n" + `{"method":"o`
		if _, err := conn.Write([]byte(req)); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second)) // a guard, far above the body timeout
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer to a stalled body: %v", err)
		}
		_ = res.Body.Close()
		if res.StatusCode != http.StatusRequestTimeout {
			t.Fatalf("stalled body: status %d, want 408", res.StatusCode)
		}
	})

	t.Run("health answers HEAD, and 405 with Allow for other methods", func(t *testing.T) {
		for _, u := range []string{stack.URL + "/healthz", stack.APIURL + "/healthz"} {
			if status, _, body := call(t, "HEAD", u, "", nil); status != 200 || len(body) != 0 {
				t.Errorf("HEAD %s: %d, %d bytes", u, status, len(body))
			}
			status, h, _ := call(t, "POST", u, "", url.Values{})
			if status != 405 || h.Get("Allow") != "GET, HEAD" {
				t.Errorf("POST %s: %d, Allow %q; want 405 and GET, HEAD", u, status, h.Get("Allow"))
			}
		}
	})

	t.Run("banner tells how to use it", func(t *testing.T) {
		banner := stack.Banner()
		if first := strings.SplitN(strings.TrimLeft(banner, "\n"), "\n", 2)[0]; !strings.Contains(first, stack.URL+"/ ") {
			t.Errorf("the banner's first line %q is not the site's URL", first)
		}
		for _, want := range []string{stack.APIURL, stack.IssuerURL + "/token", string(world.DemoRollback),
			stack.Sims.URL("workshop") + "/__admin/faults", "/__admin/reset", "jq -r .documentCode",
			"Step Functions API: " + stack.StepFunctionsURL, "aws stepfunctions start-sync-execution --endpoint-url " + stack.StepFunctionsURL} {
			if !strings.Contains(banner, want) {
				t.Errorf("banner lacks %q:\n%s", want, banner)
			}
		}
	})

	t.Run("the AWS CLI's requests reach the state machines", func(t *testing.T) {
		awsCLIRequests(t, stack.StepFunctionsURL, stack.Banner())
	})

	t.Run("every demo answer keeps the contract", func(t *testing.T) {
		for _, d := range world.Demos() {
			status, h, body := call(t, "GET", stack.APIURL+"/vehicles/"+string(d.VIN), "", nil)
			checkContract(t, "/vehicles/"+string(d.VIN), status, h, body)
		}
		status, h, body := call(t, "GET", stack.APIURL+"/healthz", "", nil)
		checkContract(t, "/healthz", status, h, body)
	})

	t.Run("anonymous report is the public view", func(t *testing.T) {
		status, h, body := call(t, "GET", stack.APIURL+"/vehicles/"+string(world.DemoClean), "", nil)
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		var r map[string]any
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		if r["vin"] != string(world.DemoClean) || r["access"] != "public" || r["owner"] != nil {
			t.Errorf("report %s", body)
		}
		if h.Get("X-Request-Id") == "" {
			t.Error("no request id")
		}
	})

	t.Run("a dev token is accepted and a forged one is not", func(t *testing.T) {
		status, _, body := call(t, "POST", stack.IssuerURL+"/token", "", url.Values{"grant_type": {"password"}, "username": {"alice"}})
		if status != 200 {
			t.Fatalf("token: status %d: %s", status, body)
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
			t.Fatalf("token answer %s: %v", body, err)
		}
		vinURL := stack.APIURL + "/vehicles/" + string(world.DemoRecall)
		if status, _, body := call(t, "GET", vinURL, tok.AccessToken, nil); status != 200 {
			t.Errorf("with alice's token: status %d: %s", status, body)
		}
		status, h, body := call(t, "GET", vinURL, tok.AccessToken+"x", nil)
		if status != 401 || !strings.Contains(h.Get("WWW-Authenticate"), "invalid_token") {
			t.Errorf("forged token: status %d %q: %s", status, h.Get("WWW-Authenticate"), body)
		}
	})

	t.Run("unknown paths get the contract's 404", func(t *testing.T) {
		for _, p := range []string{"/api/nope", "/api", "/dev/nope", "/healthz/x"} {
			status, h, body := call(t, "GET", stack.URL+p, "", nil)
			if status != 404 || h.Get("Content-Type") != "application/json" || !bytes.Contains(body, []byte(`"code":"NOT_FOUND"`)) {
				t.Errorf("GET %s: %d %s", p, status, body)
			}
		}
	})

	t.Run("the domain's VIN rules reach the caller", func(t *testing.T) {
		bad := string(world.DemoClean[:8]) + "0" + string(world.DemoClean[9:]) // wrong check digit
		if bad == string(world.DemoClean) {
			bad = string(world.DemoClean[:8]) + "1" + string(world.DemoClean[9:])
		}
		status, _, body := call(t, "GET", stack.APIURL+"/vehicles/"+bad, "", nil)
		if status != 400 || !bytes.Contains(body, []byte(`"field":"vin"`)) || !bytes.Contains(body, []byte(`"rule":"check-digit"`)) {
			t.Errorf("status %d: %s", status, body)
		}
		status, _, body = call(t, "GET", stack.APIURL+"/vehicles/"+string(world.DemoUnknown), "", nil)
		if status != 404 {
			t.Errorf("unknown VIN: status %d: %s", status, body)
		}
	})

	t.Run("logs carry no VIN", func(t *testing.T) {
		text := logs.String()
		for _, d := range world.Demos() {
			if strings.Contains(text, string(d.VIN)) {
				t.Errorf("a log line carries the VIN %s", d.VIN)
			}
		}
		if !strings.Contains(text, `"route":"/vehicles/{vin}"`) {
			t.Error("the access log lacks the route template")
		}
	})

	endpoints := []string{stack.URL + "/healthz", stack.Dynalite.Endpoint, stack.Sims.URL("workshop") + "/__admin/stats"}
	if err := stack.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	closed = true
	client := &http.Client{Timeout: 2 * time.Second}
	for _, u := range endpoints {
		req, _ := http.NewRequestWithContext(context.Background(), "GET", u, nil)
		if res, err := client.Do(req); err == nil {
			_ = res.Body.Close()
			t.Errorf("%s still answers after Close", u)
		}
	}
}

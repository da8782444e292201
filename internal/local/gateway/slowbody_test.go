package gateway_test

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/local/gateway"
)

// A client that announces a body and stalls keeps a connection and a goroutine for as long as the
// server lets it: the gateway gives the body a deadline and answers 408, over a real TCP
// connection, anonymous or not, and nothing reaches a state machine.
func TestStalledBodyGets408(t *testing.T) {
	e := newEnv(t, func(o *gateway.Options) { o.Spec = []byte(bodySpec); o.BodyTimeout = 300 * time.Millisecond })
	for name, authz := range map[string]string{"anonymous": "", "signed in": "Authorization: " + goodToken + "\r\n"} {
		t.Run(name, func(t *testing.T) {
			conn, err := (&net.Dialer{}).DialContext(t.Context(), "tcp", strings.TrimPrefix(e.srv.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = conn.Close() }()
			// Content-Length 100, 12 bytes sent, then silence.
			req := "POST /api/things/abc HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n" + authz +
				"Content-Length: 100\r\n\r\n" + `{"name":"Gol`
			if _, err := conn.Write([]byte(req)); err != nil {
				t.Fatal(err)
			}
			// A guard against a hang, far above the body timeout: the test fails, not stalls.
			_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no response to a stalled body: %v", err)
			}
			defer func() { _ = res.Body.Close() }()
			var body struct {
				Error struct{ Code, Message, Field, Rule string } `json:"error"`
			}
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != http.StatusRequestTimeout || body.Error.Field != "body" || body.Error.Rule != "read-timeout" {
				t.Fatalf("status %d, error %+v; want 408 naming the body", res.StatusCode, body.Error)
			}
			if !res.Close {
				t.Error("the connection stays open after a stalled body")
			}
		})
	}
	if n := len(e.exec.Calls()); n != 0 {
		t.Errorf("%d executions started from a stalled body", n)
	}
}

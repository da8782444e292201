package dynalite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// dynalite's node process exits when a client hangs up in the middle of a request (found by a
// test that cancels requests in flight: after some aborted PutItems nothing answers). Clients
// do hang up: a context deadline, a Lambda timeout's stand-in, a gateway timeout. So clients
// talk to a shield instead, which reads the whole request first and finishes every request it
// forwards, whatever its client does, then drops the answer nobody waits for.

// shieldTimeout bounds one forwarded request; far above any healthy answer.
const shieldTimeout = 30 * time.Second

// maxShieldBody bounds a request body (DynamoDB's own request limit is 16 MB).
const maxShieldBody = 16 << 20

type shield struct {
	srv    *http.Server
	target string
	client *http.Client
}

// startShield serves on a free loopback port and forwards to target (node's endpoint).
func startShield(ctx context.Context, target string) (*shield, string, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", fmt.Errorf("start dynalite shield: %w", err)
	}
	sh := &shield{target: target, client: &http.Client{
		Timeout: shieldTimeout,
		Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConns:        512,
			MaxIdleConnsPerHost: 512,
			IdleConnTimeout:     90 * time.Second,
		},
	}}
	sh.srv = &http.Server{Handler: sh, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() { _ = sh.srv.Serve(ln) }()
	return sh, "http://" + ln.Addr().String(), nil
}

func (sh *shield) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The whole body first: a client that hangs up while sending never reaches node.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxShieldBody))
	if err != nil {
		http.Error(w, "request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	// Not the client's context: the forwarded request runs to its end even if the client leaves.
	ctx := context.WithoutCancel(r.Context())
	out, err := http.NewRequestWithContext(ctx, r.Method, sh.target+r.URL.RequestURI(), bytes.NewReader(body)) //nolint:gosec // the target is node's own loopback endpoint; only the path comes from the client
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	res, err := sh.client.Do(out) //nolint:gosec // to node's own loopback endpoint (see above)
	if err != nil {
		http.Error(w, "dynalite: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer func() { _ = res.Body.Close() }()
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.StatusCode)
	// The answer is read whole even when the client is gone, so node's side always completes.
	if _, err := io.Copy(w, res.Body); err != nil {
		_, _ = io.Copy(io.Discard, res.Body)
	}
}

func (sh *shield) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := sh.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		_ = sh.srv.Close()
	}
	sh.client.CloseIdleConnections()
}

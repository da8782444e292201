package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Request is one logical call to a legacy system.
type Request struct {
	Method string // default GET
	// Path is appended to Config.BaseURL as is: escape it before (it usually
	// holds a VIN, which is why it never reaches logs, errors or traces).
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
	// Idempotent allows retries. It is explicit, not derived from Method,
	// because SOAP and mainframe gateways read over POST.
	Idempotent bool
	// Operation is a low-cardinality name ("get-build-data") for traces,
	// errors and metrics. Never put identifiers in it.
	Operation string
}

// Response is a successful (2xx) answer with its body fully read.
type Response struct {
	Status   int
	Header   http.Header
	Body     []byte
	Attempts int // attempts that reached the wire, 1 + retries
}

// Client is the resilient transport for one legacy system. It is safe for
// concurrent use; create one per system and share it.
type Client struct {
	cfg          Config
	base         http.RoundTripper
	ownTransport *http.Transport // nil when Config.Transport was supplied
	breaker      *breaker
	metrics      counters
	outcome      outcomeRecorder
	// transitions hands breaker state changes from onStateChange (which runs
	// under the breaker's mutex) to the calling goroutine, which logs them after
	// the lock is released. No goroutine drains it, so none can leak; when it
	// is full, log lines are dropped but the atomic counters still count.
	transitions chan transition
}

type transition struct{ from, to breakerState }

// New builds a Client from cfg, applying defaults for zero values.
func New(cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, transitions: make(chan transition, 64)}
	if cfg.Transport != nil {
		c.base = cfg.Transport
	} else {
		c.ownTransport = newTransport()
		c.base = c.ownTransport
	}
	c.breaker = newBreaker(breakerSettings{
		trip:         cfg.Breaker.ConsecutiveFailures,
		openTimeout:  cfg.Breaker.OpenTimeout,
		halfOpenMax:  cfg.Breaker.HalfOpenMaxRequests,
		interval:     cfg.Breaker.Interval,
		now:          cfg.Breaker.Now,
		isSuccessful: breakerSuccess,
		isExcluded:   breakerExcluded,
		onChange:     c.onStateChange,
	})
	return c, nil
}

// newTransport is a dedicated pool per system so one slow system cannot
// exhaust connections another needs. Proxy is deliberately nil: legacy
// systems are reached directly, and VIN-bearing URLs must not detour through
// whatever HTTP_PROXY a host happens to set.
func newTransport() *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// Close releases idle pooled connections (and their goroutines). The Client
// must not be used afterwards.
func (c *Client) Close() {
	if c.ownTransport != nil {
		c.ownTransport.CloseIdleConnections()
	}
}

// Metrics returns a snapshot of the counters; safe for concurrent use.
func (c *Client) Metrics() Metrics { return c.metrics.snapshot() }

// BreakerState is "closed", "open" or "half-open".
func (c *Client) BreakerState() string {
	s := c.breaker.State() // may itself move open -> half-open
	c.flushTransitions(context.Background())
	return s.String()
}

// BadPayload lets a system client report a payload it could not decode as an
// ErrBadPayload *Error, counted in Metrics. cause is kept for errors.As but
// not printed (decoder errors may quote payload content). resp may be nil.
func (c *Client) BadPayload(operation string, resp *Response, cause error) error {
	e := c.fail(&call{req: &Request{Operation: operation}}, reasonBadPayload, 0, cause)
	if resp != nil {
		e.Status, e.Attempts = resp.Status, resp.Attempts
	}
	return e
}

// onStateChange runs while the breaker holds its mutex: only atomics and a
// non-blocking send here; logging happens in flushTransitions.
func (c *Client) onStateChange(from, to breakerState) {
	if from >= 0 && from < 3 && to >= 0 && to < 3 {
		c.metrics.transitions[from][to].Add(1)
	}
	select {
	case c.transitions <- transition{from, to}:
	default:
	}
}

// BreakerChangedMessage is the log line of a breaker state change; its "to" attribute says to
// which state ("open", "half-open", "closed"). CDK's breaker alarm filters the logs on it.
const BreakerChangedMessage = "legacy system breaker state changed"

// flushTransitions logs queued state changes outside the breaker lock.
func (c *Client) flushTransitions(ctx context.Context) {
	for {
		select {
		case t := <-c.transitions:
			level := slog.LevelInfo
			if t.to == stateOpen {
				level = slog.LevelWarn
			}
			c.cfg.Logger.LogAttrs(ctx, level, BreakerChangedMessage,
				slog.String("system", c.cfg.System),
				slog.String("from", t.from.String()),
				slog.String("to", t.to.String()))
			if c.cfg.Hooks.BreakerChange != nil {
				c.cfg.Hooks.BreakerChange(ctx, c.cfg.System, t.from.String(), t.to.String())
			}
		default:
			return
		}
	}
}

func breakerSuccess(err error) bool {
	if err == nil {
		return true
	}
	var ae *attemptError
	if errors.As(err, &ae) {
		return !ae.reason.breakerFailure()
	}
	return false
}

// breakerExcluded: an attempt cut short by the caller (cancellation, or the
// caller's own deadline expiring first) says nothing about the system's
// health; only our AttemptTimeout judges slowness.
func breakerExcluded(err error) bool {
	var ae *attemptError
	return errors.As(err, &ae) && (ae.reason == reasonCanceled || ae.reason == reasonDeadline)
}

// call is the state of one Do invocation. It is only touched by the calling
// goroutine: retryablehttp runs attempts sequentially and net/http calls
// RoundTrip on the caller's goroutine.
type call struct {
	c        *Client
	req      *Request
	tries    int           // RoundTrip invocations, including short-circuited ones
	attempts int           // attempts that reached the wire
	wait     time.Duration // next backoff, decided in checkRetry
	stop     reason        // set when checkRetry ends the call with its own outcome
	status   int           // HTTP status of the final response, 0 if none
}

// Do sends one logical call, with retries for idempotent requests, and
// returns the fully read (capped) body of a 2xx answer. Any other outcome is
// an *Error (see the Err* kinds).
//
// Composition (why it is built this way): go-retryablehttp drives the retry
// loop; its HTTPClient's RoundTripper runs every single attempt inside
// breaker.execute. So the breaker counts each attempt, not each call, and an
// open breaker surfaces as an attempt error that checkRetry refuses to retry.
// checkRetry also consults the breaker before every retry, so a retry never
// starts on a breaker its own earlier attempt just opened. The body is read
// inside the attempt, so AttemptTimeout, the breaker and the retry decision
// all cover truncated and oversized bodies too.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	c.metrics.calls.Add(1)
	if req == nil {
		return nil, c.fail(&call{}, reasonInvalidRequest, 0, errors.New("nil request"))
	}
	cl := &call{c: c, req: req}
	var resp *Response
	err := c.observe(ctx, cl, func(ctx context.Context) error {
		var err error
		resp, err = c.do(ctx, cl)
		return err
	})
	c.flushTransitions(ctx)
	return resp, err
}

func (c *Client) do(ctx context.Context, cl *call) (*Response, error) {
	hreq, err := c.newRequest(ctx, cl.req)
	if err != nil {
		// err may embed the URL (url.Parse errors do): drop it.
		return nil, c.fail(cl, reasonInvalidRequest, 0, nil)
	}
	retries := c.cfg.MaxRetries
	if !cl.req.Idempotent {
		retries = 0
	}
	// A retryablehttp.Client per call is cheap (a struct) and lets the retry
	// hooks close over this call's state; the connection pool and breaker
	// are shared through c. Logger stays nil: its default logger prints URLs.
	rc := &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport:     (*attemptTransport)(cl),
			CheckRedirect: noRedirects,
		},
		RetryMax:     retries,
		RetryWaitMin: c.cfg.RetryWaitMin,
		RetryWaitMax: c.cfg.RetryWaitMax,
		CheckRetry:   cl.checkRetry,
		Backoff:      func(time.Duration, time.Duration, int, *http.Response) time.Duration { return cl.wait },
		// The default error path wraps with "METHOD URL giving up ...": pass
		// the raw outcome through and classify it in finish instead.
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) { return resp, err },
	}
	hresp, err := rc.Do(hreq)
	if hresp != nil {
		defer func() { _ = hresp.Body.Close() }() // in-memory body; nothing to report
	}
	return c.finish(ctx, cl, hresp, err)
}

func (c *Client) newRequest(ctx context.Context, r *Request) (*retryablehttp.Request, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	var b strings.Builder
	b.WriteString(c.cfg.BaseURL)
	if !strings.HasPrefix(r.Path, "/") {
		b.WriteByte('/')
	}
	b.WriteString(r.Path)
	if len(r.Query) > 0 {
		b.WriteByte('?')
		b.WriteString(r.Query.Encode())
	}
	var body any // a typed nil []byte would still make retryablehttp set a body
	if r.Body != nil {
		body = r.Body
	}
	hreq, err := retryablehttp.NewRequestWithContext(ctx, method, b.String(), body)
	if err != nil {
		return nil, err
	}
	for k, vs := range r.Header {
		hreq.Header[k] = append([]string(nil), vs...)
	}
	return hreq, nil
}

// noRedirects makes net/http hand back a 3xx as is; finish turns it into an
// error. Following it would send a VIN-bearing request somewhere unvetted.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// attemptTransport is the RoundTripper of the per-call http.Client. It does
// not implement CloseIdleConnections on purpose: retryablehttp calls that on
// every failed call, which would tear down the pool shared with other calls.
type attemptTransport call

func (t *attemptTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	cl := (*call)(t)
	c := cl.c
	if err := r.Context().Err(); err != nil {
		// Already out of time: neither the wire nor the breaker gets involved.
		rs := reasonDeadline
		if errors.Is(err, context.Canceled) {
			rs = reasonCanceled
		}
		return nil, &attemptError{reason: rs, cause: err}
	}
	cl.tries++
	if cl.tries > 1 {
		c.metrics.retries.Add(1)
	}
	res, err := c.breaker.execute(func() (attemptResult, error) {
		cl.attempts++
		c.metrics.attempts.Add(1)
		// The response travels on to net/http and retryablehttp, which close
		// it; its body is already an in-memory buffer.
		resp, err := c.attempt(r) //nolint:bodyclose // closed by the caller chain, see above
		return attemptResult{resp}, err
	})
	resp := res.resp
	c.flushTransitions(r.Context())
	if errors.Is(err, errBreakerOpen) || errors.Is(err, errHalfOpenFull) {
		c.metrics.shortCircuited.Add(1)
		return nil, &attemptError{reason: reasonBreakerOpen, cause: err}
	}
	if resp != nil {
		// Status failures (5xx, 429) were reported to the breaker as errors;
		// the retry policy judges them from the response and its headers.
		return resp, nil
	}
	return nil, err
}

// attemptResult carries a response through breaker.execute. (A struct, not
// *http.Response directly, so the breaker's type parameter is not mistaken
// for an unclosed response by the bodyclose linter.)
type attemptResult struct{ resp *http.Response }

// attempt performs one HTTP exchange under AttemptTimeout and reads the body.
func (c *Client) attempt(r *http.Request) (*http.Response, error) {
	parent := r.Context()
	ctx, cancel := context.WithTimeout(parent, c.cfg.AttemptTimeout)
	defer cancel()
	resp, err := c.base.RoundTrip(r.WithContext(ctx))
	if err != nil {
		return nil, &attemptError{reason: transportReason(parent, ctx, err), cause: stripURL(err)}
	}
	body, err := readCapped(resp, c.cfg.MaxBodyBytes)
	_ = resp.Body.Close() // a read error already decides the outcome
	if err != nil {
		if errors.Is(err, errOversized) {
			return nil, &attemptError{reason: reasonOversized, cause: err}
		}
		rs := transportReason(parent, ctx, err)
		if rs == reasonConnection || rs == reasonConnReset {
			rs = reasonTruncated
		}
		return nil, &attemptError{reason: rs, cause: err}
	}
	resp.Body = &bufferedBody{Reader: bytes.NewReader(body), buf: body}
	resp.ContentLength = int64(len(body))
	if rs := statusReason(resp.StatusCode); rs.breakerFailure() {
		return resp, &attemptError{reason: rs}
	}
	return resp, nil
}

// bufferedBody keeps the read bytes reachable so finish need not copy them.
type bufferedBody struct {
	*bytes.Reader
	buf []byte
}

func (*bufferedBody) Close() error { return nil }

var errOversized = errors.New("response body exceeds MaxBodyBytes")

func readCapped(resp *http.Response, limit int64) ([]byte, error) {
	if resp.ContentLength > limit {
		return nil, errOversized // do not even start reading
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, errOversized
	}
	return buf.Bytes(), nil
}

// transportReason classifies a failed exchange. The caller's context is
// checked first: when it is done, the attempt did not fail on its own.
func transportReason(parent, attemptCtx context.Context, err error) reason {
	switch {
	case errors.Is(parent.Err(), context.Canceled):
		return reasonCanceled
	case parent.Err() != nil:
		return reasonDeadline
	case attemptCtx.Err() != nil:
		return reasonTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return reasonConnRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return reasonConnReset
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return reasonTimeout
	}
	return reasonConnection
}

func statusReason(status int) reason {
	switch {
	case status >= 200 && status < 300:
		return reasonOK
	case status >= 300 && status < 400:
		return reasonRedirect // not followed: a legacy redirect is a misconfiguration
	case status == http.StatusNotFound || status == http.StatusGone:
		return reasonNotFound
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		return reasonBadRequest
	case status == http.StatusTooManyRequests:
		return reasonRateLimited
	case status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		return reasonGateway
	case status >= 500:
		return reasonServerError
	default:
		return reasonUnexpectedStatus
	}
}

// stripURL drops *url.Error wrappers, whose text contains the full URL. In
// practice net/http only ever adds one, outermost.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return stripURL(ue.Err)
	}
	return err
}

// outcome is the reason for what one attempt produced.
func outcome(resp *http.Response, err error) reason {
	if err != nil {
		var ae *attemptError
		if errors.As(err, &ae) {
			return ae.reason
		}
		return reasonConnection
	}
	if resp == nil {
		return reasonConnection
	}
	return statusReason(resp.StatusCode)
}

// checkRetry is retryablehttp's CheckRetry: retry only idempotent requests,
// only retryable outcomes, at most MaxRetries times, never on an open
// breaker, and only when the wait fits the caller's deadline.
func (cl *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	c := cl.c
	if ctx.Err() != nil || !cl.req.Idempotent || cl.tries > c.cfg.MaxRetries {
		return false, nil
	}
	if !outcome(resp, err).retryable() {
		return false, nil
	}
	if c.breaker.State() == stateOpen {
		c.flushTransitions(ctx)
		return false, nil
	}
	deadline, hasDeadline := ctx.Deadline()
	if wait, ok := retryAfter(resp); ok {
		// Without a caller deadline, AttemptTimeout bounds what we agree to
		// wait: DESIGN.md wants every legacy call bounded.
		budget := c.cfg.AttemptTimeout
		if hasDeadline {
			budget = time.Until(deadline)
		}
		if wait >= budget {
			cl.stop = reasonRetryAfterTooLong // fail fast instead of sleeping into the deadline
			return false, nil
		}
		cl.wait = wait
		return true, nil
	}
	wait := c.backoff(cl.tries)
	if hasDeadline && wait >= time.Until(deadline) {
		return false, nil
	}
	cl.wait = wait
	return true, nil
}

// retryAfter parses Retry-After as delay-seconds or an HTTP-date.
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second) // avoid Duration overflow
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

package transport

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults, chosen for the typical latencies in DESIGN.md (0.1 - 3 s): one
// attempt may take the slowest normal answer plus margin, and two retries
// still fit a Lambda's budget.
const (
	DefaultAttemptTimeout      = 4 * time.Second
	DefaultMaxRetries          = 2
	DefaultRetryWaitMin        = 100 * time.Millisecond
	DefaultRetryWaitMax        = 1 * time.Second
	DefaultMaxBodyBytes        = 4 << 20
	DefaultConsecutiveFailures = 5
	DefaultOpenTimeout         = 30 * time.Second
	DefaultHalfOpenMaxRequests = 1

	// maxRetriesCap is DESIGN.md principle 4: at most 2 retries, anywhere.
	maxRetriesCap = 2
)

// BreakerConfig configures the per-client circuit breaker. Zero values take
// the defaults above.
type BreakerConfig struct {
	// ConsecutiveFailures is the number of failed attempts in a row (not
	// calls: every attempt counts) that opens the breaker.
	ConsecutiveFailures uint32
	// OpenTimeout is how long the breaker stays open before letting trial
	// requests through (half-open).
	OpenTimeout time.Duration
	// HalfOpenMaxRequests is how many trial requests may run while half-open;
	// that many consecutive successes close the breaker again.
	HalfOpenMaxRequests uint32
	// Interval, when > 0, clears the closed-state counts periodically. The
	// consecutive-failure counter is reset by any success regardless.
	Interval time.Duration
	// Now is the clock the open timeout is measured by; time.Now when nil.
	// Tests inject one to move past the timeout without sleeping.
	Now func() time.Time
}

// Config configures one Client, i.e. one legacy system.
type Config struct {
	// System names the legacy system ("vehicle-master", "workshop",
	// "registry", "recalls", "dealer-stock", "offers"). It names the trace
	// call span and appears in logs and errors, so it must not be personal.
	System string
	// BaseURL is scheme://host[:port][/prefix]; Request.Path is appended.
	BaseURL string
	// AttemptTimeout bounds each attempt including reading the body. The
	// caller's context deadline bounds the whole call on top of it.
	AttemptTimeout time.Duration
	// MaxRetries: 0 means DefaultMaxRetries, negative disables retries, values
	// above 2 are capped at 2.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the jittered exponential backoff.
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxBodyBytes caps response bodies; larger ones fail with ErrBadPayload.
	MaxBodyBytes int64
	Breaker      BreakerConfig
	// Logger receives breaker state changes only (system, from, to). Nil
	// discards.
	Logger *slog.Logger
	// Transport overrides the underlying RoundTripper (tests, benchmarks, or a
	// custom TLS setup). Nil uses a dedicated pooled transport that Close
	// releases.
	Transport http.RoundTripper
	// Hooks observe calls and breaker changes (metrics); zero observes nothing.
	Hooks Hooks
}

// withDefaults validates cfg and fills zero values.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.System == "" {
		return cfg, errors.New("transport: Config.System is required")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		// The base URL carries no VIN, but the parse error is dropped anyway
		// to keep one rule: no URLs in errors.
		return cfg, fmt.Errorf("transport %s: Config.BaseURL must be an absolute http(s) URL", cfg.System)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return cfg, fmt.Errorf("transport %s: Config.BaseURL scheme must be http or https", cfg.System)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = DefaultAttemptTimeout
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	case cfg.MaxRetries > maxRetriesCap:
		cfg.MaxRetries = maxRetriesCap
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = DefaultRetryWaitMin
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = DefaultRetryWaitMax
	}
	if cfg.RetryWaitMax < cfg.RetryWaitMin {
		cfg.RetryWaitMax = cfg.RetryWaitMin
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Breaker.ConsecutiveFailures == 0 {
		cfg.Breaker.ConsecutiveFailures = DefaultConsecutiveFailures
	}
	if cfg.Breaker.OpenTimeout <= 0 {
		cfg.Breaker.OpenTimeout = DefaultOpenTimeout
	}
	if cfg.Breaker.HalfOpenMaxRequests == 0 {
		cfg.Breaker.HalfOpenMaxRequests = DefaultHalfOpenMaxRequests
	}
	if cfg.Breaker.Now == nil {
		cfg.Breaker.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}

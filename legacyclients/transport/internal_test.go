package transport

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfterParsing(t *testing.T) {
	future := time.Now().Add(90 * time.Second).UTC()
	cases := []struct {
		header string
		ok     bool
		min    time.Duration
		max    time.Duration
	}{
		{"", false, 0, 0},
		{"0", true, 0, 0},
		{"1", true, time.Second, time.Second},
		{" 120 ", true, 2 * time.Minute, 2 * time.Minute},
		{"-5", false, 0, 0},
		{"soon", false, 0, 0},
		{"99999999999999", true, 24 * time.Hour, 24 * time.Hour}, // clamped, no overflow
		{future.Format(http.TimeFormat), true, 85 * time.Second, 90 * time.Second},
		{future.Format(time.RFC850), true, 85 * time.Second, 90 * time.Second},
		{"Mon, 02 Jan 2006 15:04:05 GMT", true, 0, 0}, // past date: retry now
	}
	for _, tc := range cases {
		resp := &http.Response{Header: http.Header{}}
		if tc.header != "" {
			resp.Header.Set("Retry-After", tc.header)
		}
		got, ok := retryAfter(resp)
		if ok != tc.ok || got < tc.min || got > tc.max {
			t.Errorf("Retry-After %q = %v, %v; want %v in [%v, %v]", tc.header, got, ok, tc.ok, tc.min, tc.max)
		}
	}
	if _, ok := retryAfter(nil); ok {
		t.Error("nil response must have no Retry-After")
	}
}

func TestBackoffIsJitteredAndCapped(t *testing.T) {
	c := &Client{cfg: Config{RetryWaitMin: 100 * time.Millisecond, RetryWaitMax: 300 * time.Millisecond}}
	for retry, step := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 300 * time.Millisecond, 9: 300 * time.Millisecond} {
		seen := map[time.Duration]bool{}
		for range 200 {
			w := c.backoff(retry)
			if w < step/2 || w > step {
				t.Fatalf("retry %d: wait %v outside [%v, %v]", retry, w, step/2, step)
			}
			seen[w] = true
		}
		if len(seen) < 10 {
			t.Errorf("retry %d: only %d distinct waits, jitter missing", retry, len(seen))
		}
	}
}

func TestStatusClassification(t *testing.T) {
	for status, want := range map[int]reason{
		200: reasonOK, 204: reasonOK, 301: reasonRedirect, 304: reasonRedirect,
		400: reasonBadRequest, 401: reasonUnexpectedStatus, 404: reasonNotFound, 410: reasonNotFound,
		422: reasonBadRequest, 429: reasonRateLimited, 500: reasonServerError, 501: reasonServerError,
		502: reasonGateway, 503: reasonGateway, 504: reasonGateway,
	} {
		if got := statusReason(status); got != want {
			t.Errorf("status %d = %s, want %s", status, got, want)
		}
	}
	for r := reasonOK; r < numReasons; r++ {
		if reasonNames[r] == "" {
			t.Errorf("reason %d has no name", r)
		}
	}
}

func TestConfigDefaultsAndCaps(t *testing.T) {
	cfg, err := Config{System: "recalls", BaseURL: "http://127.0.0.1:1/api/", MaxRetries: 7}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxRetries != 2 || cfg.BaseURL != "http://127.0.0.1:1/api" || cfg.MaxBodyBytes != DefaultMaxBodyBytes ||
		cfg.Breaker.ConsecutiveFailures != DefaultConsecutiveFailures || cfg.Logger == nil {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	cfg, _ = Config{System: "recalls", BaseURL: "http://h", MaxRetries: -1}.withDefaults()
	if cfg.MaxRetries != 0 {
		t.Errorf("negative MaxRetries must disable retries, got %d", cfg.MaxRetries)
	}
}

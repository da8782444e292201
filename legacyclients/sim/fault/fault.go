// Package fault is the simulators' failure machinery: latency profiles, fault knobs settable at
// run time (over HTTP and from Go), request statistics, and the HTTP handler that applies them
// around a system's own handler.
//
// A system implements System (classify a request into an operation, answer it, render its own
// kind of failure); Server wraps it with the knobs and the admin API:
//
//	GET  /__admin/faults   the current Faults as JSON
//	PUT  /__admin/faults   replace them (a Faults JSON object; unknown fields are rejected)
//	POST /__admin/reset    clear faults and statistics
//	GET  /__admin/stats    Stats as JSON
//
// Admin requests are neither counted nor delayed nor faulted.
package fault

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Latency is a response-time distribution: a fixed delay, or uniform between MinMs and MaxMs.
// The zero value means no delay.
type Latency struct {
	FixedMs int `json:"fixedMs,omitempty"`
	MinMs   int `json:"minMs,omitempty"`
	MaxMs   int `json:"maxMs,omitempty"`
}

// maxLatencyMs bounds a configured delay: longer than any client budget is a hang, and Hang is
// the knob for that.
const maxLatencyMs = 10 * 60 * 1000

func (l Latency) validate() error {
	switch {
	case l.FixedMs < 0 || l.MinMs < 0 || l.MaxMs < 0:
		return errors.New("latency: milliseconds must not be negative")
	case l.FixedMs > maxLatencyMs || l.MaxMs > maxLatencyMs:
		return fmt.Errorf("latency: at most %d ms", maxLatencyMs)
	case l.FixedMs > 0 && (l.MinMs > 0 || l.MaxMs > 0):
		return errors.New("latency: fixedMs excludes minMs/maxMs")
	case l.MaxMs < l.MinMs:
		return errors.New("latency: maxMs must be >= minMs")
	}
	return nil
}

// Outage modes.
const (
	OutageNone        = ""
	OutageUnavailable = "unavailable" // every request gets 503 Service Unavailable
	OutageClose       = "close"       // the connection is closed without an answer
)

// Faults are the knobs of one system. The zero value is a healthy system with its normal
// latency profile.
type Faults struct {
	// Latency replaces the system's latency profile; nil keeps the profile.
	Latency *Latency `json:"latency,omitempty"`
	// ErrorRate is the fraction of requests (0..1) answered with ErrorStatus, rendered the way
	// the system renders failures (a JSON error, a SOAP Server fault, an ER record).
	ErrorRate float64 `json:"errorRate,omitempty"`
	// ErrorStatus is the HTTP status of injected errors; 0 means 500.
	ErrorStatus int `json:"errorStatus,omitempty"`
	// RetryAfter, when set, is sent verbatim as the Retry-After header of injected errors and
	// outage answers (seconds or an HTTP-date; an invalid value is allowed on purpose).
	RetryAfter string `json:"retryAfter,omitempty"`
	// Outage: "" (none), "unavailable" (503) or "close" (connection closed, no answer).
	Outage string `json:"outage,omitempty"`
	// Hang: never answer; the handler returns when the client gives up or the server stops.
	Hang bool `json:"hang,omitempty"`
	// Malformed: the body is cut and followed by garbage (same Content-Length as sent).
	Malformed bool `json:"malformed,omitempty"`
	// WrongCharset: the body's bytes are in the other charset than the one declared (UTF-8
	// declared, Latin-1 sent; or Latin-1/windows-1252 declared, UTF-8 sent).
	WrongCharset bool `json:"wrongCharset,omitempty"`
	// Truncate: Content-Length announces the whole body, half of it is sent, then the
	// connection is closed; the client reads an unexpected EOF.
	Truncate bool `json:"truncate,omitempty"`
	// Rate is the fraction of requests (0..1) that Outage, Hang, Malformed, WrongCharset and
	// Truncate apply to; 0 means every request.
	Rate float64 `json:"rate,omitempty"`
	// Charset overrides the system's default response charset (not a fault: a legacy
	// system's configuration). Empty keeps the default. The registry ignores it (its wire
	// format is ISO-8859-1); WrongCharset still applies there.
	Charset string `json:"charset,omitempty"`
	// Operations limits all faults to these operations; empty means every operation.
	Operations []string `json:"operations,omitempty"`
}

// Charsets a system may be configured to answer in.
var charsets = []string{"UTF-8", "ISO-8859-1", "windows-1252"}

// Validate checks the knobs' ranges.
func (f Faults) Validate() error {
	if f.Latency != nil {
		if err := f.Latency.validate(); err != nil {
			return err
		}
	}
	switch {
	case f.ErrorRate < 0 || f.ErrorRate > 1:
		return errors.New("errorRate must be between 0 and 1")
	case f.Rate < 0 || f.Rate > 1:
		return errors.New("rate must be between 0 and 1")
	case f.ErrorStatus != 0 && (f.ErrorStatus < 400 || f.ErrorStatus > 599):
		return errors.New("errorStatus must be a 4xx or 5xx status")
	case f.Outage != OutageNone && f.Outage != OutageUnavailable && f.Outage != OutageClose:
		return fmt.Errorf("outage must be %q, %q or empty", OutageUnavailable, OutageClose)
	case strings.ContainsAny(f.RetryAfter, "\r\n"):
		return errors.New("retryAfter must be a single header line")
	case f.Charset != "" && !slices.ContainsFunc(charsets, func(c string) bool { return strings.EqualFold(c, f.Charset) }):
		return fmt.Errorf("charset must be one of %s", strings.Join(charsets, ", "))
	}
	return nil
}

func (f Faults) appliesTo(op string) bool {
	return len(f.Operations) == 0 || slices.Contains(f.Operations, op)
}

// Stats counts the requests a system received (admin requests excepted), faulted ones included:
// a retried call counts once per attempt, as the real system's access log would.
type Stats struct {
	System     string           `json:"system"`
	Total      int64            `json:"total"`
	Operations map[string]int64 `json:"operations"`
	// Faulted counts requests that a knob changed (injected error, outage, hang, malformed,
	// wrong charset, truncation); latency alone does not count.
	Faulted int64 `json:"faulted"`
	// Active is the number of requests being handled right now (waiting out latency or hanging
	// included): zero once every client has been answered or has given up.
	Active int64 `json:"active"`
}

// Op returns the count of one operation.
func (s Stats) Op(name string) int64 { return s.Operations[name] }

func (l Latency) sample(r func(int) int) time.Duration {
	switch {
	case l.FixedMs > 0:
		return time.Duration(l.FixedMs) * time.Millisecond
	case l.MaxMs > 0:
		return time.Duration(l.MinMs+r(l.MaxMs-l.MinMs+1)) * time.Millisecond
	}
	return 0
}

// String summarises the active knobs for a console line.
func (f Faults) String() string {
	var parts []string
	if f.Latency != nil {
		parts = append(parts, fmt.Sprintf("latency=%+v", *f.Latency))
	}
	if f.ErrorRate > 0 {
		status := f.ErrorStatus
		if status == 0 {
			status = 500
		}
		parts = append(parts, fmt.Sprintf("errors=%.0f%%/%d", f.ErrorRate*100, status))
	}
	if f.RetryAfter != "" {
		parts = append(parts, "retry-after="+f.RetryAfter)
	}
	for _, m := range []struct {
		on   bool
		name string
	}{{f.Outage != "", "outage=" + f.Outage}, {f.Hang, "hang"}, {f.Malformed, "malformed"}, {f.WrongCharset, "wrong-charset"}, {f.Truncate, "truncate"}} {
		if m.on {
			rate := "all"
			if f.Rate > 0 {
				rate = fmt.Sprintf("%.0f%%", f.Rate*100)
			}
			parts = append(parts, m.name+" on "+rate)
		}
	}
	if f.Charset != "" {
		parts = append(parts, "charset="+f.Charset)
	}
	if len(f.Operations) > 0 {
		parts = append(parts, "operations="+strings.Join(f.Operations, ","))
	}
	if len(parts) == 0 {
		return "healthy"
	}
	return strings.Join(parts, " ")
}

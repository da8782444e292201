package fault

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// Response is a system's answer before the knobs touch it. Body is already encoded in Charset.
type Response struct {
	Status      int
	ContentType string // media type without parameters, e.g. "application/json"
	Charset     string // declared as the charset parameter; empty declares none
	Header      http.Header
	Body        []byte
}

// System is one simulated legacy system.
type System interface {
	// Operation classifies a request cheaply (for statistics and fault scoping); a request that
	// matches no route is "unknown".
	Operation(r *http.Request) string
	// Serve answers a request in the given charset (the configured default or the knob's).
	Serve(r *http.Request, charset string) Response
	// Failure renders an injected error with the given status the way this system fails.
	Failure(status int, charset string) Response
}

// Config configures a Server.
type Config struct {
	Name    string  // the system's name, e.g. "workshop"; appears in Stats and logs
	Profile Latency // the normal latency distribution
	// NoLatency ignores Profile (unit tests); an explicit Latency knob still applies.
	NoLatency bool
	Charset   string // default response charset
	Seed      uint64 // seeds the fault dice; 0 derives one from Name
	Logger    *slog.Logger
}

// maxRequestBody bounds what a simulated system reads: legacy requests are small.
const maxRequestBody = 1 << 20

// Server serves one System with knobs, statistics and the admin API. Create it with NewServer;
// it is safe for concurrent use.
type Server struct {
	cfg    Config
	sys    System
	log    *slog.Logger
	stopCh chan struct{}
	stop   sync.Once

	mu      sync.Mutex
	faults  Faults
	rnd     *rand.Rand
	total   int64
	faulted int64
	active  int64
	ops     map[string]int64
}

// NewServer wraps sys.
func NewServer(cfg Config, sys System) *Server {
	seed := cfg.Seed
	if seed == 0 {
		h := fnv.New64a()
		h.Write([]byte(cfg.Name))
		seed = h.Sum64()
	}
	if cfg.NoLatency {
		cfg.Profile = Latency{}
	}
	if cfg.Charset == "" {
		cfg.Charset = "UTF-8"
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{
		cfg: cfg, sys: sys, log: log, stopCh: make(chan struct{}),
		rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), ops: map[string]int64{},
	}
}

// Name is the system's name.
func (s *Server) Name() string { return s.cfg.Name }

// Faults returns the current knobs.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneFaults(s.faults)
}

// SetFaults replaces the knobs.
func (s *Server) SetFaults(f Faults) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("%s faults: %w", s.cfg.Name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = cloneFaults(f)
	return nil
}

// Reset clears the knobs and the statistics.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = Faults{}
	s.total, s.faulted = 0, 0
	s.ops = map[string]int64{}
}

// Stats returns a snapshot of the statistics.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{System: s.cfg.Name, Total: s.total, Operations: maps.Clone(s.ops), Faulted: s.faulted, Active: s.active}
}

// Stop releases every request that hangs or waits out its latency, so that an http.Server can
// shut down promptly. The Server answers 503 to requests that arrive afterwards.
func (s *Server) Stop() { s.stop.Do(func() { close(s.stopCh) }) }

func cloneFaults(f Faults) Faults {
	if f.Latency != nil {
		l := *f.Latency
		f.Latency = &l
	}
	f.Operations = append([]string(nil), f.Operations...)
	return f
}

// decision is what the dice said for one request, drawn under the lock.
type decision struct {
	f        Faults
	delay    time.Duration
	mode     bool // the mode faults (outage, hang, malformed, charset, truncate) apply
	injected bool // an error status is injected
}

func (s *Server) decide(op string) decision {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total++
	s.active++
	s.ops[op]++
	f := s.faults
	if !f.appliesTo(op) {
		f = Faults{Charset: f.Charset} // the charset is configuration, not a fault: it stays
	}
	lat := s.cfg.Profile
	if f.Latency != nil {
		lat = *f.Latency
	}
	d := decision{f: f, delay: lat.sample(s.rnd.IntN)}
	d.mode = f.Rate == 0 || s.rnd.Float64() < f.Rate
	d.injected = f.ErrorRate > 0 && s.rnd.Float64() < f.ErrorRate
	if d.injected || (d.mode && (f.Outage != "" || f.Hang || f.Malformed || f.WrongCharset || f.Truncate)) {
		s.faulted++
	}
	return d
}

// ServeHTTP routes admin requests to the admin API and everything else through the knobs to
// the system.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/__admin/") {
		s.admin(w, r)
		return
	}
	// Read the request body before anything waits: net/http only notices a client that gives
	// up (and cancels r.Context()) once the body has been consumed, so a hang or a long latency
	// on an unread POST body would outlive its client.
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil || len(body) > maxRequestBody {
		http.Error(w, "request body unreadable or too large", http.StatusRequestEntityTooLarge)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	op := s.sys.Operation(r)
	d := s.decide(op)
	defer func() {
		s.mu.Lock()
		s.active--
		s.mu.Unlock()
	}()
	status := s.serve(w, r, op, d)
	// Route (operation), status and the caller's trace header only: paths and bodies carry VINs.
	// The trace header is what a real legacy system logs to join our trace.
	s.log.LogAttrs(r.Context(), slog.LevelDebug, "legacy sim request",
		slog.String("system", s.cfg.Name), slog.String("operation", op), slog.Int("status", status),
		slog.String("traceHeader", traceHeader(r.Header.Get("X-Amzn-Trace-Id"))))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, op string, d decision) int {
	if !s.wait(r.Context(), d.delay) {
		return s.gone(w, r)
	}
	f := d.f
	charset := s.cfg.Charset
	if f.Charset != "" {
		charset = f.Charset
	}
	if d.mode {
		switch {
		case f.Hang:
			select {
			case <-r.Context().Done():
			case <-s.stopCh:
			}
			return s.gone(w, r)
		case f.Outage == OutageClose:
			return closeConn(w)
		case f.Outage == OutageUnavailable:
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return http.StatusServiceUnavailable
		}
	}
	var resp Response
	if d.injected {
		status := f.ErrorStatus
		if status == 0 {
			status = http.StatusInternalServerError
		}
		resp = s.sys.Failure(status, charset)
		if f.RetryAfter != "" {
			if resp.Header == nil {
				resp.Header = http.Header{}
			}
			resp.Header.Set("Retry-After", f.RetryAfter)
		}
	} else {
		resp = s.sys.Serve(r, charset)
	}
	body := resp.Body
	if d.mode && f.Malformed {
		body = corrupt(body)
	}
	if d.mode && f.WrongCharset {
		body = swapCharset(body, resp.Charset)
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	ct := resp.ContentType
	if resp.Charset != "" {
		ct += "; charset=" + resp.Charset
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.Status)
	if d.mode && f.Truncate && len(body) > 1 {
		// Fewer bytes than Content-Length announced: net/http cannot reuse the connection and
		// closes it after the handler returns, so the client sees an unexpected EOF.
		_, _ = w.Write(body[:len(body)/2])
		_ = http.NewResponseController(w).Flush()
		return resp.Status
	}
	_, _ = w.Write(body)
	return resp.Status
}

// wait sleeps for d unless the client gives up or the server stops first; it reports whether the
// full delay passed.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	select {
	case <-s.stopCh:
		return false
	default:
	}
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.stopCh:
		return false
	}
}

// gone answers a request whose client left (nobody reads it) or that the stopping server drops.
func (s *Server) gone(w http.ResponseWriter, r *http.Request) int {
	if r.Context().Err() != nil {
		return 499 // client closed request, nginx's convention; nothing is written
	}
	http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
	return http.StatusServiceUnavailable
}

func closeConn(w http.ResponseWriter) int {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 or a recorder cannot be hijacked; panicking with ErrAbortHandler is the
		// documented way to abort the response instead.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
	return 0
}

// corrupt keeps the first half of a body and appends bytes that no JSON, XML or fixed-width
// parser accepts.
func corrupt(b []byte) []byte {
	out := append([]byte(nil), b[:len(b)/2]...)
	return append(out, "\x00<!-- garbage #%&"...)
}

// swapCharset re-encodes a body into the charset it does not declare: Latin-1 bytes under a
// UTF-8 label, UTF-8 bytes under a single-byte label. Characters Latin-1 cannot hold become '?'.
func swapCharset(b []byte, declared string) []byte {
	switch strings.ToLower(declared) {
	case "iso-8859-1", "latin1":
		out, err := charmap.ISO8859_1.NewDecoder().Bytes(b)
		if err == nil {
			return out
		}
	case "windows-1252", "cp1252":
		out, err := charmap.Windows1252.NewDecoder().Bytes(b)
		if err == nil {
			return out
		}
	default:
		out, err := encoding.ReplaceUnsupported(charmap.ISO8859_1.NewEncoder()).Bytes(b)
		if err == nil {
			return out
		}
	}
	return b
}

// Encode converts UTF-8 text into charset, for systems that build their bodies as UTF-8.
func Encode(utf8 []byte, charset string) ([]byte, error) {
	var cm *charmap.Charmap
	switch strings.ToLower(charset) {
	case "", "utf-8", "utf8":
		return utf8, nil
	case "iso-8859-1", "latin1":
		cm = charmap.ISO8859_1
	case "windows-1252", "cp1252":
		cm = charmap.Windows1252
	default:
		return nil, fmt.Errorf("unsupported charset %q", charset)
	}
	out, err := encoding.ReplaceUnsupported(cm.NewEncoder()).Bytes(utf8)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", charset, err)
	}
	return out, nil
}

func (s *Server) admin(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/__admin/faults" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Faults())
	case r.URL.Path == "/__admin/faults" && r.Method == http.MethodPut:
		var f Faults
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid faults JSON: " + err.Error()})
			return
		}
		if err := s.SetFaults(f); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, s.Faults())
	case r.URL.Path == "/__admin/reset" && r.Method == http.MethodPost:
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/__admin/stats" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Stats())
	case r.URL.Path == "/__admin/faults" || r.URL.Path == "/__admin/reset" || r.URL.Path == "/__admin/stats":
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such admin endpoint"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// traceHeader keeps an X-Amzn-Trace-Id value only when it has the header's shape (key=value
// pairs of hex digits and dashes), so a client cannot write free text into the log through it.
func traceHeader(v string) string {
	if len(v) > 256 {
		return "invalid"
	}
	for _, c := range v {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '=', c == ';':
		default:
			return "invalid"
		}
	}
	return v
}

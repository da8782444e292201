package fault

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
	"unicode/utf8"
)

func TestValidate(t *testing.T) {
	ok := []Faults{
		{},
		{Latency: &Latency{FixedMs: 10}},
		{Latency: &Latency{MinMs: 1, MaxMs: 1}},
		{ErrorRate: 1, ErrorStatus: 429, RetryAfter: "120"},
		{Outage: OutageClose, Rate: 0.5},
		{Charset: "iso-8859-1"},
	}
	for _, f := range ok {
		if err := f.Validate(); err != nil {
			t.Errorf("%+v: %v", f, err)
		}
	}
	bad := []Faults{
		{Latency: &Latency{FixedMs: -1}},
		{Latency: &Latency{FixedMs: 5, MaxMs: 9}},
		{Latency: &Latency{MinMs: 9, MaxMs: 5}},
		{Latency: &Latency{FixedMs: maxLatencyMs + 1}},
		{ErrorRate: 1.5},
		{Rate: -0.1},
		{ErrorStatus: 200},
		{Outage: "flaky"},
		{RetryAfter: "1\r\nX-Injected: yes"},
		{Charset: "EBCDIC"},
	}
	for _, f := range bad {
		if err := f.Validate(); err == nil {
			t.Errorf("%+v: accepted", f)
		}
	}
}

func TestLatencySampleStaysInRange(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	l := Latency{MinMs: 200, MaxMs: 1200}
	for range 1000 {
		if d := l.sample(r.IntN); d < 200*time.Millisecond || d > 1200*time.Millisecond {
			t.Fatalf("sample %v outside 200ms-1.2s", d)
		}
	}
	if d := (Latency{FixedMs: 50}).sample(r.IntN); d != 50*time.Millisecond {
		t.Fatalf("fixed sample %v", d)
	}
	if d := (Latency{}).sample(r.IntN); d != 0 {
		t.Fatalf("zero latency sampled %v", d)
	}
}

func TestSwapCharset(t *testing.T) {
	utf := []byte("Krüger")
	latin := swapCharset(utf, "utf-8")
	if utf8.Valid(latin) || !bytes.Equal(latin, []byte("Kr\xfcger")) {
		t.Fatalf("UTF-8 label: got %q, want Latin-1 bytes", latin)
	}
	if back := swapCharset(latin, "ISO-8859-1"); !bytes.Equal(back, utf) {
		t.Fatalf("Latin-1 label: got %q, want UTF-8 bytes", back)
	}
}

func TestCorruptIsNeverTheOriginal(t *testing.T) {
	for _, b := range []string{`{"a":1}`, "x", "HD\r\n"} {
		if got := corrupt([]byte(b)); bytes.HasPrefix(got, []byte(b)) && len(b) > 1 {
			t.Errorf("%q corrupted to %q", b, got)
		}
	}
}

type echo struct{}

func (echo) Operation(*http.Request) string { return "Echo" }
func (echo) Serve(_ *http.Request, cs string) Response {
	return Response{Status: 200, ContentType: "text/plain", Charset: cs, Body: []byte("ok")}
}
func (echo) Failure(status int, cs string) Response {
	return Response{Status: status, ContentType: "text/plain", Charset: cs, Body: []byte("failed")}
}

func TestStatsAreSnapshots(t *testing.T) {
	s := NewServer(Config{Name: "echo", NoLatency: true, Profile: Latency{FixedMs: 1000}}, echo{})
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/x", nil))
	snap := s.Stats()
	snap.Operations["Echo"] = 99
	if got := s.Stats().Op("Echo"); got != 1 {
		t.Fatalf("a snapshot changed the counter: %d", got)
	}
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/plain; charset=UTF-8" {
		t.Fatalf("%d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestStoppedServerAnswers503(t *testing.T) {
	s := NewServer(Config{Name: "echo", NoLatency: true}, echo{})
	s.Stop()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/x", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d after Stop", rec.Code)
	}
}

package securitytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/local/devoidc"
	local "github.com/acme-oem/vehicle-data/internal/local/stack"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
)

// stack is the one local stack of this test binary (its spans in stack.Traces, its metrics in
// stack.Metrics); logs is everything it logged, at every level.
var (
	stack *local.Stack
	logs  = &syncBuffer{}
)

// syncBuffer is a bytes.Buffer that the stack's goroutines may write while a test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	// The stack lives as long as the binary: dynalite and the servers must outlive every test, so
	// their context is not a test's.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Debug level: the canaries must not hide in a line that only a verbose configuration writes.
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	latency := map[vehicle.Source]fault.Latency{}
	for _, s := range sim.Systems() {
		latency[s] = fault.Latency{FixedMs: 2} // real network hops, no dice, little waiting
	}
	s, err := local.Start(ctx, local.Config{
		Sim:           sim.Options{Latency: latency},
		Logger:        logger,
		WrapFunctions: stepPanics.wrap,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "securitytest: the local stack did not start: %v\n", err)
		return 1
	}
	stack = s
	code := m.Run()
	if err := stack.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "securitytest: close the local stack: %v\n", err)
		code = 1
	}
	// Whatever any test handed to the stack as a secret (every token, VIN, name, plate and code
	// it used, attacks included) must not be in the log of the whole run, shutdown included.
	if leaks := leaksIn(logs.String(), allSecrets()); len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "securitytest: personal data or secrets in the stack's log:\n  %s\n",
			strings.Join(leaks, "\n  "))
		code = 1
	}
	var spans strings.Builder
	for _, sp := range stack.Traces.Spans() {
		b, _ := json.Marshal(sp)
		spans.Write(b)
		spans.WriteByte('\n')
	}
	if leaks := leaksIn(spans.String(), allSecrets()); len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "securitytest: personal data or secrets in trace spans:\n  %s\n",
			strings.Join(leaks, "\n  "))
		code = 1
	}
	if n := stack.Traces.Evicted(); n > 0 {
		fmt.Fprintf(os.Stderr, "securitytest: the trace recorder evicted %d spans: the scans are incomplete\n", n)
		code = 1
	}
	return code
}

// secrets are the values no log line may carry, with a label saying what each is.
var (
	secretsMu sync.Mutex
	secrets   = map[string]string{}
)

// remember records a secret for the log scans. Values too short to be specific (a 4-digit code
// would match timestamps) are not worth scanning for.
func remember(label, value string) {
	if len(value) < 6 {
		return
	}
	secretsMu.Lock()
	defer secretsMu.Unlock()
	secrets[value] = label
}

func allSecrets() map[string]string {
	secretsMu.Lock()
	defer secretsMu.Unlock()
	out := make(map[string]string, len(secrets))
	for k, v := range secrets {
		out[k] = v
	}
	return out
}

// leaksIn lists the secrets found in a log: in the raw text, and in every JSON string of each
// line once decoded (a name with an umlaut or a quote is escaped in the raw text).
func leaksIn(log string, secrets map[string]string) []string {
	var decoded strings.Builder
	for line := range strings.Lines(log) {
		var v any
		if json.Unmarshal([]byte(line), &v) == nil {
			walkStrings(v, func(s string) { decoded.WriteString(s); decoded.WriteByte('\n') })
		}
	}
	lower := strings.ToLower(log + "\n" + decoded.String())
	var out []string
	for value, label := range secrets {
		if containsSecret(lower, strings.ToLower(value)) {
			out = append(out, fmt.Sprintf("%s %q", label, value))
		}
	}
	sort.Strings(out)
	return out
}

// containsSecret reports whether s holds secret. A secret of digits only (a one-time code) counts
// only where it stands alone: inside a longer number, such as a timestamp's nanoseconds, it is
// a coincidence, not a leak.
func containsSecret(s, secret string) bool {
	if strings.Trim(secret, "0123456789") != "" {
		return strings.Contains(s, secret)
	}
	for i := 0; ; {
		j := strings.Index(s[i:], secret)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(secret)
		if (start == 0 || !isDigit(s[start-1])) && (end == len(s) || !isDigit(s[end])) {
			return true
		}
		i = start + 1
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// walkStrings calls fn with every key and string value in a decoded JSON value.
func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	case map[string]any:
		for k, e := range x {
			fn(k)
			walkStrings(e, fn)
		}
	}
}

// answer is one HTTP exchange's outcome.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) String() string { return fmt.Sprintf("%d %s", a.status, a.body) }

var client = &http.Client{Timeout: 40 * time.Second}

// call sends one request to the stack's API (path below /api) with the given header lines; a
// header listed twice is sent twice.
func call(t testing.TB, method, path string, header http.Header, body []byte) answer {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, stack.APIURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return answer{status: res.StatusCode, header: res.Header, body: b}
}

// bearer is the header of a request presenting token.
func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// tokenOf issues a demo user's access token, as the issuer's token endpoint would, and records it
// as a secret.
func tokenOf(t testing.TB, user string) string {
	t.Helper()
	tok, err := stack.Issuer.AccessToken(user)
	if err != nil {
		t.Fatal(err)
	}
	remember("bearer token of "+user, tok)
	return tok
}

// subjectOf is a demo user's OIDC subject: personal data, so it is a secret too.
func subjectOf(t testing.TB, user string) string {
	t.Helper()
	i := slices.IndexFunc(devoidc.Users(), func(u devoidc.User) bool { return u.Username == user })
	if i < 0 {
		t.Fatalf("no demo user %q", user)
	}
	sub := devoidc.Users()[i].Subject
	remember("subject of "+user, sub)
	return sub
}

// serials hands out VIN serial numbers no other test of this binary used, so each test starts
// with a cold cache and no grants. 8xxxxx: the acceptance tests use 7xxxxx, so a shared data
// directory could not mix them up either.
var serials atomic.Int64

// freshVIN mints a valid VIN of the OEM (a 2021 Volkswagen) that the simulators know.
func freshVIN(t testing.TB) vehicle.VIN {
	t.Helper()
	return mintVIN(t, fmt.Sprintf("8%05d", serials.Add(1)))
}

// unknownVIN mints a valid VIN whose serial was never assigned (legacyclients/sim/world).
func unknownVIN(t testing.TB) vehicle.VIN {
	t.Helper()
	return mintVIN(t, fmt.Sprintf("99%04d", serials.Add(1)))
}

func mintVIN(t testing.TB, serial string) vehicle.VIN {
	t.Helper()
	s := "WVWZZZCD0MW" + serial
	s = s[:8] + string(vehicle.CheckDigitOf(s)) + s[9:]
	vin, err := vehicle.ParseVIN(s)
	if err != nil {
		t.Fatalf("minted VIN %s: %v", s, err)
	}
	remember("VIN", string(vin))
	return vin
}

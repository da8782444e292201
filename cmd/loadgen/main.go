// Command loadgen puts a bounded load on the local stack: C concurrent clients send requests back
// to back for D seconds (or until N requests), then it prints requests/s, latency percentiles and
// the status histogram, as text and as one JSON line (for the README's figures and for scripts).
//
//	go run ./cmd/loadgen -url http://127.0.0.1:8080/api/vehicles/WVWZZZ1KZ6W000001 -c 16 -d 10s
//
// It only talks to loopback hosts: it is a tool for measuring the local stack, and refusing
// anything else keeps a typo from load-testing someone's production.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Bounds: enough to saturate the local stack on a laptop, small enough to stay a measurement.
const (
	maxConcurrency = 512
	maxDuration    = 10 * time.Minute
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		stop()
		os.Exit(2)
	}
}

// config is what the flags say.
type config struct {
	urls        []string
	concurrency int
	duration    time.Duration
	requests    int64 // 0: no limit but the duration
	header      http.Header
}

type headerFlag struct{ h http.Header }

func (f headerFlag) String() string { return "" }
func (f headerFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(name) == "" {
		return errors.New(`want "Name: value"`)
	}
	f.h.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	return nil
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{header: http.Header{}}
	rawURLs := fs.String("url", "", "target URL; several, comma-separated, are used round robin (loopback only)")
	fs.IntVar(&cfg.concurrency, "c", 8, fmt.Sprintf("concurrent clients (1-%d)", maxConcurrency))
	fs.DurationVar(&cfg.duration, "d", 10*time.Second, fmt.Sprintf("duration (at most %s)", maxDuration))
	fs.Int64Var(&cfg.requests, "n", 0, "stop after this many requests (0: only the duration bounds the run)")
	fs.Var(headerFlag{cfg.header}, "H", `request header "Name: value" (repeatable), e.g. -H "Authorization: Bearer $TOKEN"`)
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if *rawURLs == "" {
		return config{}, errors.New("-url is required")
	}
	for _, raw := range strings.Split(*rawURLs, ",") {
		if err := checkLoopback(raw); err != nil {
			return config{}, err
		}
		cfg.urls = append(cfg.urls, raw)
	}
	if cfg.concurrency < 1 || cfg.concurrency > maxConcurrency {
		return config{}, fmt.Errorf("-c %d: want 1 to %d", cfg.concurrency, maxConcurrency)
	}
	if cfg.duration <= 0 || cfg.duration > maxDuration {
		return config{}, fmt.Errorf("-d %s: want more than 0 and at most %s", cfg.duration, maxDuration)
	}
	if cfg.requests < 0 {
		return config{}, fmt.Errorf("-n %d: want 0 or more", cfg.requests)
	}
	return cfg, nil
}

// checkLoopback accepts http(s) URLs whose host is localhost or a loopback IP literal. Names other
// than localhost are refused rather than resolved: a name's address can change under us.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("-url %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("-url %q: want an http or https URL", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-url %q: host %q is not loopback; loadgen only loads the local stack", raw, host)
}

// Summary is the outcome of a run; its JSON is the machine-readable output.
type Summary struct {
	Concurrency int            `json:"concurrency"`
	DurationS   float64        `json:"durationSeconds"`
	Requests    int            `json:"requests"`
	Errors      int            `json:"transportErrors"`
	RPS         float64        `json:"requestsPerSecond"`
	P50Ms       float64        `json:"p50Ms"`
	P90Ms       float64        `json:"p90Ms"`
	P99Ms       float64        `json:"p99Ms"`
	MaxMs       float64        `json:"maxMs"`
	Statuses    map[string]int `json:"statuses"` // "200": n, ...; transport errors under "error"
}

type sample struct {
	latency time.Duration
	status  int // 0: transport error
}

// load runs the clients and summarises what they saw.
func load(ctx context.Context, cfg config, client *http.Client) Summary {
	ctx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	var (
		issued atomic.Int64
		wg     sync.WaitGroup
	)
	perClient := make([][]sample, cfg.concurrency)
	start := time.Now()
	for i := range cfg.concurrency {
		wg.Go(func() {
			for ctx.Err() == nil {
				n := issued.Add(1)
				if cfg.requests > 0 && n > cfg.requests {
					return
				}
				target := cfg.urls[int(n-1)%len(cfg.urls)]
				s, ok := once(ctx, client, target, cfg.header)
				if !ok { // the run ended mid-request: not a sample of the server's behaviour
					return
				}
				perClient[i] = append(perClient[i], s)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	return summarise(cfg.concurrency, elapsed, slices.Concat(perClient...))
}

func once(ctx context.Context, client *http.Client, target string, header http.Header) (sample, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return sample{status: 0}, true
	}
	req.Header = header.Clone()
	t0 := time.Now()
	res, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return sample{}, false
		}
		return sample{latency: time.Since(t0)}, true
	}
	// Read the body to the end so the connection is reused and the latency includes the transfer.
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return sample{latency: time.Since(t0), status: res.StatusCode}, true
}

func summarise(concurrency int, elapsed time.Duration, samples []sample) Summary {
	s := Summary{Concurrency: concurrency, DurationS: elapsed.Seconds(), Requests: len(samples), Statuses: map[string]int{}}
	lat := make([]time.Duration, 0, len(samples))
	for _, x := range samples {
		if x.status == 0 {
			s.Errors++
			s.Statuses["error"]++
			continue
		}
		s.Statuses[fmt.Sprint(x.status)]++
		lat = append(lat, x.latency)
	}
	if elapsed > 0 {
		s.RPS = float64(len(samples)) / elapsed.Seconds()
	}
	slices.Sort(lat)
	s.P50Ms, s.P90Ms, s.P99Ms = ms(percentile(lat, 50)), ms(percentile(lat, 90)), ms(percentile(lat, 99))
	if len(lat) > 0 {
		s.MaxMs = ms(lat[len(lat)-1])
	}
	return s
}

// percentile is the nearest-rank percentile of sorted latencies.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	return sorted[max(rank, 1)-1]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (s Summary) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "requests    %d in %.2fs with %d clients (%d transport errors)\n", s.Requests, s.DurationS, s.Concurrency, s.Errors)
	fmt.Fprintf(&b, "throughput  %.1f requests/s\n", s.RPS)
	fmt.Fprintf(&b, "latency     p50 %.2fms  p90 %.2fms  p99 %.2fms  max %.2fms\n", s.P50Ms, s.P90Ms, s.P99Ms, s.MaxMs)
	keys := make([]string, 0, len(s.Statuses))
	for k := range s.Statuses {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteString("statuses   ")
	for _, k := range keys {
		fmt.Fprintf(&b, " %s:%d", k, s.Statuses[k])
	}
	b.WriteString("\n")
	return b.String()
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = cfg.concurrency
	client := &http.Client{Transport: transport, Timeout: 60 * time.Second}
	defer transport.CloseIdleConnections()

	s := load(ctx, cfg, client)
	if _, err := io.WriteString(stdout, s.text()); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	if _, err := fmt.Fprintf(stdout, "%s\n", b); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

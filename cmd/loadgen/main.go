// Command loadgen puts a bounded load on the local stack: C concurrent clients send requests back
// to back for D seconds (or until N requests), then it prints requests/s, latency percentiles and
// the status histogram, as text and as one JSON line (for the README's figures and for scripts).
//
//	go run ./cmd/loadgen -url http://127.0.0.1:8080/api/vehicles/WVWZZZ1KZ6W000001 -c 16 -d 10s
//
// With -profile it also prices the requests: each URL is charged to a usage profile of
// internal/cost/profiles.json (cached-report, cold-report, ...), priced with the dated price file
// of -region, and the text shows latency and cost per million requests per profile. That cost is
// the profile's (a model of what AWS would do for one request), not derived from the local run:
// the local stack's timings say little about Lambda's. When the stack answers with the
// X-Estimated-Cost-Usd header (its per-request cost meter), the mean of those is printed too, as
// "measured". -png writes the latency histogram with its
// percentiles as an image (one per profile when there are several).
//
// It only talks to loopback hosts: it is a tool for measuring the local stack, and refusing
// anything else keeps a typo from load-testing someone's production.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/acme-oem/vehicle-data/internal/cost"
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
	method      string
	body        []byte
	// profiles[i] is the cost profile of urls[i]; nil without -profile.
	profiles []string
	catalog  cost.Profiles
	prices   cost.Prices
	pngPath  string
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
	fs.StringVar(&cfg.method, "X", http.MethodGet, "request method: GET, POST, PUT, PATCH or DELETE")
	body := fs.String("body", "", "request body, sent with every request (set its Content-Type with -H)")
	rawProfiles := fs.String("profile", "", "cost profile per URL, comma-separated (one for all URLs, or one per URL), e.g. cached-report")
	profileFile := fs.String("profiles", "", "usage profiles file (default: the repository's internal/cost/profiles.json)")
	region := fs.String("region", "eu-central-1", "price file region (internal/cost/prices)")
	fs.StringVar(&cfg.pngPath, "png", "", "write the latency histogram and percentiles to this PNG file")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q: every option is a flag", fs.Arg(0))
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
	if !slices.Contains([]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}, cfg.method) {
		return config{}, fmt.Errorf("-X %q: want GET, POST, PUT, PATCH or DELETE", cfg.method)
	}
	if *body != "" {
		if cfg.method == http.MethodGet {
			return config{}, errors.New("-body needs -X POST, PUT, PATCH or DELETE")
		}
		cfg.body = []byte(*body)
	}
	if err := cfg.loadCostModel(*rawProfiles, *profileFile, *region); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// loadCostModel reads -profile, -profiles and -region.
func (cfg *config) loadCostModel(rawProfiles, profileFile, region string) error {
	if rawProfiles == "" {
		if profileFile != "" {
			return errors.New("-profiles needs -profile")
		}
		return nil
	}
	var err error
	if profileFile == "" {
		cfg.catalog, err = cost.DefaultProfiles()
	} else {
		var b []byte
		if b, err = os.ReadFile(profileFile); err == nil {
			cfg.catalog, err = cost.ParseProfiles(b)
		}
	}
	if err != nil {
		return fmt.Errorf("-profiles: %w", err)
	}
	if cfg.prices, err = cost.LoadPrices(region); err != nil {
		return fmt.Errorf("-region: %w", err)
	}
	names := strings.Split(rawProfiles, ",")
	for _, n := range names {
		if _, ok := cfg.catalog.Profiles[n]; !ok {
			return fmt.Errorf("-profile %q: want one of %s", n, strings.Join(cfg.catalog.Names(), ", "))
		}
	}
	switch len(names) {
	case 1:
		for range cfg.urls {
			cfg.profiles = append(cfg.profiles, names[0])
		}
	case len(cfg.urls):
		cfg.profiles = names
	default:
		return fmt.Errorf("-profile: %d profiles for %d URLs; want one, or one per URL", len(names), len(cfg.urls))
	}
	return nil
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
	// Profiles has one entry per cost profile, with -profile.
	Profiles []ProfileSummary `json:"profiles,omitempty"`
	// MeasuredCostPerMillionUSD is the mean X-Estimated-Cost-Usd the stack answered with, per
	// million requests; absent when no response carried it.
	MeasuredCostPerMillionUSD *float64 `json:"measuredCostPerMillionUSD,omitempty"`
}

// ProfileSummary is the latency and modelled cost of the requests charged to one profile.
type ProfileSummary struct {
	Profile  string  `json:"profile"`
	Route    string  `json:"route"`
	Requests int     `json:"requests"`
	P50Ms    float64 `json:"p50Ms"`
	P90Ms    float64 `json:"p90Ms"`
	P99Ms    float64 `json:"p99Ms"`
	MaxMs    float64 `json:"maxMs"`
	// CostPerMillionUSD is the profile's cost per million requests at Region's list prices of
	// PricesDate.
	CostPerMillionUSD float64 `json:"costPerMillionUSD"`
	Region            string  `json:"region"`
	PricesDate        string  `json:"pricesDate"`
	// MeasuredCostPerMillionUSD is as in Summary, for this profile's requests.
	MeasuredCostPerMillionUSD *float64 `json:"measuredCostPerMillionUSD,omitempty"`
}

type sample struct {
	latency time.Duration
	status  int // 0: transport error
	target  int // index into config.urls
	// costUSD is the response's X-Estimated-Cost-Usd, when it had a valid one (hasCost).
	costUSD float64
	hasCost bool
}

// load runs the clients and summarises what they saw.
func load(ctx context.Context, cfg config, client *http.Client) (Summary, []sample) {
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
				target := int(n-1) % len(cfg.urls)
				s, ok := once(ctx, client, cfg, cfg.urls[target])
				if !ok { // the run ended mid-request: not a sample of the server's behaviour
					return
				}
				s.target = target
				perClient[i] = append(perClient[i], s)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(perClient...)
	return summarise(cfg.concurrency, elapsed, all), all
}

func once(ctx context.Context, client *http.Client, cfg config, target string) (sample, bool) {
	var body io.Reader
	if cfg.body != nil {
		body = bytes.NewReader(cfg.body)
	}
	req, err := http.NewRequestWithContext(ctx, cfg.method, target, body)
	if err != nil {
		return sample{status: 0}, true
	}
	req.Header = cfg.header.Clone()
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
	s := sample{latency: time.Since(t0), status: res.StatusCode}
	s.costUSD, s.hasCost = cost.ParseUSD(res.Header.Get(cost.HeaderName))
	return s, true
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
	if s.MeasuredCostPerMillionUSD != nil {
		fmt.Fprintf(&b, "cost        %.2f USD per million requests, as the stack estimated them (%s)\n", *s.MeasuredCostPerMillionUSD, cost.HeaderName)
	}
	if len(s.Profiles) > 0 {
		fmt.Fprintf(&b, "\n%-22s %-62s %9s %9s %9s %9s %12s %12s\n", "profile", "route", "requests", "p50 ms", "p90 ms", "p99 ms", "USD/million", "measured")
		for _, p := range s.Profiles {
			measured := "-"
			if p.MeasuredCostPerMillionUSD != nil {
				measured = fmt.Sprintf("%.2f", *p.MeasuredCostPerMillionUSD)
			}
			fmt.Fprintf(&b, "%-22s %-62s %9d %9.2f %9.2f %9.2f %12.2f %12s\n", p.Profile, p.Route, p.Requests, p.P50Ms, p.P90Ms, p.P99Ms, p.CostPerMillionUSD, measured)
		}
		fmt.Fprintf(&b, "cost: modelled usage (internal/cost/profiles.json) at %s list prices of %s (internal/cost/prices; check before quoting)\n",
			s.Profiles[0].Region, s.Profiles[0].PricesDate)
	}
	return b.String()
}

// group is the sorted latencies of the answered requests of one profile (or of the whole run).
type group struct {
	name   string
	sorted []time.Duration
}

// priceProfiles fills s.Profiles from the samples, one entry per profile in first-use order, and
// returns the latencies per profile for the charts (the whole run as one group without -profile).
func (cfg config) priceProfiles(s *Summary, samples []sample) ([]group, error) {
	s.MeasuredCostPerMillionUSD = measuredCost(samples, func(sample) bool { return true })
	if cfg.profiles == nil {
		lat := latencies(samples, func(sample) bool { return true })
		return []group{{name: "", sorted: lat}}, nil
	}
	var groups []group
	for _, name := range cfg.profiles {
		if slices.ContainsFunc(groups, func(g group) bool { return g.name == name }) {
			continue
		}
		p := cfg.catalog.Profiles[name]
		b, err := cfg.prices.Cost(p.Usage)
		if err != nil {
			return nil, fmt.Errorf("profile %s: %w", name, err)
		}
		mine := func(x sample) bool { return cfg.profiles[x.target] == name }
		lat := latencies(samples, mine)
		n := 0
		for _, x := range samples {
			if mine(x) {
				n++
			}
		}
		ps := ProfileSummary{
			Profile: name, Route: p.Route, Requests: n,
			P50Ms: ms(percentile(lat, 50)), P90Ms: ms(percentile(lat, 90)), P99Ms: ms(percentile(lat, 99)),
			CostPerMillionUSD: math.Round(b.Total*1e6*100) / 100, Region: cfg.prices.Region, PricesDate: cfg.prices.Date,
		}
		if len(lat) > 0 {
			ps.MaxMs = ms(lat[len(lat)-1])
		}
		ps.MeasuredCostPerMillionUSD = measuredCost(samples, mine)
		s.Profiles = append(s.Profiles, ps)
		groups = append(groups, group{name: name, sorted: lat})
	}
	return groups, nil
}

// measuredCost is the mean X-Estimated-Cost-Usd of the selected responses that carried one, per
// million requests, rounded to cents; nil when none did.
func measuredCost(samples []sample, keep func(sample) bool) *float64 {
	sum, n := 0.0, 0
	for _, x := range samples {
		if x.hasCost && keep(x) {
			sum += x.costUSD
			n++
		}
	}
	if n == 0 {
		return nil
	}
	v := math.Round(sum/float64(n)*1e6*100) / 100
	return &v
}

// latencies returns the sorted latencies of the answered (not transport-failed) samples keep
// selects.
func latencies(samples []sample, keep func(sample) bool) []time.Duration {
	var out []time.Duration
	for _, x := range samples {
		if x.status != 0 && keep(x) {
			out = append(out, x.latency)
		}
	}
	slices.Sort(out)
	return out
}

// writeCharts writes one histogram per group: to path for one group, else to path with the
// profile's name before the extension (out.png: out-cached-report.png, out-cold-report.png).
func writeCharts(path string, s Summary, groups []group) error {
	for _, g := range groups {
		target, title := path, fmt.Sprintf("%d clients, %.0f requests/s", s.Concurrency, s.RPS)
		if g.name != "" {
			title = g.name + ", " + title
			if len(groups) > 1 {
				ext := filepath.Ext(path)
				target = strings.TrimSuffix(path, ext) + "-" + g.name + ext
			}
		}
		if err := writeChartFile(target, title, g.sorted); err != nil {
			return err
		}
	}
	return nil
}

func writeChartFile(path, title string, sorted []time.Duration) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("-png: %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("-png: %w", cerr)
		}
	}()
	return writeHistogram(f, title, sorted)
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

	s, samples := load(ctx, cfg, client)
	groups, err := cfg.priceProfiles(&s, samples)
	if err != nil {
		return err
	}
	if cfg.pngPath != "" {
		if err := writeCharts(cfg.pngPath, s, groups); err != nil {
			return err
		}
	}
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

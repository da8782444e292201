package stack_test

// The acceptance scenarios (features/*.feature) run against the whole local stack started
// in-process: dynalite, the simulators with fixed latencies, the engine running the deployed ASL
// with the real handlers, the issuer and the gateway, all over loopback HTTP. Nothing is faked but
// the clock, which the stale-cache scenario moves forward.
//
// With ACCEPTANCE_BASE_URL set they run over HTTP against that deployment instead (`make run`, or
// the dev environment in the deploy workflow): only the scenarios not tagged @inprocess, since
// those switch simulators off, move the clock or read the outbox. Signed-in steps use the token in
// ACCEPTANCE_TOKEN_<USER> (ACCEPTANCE_TOKEN_DEALER_DAN for dealer-dan) when set, else sign in at the
// deployment's development issuer (<base>/oidc).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cucumber/godog"

	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/devoidc"
	"github.com/acme-oem/vehicle-data/internal/local/stack"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// offsetClock is the wall clock plus an offset the scenarios move forward.
type offsetClock struct{ offset atomic.Int64 }

func (c *offsetClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *offsetClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// fixedLatency gives every simulator the same small fixed latency: real network hops, no dice.
func fixedLatency(ms int) map[vehicle.Source]fault.Latency {
	out := map[vehicle.Source]fault.Latency{}
	for _, s := range sim.Systems() {
		out[s] = fault.Latency{FixedMs: ms}
	}
	return out
}

func startStack(t testing.TB) (*stack.Stack, *offsetClock) {
	t.Helper()
	clock := &offsetClock{}
	stack, err := stack.Start(t.Context(), stack.Config{
		Sim: sim.Options{Latency: fixedLatency(5)},
		Now: clock.Now,
		// Scenarios switch outages on and off in quick succession; a breaker opened by one
		// scenario's outage would still be open in the next. Breakers have their own tests.
		LegacyBreaker: transport.BreakerConfig{ConsecutiveFailures: 1 << 20},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := stack.Close(); err != nil {
			t.Errorf("close stack: %v", err)
		}
	})
	return stack, clock
}

func TestAcceptance(t *testing.T) {
	var st *stack.Stack
	var clock *offsetClock
	tags := ""
	if base := strings.TrimSuffix(os.Getenv("ACCEPTANCE_BASE_URL"), "/"); base != "" {
		// Only the URLs: the steps that need more run in @inprocess scenarios only.
		st = &stack.Stack{URL: base, APIURL: base + "/api", IssuerURL: base + "/oidc"}
		tags = "~@inprocess"
		// A deployment keeps its cache between runs: start the serials somewhere else each time,
		// low enough that the never-assigned serials (99 and four digits) keep their length.
		serials.Store(rand.Int64N(9000)) //nolint:gosec // spreads test serials between runs; nothing secret
	} else {
		st, clock = startStack(t)
	}
	// -short (make race) leaves out the load scenarios: under the race detector's slowdown a
	// hundred concurrent cold reports measure the machine, not the code; make unit runs them.
	if testing.Short() {
		tags = strings.TrimPrefix(tags+" && ~@load", " && ")
	}
	suite := godog.TestSuite{
		Name: "vehicle-data",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			(&scenario{stack: st, clock: clock, client: &http.Client{Timeout: 30 * time.Second}}).register(sc)
		},
		Options: &godog.Options{
			Format:   "pretty",
			Paths:    []string{"features"},
			Tags:     tags,
			Strict:   true,
			NoColors: true,
			TestingT: t,
			// Failures reach the test through TestingT; the story itself only with -v.
			Output: io.Discard,
		},
	}
	if testing.Verbose() {
		suite.Options.Output = os.Stdout
	}
	if suite.Run() != 0 {
		t.Fatal("acceptance scenarios failed")
	}
}

// serials hands out VIN serial numbers no earlier scenario used, so every scenario starts cold.
var serials atomic.Int64

// freshVIN mints a valid, known VIN (a 2021 Volkswagen) nobody has looked up in this run.
func freshVIN() string {
	return mintVIN(fmt.Sprintf("7%05d", serials.Add(1)))
}

// mintVIN builds a VIN with the given six-digit serial and a correct check digit.
func mintVIN(serial string) string {
	s := "WVWZZZCD0MW" + serial
	return s[:8] + string(vehicle.CheckDigitOf(s)) + s[9:]
}

type answer struct {
	status int
	body   []byte
	header http.Header
}

type scenario struct {
	stack     *stack.Stack
	clock     *offsetClock
	client    *http.Client
	vin       string
	answers   []answer
	ownership ownershipState
	listing   listingState
	similar   similarState
}

func (s *scenario) register(sc *godog.ScenarioContext) {
	inProcess := s.clock != nil
	sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
		if inProcess {
			s.stack.Sims.Reset() // faults off, counters zero
		}
		return ctx, nil
	})
	sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
		if inProcess {
			s.stack.Sims.Reset()
		}
		return ctx, err
	})
	sc.Step(`^the service answers its health check$`, func(ctx context.Context) error {
		return s.get(ctx, s.stack.APIURL+"/healthz", 200)
	})
	sc.Step(`^a vehicle nobody has looked up yet$`, func() { s.vin = freshVIN() })
	sc.Step(`^a vehicle whose report was looked up a moment ago$`, func(ctx context.Context) error {
		return s.lookedUp(ctx, 0)
	})
	sc.Step(`^a vehicle whose report was looked up (\d+) days ago$`, func(ctx context.Context, days int) error {
		return s.lookedUp(ctx, time.Duration(days)*24*time.Hour)
	})
	sc.Step(`^a well-formed VIN the manufacturer never assigned$`, func() {
		// Serials starting with 99 were never assigned (legacyclients/sim/world).
		s.vin = mintVIN(fmt.Sprintf("99%04d", serials.Add(1)))
	})
	sc.Step(`^the (\S+) system is down$`, func(name string) error {
		sys := s.stack.Sims.System(vehicle.Source(name))
		if sys == nil {
			return fmt.Errorf("no simulated system %q", name)
		}
		return sys.SetFaults(fault.Faults{Outage: fault.OutageUnavailable})
	})
	sc.Step(`^every legacy system is down$`, func() error {
		for _, src := range sim.Systems() {
			if err := s.stack.Sims.System(src).SetFaults(fault.Faults{Outage: fault.OutageUnavailable}); err != nil {
				return err
			}
		}
		return nil
	})
	sc.Step(`^an anonymous visitor asks for its report$`, func(ctx context.Context) error {
		return s.ask(ctx, s.vin, 1)
	})
	sc.Step(`^an anonymous visitor asks for the report of "([^"]*)"$`, func(ctx context.Context, vin string) error {
		return s.ask(ctx, vin, 1)
	})
	sc.Step(`^(\d+) anonymous visitors ask for its report at the same time$`, func(ctx context.Context, n int) error {
		return s.ask(ctx, s.vin, n)
	})
	sc.Step(`^a vehicle (\S+) has proven (?:she|he|they) owns?$`, s.provenOwner)
	sc.Step(`^(alice|bob|dealer-dan) asks for its report$`, s.userAsks)
	sc.Step(`^the report is the (owner|public) view$`, s.view)
	sc.Step(`^the answer is (\d+)$`, s.answerIs)
	sc.Step(`^every answer is (\d+)$`, s.answerIs)
	sc.Step(`^the answer is (\d+) with a Retry-After$`, s.answerWithRetryAfter)
	sc.Step(`^the answer is (\d+) naming the field "([^"]*)" and the rule "([^"]*)"$`, s.namesFieldAndRule)
	sc.Step(`^the sections? ([A-Za-z, ]+?) (?:is|are) "(fresh|stale|unavailable)"$`, s.sections)
	s.registerOwnership(sc)
	s.registerListings(sc)
	s.registerOffers(sc)
	s.registerSimilar(sc)
	sc.Step(`^each legacy system was asked once$`, func() error { return s.legacyCalls(1) })
	sc.Step(`^no legacy system was asked$`, func() error { return s.legacyCalls(0) })
}

func (s *scenario) get(ctx context.Context, url string, want int) error {
	a, err := s.fetch(ctx, url)
	if err != nil {
		return err
	}
	if a.status != want {
		return fmt.Errorf("GET %s: status %d, want %d: %s", url, a.status, want, a.body)
	}
	return nil
}

func (s *scenario) fetch(ctx context.Context, url string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return answer{}, err
	}
	return s.do(req)
}

func (s *scenario) do(req *http.Request) (answer, error) {
	res, err := s.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	return answer{res.StatusCode, b, res.Header}, err
}

// lookedUp makes a fresh vehicle's report cached, then moves the clock by age and forgets the
// legacy calls that took.
func (s *scenario) lookedUp(ctx context.Context, age time.Duration) error {
	s.vin = freshVIN()
	if err := s.get(ctx, s.stack.APIURL+"/vehicles/"+s.vin, 200); err != nil {
		return err
	}
	s.clock.Advance(age)
	s.stack.Sims.Reset()
	return nil
}

func (s *scenario) ask(ctx context.Context, vin string, n int) error {
	s.answers = make([]answer, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			s.answers[i], errs[i] = s.fetch(ctx, s.stack.APIURL+"/vehicles/"+vin)
		})
	}
	close(start)
	wg.Wait()
	return errors.Join(errs...)
}

// provenOwner writes the grant ownership-verification would write after a successful challenge;
// the report's ownership-authorization reads it as in AWS.
func (s *scenario) provenOwner(ctx context.Context, user string) error {
	u, err := demoUser(user)
	if err != nil {
		return err
	}
	// The clean-history demo has one private keeper, so its owner section has data.
	s.vin = string(world.DemoClean)
	now := s.clock.Now()
	return dynamo.NewGrants(s.stack.DynamoDB, s.stack.TableName).Put(ctx, dynamo.Grant{
		VIN: world.DemoClean, Subject: u.Subject, GrantedAt: now, ExpiresAt: now.Add(24 * time.Hour), Method: "owner-code",
	})
}

func demoUser(name string) (devoidc.User, error) {
	for _, u := range devoidc.Users() {
		if u.Username == name {
			return u, nil
		}
	}
	return devoidc.User{}, fmt.Errorf("no demo user %q", name)
}

// userAsks signs in as a demo user at the dev issuer and asks for the report with the token.
func (s *scenario) userAsks(ctx context.Context, user string) error {
	tok, err := s.token(ctx, user)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.stack.APIURL+"/vehicles/"+s.vin, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	a, err := s.do(req)
	s.answers = []answer{a}
	return err
}

// view checks the access the report declares and that personal data appears exactly in the
// owner view: the owner section, plates and exact dates.
func (s *scenario) view(access string) error {
	var r struct {
		Access string          `json:"access"`
		Owner  json.RawMessage `json:"owner"`
	}
	body := s.answers[0].body
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("not a report: %w: %s", err, body)
	}
	if r.Access != access {
		return fmt.Errorf("access %q, want %q", r.Access, access)
	}
	personal := len(r.Owner) > 0 || bytes.Contains(body, []byte(`"plate"`))
	if personal != (access == "owner") {
		return fmt.Errorf("%s view with personal data %v: %s", access, personal, body)
	}
	return nil
}

func (s *scenario) answerIs(want int) error {
	for i, a := range s.answers {
		if a.status != want {
			return fmt.Errorf("answer %d: status %d, want %d: %s", i, a.status, want, a.body)
		}
	}
	return nil
}

// answerWithRetryAfter checks the status and that the answer says when to retry.
func (s *scenario) answerWithRetryAfter(want int) error {
	if err := s.answerIs(want); err != nil {
		return err
	}
	for i, a := range s.answers {
		if secs, err := strconv.Atoi(a.header.Get("Retry-After")); err != nil || secs <= 0 {
			return fmt.Errorf("answer %d: Retry-After %q, want a number of seconds", i, a.header.Get("Retry-After"))
		}
	}
	return nil
}

// namesFieldAndRule checks a 4xx error body names the field at fault and the rule it broke.
func (s *scenario) namesFieldAndRule(status int, field, rule string) error {
	if err := s.answerIs(status); err != nil {
		return err
	}
	var b struct {
		Error struct{ Code, Field, Rule string }
	}
	if err := json.Unmarshal(s.answers[0].body, &b); err != nil {
		return fmt.Errorf("error body %s: %w", s.answers[0].body, err)
	}
	if b.Error.Field != field || b.Error.Rule != rule {
		return fmt.Errorf("error %+v, want it to name field %q and rule %q", b.Error, field, rule)
	}
	if status == 400 && b.Error.Code != "INVALID" {
		return fmt.Errorf("error code %q, want INVALID", b.Error.Code)
	}
	return nil
}

var listSep = regexp.MustCompile(`\s*(?:,|\band\b)\s*`)

func (s *scenario) sections(list, freshness string) error {
	for i, a := range s.answers {
		var report map[string]json.RawMessage
		if err := json.Unmarshal(a.body, &report); err != nil {
			return fmt.Errorf("answer %d is not a report: %w: %s", i, err, a.body)
		}
		for _, name := range listSep.Split(strings.TrimSpace(list), -1) {
			if name == "" {
				continue
			}
			var sec struct {
				Freshness string          `json:"freshness"`
				Data      json.RawMessage `json:"data"`
			}
			raw, ok := report[name]
			if !ok {
				return fmt.Errorf("answer %d has no section %q: %s", i, name, a.body)
			}
			if err := json.Unmarshal(raw, &sec); err != nil {
				return fmt.Errorf("section %s: %w", name, err)
			}
			if sec.Freshness != freshness {
				return fmt.Errorf("answer %d: section %s is %q, want %q", i, name, sec.Freshness, freshness)
			}
			if (freshness == "unavailable") != (len(sec.Data) == 0) {
				return fmt.Errorf("answer %d: section %s is %s but has data %s", i, name, freshness, sec.Data)
			}
		}
	}
	return nil
}

// legacyCalls checks each report source got exactly n requests and the other systems none: the
// report needs no dealer stock or offers.
func (s *scenario) legacyCalls(n int64) error {
	stats := s.stack.Sims.Stats()
	var problems []string
	for _, src := range sim.Systems() {
		want := int64(0)
		for _, r := range report.Sources() {
			if r == src {
				want = n
			}
		}
		if got := stats[src].Total; got != want {
			problems = append(problems, fmt.Sprintf("%s asked %d times, want %d", src, got, want))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

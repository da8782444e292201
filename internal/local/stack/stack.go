// Package stack wires the whole product on one machine, in one process: dynalite (the one
// external process), the table, the legacy simulators, the development OIDC issuer, the local
// Step Functions engine running the deployed ASL with the real handlers, and the local API
// gateway serving the OpenAPI contract. cmd/vehicled runs it for `make run`; acceptance tests and
// benchmarks start the same stack in-process on free ports.
//
// One HTTP server on loopback serves:
//
//	/          the web site, /config.json and /dev/chaos (internal/local/devsite)
//	/api/...   the API (internal/local/gateway), e.g. /api/vehicles/{vin}, /api/healthz
//	/oidc/...  the development OIDC issuer (internal/local/devoidc)
//	/healthz   the same health check as /api/healthz, for scripts
//
// The simulators listen on their own loopback ports (each legacy system is its own server, as in
// production) and the engine calls dynalite over HTTP, so every hop that is a network hop in AWS is
// one here too.
package stack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.opentelemetry.io/otel/trace"

	"github.com/acme-oem/vehicle-data/config"
	"github.com/acme-oem/vehicle-data/functions/authorizer"
	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/cost"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/devoidc"
	"github.com/acme-oem/vehicle-data/internal/local/devoutbox"
	"github.com/acme-oem/vehicle-data/internal/local/devsite"
	"github.com/acme-oem/vehicle-data/internal/local/dynalite"
	"github.com/acme-oem/vehicle-data/internal/local/gateway"
	"github.com/acme-oem/vehicle-data/internal/local/traceview"
	"github.com/acme-oem/vehicle-data/internal/metrics"
	"github.com/acme-oem/vehicle-data/internal/oidc"
	"github.com/acme-oem/vehicle-data/internal/telemetry"
	"github.com/acme-oem/vehicle-data/internal/wiring"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
	"github.com/acme-oem/vehicle-data/statemachines/engine"
	"github.com/acme-oem/vehicle-data/statemachines/engine/server"
)

// DefaultTableName is the table's name locally (CDK names it in AWS).
const DefaultTableName = "vehicle-data"

// shutdownTimeout bounds how long Close waits for in-flight requests.
const shutdownTimeout = 10 * time.Second

// Config configures Start. The zero value starts a throwaway stack on a free port.
type Config struct {
	// Addr is the HTTP listen address; "127.0.0.1:0" (a free port) when empty. Keep it on
	// loopback: the issuer signs in anyone without a password.
	Addr string
	// Root is the repository root (where go.mod, node_modules and statemachines/ are); found by
	// walking up from the working directory when empty.
	Root string
	// DataDir keeps dynalite's data between runs (make run uses <root>/.data/dynalite); a
	// temporary directory, removed on Close, when empty.
	DataDir string
	// TableName; DefaultTableName when empty.
	TableName string
	// Sim configures the legacy simulators: the zero value has DESIGN.md's latency profiles;
	// tests fix the latencies (Latency) or remove them (NoLatency).
	Sim sim.Options
	// Now is the clock of the handlers (cache expiry, fetch times); time.Now when nil. Tests move
	// it forward to age the cache.
	Now func() time.Time
	// LegacyBreaker tunes the legacy clients' circuit breakers; zero fields take the transport's
	// defaults (as in AWS).
	LegacyBreaker transport.BreakerConfig
	// Logger receives the access log and the parts' logs; discarded when nil.
	Logger *slog.Logger
	// Traces keeps every span of the gateway, the state machines' states, the steps, the legacy
	// calls and the cache reads (through the personal-data guard), for the trace view at
	// /dev/traces/ and the tests; a fresh bounded one when nil.
	Traces *telemetry.Recorder
	// Metrics aggregates the catalogue's metrics for /dev/metrics; a fresh one when nil.
	Metrics *metrics.Local
	// Usage, when set, receives each API request's metered usage as its cost is answered
	// (X-Estimated-Cost-Usd): what tests check the meter by.
	Usage func(cost.Usage)
	// WrapFunctions, when set, wraps each Lambda step's handler (as internal/wiring built it) once
	// at start; the engine invokes what it returns, inside the step's span. For fault injection in tests (a step that panics or fails); nil runs the steps as
	// they are.
	WrapFunctions func(name string, h step.Handler) step.Handler
	// Features are the product features switched on (the gateway hides the others' routes);
	// config/features/local.json when nil.
	Features map[string]bool
	// SiteURL is the origin of listing share links; http://localhost:<port> when empty (the
	// site's share page is /l/<id>).
	SiteURL string
	// StepFunctions places the engine's Step Functions API, which the gateway calls through the
	// sfn client as API Gateway does, or points the gateway at deployed state machines.
	StepFunctions StepFunctions
}

// Stack is a running local stack. Close it.
type Stack struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:8080; APIURL is URL + "/api".
	URL, APIURL string
	// IssuerURL is the OIDC issuer (URL + "/oidc").
	IssuerURL string
	// SiteURL is the origin of listing share links (Config.SiteURL).
	SiteURL string
	// Handles on the parts, for tests and benchmarks.
	Dynalite  *dynalite.Server
	DynamoDB  *dynamodb.Client
	TableName string
	Issuer    *devoidc.Issuer
	Engine    *engine.Engine
	Gateway   *gateway.Gateway
	Sims      *sim.Cluster
	// Traces and Metrics are what /dev/traces/ and /dev/metrics show.
	Traces  *telemetry.Recorder
	Metrics *metrics.Local
	// Outbox holds the ownership codes sent to owners on record (GET /dev/outbox?vin=...).
	Outbox *devoutbox.Outbox
	// StateMachines maps each loaded machine's name to its ARN.
	StateMachines map[string]string

	// StepFunctionsAPI serves Engine over the Step Functions API at StepFunctionsURL (its own
	// loopback port); the gateway, the AWS CLI and the SDKs reach the state machines there.
	StepFunctionsAPI *server.Server
	StepFunctionsURL string
	gatewayARNPrefix string // the deployed machines the gateway calls, when not the local ones

	log              *slog.Logger
	demoListingIDs   []string // SeedDemoListings, for the banner
	meters           sync.Map // request id -> *cost.Meter, across the local Step Functions API (requestCarrier)
	requiredMachines []string
	transports       []*transport.Client // one per legacy system; /healthz reads their snapshots
	server           *http.Server
	serveDone        chan error
	closers          []func(context.Context) error // run in reverse order by Close
	closeOnce        sync.Once
	closeErr         error
}

// Start brings the stack up and returns once every part answers. On error, whatever was started is
// stopped again.
func Start(ctx context.Context, cfg Config) (_ *Stack, err error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.TableName == "" {
		cfg.TableName = DefaultTableName
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Every line logged under a request's context carries its request id and trace id, and its
	// size lands on the request's cost meter (CloudWatch Logs ingestion).
	log = slog.New(telemetry.LogHandler(meteredLogs{next: log.Handler()}))
	if cfg.Root == "" {
		if cfg.Root, err = FindRoot("."); err != nil {
			return nil, err
		}
	}
	s := &Stack{log: log, TableName: cfg.TableName, StateMachines: map[string]string{}}
	defer func() {
		if err != nil {
			_ = s.Close()
		}
	}()

	// The listener first: the issuer's URL (and so every token's iss) depends on the port.
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("local stack: listen on %s: %w", cfg.Addr, err)
	}
	s.URL = "http://" + ln.Addr().String()
	s.APIURL = s.URL + "/api"
	s.IssuerURL = s.URL + "/oidc"
	s.closers = append(s.closers, func(context.Context) error { return ignoreClosed(ln.Close()) })
	if cfg, err = productDefaults(cfg, ln.Addr()); err != nil {
		return nil, err
	}
	s.SiteURL = cfg.SiteURL

	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("local stack: dynalite data dir: %w", err)
		}
	}
	s.Dynalite, err = dynalite.Start(ctx, dynalite.Options{DataDir: cfg.DataDir, Dir: cfg.Root})
	if err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}
	s.closers = append(s.closers, func(context.Context) error { s.Dynalite.Stop(); return nil })

	if s.DynamoDB, err = dynamo.NewLocalClient(ctx, s.Dynalite.Endpoint); err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}
	if err := dynamo.CreateTable(ctx, s.DynamoDB, cfg.TableName); err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}

	if cfg.Sim.Logger == nil {
		cfg.Sim.Logger = log
	}
	if s.Sims, err = sim.Start(ctx, cfg.Sim); err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}
	s.closers = append(s.closers, func(context.Context) error { return s.Sims.Close() })

	if s.Issuer, err = devoidc.New(s.IssuerURL, devoidc.Options{}); err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}
	// The key set URL is given rather than discovered: discovery would need the server to be
	// serving already. Keys are fetched on the first verification, over HTTP, as in AWS.
	verifier, err := oidc.NewVerifier(ctx, oidc.Config{
		Issuer:   s.Issuer.URL(),
		Audience: s.Issuer.Audience(),
		JWKSURL:  s.Issuer.JWKSURL(),
	})
	if err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}

	s.Traces, s.Metrics = cfg.Traces, cfg.Metrics
	if s.Traces == nil {
		s.Traces = telemetry.NewRecorder(0)
	}
	if s.Metrics == nil {
		s.Metrics = metrics.NewLocal(0)
	}
	tp, err := telemetry.NewTracerProvider(telemetry.Options{Service: "local-stack", Recorder: s.Traces})
	if err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}
	s.closers = append(s.closers, func(ctx context.Context) error { return tp.Shutdown(ctx) })

	s.Outbox = devoutbox.New(devoutbox.Options{DocumentCode: documentCodes(s.Sims)})
	// Every DynamoDB call of the steps and of the state machines' dynamodb:* tasks puts its
	// request units on the request's cost meter.
	steps, err := buildSteps(ctx, dynamo.Metered(s.DynamoDB), cfg.TableName, s.Sims, s.Outbox, cfg, log, tp, s.Metrics)
	if err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}
	s.transports = steps.Transports()
	s.closers = append(s.closers, func(context.Context) error { steps.Close(); return nil })
	if err := s.startStateMachines(ctx, cfg, steps, tp, verifier, log); err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}

	// The web site answers everything outside /api, /oidc and /dev (internal/local/devsite); reserved
	// paths nothing routed get the gateway's contract 404 body rather than net/http's plain text.
	site, err := devsite.New(devsite.Options{
		Root: cfg.Root, Origin: s.URL, IssuerURL: s.IssuerURL, Systems: s.Sims.BaseURLs(), NotFound: s.Gateway,
	})
	if err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}
	mux := http.NewServeMux()
	prices, err := cost.LoadPrices(priceRegion)
	if err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}
	mux.Handle("/api/", metered(prices, cfg.Usage, telemetry.Server(tp, s.Metrics, s.Gateway)))
	// The trace view and the metrics exist only in the local stack (no authentication).
	mux.Handle("/dev/traces/", http.StripPrefix("/dev/traces", traceview.Handler(s.Traces)))
	mux.Handle("/dev/metrics", s.Metrics.Handler())
	mux.Handle("/", site)
	mux.Handle("/oidc/", s.Issuer)
	// The development outbox shows the one-time codes "sent" to owners on record; it exists only
	// in the local stack, never in a deployed one.
	mux.Handle(devoutbox.Path, s.Outbox)
	// Every method: the gateway answers the ones the route lacks with 405 and Allow.
	mux.Handle("/healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path, r2.URL.RawPath = "/api/healthz", ""
		s.Gateway.ServeHTTP(w, r2)
	}))
	s.server = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		// Headers and body together: the gateway cuts a stalled body off earlier (408 after
		// gateway.DefaultBodyTimeout); this bounds every other handler (issuer, outbox) too.
		ReadTimeout: 10*time.Second + gateway.DefaultBodyTimeout,
		// The gateway bounds each request at API Gateway's 29 s; the write timeout leaves room
		// for the error response after that.
		WriteTimeout: gateway.DefaultTimeout + 5*time.Second,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	s.serveDone = make(chan error, 1)
	go func() { s.serveDone <- s.server.Serve(ln) }()
	s.closers = append(s.closers, s.shutdownServer)

	if err := s.waitHealthy(ctx); err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}
	return s, nil
}

// productDefaults fills the product settings left empty: share links on localhost at the
// listening port, and the local environment's feature toggles.
func productDefaults(cfg Config, addr net.Addr) (Config, error) {
	if cfg.SiteURL == "" {
		if tcp, ok := addr.(*net.TCPAddr); ok {
			cfg.SiteURL = fmt.Sprintf("http://localhost:%d", tcp.Port)
		}
	}
	if cfg.Features == nil {
		f, err := config.LoadFeatures("local")
		if err != nil {
			return cfg, fmt.Errorf("local stack: %w", err)
		}
		cfg.Features = f
	}
	return cfg, nil
}

func ignoreClosed(err error) error {
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

func (s *Stack) shutdownServer(ctx context.Context) error {
	err := s.server.Shutdown(ctx)
	if err != nil {
		// In-flight requests outlived the deadline: cut them off.
		_ = s.server.Close()
	}
	if serr := <-s.serveDone; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("shut down HTTP server: %w", err)
	}
	return nil
}

// Close stops everything that Start started, in reverse order, with a shutdown deadline for the
// HTTP servers; dynalite's process is stopped and its temporary data removed. Safe to call twice.
func (s *Stack) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		var errs []error
		for i := len(s.closers) - 1; i >= 0; i-- {
			if err := s.closers[i](ctx); err != nil {
				errs = append(errs, err)
			}
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// health checks each part; the gateway answers /healthz with it.
func (s *Stack) health(ctx context.Context) []gateway.Check {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	checks := make([]gateway.Check, 0, 8)
	check := func(name string, err error) {
		c := gateway.Check{Name: name, Status: "up"}
		if err != nil {
			c.Status, c.Error = "down", err.Error()
		}
		checks = append(checks, c)
	}
	_, err := s.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(s.TableName)})
	check("dynalite", err)
	check("oidc-issuer", httpGetOK(ctx, s.Issuer.URL()+"/.well-known/openid-configuration"))
	check("state-machines", s.checkMachines())
	checks = append(checks, legacyHealth(s.transports)...)
	return checks
}

func (s *Stack) checkMachines() error {
	for _, name := range s.requiredMachines {
		if _, ok := s.StateMachines[name]; !ok {
			return fmt.Errorf("state machine %s is not loaded", name)
		}
	}
	return nil
}

// httpGetOK GETs url and wants a 200; ctx bounds it.
func httpGetOK(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("health request: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health request: %w", err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("health request: status %d", res.StatusCode)
	}
	return nil
}

// waitHealthy polls /healthz until every part is up, bounded by ctx and a start-up budget.
func (s *Stack) waitHealthy(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var last error
	for {
		if last = httpGetOK(ctx, s.URL+"/healthz"); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stack not healthy: %w", last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// FindRoot walks up from dir to the directory holding go.mod.
func FindRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("local stack: find repository root: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("local stack: no go.mod above %s", abs)
		}
	}
}

// startStateMachines runs the steps on the engine, serves it over the Step Functions API and puts
// the gateway in front of it, as API Gateway reaches Express machines through StartSyncExecution.
func (s *Stack) startStateMachines(ctx context.Context, cfg Config, steps *wiring.Functions, tp trace.TracerProvider,
	verifier *oidc.Verifier, log *slog.Logger) error {
	nested, err := nestedStarts(cfg.Root)
	if err != nil {
		return err
	}
	s.Engine = engine.New(engine.Options{
		Functions: lambdaFunctions(steps, cfg),
		Trace:     stateSpans(tp, nested),
		DynamoDB:  dynamo.Metered(s.DynamoDB),
		Region:    localRegion,
		Account:   localAccount,
	})
	// Refreshes started by reports run on after their request: let them finish (each is bounded
	// by its machine's TimeoutSeconds) before the steps, simulators and dynalite go away.
	s.closers = append(s.closers, s.Engine.Drain)
	if err := s.serveStepFunctions(ctx, cfg.StepFunctions.Addr); err != nil {
		return err
	}
	executor, err := stepFunctionsExecutor(ctx, cfg.StepFunctions, s.StepFunctionsURL, &s.meters)
	if err != nil {
		return err
	}
	s.gatewayARNPrefix = cfg.StepFunctions.ARNPrefix

	s.Gateway, err = gateway.New(ctx, gateway.Options{
		Executor: meteredExecutor{next: executor},
		Authorizer: gateway.AuthorizerFunc(func(ctx context.Context, h string) (oidc.Caller, error) {
			return authorizer.Authorize(ctx, verifier, h)
		}),
		Health:         s.health,
		BasePath:       "/api",
		Logger:         log,
		RequestContext: telemetry.WithRequestID,
		RouteMatched:   telemetry.SetRoute,
		Features:       cfg.Features,
	})
	if err != nil {
		return err
	}
	if err := s.loadStateMachines(cfg.Root, cfg.TableName, s.Gateway.StateMachines()); err != nil {
		return err
	}
	return nil
}

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
	"github.com/aws/aws-xray-sdk-go/xray"

	"github.com/acme-oem/vehicle-data/functions/authorizer"
	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/devoidc"
	"github.com/acme-oem/vehicle-data/internal/local/devoutbox"
	"github.com/acme-oem/vehicle-data/internal/local/devsite"
	"github.com/acme-oem/vehicle-data/internal/local/dynalite"
	"github.com/acme-oem/vehicle-data/internal/local/gateway"
	"github.com/acme-oem/vehicle-data/internal/oidc"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
	"github.com/acme-oem/vehicle-data/statemachines/engine"
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
	// TraceEmitter receives every X-Ray (sub)segment the Lambda steps and the legacy clients
	// emit: when set, each Lambda invocation of the engine runs, as in AWS, under a fresh sampled
	// trace header (xray.LambdaTraceHeaderKey) and an xray.Config with this emitter, set per
	// context (internal/tracing), not globally. A *tracing.Recorder keeps them in memory,
	// bounded. Nil traces nothing: the legacy clients then begin no subsegment.
	TraceEmitter xray.Emitter
	// WrapFunctions, when set, wraps each Lambda step's handler (as internal/wiring built it) once
	// at start; the engine invokes what it returns, under the trace context when TraceEmitter is
	// set. For fault injection in tests (a step that panics or fails); nil runs the steps as
	// they are.
	WrapFunctions func(name string, h step.Handler) step.Handler
}

// Stack is a running local stack. Close it.
type Stack struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:8080; APIURL is URL + "/api".
	URL, APIURL string
	// IssuerURL is the OIDC issuer (URL + "/oidc").
	IssuerURL string
	// Handles on the parts, for tests and benchmarks.
	Dynalite  *dynalite.Server
	DynamoDB  *dynamodb.Client
	TableName string
	Issuer    *devoidc.Issuer
	Engine    *engine.Engine
	Gateway   *gateway.Gateway
	Sims      *sim.Cluster
	// Outbox holds the ownership codes sent to owners on record (GET /dev/outbox?vin=...).
	Outbox *devoutbox.Outbox
	// StateMachines maps each loaded machine's name to its ARN.
	StateMachines map[string]string

	log              *slog.Logger
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

	s.Outbox = devoutbox.New(devoutbox.Options{DocumentCode: documentCodes(s.Sims)})
	steps, err := buildSteps(ctx, s.DynamoDB, cfg.TableName, s.Sims, s.Outbox, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}
	s.transports = steps.Transports()
	s.closers = append(s.closers, func(context.Context) error { steps.Close(); return nil })
	functions, err := lambdaFunctions(steps, cfg)
	if err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}
	s.Engine = engine.New(engine.Options{
		Functions: functions,
		DynamoDB:  s.DynamoDB,
		Region:    localRegion,
		Account:   localAccount,
	})
	// Refreshes started by reports run on after their request: let them finish (each is bounded
	// by its machine's TimeoutSeconds) before the steps, simulators and dynalite go away.
	s.closers = append(s.closers, s.Engine.Drain)

	s.Gateway, err = gateway.New(ctx, gateway.Options{
		Executor: engineExecutor{s.Engine},
		Authorizer: gateway.AuthorizerFunc(func(ctx context.Context, h string) (oidc.Caller, error) {
			return authorizer.Authorize(ctx, verifier, h)
		}),
		Health:   s.health,
		BasePath: "/api",
		Logger:   log,
	})
	if err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}
	if err := s.loadStateMachines(cfg.Root, cfg.TableName, s.Gateway.StateMachines()); err != nil {
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
	mux.Handle("/api/", s.Gateway)
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

// engineExecutor adapts the local engine to the gateway's Executor.
type engineExecutor struct{ e *engine.Engine }

func (x engineExecutor) StartSyncExecution(ctx context.Context, sm string, input []byte) (gateway.Result, error) {
	r, err := x.e.StartSyncExecution(ctx, sm, input)
	if err != nil {
		return gateway.Result{}, fmt.Errorf("start %s: %w", sm, err)
	}
	return gateway.Result{Status: r.Status, Output: r.Output, Error: r.Error, Cause: r.Cause}, nil
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

package stack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/acme-oem/vehicle-data/internal/cost"
	"github.com/acme-oem/vehicle-data/internal/local/gateway"
	"github.com/acme-oem/vehicle-data/internal/telemetry"
	"github.com/acme-oem/vehicle-data/statemachines/engine/server"
)

// StepFunctions chooses the Step Functions API the gateway calls. The zero value is the local
// engine's own endpoint on a free loopback port.
type StepFunctions struct {
	// Addr is where the local engine's Step Functions API listens (make run: 127.0.0.1:8083);
	// "127.0.0.1:0" when empty. Keep it on loopback: it accepts any signature.
	Addr string
	// ARNPrefix, when set, points the gateway at deployed state machines instead of the local
	// ones, to debug a stage with the local gateway, issuer and site: the ARN of the contract's
	// machine <name> is ARNPrefix+<name>, e.g.
	// arn:aws:states:eu-central-1:111111111111:stateMachine:vehicle-data-alice- (CDK names
	// each machine vehicle-data-<stage>-<name>). The client's region is the ARN's and its
	// credentials come from the default chain (AWS_PROFILE, environment, SSO).
	ARNPrefix string
	// Endpoint overrides the client's endpoint with ARNPrefix (another Step Functions API, such
	// as a second local engine; no "sync-" host prefix is added); AWS's regional endpoint when
	// empty.
	Endpoint string
}

// arnPrefixRE is a state machine ARN up to the name: its region is the client's.
var arnPrefixRE = regexp.MustCompile(`^arn:aws[a-z-]*:states:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:stateMachine:[A-Za-z0-9_-]*$`)

// stepFunctionsExecutor builds the gateway's Executor: the sfn client against the local engine's
// endpoint (localURL), or against deployed machines when cfg.ARNPrefix is set.
func stepFunctionsExecutor(ctx context.Context, cfg StepFunctions, localURL string, meters *sync.Map) (gateway.StepFunctions, error) {
	// API Gateway's integration does not retry a StartSyncExecution: a retry would run the
	// execution twice. The SDK's default retryer would.
	noRetry := func(o *sfn.Options) { o.Retryer = aws.NopRetryer{} }
	if cfg.ARNPrefix == "" {
		// The SDK's default transport keeps 10 idle connections per host; under a load test's
		// concurrency that means a new loopback connection for most calls.
		httpClient := &http.Client{Transport: requestCarrier{meters: meters, next: &http.Transport{
			Proxy:               nil,
			MaxIdleConns:        1024,
			MaxIdleConnsPerHost: 1024,
			IdleConnTimeout:     90 * time.Second,
		}}}
		client := sfn.NewFromConfig(aws.Config{
			Region: localRegion,
			// The local endpoint checks no signature, so the client sends none: anonymous
			// credentials make the SDK skip SigV4 (58 fewer allocations per call, see the
			// engine's BenchmarkStartSyncLoopbackPassChain20).
			Credentials: aws.AnonymousCredentials{},
			HTTPClient:  httpClient,
		}, server.Endpoint(localURL), noRetry)
		return gateway.StepFunctions{Client: client, ARN: stateMachineArn}, nil
	}
	m := arnPrefixRE.FindStringSubmatch(cfg.ARNPrefix)
	if m == nil {
		return gateway.StepFunctions{}, fmt.Errorf("step functions ARN prefix %q: want arn:aws:states:<region>:<12-digit account>:stateMachine:<name prefix>, e.g. arn:aws:states:eu-central-1:111111111111:stateMachine:vehicle-data-alice-", cfg.ARNPrefix)
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(m[1]))
	if err != nil {
		return gateway.StepFunctions{}, fmt.Errorf("step functions: AWS configuration: %w", err)
	}
	opts := []func(*sfn.Options){noRetry}
	if cfg.Endpoint != "" {
		opts = append(opts, server.Endpoint(cfg.Endpoint))
	}
	prefix := cfg.ARNPrefix
	return gateway.StepFunctions{
		Client: sfn.NewFromConfig(awsCfg, opts...),
		ARN:    func(name string) string { return prefix + name },
	}, nil
}

// serveStepFunctions serves the engine over the Step Functions API on its own loopback listener
// (addr, a free port when empty). Close stops the listener after the main server, so requests
// in flight through the gateway finish first, then the API's asynchronous executions.
func (s *Stack) serveStepFunctions(ctx context.Context, addr string) error {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("step functions API: listen on %s: %w", addr, err)
	}
	s.StepFunctionsAPI = server.New(s.Engine)
	s.StepFunctionsURL = "http://" + ln.Addr().String()
	srv := &http.Server{
		Handler:           requestContext(&s.meters, s.StepFunctionsAPI),
		ReadHeaderTimeout: 10 * time.Second,
		// An execution may run as long as the gateway lets it (29 s) and a client waits.
		WriteTimeout: gateway.DefaultTimeout + 5*time.Second,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	s.closers = append(s.closers, func(ctx context.Context) error {
		err := srv.Shutdown(ctx)
		if err != nil {
			_ = srv.Close()
		}
		if serr := <-done; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		s.StepFunctionsAPI.Close()
		if err != nil {
			return fmt.Errorf("shut down step functions API: %w", err)
		}
		return nil
	})
	return nil
}

// stepFunctionsBanner names the Step Functions API and shows the AWS CLI against it.
func (s *Stack) stepFunctionsBanner(vin string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nStep Functions API: %s   (every statemachines/*.asl.json; any SigV4 signature)\n", s.StepFunctionsURL)
	if s.gatewayARNPrefix != "" {
		fmt.Fprintf(&b, "  The gateway calls the deployed state machines %s<name> instead.\n", s.gatewayARNPrefix)
	}
	b.WriteString("  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=" + localRegion + " AWS_DISABLE_HOST_PREFIX_INJECTION=true\n")
	fmt.Fprintf(&b, "  aws stepfunctions list-state-machines --endpoint-url %s\n", s.StepFunctionsURL)
	fmt.Fprintf(&b, "  aws stepfunctions start-sync-execution --endpoint-url %s --state-machine-arn %s --input '{\"vin\":\"%s\",\"caller\":{\"sub\":\"\",\"role\":\"anonymous\"},\"requestId\":\"cli\"}'\n",
		s.StepFunctionsURL, stateMachineArn("vehicle-report"), vin)
	return b.String()
}

// requestIDHeader carries the gateway's request id to the local Step Functions API, as the
// execution input carries it in AWS, so the steps' log lines join the gateway's access line.
const requestIDHeader = "X-Request-Id"

// requestCarrier sends what API Gateway passes to Step Functions with each call: the trace
// header (X-Amzn-Trace-Id), so the execution joins the request's trace, and the request id. The
// request's cost meter stays in this process: it is handed over by request id (meters).
type requestCarrier struct {
	meters *sync.Map
	next   http.RoundTripper
}

func (c requestCarrier) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	r = r.Clone(ctx)
	if h := telemetry.Header(ctx); h != "" {
		r.Header.Set(telemetry.HeaderName, h)
	}
	if id := telemetry.RequestID(ctx); id != "" {
		r.Header.Set(requestIDHeader, id)
		if m := cost.MeterFrom(ctx); m != nil {
			c.meters.Store(id, m)
			defer c.meters.Delete(id)
		}
	}
	return c.next.RoundTrip(r) //nolint:wrapcheck // a RoundTripper passes its transport's error on
}

// requestContext restores on the Step Functions API's side what requestCarrier sent: the
// execution runs under the request's trace, request id and cost meter.
func requestContext(meters *sync.Map, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := telemetry.ContextWithHeader(r.Context(), r.Header.Get(telemetry.HeaderName))
		if id := r.Header.Get(requestIDHeader); id != "" {
			ctx = telemetry.WithRequestID(ctx, id)
			if m, ok := meters.Load(id); ok {
				ctx = cost.WithMeter(ctx, m.(*cost.Meter))
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

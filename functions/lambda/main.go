// Command lambda is the single Lambda binary: every step of every state machine and the API's
// authorizer, picked by name from functions/catalog and built by internal/wiring. `make build`
// cross-compiles it for provided.al2023 on arm64; CDK deploys it once per catalog.Spec with
// HANDLER set to the spec's name.
//
// Environment (wiring.Env* names them; each function reads only what it needs and exits at start
// with an error naming a missing variable):
//
//	HANDLER          catalog name of the function (else the suffix of AWS_LAMBDA_FUNCTION_NAME
//	                 after its last "-<name>" that matches a catalog name)
//	PSEUDONYM_KEY    key for log pseudonyms (at least 16 bytes): every step
//	TABLE_NAME       the DynamoDB table: fetch and ownership steps
//	CACHE_POLICY     optional expiry overrides, JSON (see dynamo.ApplyPolicy)
//	VEHICLE_MASTER_URL, WORKSHOP_URL, REGISTRY_URL, RECALLS_URL
//	                 base URLs of the legacy systems: the fetch step of each; the ownership
//	                 steps need REGISTRY_URL
//	DEALER_STOCK_URL the dealer stock system: the similar-car steps (vehicle-market also needs
//	                 VEHICLE_MASTER_URL)
//	OWNERSHIP_PEPPER secret (at least 32 bytes) under which ownership codes are stored as HMACs:
//	                 the ownership steps
//	CODE_SENDER      sender address (an SES-verified identity) of e-mailed one-time codes: the
//	                 ownership-challenge step, which sends codes by SMS (SNS) or e-mail (SES)
//	                 as the registry holds the owner's contact
//	OIDC_ISSUER, OIDC_AUDIENCE (OIDC_JWKS_URL, OIDC_AUDIENCE_CLAIM, OIDC_ROLE_CLAIM optional)
//	                 the authorizer's token issuer and audience; Cognito: client_id, cognito:groups
//	AWS_XRAY_DAEMON_ADDRESS, _X_AMZN_TRACE_ID
//	                 set by Lambda with active tracing: the steps' spans (the step, its legacy
//	                 calls and their attempts) go to the X-Ray daemon as subsegments of the
//	                 invocation's segment (telemetry.XRayExporter), flushed after each invocation
//
// HANDLER=pre-token is the Cognito user pool's pre token generation trigger (functions/pretoken);
// it reads no setting. HANDLER=share-page answers CloudFront's /l/{id} (functions/sharepage):
//
//	SITE_BUCKET      the site's bucket, whose index.html it serves with the listing's tags
//	API_URL          the API stage's URL, whose public GET /listings/{id} it reads
//	SITE_URL         optional: the site's origin, for og:url when share links are site-relative
package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/functions/pretoken"
	"github.com/acme-oem/vehicle-data/internal/metrics"
	"github.com/acme-oem/vehicle-data/internal/telemetry"
	"github.com/acme-oem/vehicle-data/internal/wiring"
)

func main() {
	// JSON for CloudWatch; the level from Lambda's log configuration (AWS_LAMBDA_LOG_LEVEL) or
	// LOG_LEVEL, per environment.
	level := os.Getenv("LOG_LEVEL")
	if l := os.Getenv("AWS_LAMBDA_LOG_LEVEL"); l != "" {
		level = l
	}
	log, err := telemetry.NewLogger(os.Stdout, "json", level)
	if err != nil {
		log = slog.New(slog.NewJSONHandler(os.Stdout, nil))
		log.Warn("log level ignored", "error", err.Error())
	}
	h, err := build(context.Background(), os.Getenv, log)
	if err != nil {
		log.Error("lambda start-up failed", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(h)
}

// build wires the one function this Lambda runs.
func build(ctx context.Context, env func(string) string, log *slog.Logger) (lambda.Handler, error) {
	name, err := handlerName(env)
	if err != nil {
		return nil, err
	}
	cfg := wiring.FromEnv(env)
	cfg.Log = log.With("function", name)
	// The steps' metrics as CloudWatch Embedded Metric Format on standard output, flushed after
	// each invocation (Lambda freezes the process between them).
	emf := metrics.NewEMF(os.Stdout, nil)
	cfg.Metrics = emf
	// With active tracing Lambda runs an X-Ray daemon and names it; each invocation's trace
	// header (Root, the function's segment as Parent, Sampled) is in _X_AMZN_TRACE_ID.
	var tp *sdktrace.TracerProvider
	if addr := env(telemetry.DaemonAddressEnv); addr != "" {
		exp, err := telemetry.NewXRayExporter(addr)
		if err != nil {
			return nil, err //nolint:wrapcheck // names the variable
		}
		if tp, err = telemetry.NewTracerProvider(telemetry.Options{Service: "lambda-" + name, Exporter: exp}); err != nil {
			return nil, err //nolint:wrapcheck // telemetry's errors name the option
		}
		cfg.TracerProvider = tp
	}
	if name == catalog.Authorizer {
		a, err := wiring.Authorizer(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return lambda.NewHandler(a.Handle), nil
	}
	if name == catalog.SharePage {
		// A function URL event in, an HTML answer out: the page is not a step.
		h, err := wiring.SharePage(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return lambda.NewHandler(h.Handle), nil
	}
	if name == catalog.PreToken {
		// Cognito's event in, the event with its response out; no settings, no metrics.
		return lambda.NewHandler(pretoken.Handle), nil
	}
	fns, err := wiring.Build(ctx, cfg, name)
	if err != nil {
		return nil, err
	}
	h, _ := fns.Lookup(name) // Build built name or failed
	return invoker(func(ctx context.Context, payload []byte) ([]byte, error) {
		if tp != nil {
			ctx = telemetry.ContextWithHeader(ctx, env("_X_AMZN_TRACE_ID"))
		}
		out, err := h(ctx, payload)
		if ferr := emf.Flush(); ferr != nil {
			log.WarnContext(ctx, "metrics not written", "error", ferr.Error())
		}
		// Lambda freezes the process after the answer: send the spans before giving it.
		if tp != nil {
			if ferr := tp.ForceFlush(ctx); ferr != nil {
				log.WarnContext(ctx, "spans not sent", "error", ferr.Error())
			}
		}
		return out, err
	}), nil
}

func handlerName(env func(string) string) (string, error) {
	if n := env("HANDLER"); n != "" {
		return n, nil
	}
	fn := env("AWS_LAMBDA_FUNCTION_NAME")
	for _, s := range catalog.Specs() {
		if fn == s.Name || strings.HasSuffix(fn, "-"+s.Name) {
			return s.Name, nil
		}
	}
	return "", errors.New("set HANDLER to a catalog name")
}

// invoker adapts a step to the runtime. aws-lambda-go names a plain error by its Go type
// ("Error"); an InvokeResponse_Error carries our state error name as errorType instead, so the
// ASL can Catch VehicleData.* and the gateway can map it.
type invoker func(ctx context.Context, payload []byte) ([]byte, error)

func (h invoker) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	out, err := h(ctx, payload)
	if err == nil {
		return out, nil
	}
	var typed interface{ ErrorType() string }
	if errors.As(err, &typed) {
		return nil, messages.InvokeResponse_Error{Type: typed.ErrorType(), Message: err.Error()}
	}
	return nil, err
}

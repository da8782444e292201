// Command lambda is the single Lambda binary: every step of every state machine, picked by name
// from the handler registry. `make build` cross-compiles it for provided.al2023 on arm64; CDK
// deploys it once per registry.Spec with HANDLER set to the spec's name.
//
// Environment:
//
//	HANDLER          registry name of the step (else the suffix of AWS_LAMBDA_FUNCTION_NAME
//	                 after its last "-<name>" that matches a registry name)
//	TABLE_NAME       the DynamoDB table
//	PSEUDONYM_KEY    key for log pseudonyms (at least 16 bytes)
//	CACHE_POLICY     optional expiry overrides, JSON (see dynamo.ApplyPolicy)
//	VEHICLE_MASTER_URL, WORKSHOP_URL, REGISTRY_URL, RECALLS_URL
//	                 base URLs of the legacy systems; only the one a fetch step uses is needed
//	OWNERSHIP_PEPPER secret (at least 32 bytes) under which ownership codes are stored as HMACs;
//	                 the ownership steps need it, TABLE_NAME and REGISTRY_URL
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/acme-oem/vehicle-data/functions/registry"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	"github.com/acme-oem/vehicle-data/internal/ownershipadapters"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/recalls"
	regclient "github.com/acme-oem/vehicle-data/legacyclients/registry"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
	"github.com/acme-oem/vehicle-data/legacyclients/vehiclemaster"
	"github.com/acme-oem/vehicle-data/legacyclients/workshop"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	h, err := build(context.Background(), os.Getenv, log)
	if err != nil {
		log.Error("lambda start-up failed", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(h)
}

// build wires the one step this function runs.
func build(ctx context.Context, env func(string) string, log *slog.Logger) (lambda.Handler, error) {
	name, err := handlerName(env)
	if err != nil {
		return nil, err
	}
	key := env("PSEUDONYM_KEY")
	if len(key) < 16 {
		return nil, errors.New("PSEUDONYM_KEY must hold at least 16 bytes")
	}
	deps := registry.Deps{Log: log.With("function", name), Pseudonymizer: vehicle.NewPseudonymizer([]byte(key))}
	var api *dynamodb.Client
	table := env("TABLE_NAME")
	if table != "" {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("aws config: %w", err)
		}
		cc := dynamo.DefaultCacheConfig()
		cc.LeaseTTL = registry.FetchLeaseTTL()
		if doc := env("CACHE_POLICY"); doc != "" {
			if cc, err = dynamo.ApplyPolicy(cc, []byte(doc)); err != nil {
				return nil, err
			}
		}
		api = dynamodb.NewFromConfig(cfg)
		deps.Cache = dynamo.NewCache(api, table, cc)
	}
	regClient, err := legacyPorts(env, &deps)
	if err != nil {
		return nil, err
	}
	if pepper := env("OWNERSHIP_PEPPER"); pepper != "" && api != nil && regClient != nil {
		coder, err := ownership.NewCoder([]byte(pepper), ownership.DefaultPolicy().CodeDigits)
		if err != nil {
			return nil, fmt.Errorf("ownership: %w", err)
		}
		svc := ownership.NewService(dynamo.NewOwnershipStore(api, table),
			ownershipadapters.NewRegistry(regClient), noDelivery{}, coder, ownership.DefaultPolicy(), time.Now)
		svc = svc.WithAlarm(ownershipadapters.NewLogAlarm(deps.Log, deps.Pseudonymizer))
		deps.OwnershipChallenge, deps.OwnershipVerify = svc, svc
	}
	h, ok := registry.New(deps).Lookup(name)
	if !ok {
		return nil, fmt.Errorf("no handler %q in the registry", name)
	}
	return invoker(h), nil
}

func handlerName(env func(string) string) (string, error) {
	if n := env("HANDLER"); n != "" {
		return n, nil
	}
	fn := env("AWS_LAMBDA_FUNCTION_NAME")
	for _, s := range registry.Specs() {
		if fn == s.Name || strings.HasSuffix(fn, "-"+s.Name) {
			return s.Name, nil
		}
	}
	return "", errors.New("set HANDLER to a registry name")
}

// noDelivery is the code delivery of a deployed stack until the registry's contact channel (a
// letter to the owner on record) has an API we can call: owner-code challenges are refused as
// unavailable, document-code challenges work. Locally, internal/devoutbox delivers.
type noDelivery struct{}

func (noDelivery) SendCode(context.Context, vehicle.VIN, string) error {
	return apperr.New(apperr.Unavailable, "one-time codes cannot be sent yet; use the code on the registration document")
}

// legacyPorts builds a client for every legacy system whose URL is configured, and returns the
// registry client (nil when REGISTRY_URL is not set) for the ownership steps.
func legacyPorts(env func(string) string, d *registry.Deps) (*regclient.Client, error) {
	var reg *regclient.Client
	tc := func(system, url string) (*transport.Client, error) {
		return transport.New(transport.Config{System: system, BaseURL: url})
	}
	if u := env("VEHICLE_MASTER_URL"); u != "" {
		t, err := tc(vehiclemaster.System, u)
		if err != nil {
			return nil, fmt.Errorf("vehicle master transport: %w", err)
		}
		if d.Build, err = vehiclemaster.New(vehiclemaster.Config{Transport: t}); err != nil {
			return nil, fmt.Errorf("vehicle master client: %w", err)
		}
	}
	if u := env("WORKSHOP_URL"); u != "" {
		t, err := tc(workshop.System, u)
		if err != nil {
			return nil, fmt.Errorf("workshop transport: %w", err)
		}
		if d.Workshop, err = workshop.New(workshop.Config{Transport: t}); err != nil {
			return nil, fmt.Errorf("workshop client: %w", err)
		}
	}
	if u := env("REGISTRY_URL"); u != "" {
		t, err := tc(regclient.System, u)
		if err != nil {
			return nil, fmt.Errorf("registry transport: %w", err)
		}
		if reg, err = regclient.New(regclient.Config{Transport: t}); err != nil {
			return nil, fmt.Errorf("registry client: %w", err)
		}
		d.Registry = reg
	}
	if u := env("RECALLS_URL"); u != "" {
		t, err := tc(recalls.System, u)
		if err != nil {
			return nil, fmt.Errorf("recalls transport: %w", err)
		}
		if d.Recalls, err = recalls.New(recalls.Config{Transport: t}); err != nil {
			return nil, fmt.Errorf("recalls client: %w", err)
		}
	}
	return reg, nil
}

// invoker adapts a registry handler to the runtime. aws-lambda-go names a plain error by its Go
// type ("Error"); an InvokeResponse_Error carries our state error name as errorType instead, so
// the ASL can Catch VehicleData.* and the gateway can map it.
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

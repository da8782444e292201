// Package wiring builds the product's Lambda functions from their configuration, once, for every
// place that runs them: the Lambda binary (functions/lambda, configuration from the environment),
// the local stack (internal/local/stack, the simulators' URLs and dynalite) and the integration
// tests. Each step declares the settings it cannot run without (needs, named by their environment
// variable); building a step whose setting is missing is an error naming it, so a deployed
// function with a missing variable fails at start instead of answering Internal on every call.
//
// Adding a step is one line in steps below (and its name in functions/catalog).
package wiring

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.opentelemetry.io/otel/trace"

	"github.com/acme-oem/vehicle-data/functions/authorizer"
	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/functions/dealersurfaced"
	"github.com/acme-oem/vehicle-data/functions/fetchsource"
	"github.com/acme-oem/vehicle-data/functions/listings"
	"github.com/acme-oem/vehicle-data/functions/mergereport"
	"github.com/acme-oem/vehicle-data/functions/offersteps"
	"github.com/acme-oem/vehicle-data/functions/ownershipchallenge"
	"github.com/acme-oem/vehicle-data/functions/ownershipverify"
	"github.com/acme-oem/vehicle-data/functions/planreport"
	"github.com/acme-oem/vehicle-data/functions/sharepage"
	"github.com/acme-oem/vehicle-data/functions/similarclick"
	"github.com/acme-oem/vehicle-data/functions/similarity"
	"github.com/acme-oem/vehicle-data/functions/similarlistings"
	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/functions/validatevin"
	"github.com/acme-oem/vehicle-data/functions/vehiclemarket"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/listing"
	"github.com/acme-oem/vehicle-data/internal/metrics"
	"github.com/acme-oem/vehicle-data/internal/oidc"
	"github.com/acme-oem/vehicle-data/internal/ownership"
	page "github.com/acme-oem/vehicle-data/internal/sharepage"
	"github.com/acme-oem/vehicle-data/internal/sitebucket"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// The settings, named by the environment variable the Lambda binary reads them from.
const (
	EnvTableName        = "TABLE_NAME"         // the DynamoDB table
	EnvPseudonymKey     = "PSEUDONYM_KEY"      // key for log pseudonyms, at least 16 bytes
	EnvCachePolicy      = "CACHE_POLICY"       // optional expiry overrides, JSON (dynamo.ApplyPolicy)
	EnvVehicleMasterURL = "VEHICLE_MASTER_URL" // base URLs of the legacy systems
	EnvWorkshopURL      = "WORKSHOP_URL"
	EnvRegistryURL      = "REGISTRY_URL"
	EnvRecallsURL       = "RECALLS_URL"
	EnvOffersURL        = "OFFERS_URL" // the after-sales offers system
	EnvDealerStockURL   = "DEALER_STOCK_URL"
	EnvOwnershipPepper  = "OWNERSHIP_PEPPER" // secret (>= 32 bytes) under which codes are stored as HMACs
	EnvOIDCIssuer       = "OIDC_ISSUER"      // the authorizer's token issuer (exact iss)
	EnvOIDCAudience     = "OIDC_AUDIENCE"    // the audience the tokens must name
	EnvOIDCJWKSURL      = "OIDC_JWKS_URL"    // optional: skips discovery
	EnvSiteURL          = "SITE_URL"         // optional: the site's origin, for listing share links
	EnvSiteBucket       = "SITE_BUCKET"      // the site's S3 bucket: the share page reads index.html there
	EnvAPIURL           = "API_URL"          // the API's base URL: the share page reads listings there
	// EnvOIDCAudienceClaim (optional) is "client_id" for Cognito access tokens, which carry the app
	// client there and no aud; EnvOIDCRoleClaim (optional) names the roles claim
	// ("cognito:groups" for Cognito). oidc.Config documents both.
	EnvOIDCAudienceClaim = "OIDC_AUDIENCE_CLAIM"
	// EnvCodeSender is the e-mail sender (an SES-verified identity) of one-time codes: with it the
	// ownership-challenge step delivers codes by SMS (SNS) or e-mail (SES), as the registry holds
	// the owner's contact (internal/notify). Locally Config.Outbox (the development outbox)
	// stands in.
	EnvCodeSender    = "CODE_SENDER"
	EnvOIDCRoleClaim = "OIDC_ROLE_CLAIM"
)

// Config is everything any function may need. FromEnv reads it for the Lambda binary; the local
// stack and the tests fill it directly.
type Config struct {
	TableName string
	// DynamoDB is the client; when nil and a step needs the table, one is built from the AWS
	// default configuration (the Lambda's role and region).
	DynamoDB dynamo.API
	// CachePolicy is the optional JSON of CACHE_POLICY.
	CachePolicy string
	// Cache tunes the report cache (zero fields take dynamo's defaults). LeaseTTL is always the
	// fetch steps' timeout and Now always Config.Now.
	Cache dynamo.CacheConfig
	// LegacyURLs are the legacy systems' base URLs by source.
	LegacyURLs map[vehicle.Source]string
	// Transport is the base of every legacy transport (breaker tuning, logger); System and
	// BaseURL are filled in.
	Transport       transport.Config
	PseudonymKey    []byte
	OwnershipPepper []byte
	// Outbox delivers one-time codes (the local stack's development outbox); when nil, CodeSender
	// selects internal/notify's SNS/SES delivery.
	Outbox ownership.Outbox
	// CodeSender is CODE_SENDER: the sender address of e-mailed codes.
	CodeSender string
	// OIDC configures the authorizer's verifier.
	OIDC oidc.Config
	// Now is the clock of expiry and fetch times; time.Now when nil.
	Now func() time.Time
	// Log receives the steps' logs; discarded when nil.
	Log *slog.Logger
	// SiteURL is the site's origin for share links (SITE_URL); "" gives site-relative links.
	SiteURL string
	// SiteBucket (SITE_BUCKET) and APIURL (API_URL) are the share page's: where the deployed
	// index.html is, and the API it reads the public listing from.
	SiteBucket, APIURL string
	// TracerProvider, when set, traces every step (a span per invocation) and every legacy call
	// (a span per call and per attempt, X-Amzn-Trace-Id sent to the system).
	TracerProvider trace.TracerProvider
	// Metrics receives the steps' and the legacy transports' metrics (EMF in Lambda,
	// metrics.Local locally); nil records none.
	Metrics metrics.Recorder
}

// FromEnv reads the configuration from environment variables (env is os.Getenv in main).
func FromEnv(env func(string) string) Config {
	urls := map[vehicle.Source]string{}
	for src, name := range legacyEnv {
		if u := env(name); u != "" {
			urls[src] = u
		}
	}
	return Config{
		TableName:       env(EnvTableName),
		CachePolicy:     env(EnvCachePolicy),
		LegacyURLs:      urls,
		PseudonymKey:    []byte(env(EnvPseudonymKey)),
		OwnershipPepper: []byte(env(EnvOwnershipPepper)),
		SiteURL:         env(EnvSiteURL),
		SiteBucket:      env(EnvSiteBucket),
		APIURL:          env(EnvAPIURL),
		CodeSender:      env(EnvCodeSender),
		OIDC: oidc.Config{Issuer: env(EnvOIDCIssuer), Audience: env(EnvOIDCAudience), JWKSURL: env(EnvOIDCJWKSURL),
			AudienceClaim: env(EnvOIDCAudienceClaim), RoleClaim: env(EnvOIDCRoleClaim)},
	}
}

var legacyEnv = map[vehicle.Source]string{
	vehicle.SourceVehicleMaster: EnvVehicleMasterURL,
	vehicle.SourceWorkshop:      EnvWorkshopURL,
	vehicle.SourceRegistry:      EnvRegistryURL,
	vehicle.SourceRecalls:       EnvRecallsURL,
	vehicle.SourceOffers:        EnvOffersURL,
	vehicle.SourceDealerStock:   EnvDealerStockURL,
}

// stepWiring is one step: the settings it cannot run without, and how it is built.
type stepWiring struct {
	needs []string
	build func(ctx context.Context, p *parts) (step.Handler, error)
}

// Every step is built with a pseudonym key: its log lines may name a VIN by its pseudonym only.
var (
	base    = []string{EnvPseudonymKey}
	fetch   = func(url string) []string { return []string{EnvPseudonymKey, EnvTableName, url} }
	proving = []string{EnvPseudonymKey, EnvTableName, EnvRegistryURL, EnvOwnershipPepper}
	selling = []string{EnvPseudonymKey, EnvTableName}
	similar = []string{EnvPseudonymKey, EnvTableName, EnvDealerStockURL}
	// challenging also sends codes.
	challenging = append(slices.Clone(proving), EnvCodeSender)
)

// steps is the one table of what each step needs and how it is built.
var steps = map[string]stepWiring{
	catalog.ValidateVIN: {base, func(context.Context, *parts) (step.Handler, error) { return validatevin.New(), nil }},
	catalog.PlanReport:  {base, func(_ context.Context, p *parts) (step.Handler, error) { return planreport.New(p.now), nil }},
	catalog.MergeReport: {base, func(_ context.Context, p *parts) (step.Handler, error) { return mergereport.New(p.now), nil }},
	catalog.FetchVehicleMaster: {fetch(EnvVehicleMasterURL), func(ctx context.Context, p *parts) (step.Handler, error) {
		c, err := p.vehicleMaster()
		return fetchStep(ctx, p, err, func(o fetchsource.Options) step.Handler { return fetchsource.NewVehicleMaster(o, c) })
	}},
	catalog.FetchWorkshop: {fetch(EnvWorkshopURL), func(ctx context.Context, p *parts) (step.Handler, error) {
		c, err := p.workshop()
		return fetchStep(ctx, p, err, func(o fetchsource.Options) step.Handler { return fetchsource.NewWorkshop(o, c) })
	}},
	catalog.FetchRegistry: {fetch(EnvRegistryURL), func(ctx context.Context, p *parts) (step.Handler, error) {
		c, err := p.registry()
		return fetchStep(ctx, p, err, func(o fetchsource.Options) step.Handler { return fetchsource.NewRegistry(o, c) })
	}},
	catalog.FetchRecalls: {fetch(EnvRecallsURL), func(ctx context.Context, p *parts) (step.Handler, error) {
		c, err := p.recalls()
		return fetchStep(ctx, p, err, func(o fetchsource.Options) step.Handler { return fetchsource.NewRecalls(o, c) })
	}},
	catalog.ValidateOffersVIN: {base, func(context.Context, *parts) (step.Handler, error) { return offersteps.NewValidate(), nil }},
	catalog.PlanOffers:        {base, func(_ context.Context, p *parts) (step.Handler, error) { return offersteps.NewPlan(p.now), nil }},
	catalog.MergeOffers:       {base, func(_ context.Context, p *parts) (step.Handler, error) { return offersteps.NewMerge(p.now), nil }},
	catalog.FetchOffers: {fetch(EnvOffersURL), func(ctx context.Context, p *parts) (step.Handler, error) {
		return p.fetchOffers(ctx)
	}},
	catalog.OwnershipChallenge: {challenging, func(ctx context.Context, p *parts) (step.Handler, error) {
		svc, err := p.ownership(ctx)
		if err != nil {
			return nil, err
		}
		return ownershipchallenge.New(svc), nil
	}},
	catalog.CreateListing: {selling, listingStep(listings.NewCreate)},
	catalog.ReadListing:   {selling, listingStep(listings.NewRead)},
	catalog.ChangeListing: {selling, listingStep(listings.NewChange)},
	catalog.SimilarListings: {similar, func(ctx context.Context, p *parts) (step.Handler, error) {
		g, err := p.similarity(ctx)
		return similarStep(g, err, similarlistings.New)
	}},
	catalog.SimilarClick: {similar, func(ctx context.Context, p *parts) (step.Handler, error) {
		g, err := p.similarity(ctx)
		return similarStep(g, err, similarclick.New)
	}},
	catalog.DealerSurfaced: {similar, func(ctx context.Context, p *parts) (step.Handler, error) {
		g, err := p.similarity(ctx)
		return similarStep(g, err, dealersurfaced.New)
	}},
	catalog.VehicleMarket: {append(similar, EnvVehicleMasterURL), func(ctx context.Context, p *parts) (step.Handler, error) {
		g, err := p.similarity(ctx)
		if err != nil {
			return nil, err
		}
		b, err := p.builds(ctx)
		if err != nil {
			return nil, err
		}
		return vehiclemarket.New(g, b), nil
	}},
	catalog.OwnershipVerify: {proving, func(ctx context.Context, p *parts) (step.Handler, error) {
		svc, err := p.ownership(ctx)
		if err != nil {
			return nil, err
		}
		return ownershipverify.New(svc), nil
	}},
}

func listingStep(mk func(listings.Config) step.Handler) func(context.Context, *parts) (step.Handler, error) {
	return func(ctx context.Context, p *parts) (step.Handler, error) {
		api, err := p.dynamoDB(ctx)
		if err != nil {
			return nil, err
		}
		svc := &listing.Service{Store: dynamo.NewListings(api, p.cfg.TableName), Now: p.now, NewID: listing.NewID,
			Observer: p.recorder()}
		return mk(listings.Config{Service: svc, SiteURL: p.cfg.SiteURL}), nil
	}
}

func fetchStep(ctx context.Context, p *parts, clientErr error, mk func(fetchsource.Options) step.Handler) (step.Handler, error) {
	if clientErr != nil {
		return nil, clientErr
	}
	c, err := p.cache(ctx)
	if err != nil {
		return nil, err
	}
	return mk(fetchsource.Options{Cache: c, Log: p.log, Pseudonymizer: p.pseudo}), nil
}

func similarStep(g *similarity.Gatherer, err error, mk func(*similarity.Gatherer) step.Handler) (step.Handler, error) {
	if err != nil {
		return nil, err
	}
	return mk(g), nil
}

// Functions are built steps, resolved by name; they satisfy the local engine's Functions.
type Functions struct {
	handlers map[string]step.Handler
	parts    *parts
}

// Lookup returns the step built under name.
func (f *Functions) Lookup(name string) (func(ctx context.Context, payload []byte) ([]byte, error), bool) {
	h, ok := f.handlers[name]
	return h, ok
}

// Names lists the built steps, sorted.
func (f *Functions) Names() []string {
	out := make([]string, 0, len(f.handlers))
	for n := range f.handlers {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Close releases the legacy transports the steps share.
func (f *Functions) Close() { f.parts.close() }

// Transports are the legacy systems' clients the steps share, one per system; their breaker and
// last-outcome snapshots tell a health check how each system is doing without calling it.
func (f *Functions) Transports() []*transport.Client { return slices.Clone(f.parts.transports) }

// authorizerNeeds are the settings the authorizer cannot run without.
var authorizerNeeds = []string{EnvOIDCIssuer, EnvOIDCAudience}

// sharePageNeeds are the settings the share page cannot run without.
var sharePageNeeds = []string{EnvSiteBucket, EnvAPIURL}

// Needs lists the settings a function of the catalog (a step, the authorizer or the share page)
// cannot run without (nil for an unknown name).
func Needs(name string) []string {
	switch name {
	case catalog.Authorizer:
		return slices.Clone(authorizerNeeds)
	case catalog.SharePage:
		return slices.Clone(sharePageNeeds)
	}
	return slices.Clone(steps[name].needs)
}

// Optional lists the settings a function reads when they are set (nil when none).
func Optional(name string) []string {
	switch name {
	case catalog.Authorizer:
		return []string{EnvOIDCJWKSURL, EnvOIDCAudienceClaim, EnvOIDCRoleClaim}
	case catalog.SharePage, catalog.CreateListing, catalog.ReadListing, catalog.ChangeListing:
		// Absolute share links where the site's origin is known before deploy.
		return []string{EnvSiteURL}
	}
	return nil
}

// Build builds the named steps, every step of the catalog when names is empty, each wrapped in
// step.Guard. Steps built together share their parts (one cache, one client per legacy system,
// one ownership service), as the steps of one process do locally. A setting a step needs that
// cfg lacks is an error naming the variable.
func Build(ctx context.Context, cfg Config, names ...string) (*Functions, error) {
	if len(names) == 0 {
		for _, s := range catalog.Steps() {
			names = append(names, s.Name)
		}
	}
	p := newParts(cfg)
	fns := &Functions{handlers: map[string]step.Handler{}, parts: p}
	for _, name := range names {
		w, ok := steps[name]
		if !ok {
			p.close()
			return nil, fmt.Errorf("wiring: no step %q in the catalog", name)
		}
		if missing := cfg.missing(w.needs); len(missing) > 0 {
			p.close()
			return nil, fmt.Errorf("wiring: step %s needs %s", name, strings.Join(missing, ", "))
		}
		if slices.Contains(w.needs, EnvPseudonymKey) && len(cfg.PseudonymKey) < 16 {
			p.close()
			return nil, fmt.Errorf("wiring: step %s: %w", name, errShortKey)
		}
		h, err := w.build(ctx, p)
		if err != nil {
			p.close()
			return nil, fmt.Errorf("wiring: step %s: %w", name, err)
		}
		fns.handlers[name] = observeStep(name, p.log, cfg.TracerProvider, p.recorder(), p.now, step.Guard(name, p.log, h))
	}
	return fns, nil
}

// Authorizer builds the API Gateway Lambda authorizer; it needs OIDC_ISSUER and OIDC_AUDIENCE.
func Authorizer(ctx context.Context, cfg Config) (*authorizer.Handler, error) {
	if missing := cfg.missing(authorizerNeeds); len(missing) > 0 {
		return nil, fmt.Errorf("wiring: the authorizer needs %s", strings.Join(missing, ", "))
	}
	v, err := oidc.NewVerifier(ctx, cfg.OIDC)
	if err != nil {
		return nil, fmt.Errorf("wiring: authorizer: %w", err)
	}
	return authorizer.New(v, cfg.Log), nil
}

// SharePage builds the share-page function: index.html from the site's bucket (kept a minute),
// listings from the API.
func SharePage(ctx context.Context, cfg Config) (*sharepage.Handler, error) {
	if missing := cfg.missing(sharePageNeeds); len(missing) > 0 {
		return nil, fmt.Errorf("wiring: the share page needs %s", strings.Join(missing, ", "))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("wiring: share page: aws config: %w", err)
	}
	index := sitebucket.New(s3.NewFromConfig(awsCfg), cfg.SiteBucket, sitebucket.Options{Now: cfg.Now})
	return &sharepage.Handler{
		Index:    index.Get,
		Listings: page.Listings{APIURL: cfg.APIURL},
		SiteURL:  cfg.SiteURL,
		Log:      cfg.Log,
	}, nil
}

// missing returns the needed settings cfg lacks. The table counts as present when a client is
// given with its name; the legacy URLs by source.
func (cfg Config) missing(needs []string) []string {
	var out []string
	for _, n := range needs {
		ok := true
		switch n {
		case EnvTableName:
			ok = cfg.TableName != ""
		case EnvPseudonymKey:
			ok = len(cfg.PseudonymKey) > 0
		case EnvOwnershipPepper:
			ok = len(cfg.OwnershipPepper) > 0
		case EnvCodeSender:
			ok = cfg.CodeSender != "" || cfg.Outbox != nil
		case EnvOIDCIssuer:
			ok = cfg.OIDC.Issuer != ""
		case EnvOIDCAudience:
			ok = cfg.OIDC.Audience != ""
		case EnvSiteBucket:
			ok = cfg.SiteBucket != ""
		case EnvAPIURL:
			ok = cfg.APIURL != ""
		default:
			for src, env := range legacyEnv {
				if env == n {
					ok = cfg.LegacyURLs[src] != ""
				}
			}
		}
		if !ok {
			out = append(out, n)
		}
	}
	return out
}

// RandomSecret returns n bytes from crypto/rand: the local stack's per-run pseudonym key and
// pepper, so no secret sits in the repository.
func RandomSecret(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return b
}

// noDelivery is the outbox of the ownership-verify step built on its own: it never sends a code,
// and refuses owner-code challenges as unavailable should it ever be asked to.
type noDelivery struct{}

func (noDelivery) SendCode(context.Context, vehicle.VIN, string) error {
	return apperr.New(apperr.Unavailable, "one-time codes cannot be sent yet; use the code on the registration document")
}

var errShortKey = errors.New(EnvPseudonymKey + " must hold at least 16 bytes")

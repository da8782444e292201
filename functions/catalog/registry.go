// Package registry is THE handler registry: every Lambda step's name, its timeout and its
// handler. The Lambda binary picks its handler here by name, the local engine resolves
// lambda:invoke FunctionNames here, and CDK creates one function per Spec and fills the ASL's
// ${...FunctionArn} placeholders with Placeholder. A name exists nowhere else.
package catalog

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/functions/fetchsource"
	"github.com/acme-oem/vehicle-data/functions/mergereport"
	"github.com/acme-oem/vehicle-data/functions/ownershipchallenge"
	"github.com/acme-oem/vehicle-data/functions/ownershipverify"
	"github.com/acme-oem/vehicle-data/functions/planreport"
	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/functions/validatevin"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// Handler is a Lambda step: the invocation payload in, the result payload out. A returned error
// has ErrorType() (the state error name) and an Error() text that is the JSON of the
// *apperr.Error, safe to show to the caller.
type Handler = func(ctx context.Context, payload []byte) ([]byte, error)

// The step names.
const (
	ValidateVIN        = "validate-vin"
	PlanReport         = "plan-report"
	FetchVehicleMaster = "fetch-vehicle-master"
	FetchWorkshop      = "fetch-workshop"
	FetchRegistry      = "fetch-registry"
	FetchRecalls       = "fetch-recalls"
	MergeReport        = "merge-report" // merges and redacts: its output is the response
	OwnershipChallenge = "ownership-challenge"
	OwnershipVerify    = "ownership-verify"
)

// Spec is what CDK needs to deploy a step. Timeout is the Lambda timeout: the ASL Task's
// TimeoutSeconds must exceed it, and the legacy call deadlines stay below it (DESIGN.md
// principle 4; TestTimeBudgetsNest checks the ASL against these).
type Spec struct {
	Name     string
	Timeout  time.Duration
	MemoryMB int
}

// fetchTimeout is the fetch steps' Lambda timeout; the cache's single-flight lease lasts as long
// (LeaseTTL), so a crashed leader's lease frees when its invocation is certainly over.
const fetchTimeout = 10 * time.Second

var specs = []Spec{
	{ValidateVIN, 3 * time.Second, 128},
	{PlanReport, 3 * time.Second, 128},
	{FetchVehicleMaster, fetchTimeout, 256},
	{FetchWorkshop, fetchTimeout, 256},
	{FetchRegistry, fetchTimeout, 256},
	{FetchRecalls, fetchTimeout, 256},
	{MergeReport, 5 * time.Second, 256},
	{OwnershipChallenge, 10 * time.Second, 256}, // asks the registry for the owner on record
	{OwnershipVerify, 10 * time.Second, 128},
}

// Specs lists every step, in a stable order.
func Specs() []Spec { return append([]Spec(nil), specs...) }

// Placeholder is the ASL placeholder (without ${}) for a step's ARN: "fetch-workshop" is
// ${FetchWorkshopFunctionArn}.
func Placeholder(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String() + "FunctionArn"
}

// Substitutions maps every step's placeholder to arnOf(name): CDK passes the deployed ARNs; the
// local engine passes the bare name, which it resolves with Lookup.
func Substitutions(arnOf func(name string) string) map[string]string {
	m := make(map[string]string, len(specs))
	for _, s := range specs {
		m[Placeholder(s.Name)] = arnOf(s.Name)
	}
	return m
}

// FetchLeaseTTL is the lease duration the cache must use with these steps.
func FetchLeaseTTL() time.Duration { return fetchTimeout }

// Deps are what the steps need. A missing dependency (port, Cache, ownership service) makes the
// steps that need it fail with VehicleData.Internal: the Lambda binary builds only what its
// function uses.
type Deps struct {
	Cache    *dynamo.Cache
	Build    report.BuildSource
	Workshop report.WorkshopSource
	Registry report.RegistrySource
	Recalls  report.RecallSource
	// The ownership-verification steps' service (*ownership.Service implements both).
	OwnershipChallenge ownershipchallenge.Starter
	OwnershipVerify    ownershipverify.Verifier
	// Log and Pseudonymizer: logs carry the VIN's keyed pseudonym only.
	Log           *slog.Logger
	Pseudonymizer vehicle.Pseudonymizer
	// Now is the clock expiry is judged by; the cache's clock when nil.
	Now func() time.Time
}

// Registry resolves step names to handlers.
type Registry struct {
	handlers map[string]Handler
}

// New builds every step's handler from deps.
func New(d Deps) *Registry {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	now := d.Now
	if now == nil && d.Cache != nil {
		now = d.Cache.Now
	}
	if now == nil {
		now = time.Now
	}
	fo := fetchsource.Options{Cache: d.Cache, Log: d.Log, Pseudonymizer: d.Pseudonymizer}
	h := map[string]Handler{
		ValidateVIN: validatevin.New(),
		PlanReport:  planreport.New(now),
		MergeReport: mergereport.New(now),
	}
	if d.OwnershipChallenge != nil {
		h[OwnershipChallenge] = ownershipchallenge.New(d.OwnershipChallenge)
	}
	if d.OwnershipVerify != nil {
		h[OwnershipVerify] = ownershipverify.New(d.OwnershipVerify)
	}
	if d.Cache != nil && d.Build != nil {
		h[FetchVehicleMaster] = fetchsource.NewVehicleMaster(fo, d.Build)
	}
	if d.Cache != nil && d.Workshop != nil {
		h[FetchWorkshop] = fetchsource.NewWorkshop(fo, d.Workshop)
	}
	if d.Cache != nil && d.Registry != nil {
		h[FetchRegistry] = fetchsource.NewRegistry(fo, d.Registry)
	}
	if d.Cache != nil && d.Recalls != nil {
		h[FetchRecalls] = fetchsource.NewRecalls(fo, d.Recalls)
	}
	r := &Registry{handlers: map[string]Handler{}}
	for _, s := range specs {
		fn, ok := h[s.Name]
		if !ok {
			fn = notConfigured(s.Name)
		}
		r.handlers[s.Name] = step.Guard(s.Name, d.Log, fn)
	}
	return r
}

// Lookup returns the handler registered under name; it satisfies the local engine's Functions.
func (r *Registry) Lookup(name string) (func(ctx context.Context, payload []byte) ([]byte, error), bool) {
	h, ok := r.handlers[name]
	return h, ok
}

// Names lists the registered names, sorted.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.handlers))
	for n := range r.handlers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func notConfigured(name string) Handler {
	return func(context.Context, []byte) ([]byte, error) {
		return nil, fmt.Errorf("step %s: a dependency is not configured: %w", name, apperr.New(apperr.Internal, "internal error"))
	}
}

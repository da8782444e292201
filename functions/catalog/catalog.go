// Package catalog is the one list of the product's Lambda functions: every step's name, its
// timeout and memory, and the authorizer's. The Lambda binary resolves its function here by name,
// internal/wiring builds each step's handler under these names, the local engine resolves
// lambda:invoke FunctionNames through them, and CDK creates one function per Spec and fills the
// ASL's ${...FunctionArn} placeholders with Placeholder. Other packages refer to a function by
// these constants, never by a string of their own.
package catalog

import (
	"strings"
	"time"
)

// The function names: the steps of the state machines, then the API's authorizer.
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
	// Seller listings (functions/listings).
	CreateListing = "create-listing"
	ReadListing   = "read-listing"
	ChangeListing = "change-listing"
	// The offers state machine's steps (GET /vehicles/{vin}/offers, GET /listings/{id}/offers).
	ValidateOffersVIN = "validate-offers-vin"
	PlanOffers        = "plan-offers"
	FetchOffers       = "fetch-offers"
	MergeOffers       = "merge-offers" // its output is the response after a fetch
	// Similar cars (issue 10, buyers and dealers).
	SimilarListings = "similar-listings" // ranks stock and listings beside a listing, counts impressions
	SimilarClick    = "similar-click"    // counts a click on a dealer car, answers its page
	DealerSurfaced  = "dealer-surfaced"  // a dealer's surfaced stock, per day
	VehicleMarket   = "vehicle-market"   // similar cars and price statistics for a VIN
	// Authorizer is the API Gateway Lambda authorizer: not a step, so no state machine names it.
	Authorizer = "authorizer"
	// PreToken is the Cognito user pool's pre token generation trigger (functions/pretoken): not
	// a step either; it runs in AWS only (locally the development issuer mints the claims).
	PreToken = "pre-token"
	// SharePage answers CloudFront's /l/{id} with the site's index.html and the listing's Open
	// Graph tags (functions/sharepage): not a step either; locally the site does it.
	SharePage = "share-page"
)

// Spec is what CDK needs to deploy a function. Timeout is the Lambda timeout: the ASL Task's
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
	{CreateListing, 5 * time.Second, 128}, // a handful of single-item writes
	{ReadListing, 3 * time.Second, 128},
	{ChangeListing, 5 * time.Second, 128},
	{ValidateOffersVIN, 3 * time.Second, 128},
	{PlanOffers, 3 * time.Second, 128},
	{FetchOffers, fetchTimeout, 256}, // the offers cache's lease lasts as long (FetchLeaseTTL)
	{MergeOffers, 5 * time.Second, 128},
	{SimilarListings, fetchTimeout, 256}, // asks dealer stock
	{SimilarClick, 5 * time.Second, 128},
	{DealerSurfaced, 5 * time.Second, 128},
	{VehicleMarket, fetchTimeout, 256}, // asks the vehicle master and dealer stock
}

// authorizer verifies a JWT (its key set is cached per instance): small and quick.
var authorizer = Spec{Authorizer, 5 * time.Second, 128}

// Cognito waits 5 s for a trigger; the pre token trigger does no I/O.
var preToken = Spec{PreToken, 3 * time.Second, 128}

// The share page reads index.html (kept a minute) and one listing through the API, whose own
// budget is under 29 s; past its 5 s lookup the generic card goes out.
var sharePage = Spec{SharePage, 10 * time.Second, 128}

// Steps lists every state machine step, in a stable order.
func Steps() []Spec { return append([]Spec(nil), specs...) }

// Specs lists every Lambda function, the steps, the authorizer, the pre token trigger and the
// share page, in a stable order: what CDK deploys, one function each, from the one binary.
func Specs() []Spec { return append(Steps(), authorizer, preToken, sharePage) }

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

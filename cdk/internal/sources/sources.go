// Package sources is the CDK app's only door into the product module: every fact the stack
// deploys (steps, state machines, routes, error table, table design, feature toggles, the site's
// headers) is read here from the product's single source of truth, never copied by hand. When the
// product renames a package, this file is the one to adapt.
package sources

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/api"
	"github.com/acme-oem/vehicle-data/config"
	registry "github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/functions/pretoken"
	"github.com/acme-oem/vehicle-data/internal/apigw"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	auth "github.com/acme-oem/vehicle-data/internal/oidc"
	"github.com/acme-oem/vehicle-data/internal/wiring"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// Environment variable names the Lambda binary reads: internal/wiring's.
const (
	EnvHandler           = "HANDLER" // functions/lambda/main.go picks its function by it
	EnvTableName         = wiring.EnvTableName
	EnvPseudonymKey      = wiring.EnvPseudonymKey
	EnvOwnershipPepper   = wiring.EnvOwnershipPepper
	EnvVehicleMaster     = wiring.EnvVehicleMasterURL
	EnvWorkshop          = wiring.EnvWorkshopURL
	EnvRegistry          = wiring.EnvRegistryURL
	EnvRecalls           = wiring.EnvRecallsURL
	EnvOffers            = wiring.EnvOffersURL
	EnvDealerStock       = wiring.EnvDealerStockURL
	EnvOIDCIssuer        = wiring.EnvOIDCIssuer
	EnvOIDCAudience      = wiring.EnvOIDCAudience
	EnvOIDCJWKSURL       = wiring.EnvOIDCJWKSURL
	EnvOIDCAudienceClaim = wiring.EnvOIDCAudienceClaim
	EnvOIDCRoleClaim     = wiring.EnvOIDCRoleClaim
	// EnvCodeSender makes a function deliver one-time codes by SMS (SNS) or e-mail (SES).
	EnvCodeSender = wiring.EnvCodeSender
	// EnvSiteURL is the site's origin (absolute share links); EnvSiteBucket and EnvAPIURL are
	// where the share page reads index.html and listings.
	EnvSiteURL    = wiring.EnvSiteURL
	EnvSiteBucket = wiring.EnvSiteBucket
	EnvAPIURL     = wiring.EnvAPIURL
)

// AudienceClaimClientID is the audience claim of Cognito access tokens (internal/oidc).
const AudienceClaimClientID = auth.AudienceClaimClientID

// Step is one Lambda function to deploy.
type Step struct {
	Name     string
	Timeout  time.Duration
	MemoryMB int
	// Needs lists the settings the function cannot run without (internal/wiring declares them),
	// Optional those it reads when set.
	Needs, Optional []string
	// UsesTable: the function reads or writes the DynamoDB table itself.
	UsesTable bool
}

// Functions lists every function of the catalog, the steps and the authorizer, with what each
// needs, as functions/catalog and internal/wiring declare it.
func Functions() []Step {
	var out []Step
	for _, s := range registry.Specs() {
		needs := wiring.Needs(s.Name)
		out = append(out, Step{
			Name: s.Name, Timeout: s.Timeout, MemoryMB: s.MemoryMB, Needs: needs, Optional: wiring.Optional(s.Name),
			UsesTable: slices.Contains(needs, EnvTableName),
		})
	}
	return out
}

// AuthorizerName is the catalog name of the API's Lambda authorizer.
const AuthorizerName = registry.Authorizer

// PreTokenName is the catalog name of the user pool's pre token generation trigger.
const PreTokenName = registry.PreToken

// SharePageName is the catalog name of the function behind the site's /l/* paths.
const SharePageName = registry.SharePage

// OEMProviderName is the name the user pool gives the OEM's OIDC provider: the trigger copies the
// dealer id only for users federated under it. DealerAttribute is the user attribute the
// provider's dealer id claim is mapped to; DealerClaim the access token claim the authorizer reads.
const (
	OEMProviderName = pretoken.ProviderName
	DealerAttribute = pretoken.DealerAttribute
	DealerClaim     = auth.DefaultDealerClaim
)

// Placeholder is the ASL placeholder of a step's ARN ("fetch-workshop" is FetchWorkshopFunctionArn).
func Placeholder(step string) string { return registry.Placeholder(step) }

// TablePlaceholder is the ASL placeholder of the table name.
const TablePlaceholder = "TableName"

// StateMachinePlaceholder is the ASL placeholder of a state machine's ARN, as internal/local/stack
// names it: "ownership-authorization" is OwnershipAuthorizationStateMachineArn.
func StateMachinePlaceholder(machine string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(machine, func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String() + "StateMachineArn"
}

// PlaceholderRE matches the ${...} placeholders of a definition.
var PlaceholderRE = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// Machine is one statemachines/*.asl.json.
type Machine struct {
	Name       string
	Definition string
}

// Root finds the repository root (the directory holding statemachines/ and api/) from the working
// directory upwards, so the app and its tests run from any folder of cdk/.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for {
		if st, err := os.Stat(filepath.Join(dir, "statemachines")); err == nil && st.IsDir() {
			if _, err := os.Stat(filepath.Join(dir, "api", "openapi.yaml")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root (statemachines/ and api/openapi.yaml) not found above the working directory")
		}
		dir = parent
	}
}

// StateMachines reads every statemachines/*.asl.json under root, sorted by name.
func StateMachines(root string) ([]Machine, error) {
	paths, err := filepath.Glob(filepath.Join(root, "statemachines", "*.asl.json"))
	if err != nil {
		return nil, fmt.Errorf("list state machines: %w", err)
	}
	sort.Strings(paths)
	out := make([]Machine, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p) //nolint:gosec // a statemachines/*.asl.json of the repository, globbed here
		if err != nil {
			return nil, fmt.Errorf("read state machine: %w", err)
		}
		if !json.Valid(b) {
			return nil, fmt.Errorf("state machine %s is not JSON", p)
		}
		out = append(out, Machine{Name: strings.TrimSuffix(filepath.Base(p), ".asl.json"), Definition: string(b)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no state machines under %s", root)
	}
	return out, nil
}

// OpenAPI is api/openapi.yaml.
func OpenAPI() []byte { return api.OpenAPI }

// RequestTemplate is the integration request mapping template the local gateway mirrors;
// ${StateMachineArn} is to be replaced with the route's state machine ARN.
const RequestTemplate = apigw.RequestTemplate

// RequestTemplateFor is RequestTemplate for an operation declaring header parameters: they reach
// the state machine under "headers", as the local gateway passes them.
func RequestTemplateFor(headers []string) string { return apigw.RequestTemplateFor(headers) }

// ResponseEnvelopeTemplate is the success branch of an x-response-envelope operation's response
// template: the declared headers and the body from the {headers, body} output.
func ResponseEnvelopeTemplate(headers []string, noContent bool, notEnvelope string) string {
	return apigw.ResponseEnvelopeTemplate(headers, noContent, notEnvelope)
}

// ErrorRow is one row of the error table.
type ErrorRow struct {
	Code       string
	Status     int
	StateError string
}

// Errors is internal/apperr's table, in its order.
func Errors() []ErrorRow {
	var out []ErrorRow
	for _, c := range apperr.Codes() {
		out = append(out, ErrorRow{Code: string(c), Status: c.HTTPStatus(), StateError: c.StateError()})
	}
	return out
}

// TimeoutStatus is the status a timed-out execution answers with (the Timeout code's).
func TimeoutStatus() int { return apperr.Timeout.HTTPStatus() }

// InternalStatus is the status of anything that is our bug.
func InternalStatus() int { return apperr.Internal.HTTPStatus() }

// TimeoutCode and InternalCode name the codes of those answers.
var (
	TimeoutCode  = string(apperr.Timeout)
	InternalCode = string(apperr.Internal)
)

// Challenge is the WWW-Authenticate value of a 401 a state machine decided (no token problem);
// InvalidTokenChallenge that of a token the authorizer rejected. As internal/gateway answers.
func Challenge() string { return auth.WWWAuthenticate(nil) }

// InvalidTokenChallenge: see Challenge.
func InvalidTokenChallenge() string {
	return auth.WWWAuthenticate(nil) + `, error="` + auth.CodeInvalidToken + `"`
}

// Roles are the roles the authorizer reads from the token: the Cognito groups to create.
func Roles() []string { return []string{string(auth.RoleConsumer), string(auth.RoleDealer)} }

// Index is one global secondary index: string keys, all attributes projected.
type Index struct {
	Name, PK, SK string
}

// Table is the single table's key design.
type Table struct {
	PK, SK, TTL string
	// Indexes are every GSI, from internal/dynamo's one list (the local table's too).
	Indexes []Index
}

// TableDesign is internal/dynamo's key design.
func TableDesign() Table {
	t := Table{PK: dynamo.AttrPK, SK: dynamo.AttrSK, TTL: dynamo.AttrTTL}
	for _, ix := range dynamo.Indexes() {
		t.Indexes = append(t.Indexes, Index{Name: ix.Name, PK: ix.PK, SK: ix.SK})
	}
	return t
}

// TableActions are the DynamoDB actions the adapter can call: the methods of dynamo.API, the
// interface that is all of the SDK client the product uses.
func TableActions() []string {
	t := reflect.TypeFor[dynamo.API]()
	out := make([]string, 0, t.NumMethod())
	for i := range t.NumMethod() {
		out = append(out, "dynamodb:"+t.Method(i).Name)
	}
	sort.Strings(out)
	return out
}

// BreakerOpenedMessage is the log line of legacyclients/transport when a breaker changes state
// (its "to" attribute says to which).
const BreakerOpenedMessage = transport.BreakerChangedMessage

// Features is config/features/<env>.json, compacted, validated as a flat map of booleans.
func Features(env string) (map[string]bool, error) {
	b, err := config.Features.ReadFile("features/" + env + ".json")
	if err != nil {
		return nil, fmt.Errorf("feature toggles of %s: %w", env, err)
	}
	var m map[string]bool
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("feature toggles of %s: want a map of booleans: %w", env, err)
	}
	return m, nil
}

// SecurityHeaders is frontend/security-headers.json: the site's response headers.
func SecurityHeaders(root string) (map[string]string, error) {
	b, err := os.ReadFile(filepath.Join(root, "frontend", "security-headers.json")) //nolint:gosec // a fixed file of the repository
	if err != nil {
		return nil, fmt.Errorf("security headers: %w", err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("security headers: want a flat map of strings: %w", err)
	}
	return m, nil
}

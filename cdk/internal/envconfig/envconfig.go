// Package envconfig reads cdk/environments.json, the one deployment configuration: which
// accounts, regions, domain names and sizes each environment (dev, qa, prod) has, and resolves a
// per-developer stage onto its base environment.
package envconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Names are the environments, in the order the pipeline promotes through them.
var Names = []string{"dev", "qa", "prod"}

// File is environments.json.
type File struct {
	Repository string `json:"repository"`
	// DeveloperStageBase is the environment whose account and settings a per-developer stage
	// borrows (never prod).
	DeveloperStageBase string                 `json:"developerStageBase"`
	Environments       map[string]Environment `json:"environments"`
}

// Environment is one environment's settings.
type Environment struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	// DomainName, HostedZoneID/Name and CertificateArn (ACM, us-east-1, for CloudFront) give the
	// site its name; a developer stage has none and uses CloudFront's own domain.
	DomainName     string `json:"domainName"`
	HostedZoneID   string `json:"hostedZoneId"`
	HostedZoneName string `json:"hostedZoneName"`
	CertificateArn string `json:"certificateArn"`
	// AuthDomainPrefix is the Cognito hosted UI prefix (unique per region across AWS).
	AuthDomainPrefix string `json:"authDomainPrefix"`
	OIDC             OIDC   `json:"oidc"`
	Legacy           Legacy `json:"legacy"`
	// TestUsers lets Cognito's own user directory sign in (the acceptance suite's test user);
	// otherwise only the OEM's identity provider can.
	TestUsers bool `json:"testUsers"`
	// CreateGithubOidcProvider: the provider for token.actions.githubusercontent.com exists once
	// per account, so exactly one environment per account creates it; the others import it.
	CreateGithubOidcProvider bool         `json:"createGithubOidcProvider"`
	Canary                   Canary       `json:"canary"`
	Sizes                    Sizes        `json:"sizes"`
	CodeDelivery             CodeDelivery `json:"codeDelivery"`
	// Network, when set, is the existing VPC whose private subnets reach the on-prem legacy
	// systems (VPN or Direct Connect): the functions that call them run there. Without it
	// (a developer stage, an environment whose legacy systems are reachable over the internet)
	// no function is in a VPC.
	Network *Network `json:"network,omitempty"`
}

// Network is an imported VPC, given by ids so that synth needs no lookup (and no credentials).
// AWS services are reached through VPC endpoints in it (its CIDR) and the DynamoDB gateway
// endpoint's prefix list, both owned by whoever runs the VPC.
type Network struct {
	VpcID             string   `json:"vpcId"`
	VpcCIDR           string   `json:"vpcCidr"`
	AvailabilityZones []string `json:"availabilityZones"`
	// PrivateSubnetIDs are in AvailabilityZones' order, one per zone.
	PrivateSubnetIDs []string `json:"privateSubnetIds"`
	// OnPremCIDR is the legacy systems' network, reached on 443 only.
	OnPremCIDR string `json:"onPremCidr"`
	// DynamoDBPrefixListID is the region's com.amazonaws.<region>.dynamodb prefix list (pl-...),
	// the destination of the gateway endpoint's routes.
	DynamoDBPrefixListID string `json:"dynamoDbPrefixListId"`
}

var (
	vpcIDRE    = regexp.MustCompile(`^vpc-[0-9a-f]{8,17}$`)
	subnetIDRE = regexp.MustCompile(`^subnet-[0-9a-f]{8,17}$`)
	plIDRE     = regexp.MustCompile(`^pl-[0-9a-f]{8,17}$`)
)

// check validates the network of environment n.
func (nw *Network) check(n, region string) error {
	if nw == nil {
		return nil
	}
	if !vpcIDRE.MatchString(nw.VpcID) || !plIDRE.MatchString(nw.DynamoDBPrefixListID) {
		return fmt.Errorf("environments.%s.network: vpcId must be vpc-<hex> and dynamoDbPrefixListId pl-<hex>", n)
	}
	for _, c := range []string{nw.VpcCIDR, nw.OnPremCIDR} {
		if _, _, err := net.ParseCIDR(c); err != nil {
			return fmt.Errorf("environments.%s.network: vpcCidr and onPremCidr must be CIDR blocks: %w", n, err)
		}
	}
	if len(nw.PrivateSubnetIDs) == 0 || len(nw.PrivateSubnetIDs) != len(nw.AvailabilityZones) {
		return fmt.Errorf("environments.%s.network: privateSubnetIds needs one subnet per entry of availabilityZones", n)
	}
	for i, id := range nw.PrivateSubnetIDs {
		if !subnetIDRE.MatchString(id) || !strings.HasPrefix(nw.AvailabilityZones[i], region) {
			return fmt.Errorf("environments.%s.network: subnet %d must be subnet-<hex> in a zone of %s", n, i, region)
		}
	}
	return nil
}

// CodeDelivery is how one-time ownership codes reach owners: SMS through SNS (no setting: the
// account's SNS SMS settings, spend limit and origination identities, are set up out of band) and
// e-mail through SES from Sender, an address of EmailIdentity, an SES identity (domain) verified
// out of band in the environment's region.
type CodeDelivery struct {
	EmailIdentity string `json:"emailIdentity"`
	Sender        string `json:"sender"`
}

// OIDC is the OEM's OpenID Connect provider that the Cognito user pool federates with. The client
// secret lives in Secrets Manager under ClientSecretName, created out of band.
type OIDC struct {
	IssuerURL        string `json:"issuerUrl"`
	ClientID         string `json:"clientId"`
	ClientSecretName string `json:"clientSecretName"`
}

// Legacy holds the base URLs of the on-prem legacy systems.
type Legacy struct {
	VehicleMasterURL string `json:"vehicleMasterUrl"`
	WorkshopURL      string `json:"workshopUrl"`
	RegistryURL      string `json:"registryUrl"`
	RecallsURL       string `json:"recallsUrl"`
	OffersURL        string `json:"offersUrl"`
	DealerStockURL   string `json:"dealerStockUrl"`
}

// Canary is what the synthetic check looks up: a test vehicle of the OEM (no owner's data) and a
// share page of the site.
type Canary struct {
	VIN       string `json:"vin"`
	SharePath string `json:"sharePath"`
}

// Sizes are the capacity and alarm settings.
type Sizes struct {
	APIRateLimit     float64 `json:"apiRateLimit"`
	APIBurstLimit    float64 `json:"apiBurstLimit"`
	WAFRateLimit     float64 `json:"wafRateLimit"`
	LogRetentionDays float64 `json:"logRetentionDays"`
	P99LatencyMs     float64 `json:"p99LatencyMs"`
	Error5xxRate     float64 `json:"error5xxRate"`
}

// check validates one environment, named n in errors.
func (e Environment) check(n string) error {
	if !accountRE.MatchString(e.Account) || !regionRE.MatchString(e.Region) {
		return fmt.Errorf("environments.%s: account must be 12 digits and region an AWS region", n)
	}
	if e.DomainName == "" || e.CertificateArn == "" || e.HostedZoneID == "" || e.HostedZoneName == "" || e.AuthDomainPrefix == "" {
		return fmt.Errorf("environments.%s: domainName, hostedZoneId, hostedZoneName, certificateArn and authDomainPrefix are required", n)
	}
	if e.OIDC.IssuerURL == "" || e.OIDC.ClientID == "" || e.OIDC.ClientSecretName == "" {
		return fmt.Errorf("environments.%s: oidc needs issuerUrl, clientId and clientSecretName", n)
	}
	if !e.CodeDelivery.valid() {
		return fmt.Errorf("environments.%s: codeDelivery needs emailIdentity (a domain) and sender, an address at it", n)
	}
	if err := e.Network.check(n, e.Region); err != nil {
		return err
	}
	if e.Sizes.APIRateLimit <= 0 || e.Sizes.APIBurstLimit <= 0 || e.Sizes.WAFRateLimit < 10 || e.Sizes.LogRetentionDays <= 0 || e.Sizes.P99LatencyMs <= 0 || e.Sizes.Error5xxRate <= 0 {
		return fmt.Errorf("environments.%s: every size must be positive (wafRateLimit at least 10)", n)
	}
	return nil
}

// valid: an identity, and a sender address at it.
func (c CodeDelivery) valid() bool {
	local, domain, ok := strings.Cut(c.Sender, "@")
	return c.EmailIdentity != "" && ok && local != "" && domain == c.EmailIdentity
}

// Target is what one stack is built for.
type Target struct {
	// Env is the environment whose settings and feature toggles apply (dev, qa, prod).
	Env string
	// Stage names the stack and is part of every resource name: the environment's name, or a
	// developer's stage name.
	Stage string
	// Developer is true for a per-developer stage: no custom domain, no deploy role, everything
	// destroyable.
	Developer  bool
	Repository string
	Environment
}

// StackName is the CloudFormation stack name of a stage.
func StackName(stage string) string { return "VehicleData-" + stage }

// Load reads and validates environments.json.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path) //nolint:gosec // the app's own environments.json, named by its caller
	if err != nil {
		return nil, fmt.Errorf("read environments: %w", err)
	}
	return Parse(b)
}

var (
	accountRE = regexp.MustCompile(`^\d{12}$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
	// stageRE bounds a developer stage so that every derived name fits its service's limit (the
	// Synthetics canary name, 21 characters, is the tightest).
	stageRE = regexp.MustCompile(`^[a-z][a-z0-9]{1,9}$`)
)

// Parse decodes and validates environments.json; unknown fields are errors, so a typo cannot
// silently drop a setting.
func Parse(b []byte) (*File, error) {
	var f File
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode environments: %w", err)
	}
	if f.Repository == "" {
		return nil, errors.New("environments: repository is required")
	}
	for _, n := range Names {
		e, ok := f.Environments[n]
		if !ok {
			return nil, fmt.Errorf("environments: %s is missing", n)
		}
		if err := e.check(n); err != nil {
			return nil, err
		}
	}
	for n := range f.Environments {
		if !slices.Contains(Names, n) {
			return nil, fmt.Errorf("environments: unknown environment %q", n)
		}
	}
	if f.DeveloperStageBase == "prod" || !slices.Contains(Names, f.DeveloperStageBase) {
		return nil, errors.New("environments: developerStageBase must be dev or qa")
	}
	// One GitHub OIDC provider per account: exactly one environment of each account creates it.
	creators := map[string]int{}
	for _, n := range Names {
		e := f.Environments[n]
		creators[e.Account] += 0
		if e.CreateGithubOidcProvider {
			creators[e.Account]++
		}
	}
	accounts := make([]string, 0, len(creators))
	for a := range creators {
		accounts = append(accounts, a)
	}
	sort.Strings(accounts)
	for _, a := range accounts {
		if creators[a] != 1 {
			return nil, fmt.Errorf("environments: account %s: exactly one environment must set createGithubOidcProvider (found %d)", a, creators[a])
		}
	}
	return &f, nil
}

// Targets resolves what to synthesize. Without a stage: every environment (or only env, when
// given). With a stage: that developer stage alone, on env or on developerStageBase.
func (f *File) Targets(env, stage string) ([]Target, error) {
	if env != "" && !slices.Contains(Names, env) {
		return nil, fmt.Errorf("unknown environment %q (want one of %v)", env, Names)
	}
	if stage != "" {
		if !stageRE.MatchString(stage) || slices.Contains(Names, stage) {
			return nil, fmt.Errorf("stage %q: 2-10 lower-case letters and digits, starting with a letter, and not an environment name", stage)
		}
		base := env
		if base == "" {
			base = f.DeveloperStageBase
		}
		if base == "prod" {
			return nil, errors.New("a developer stage cannot be based on prod (it lives in its own account)")
		}
		return []Target{{Env: base, Stage: stage, Developer: true, Repository: f.Repository, Environment: f.Environments[base]}}, nil
	}
	var out []Target
	for _, n := range Names {
		if env == "" || env == n {
			out = append(out, Target{Env: n, Stage: n, Repository: f.Repository, Environment: f.Environments[n]})
		}
	}
	return out, nil
}

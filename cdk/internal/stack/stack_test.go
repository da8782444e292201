package stack

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/cdk/internal/envconfig"
	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

type statement struct {
	Effect    string
	Action    any
	Resource  any
	Condition map[string]any
}

func (s statement) actions() []string   { return strs(s.Action) }
func (s statement) resources() []string { return strs(s.Resource) }

func strs(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	var out []string
	for _, x := range list(v) {
		out = append(out, str(x))
	}
	return out
}

// identityPolicies returns the statements of every identity policy, by the logical id of each
// role it is attached to.
func identityPolicies(t *testing.T, d template) map[string][]statement {
	t.Helper()
	out := map[string][]statement{}
	add := func(role string, doc any) {
		b, _ := json.Marshal(props(doc)["Statement"])
		var sts []statement
		if err := json.Unmarshal(b, &sts); err != nil {
			t.Fatalf("policy of %s: %v", role, err)
		}
		out[role] = append(out[role], sts...)
	}
	for _, id := range d.ofType("AWS::IAM::Policy") {
		p := d.Resources[id].Properties
		for _, r := range list(p["Roles"]) {
			add(refOf(r), p["PolicyDocument"])
		}
	}
	for _, id := range d.ofType("AWS::IAM::Role") {
		for _, p := range list(d.Resources[id].Properties["Policies"]) {
			add(id, props(p)["PolicyDocument"])
		}
	}
	return out
}

// wildcardAllowed are the actions AWS offers no resource-level permissions for.
var wildcardAllowed = []string{
	"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
	// Step Functions' log delivery to CloudWatch Logs.
	"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
	"logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
	// The canary: its metrics (conditioned on the CloudWatchSynthetics namespace) and the bucket
	// listing Synthetics requires.
	"cloudwatch:PutMetricData", "s3:ListAllMyBuckets",
	// CDK's BucketDeployment handler invalidates the distribution with a grant CDK writes.
	"cloudfront:CreateInvalidation", "cloudfront:GetInvalidation",
}

// Least privilege: no Action "*", Resource "*" only for actions without resource-level
// permissions; each state machine may invoke only its own steps and start only the machines it
// nests; table access is limited to the table, its indexes and the actions the code uses.
func TestLeastPrivilege(t *testing.T) {
	srcs, err := sources.StateMachines(mustRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, stage := range stages() {
		d := synth(t, stage).doc
		tableID, _ := d.byProp(t, "AWS::DynamoDB::Table", "TableName", "vehicle-data-"+stage)
		policies := identityPolicies(t, d)
		for role, sts := range policies {
			for _, st := range sts {
				for _, a := range st.actions() {
					if a == "*" || strings.HasSuffix(a, ":*") {
						t.Errorf("%s: role %s: action %s", stage, role, a)
					}
				}
				if slices.Contains(st.resources(), "*") && st.Effect != "Deny" {
					for _, a := range st.actions() {
						// SMS has no resource ARN; the role must deny every SNS ARN (SMS only).
						if a == "sns:Publish" && slices.ContainsFunc(sts, func(o statement) bool {
							return o.Effect == "Deny" && slices.Contains(o.actions(), "sns:Publish") && slices.Contains(o.resources(), "arn:aws:sns:*:*:*")
						}) {
							continue
						}
						if !slices.Contains(wildcardAllowed, a) {
							t.Errorf("%s: role %s: %s on Resource \"*\"", stage, role, a)
						}
						if a == "cloudwatch:PutMetricData" && !strings.Contains(str(st.Condition), "CloudWatchSynthetics") {
							t.Errorf("%s: role %s: PutMetricData without a namespace condition", stage, role)
						}
					}
				}
				// Table actions: only those the adapter calls, only on the table and its indexes.
				for _, a := range st.actions() {
					if !strings.HasPrefix(a, "dynamodb:") {
						continue
					}
					if !slices.Contains(sources.TableActions(), a) {
						t.Errorf("%s: role %s: %s is not an action the code uses", stage, role, a)
					}
					for _, r := range st.resources() {
						if !strings.Contains(r, tableID) {
							t.Errorf("%s: role %s: %s on %s", stage, role, a, r)
						}
					}
				}
			}
		}
		// Each state machine: exactly its steps' aliases, exactly its nested machines.
		for _, src := range srcs {
			_, sm := d.byProp(t, "AWS::StepFunctions::StateMachine", "StateMachineName", "vehicle-data-"+stage+"-"+src.Name)
			role := refOf(sm.Properties["RoleArn"])
			var invoked, started, tableActions []string
			for _, st := range policies[role] {
				for _, a := range st.actions() {
					targets := list(st.Resource)
					if targets == nil {
						targets = []any{st.Resource}
					}
					for _, r := range targets {
						target := d.Resources[refOf(r)]
						switch a {
						case "lambda:InvokeFunction":
							fn := d.Resources[refOf(target.Properties["FunctionName"])]
							invoked = append(invoked, str(fn.Properties["FunctionName"])+":"+str(target.Properties["Name"]))
						case "states:StartSyncExecution", "states:StartExecution":
							started = append(started, str(target.Properties["StateMachineName"]))
						}
					}
					if strings.HasPrefix(a, "dynamodb:") {
						tableActions = append(tableActions, a)
					}
					if strings.HasPrefix(a, "lambda:") && a != "lambda:InvokeFunction" || strings.HasPrefix(a, "states:") && a != "states:StartSyncExecution" && a != "states:StartExecution" {
						t.Errorf("%s/%s: unexpected %s", stage, src.Name, a)
					}
				}
			}
			var wantInvoked, wantStarted, wantTable []string
			for _, st := range mustSteps(t) {
				if strings.Contains(src.Definition, "${"+sources.Placeholder(st.Name)+"}") {
					wantInvoked = append(wantInvoked, "vehicle-data-"+stage+"-"+st.Name+":"+AliasName)
				}
			}
			for _, m := range srcs {
				if strings.Contains(src.Definition, "${"+sources.StateMachinePlaceholder(m.Name)+"}") {
					wantStarted = append(wantStarted, "vehicle-data-"+stage+"-"+m.Name)
				}
			}
			if strings.Contains(src.Definition, "arn:aws:states:::dynamodb:getItem") {
				wantTable = append(wantTable, "dynamodb:GetItem")
			}
			for _, l := range [][]string{invoked, started, tableActions, wantInvoked, wantStarted, wantTable} {
				sort.Strings(l)
			}
			if fmt.Sprint(invoked, started, tableActions) != fmt.Sprint(wantInvoked, wantStarted, wantTable) {
				t.Errorf("%s/%s: invokes %v, starts %v, table %v; want %v, %v, %v", stage, src.Name, invoked, started, tableActions, wantInvoked, wantStarted, wantTable)
			}
		}
		// Only the steps that use the table may touch it.
		for _, st := range mustSteps(t) {
			_, fn := d.byProp(t, "AWS::Lambda::Function", "FunctionName", "vehicle-data-"+stage+"-"+st.Name)
			var actions []string
			for _, s := range policies[refOf(fn.Properties["Role"])] {
				for _, a := range s.actions() {
					if strings.HasPrefix(a, "dynamodb:") {
						actions = append(actions, a)
					}
				}
			}
			if st.UsesTable != (len(actions) > 0) {
				t.Errorf("%s/%s: uses the table %v, table actions %v", stage, st.Name, st.UsesTable, actions)
			}
		}
	}
}

// Code delivery: only the function that sends codes may publish SMS (no topic) and send e-mail,
// and only from the environment's verified identity as its sender.
func TestOnlyTheChallengeStepDeliversCodes(t *testing.T) {
	for _, stage := range stages() {
		s := synth(t, stage)
		d, cd := s.doc, s.stack.target.CodeDelivery
		policies := identityPolicies(t, d)
		for _, f := range sources.Functions() {
			_, fn := d.byProp(t, "AWS::Lambda::Function", "FunctionName", "vehicle-data-"+stage+"-"+f.Name)
			sends := slices.Contains(f.Needs, sources.EnvCodeSender)
			vars := props(props(fn.Properties["Environment"])["Variables"])
			if sends != (vars[sources.EnvCodeSender] == cd.Sender) {
				t.Errorf("%s/%s: CODE_SENDER %v", stage, f.Name, vars[sources.EnvCodeSender])
			}
			var sms, denyTopics, email bool
			for _, st := range policies[refOf(fn.Properties["Role"])] {
				switch {
				case st.Effect == "Allow" && slices.Contains(st.actions(), "sns:Publish"):
					sms = true
				case st.Effect == "Deny" && slices.Contains(st.actions(), "sns:Publish") && slices.Equal(st.resources(), []string{"arn:aws:sns:*:*:*"}):
					denyTopics = true
				case slices.Contains(st.actions(), "ses:SendEmail"):
					email = true
					if !strings.Contains(str(st.Resource), ":identity/"+cd.EmailIdentity) || !strings.Contains(str(st.Condition), `"ses:FromAddress":"`+cd.Sender+`"`) {
						t.Errorf("%s/%s: ses:SendEmail on %v if %v", stage, f.Name, st.Resource, st.Condition)
					}
				}
			}
			if sms != sends || denyTopics != sends || email != sends {
				t.Errorf("%s/%s: sends codes %v; SMS %v, topics denied %v, e-mail %v", stage, f.Name, sends, sms, denyTopics, email)
			}
		}
	}
}

// Every environment deploys every part, configured for that environment.
func TestEveryEnvironmentDeploysItsResources(t *testing.T) {
	cfg := loadConfig(t)
	steps := mustSteps(t)
	for _, stage := range stages() {
		s := synth(t, stage)
		d, tgt := s.doc, s.stack.target
		env := cfg.Environments[tgt.Env]
		disposable := stage == "dev" || stage == DeveloperStage

		// Data.
		_, table := d.byProp(t, "AWS::DynamoDB::Table", "TableName", "vehicle-data-"+stage)
		tp := table.Properties
		if tp["BillingMode"] != "PAY_PER_REQUEST" || !strings.Contains(str(tp["PointInTimeRecoverySpecification"]), `"PointInTimeRecoveryEnabled":true`) ||
			!strings.Contains(str(tp["SSESpecification"]), `"SSEEnabled":true`) || tp["DeletionProtectionEnabled"] != !disposable {
			t.Errorf("%s: table %v", stage, tp)
		}
		// Every index internal/dynamo lists, no other.
		gsi := list(tp["GlobalSecondaryIndexes"])
		if want := sources.TableDesign().Indexes; len(gsi) != len(want) || len(want) == 0 {
			t.Errorf("%s: GSIs %v, want %v", stage, gsi, want)
		} else {
			for i, ix := range want {
				if g := props(gsi[i]); g["IndexName"] != ix.Name || !strings.Contains(str(g["KeySchema"]), `"AttributeName":"`+ix.PK+`"`) ||
					!strings.Contains(str(g["KeySchema"]), `"AttributeName":"`+ix.SK+`"`) {
					t.Errorf("%s: GSI %v, want %v", stage, g, ix)
				}
			}
		}

		// Functions: one per step and the authorizer, from the registry.
		fns := d.ofType("AWS::Lambda::Function")
		var ours int
		for _, st := range sources.Functions() {
			_, fn := d.byProp(t, "AWS::Lambda::Function", "FunctionName", "vehicle-data-"+stage+"-"+st.Name)
			ours++
			p := fn.Properties
			vars := props(props(p["Environment"])["Variables"])
			if p["Runtime"] != "provided.al2023" || str(p["Architectures"]) != `["arm64"]` || p["Handler"] != "bootstrap" ||
				p["Timeout"] != st.Timeout.Seconds() || p["MemorySize"] != float64(st.MemoryMB) ||
				!strings.Contains(str(p["TracingConfig"]), "Active") || vars[sources.EnvHandler] != st.Name {
				t.Errorf("%s/%s: %v", stage, st.Name, p)
			}
			for _, need := range st.Needs {
				if vars[need] == nil {
					t.Errorf("%s/%s: %s not set", stage, st.Name, need)
				}
			}
			// Exactly what the binary reads: nothing it would ignore (a misspelt name would be).
			for name := range vars {
				if name != sources.EnvHandler && !slices.Contains(st.Needs, name) && !slices.Contains(st.Optional, name) {
					t.Errorf("%s/%s: sets %s, which the function does not read", stage, st.Name, name)
				}
			}
			if st.Name == sources.AuthorizerName {
				// Cognito's access tokens: the app client in client_id, the roles in cognito:groups.
				if vars[sources.EnvOIDCAudienceClaim] != "client_id" || vars[sources.EnvOIDCRoleClaim] != "cognito:groups" ||
					vars[sources.EnvOIDCIssuer] == nil || vars[sources.EnvOIDCAudience] == nil {
					t.Errorf("%s: authorizer settings %v", stage, vars)
				}
			}
			if st.Name != sources.AuthorizerName && slices.Contains(st.Needs, sources.EnvRegistry) && vars[sources.EnvRegistry] != env.Legacy.RegistryURL {
				t.Errorf("%s/%s: REGISTRY_URL %v", stage, st.Name, vars[sources.EnvRegistry])
			}
			// Secrets are resolved by CloudFormation, never written into the template.
			if slices.Contains(st.Needs, sources.EnvPseudonymKey) && !strings.Contains(str(vars[sources.EnvPseudonymKey]), "{{resolve:secretsmanager:") {
				t.Errorf("%s/%s: PSEUDONYM_KEY is not a Secrets Manager reference: %v", stage, st.Name, vars[sources.EnvPseudonymKey])
			}
		}
		if ours < len(fns)-2 { // CDK's own custom-resource handlers are the others
			t.Errorf("%s: %d functions, %d of them ours", stage, len(fns), ours)
		}
		if got, want := len(d.ofType("AWS::Lambda::Alias")), len(steps)+1; got != want {
			t.Errorf("%s: %d aliases, want %d", stage, got, want)
		}
		groups := d.ofType("AWS::CodeDeploy::DeploymentGroup")
		if len(groups) != len(steps)+1 {
			t.Errorf("%s: %d deployment groups", stage, len(groups))
		}
		for _, id := range groups {
			p := d.Resources[id].Properties
			wantConfig := "CodeDeployDefault.LambdaCanary10Percent5Minutes"
			if stage == DeveloperStage {
				wantConfig = "CodeDeployDefault.LambdaAllAtOnce"
			}
			if str(p["DeploymentConfigName"]) != wantConfig || len(list(props(p["AlarmConfiguration"])["Alarms"])) == 0 ||
				!strings.Contains(str(p["AutoRollbackConfiguration"]), "DEPLOYMENT_STOP_ON_ALARM") {
				t.Errorf("%s: deployment group %s: %v", stage, id, p)
			}
		}
		for _, id := range d.ofType("AWS::Logs::LogGroup") {
			if d.Resources[id].Properties["RetentionInDays"] == nil {
				t.Errorf("%s: log group %s keeps logs forever", stage, id)
			}
		}

		// API: stage settings, WAF.
		_, st := d.byProp(t, "AWS::ApiGateway::Stage", "StageName", StageName)
		sp := st.Properties
		if sp["TracingEnabled"] != true || !strings.Contains(str(sp["MethodSettings"]), fmt.Sprintf(`"ThrottlingRateLimit":%v`, env.Sizes.APIRateLimit)) {
			t.Errorf("%s: API stage %v", stage, sp)
		}
		format := str(props(sp["AccessLogSetting"])["Format"])
		for _, leaky := range []string{"$context.path", "querystring", "identity.sourceIp", "header", "$context.authorizer.sub"} {
			if strings.Contains(format, leaky) {
				t.Errorf("%s: access log format carries %s", stage, leaky)
			}
		}
		_, acl := d.byProp(t, "AWS::WAFv2::WebACL", "Name", "vehicle-data-"+stage+"-api")
		rules := str(acl.Properties["Rules"])
		for _, r := range []string{"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList", `"RateBasedStatement"`} {
			if !strings.Contains(rules, r) {
				t.Errorf("%s: web ACL lacks %s", stage, r)
			}
		}
		if len(d.ofType("AWS::WAFv2::WebACLAssociation")) != 1 {
			t.Errorf("%s: web ACL not associated", stage)
		}

		// Site: private bucket behind CloudFront with OAC, /api/* to the API, security headers.
		if len(d.ofType("AWS::CloudFront::OriginAccessControl")) != 2 { // the bucket and the share page
			t.Errorf("%s: no origin access control", stage)
		}
		for _, id := range d.ofType("AWS::S3::Bucket") {
			if !strings.Contains(str(d.Resources[id].Properties["PublicAccessBlockConfiguration"]), `"BlockPublicAcls":true`) {
				t.Errorf("%s: bucket %s is not private", stage, id)
			}
		}
		dist := d.Resources[d.ofType("AWS::CloudFront::Distribution")[0]].Properties
		cfg := str(dist["DistributionConfig"])
		if !strings.Contains(cfg, `"PathPattern":"/api/*"`) || !strings.Contains(cfg, `"OriginPath":"/`+StageName+`"`) {
			t.Errorf("%s: /api/* is not routed to the API stage: %s", stage, cfg)
		}
		if !disposable || stage == "dev" {
			if !strings.Contains(cfg, env.DomainName) || !strings.Contains(cfg, env.CertificateArn) {
				t.Errorf("%s: distribution lacks its domain or certificate", stage)
			}
		}
		_, hp := d.byProp(t, "AWS::CloudFront::ResponseHeadersPolicy", "ResponseHeadersPolicyConfig", str(d.Resources[d.ofType("AWS::CloudFront::ResponseHeadersPolicy")[0]].Properties["ResponseHeadersPolicyConfig"]))
		headers := str(hp.Properties)
		// connect-src keeps what frontend/security-headers.json allows and adds the hosted UI.
		connect := ""
		for _, d := range strings.Split(headers, ";") {
			if f := strings.Fields(d); len(f) > 0 && f[0] == "connect-src" {
				connect = strings.Join(f, " ")
			}
		}
		if !strings.HasPrefix(connect, "connect-src 'self' ") || !strings.Contains(connect, " "+hostedUIOrigin(s.stack)) || !strings.Contains(headers, "STRICT_ORIGIN_WHEN_CROSS_ORIGIN") && !strings.Contains(headers, "strict-origin-when-cross-origin") ||
			!strings.Contains(headers, "Permissions-Policy") || !strings.Contains(headers, "DENY") {
			t.Errorf("%s: headers policy %s", stage, headers)
		}

		// Identity.
		_, pool := d.byProp(t, "AWS::Cognito::UserPool", "UserPoolName", "vehicle-data-"+stage)
		if str(pool.Properties["AdminCreateUserConfig"]) != `{"AllowAdminCreateUserOnly":true}` {
			t.Errorf("%s: self sign-up must be off: %v", stage, pool.Properties["AdminCreateUserConfig"])
		}
		_, idp := d.byProp(t, "AWS::Cognito::UserPoolIdentityProvider", "ProviderName", OEMProviderName)
		if idp.Properties["ProviderType"] != "OIDC" || !strings.Contains(str(idp.Properties["ProviderDetails"]), env.OIDC.IssuerURL) {
			t.Errorf("%s: identity provider %v", stage, idp.Properties)
		}
		_, client := d.byProp(t, "AWS::Cognito::UserPoolClient", "ClientName", "vehicle-data-"+stage+"-site")
		cp := client.Properties
		if cp["GenerateSecret"] != false || str(cp["AllowedOAuthFlows"]) != `["code"]` ||
			!strings.Contains(str(cp["CallbackURLs"]), "/auth/callback") || strings.Contains(str(cp["CallbackURLs"]), "localhost") ||
			slices.Contains(strs(cp["SupportedIdentityProviders"]), "COGNITO") != env.TestUsers {
			t.Errorf("%s: site client %v", stage, cp)
		}
		var poolGroups []string
		for _, id := range d.ofType("AWS::Cognito::UserPoolGroup") {
			poolGroups = append(poolGroups, str(d.Resources[id].Properties["GroupName"]))
		}
		sort.Strings(poolGroups)
		if want := sources.Roles(); !slices.Equal(poolGroups, want) {
			t.Errorf("%s: groups %v, want %v", stage, poolGroups, want)
		}
		if len(d.ofType("AWS::Cognito::UserPoolDomain")) != 1 {
			t.Errorf("%s: no hosted UI domain", stage)
		}

		// Operations.
		var alarms []string
		for _, id := range d.ofType("AWS::CloudWatch::Alarm") {
			alarms = append(alarms, str(d.Resources[id].Properties["AlarmName"]))
			if len(list(d.Resources[id].Properties["AlarmActions"])) != 1 {
				t.Errorf("%s: alarm %s notifies nobody", stage, id)
			}
		}
		want := []string{"api-5xx-rate", "breaker-opened", "dynamodb-throttles", "authorizer-errors", "canary"}
		for _, op := range s.stack.api.ops {
			want = append(want, "p99-"+op.ID)
		}
		for _, m := range s.stack.machines.order {
			want = append(want, m+"-timeouts", m+"-failure-rate")
		}
		for _, w := range want {
			if !slices.Contains(alarms, "vehicle-data-"+stage+"-"+w) {
				t.Errorf("%s: no alarm %s (have %v)", stage, w, alarms)
			}
		}
		if len(d.ofType("AWS::CloudWatch::Dashboard")) != 1 || len(d.ofType("AWS::SNS::Topic")) != 1 {
			t.Errorf("%s: dashboard or alarm topic missing", stage)
		}
		if n := len(d.ofType("AWS::Logs::MetricFilter")); n == 0 {
			t.Errorf("%s: no breaker metric filters", stage)
		}

		// Synthetic check every 5 minutes.
		_, canary := d.byProp(t, "AWS::Synthetics::Canary", "Name", CanaryName(stage))
		if str(props(canary.Properties["Schedule"])["Expression"]) != "rate(5 minutes)" {
			t.Errorf("%s: canary schedule %v", stage, canary.Properties["Schedule"])
		}
	}
}

// Toggles: each environment's file reaches the site's config.json and the API (an operation
// whose toggle is off has no method: TestAPIMethodsEqualTheContract), and the environments
// really differ (prod has the dealer feature off).
func TestFeatureTogglesReachBackendAndSite(t *testing.T) {
	for _, stage := range stages() {
		s := synth(t, stage)
		want, err := sources.Features(s.stack.target.Env)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(s.stack.site.config["features"]) != fmt.Sprint(want) {
			t.Errorf("%s: config.json features %v, want %v", stage, s.stack.site.config["features"], want)
		}
		// The site's sign-in settings come with its toggles.
		auth := s.stack.site.config["auth"].(map[string]any)
		if auth["hostedUiUrl"] != hostedUIOrigin(s.stack) || auth["clientId"] == nil || !strings.HasSuffix(auth["redirectUri"].(string), "/auth/callback") {
			t.Errorf("%s: config.json auth %v", stage, auth)
		}
	}
	dev, prod := synth(t, "dev").stack.site.config["features"].(map[string]bool), synth(t, "prod").stack.site.config["features"].(map[string]bool)
	if !dev["dealer"] || prod["dealer"] || !dev["listings"] || !prod["listings"] {
		t.Errorf("toggles: dev %v, prod %v", dev, prod)
	}
}

// A developer stage shares the dev account: every physical name carries the stage, and it has
// no deploy role of its own.
func TestDeveloperStageNamesCarryTheStage(t *testing.T) {
	d := synth(t, DeveloperStage).doc
	nameProps := []string{"TableName", "FunctionName", "RoleName", "StateMachineName", "LogGroupName", "UserPoolName",
		"AlarmName", "DashboardName", "TopicName", "DeploymentGroupName", "ApplicationName", "Name", "ClientName",
		"Domain", "AliasName", "WebAclName"}
	checked := 0
	for id, r := range d.Resources {
		for _, p := range nameProps {
			v, ok := r.Properties[p].(string)
			if !ok || r.Type == "AWS::Lambda::Alias" || r.Type == "AWS::Cognito::UserPoolIdentityProvider" ||
				r.Type == "AWS::ApiGateway::Model" || strings.HasPrefix(r.Type, "Custom::") {
				continue
			}
			checked++
			if !strings.Contains(v, DeveloperStage) {
				t.Errorf("%s %s: %s=%s lacks the stage", r.Type, id, p, v)
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d names checked", checked)
	}
	for _, id := range d.ofType("AWS::IAM::Role") {
		if strings.Contains(str(d.Resources[id].Properties["RoleName"]), "github") {
			t.Errorf("a developer stage must not create a deploy role")
		}
	}
}

// The pipeline's role per environment: trusted only from the repository's workflows running in
// the GitHub environment of the same name, allowed only to assume CDK's bootstrap roles.
func TestGithubDeployRole(t *testing.T) {
	cfg := loadConfig(t)
	for _, env := range envconfig.Names {
		d := synth(t, env).doc
		e := cfg.Environments[env]
		id, role := d.byProp(t, "AWS::IAM::Role", "RoleName", "vehicle-data-"+env+"-github-deploy")
		trust := str(role.Properties["AssumeRolePolicyDocument"])
		for _, w := range []string{
			`"token.actions.githubusercontent.com:sub":"repo:` + cfg.Repository + `:environment:` + env + `"`,
			`"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"`, `"sts:AssumeRoleWithWebIdentity"`,
		} {
			if !strings.Contains(trust, w) {
				t.Errorf("%s: trust policy lacks %s: %s", env, w, trust)
			}
		}
		var resources []string
		acceptance := 0
		for _, st := range identityPolicies(t, d)[id] {
			switch fmt.Sprint(st.actions()) {
			case "[cloudformation:DescribeStacks]":
				// The acceptance stage reads the dev stack's outputs: its own stack only.
				if !e.TestUsers || str(st.Resource) != `{"Ref":"AWS::StackId"}` {
					t.Errorf("%s: deploy role may describe %s (test users %v)", env, str(st.Resource), e.TestUsers)
				}
				acceptance++
				continue
			case fmt.Sprint(AcceptanceUserActions):
				// ... and signs its test users in: on this stack's user pool only.
				if r := refOf(st.Resource); !e.TestUsers || d.Resources[r].Type != "AWS::Cognito::UserPool" {
					t.Errorf("%s: deploy role may manage users of %s (test users %v)", env, str(st.Resource), e.TestUsers)
				}
				acceptance++
				continue
			case "[sts:AssumeRole sts:TagSession]":
			default:
				t.Errorf("%s: deploy role may %v", env, st.actions())
			}
			for _, r := range st.resources() {
				resources = append(resources, strings.ReplaceAll(r, `{"Ref":"AWS::Partition"}`, "aws"))
			}
		}
		for _, r := range BootstrapRoles {
			w := "role/cdk-hnb659fds-" + r + "-role-" + e.Account + "-" + e.Region
			if !slices.ContainsFunc(resources, func(s string) bool { return strings.Contains(s, w) }) {
				t.Errorf("%s: deploy role cannot assume %s: %v", env, w, resources)
			}
		}
		if len(resources) != len(BootstrapRoles) {
			t.Errorf("%s: deploy role resources %v", env, resources)
		}
		if want := map[bool]int{true: 2}[e.TestUsers]; acceptance != want {
			t.Errorf("%s: %d acceptance statements, want %d (test users %v)", env, acceptance, want, e.TestUsers)
		}
		// The acceptance stage signs in with the site's client, which allows admin auth only where
		// test users exist.
		acc, hasAcc := d.Outputs["AcceptanceClientId"]
		if hasAcc != e.TestUsers {
			t.Errorf("%s: output AcceptanceClientId present %v, test users %v", env, hasAcc, e.TestUsers)
		}
		for _, cid := range d.ofType("AWS::Cognito::UserPoolClient") {
			flows := str(d.Resources[cid].Properties["ExplicitAuthFlows"])
			if strings.Contains(flows, "ALLOW_ADMIN_USER_PASSWORD_AUTH") != e.TestUsers {
				t.Errorf("%s: client auth flows %s, test users %v", env, flows, e.TestUsers)
			}
			if hasAcc && refOf(acc.Value) != cid {
				t.Errorf("%s: AcceptanceClientId %v is not the client %s", env, acc.Value, cid)
			}
		}
		out, ok := d.Outputs["GithubDeployRoleArn"]
		if !ok || refOf(out.Value) != id {
			t.Errorf("%s: output GithubDeployRoleArn %v", env, out)
		}
		if creates := len(d.ofType("AWS::IAM::OIDCProvider")) == 1; creates != e.CreateGithubOidcProvider {
			t.Errorf("%s: creates the OIDC provider %v, configured %v", env, creates, e.CreateGithubOidcProvider)
		}
	}
}

func loadConfig(t *testing.T) *envconfig.File {
	t.Helper()
	cfg, err := envconfig.Load(mustRoot(t) + "/cdk/environments.json")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

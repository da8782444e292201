package stack

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/acme-oem/vehicle-data/cdk/internal/contract"
	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

// StageName is the API Gateway stage; CloudFront's /api/* origin points at it.
const StageName = "live"

type restAPI struct {
	api        awsapigateway.RestApi
	ops        []contract.Operation
	authorizer awsapigateway.RequestAuthorizer
	methods    map[string]awsapigateway.Method // "GET /api/vehicles/{vin}"
	waf        awswafv2.CfnWebACL
}

// accessLogFormat: no path, query string, header or source IP, which carry VINs, tokens and
// personal data; resourcePath is the route template ("/api/vehicles/{vin}").
const accessLogFormat = `{"requestId":"$context.requestId","requestTime":"$context.requestTimeEpoch",` +
	`"httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status",` +
	`"protocol":"$context.protocol","responseLength":"$context.responseLength","responseLatency":"$context.responseLatency",` +
	`"integrationStatus":"$context.integration.status","integrationLatency":"$context.integration.latency",` +
	`"authorizerStatus":"$context.authorizer.status","authorizerLatency":"$context.authorizer.latency",` +
	`"role":"$context.authorizer.role","wafStatus":"$context.waf.status","errorType":"$context.error.responseType",` +
	`"xrayTraceId":"$context.xrayTraceId"}`

func newRestAPI(s *Stack, features map[string]bool) (*restAPI, error) {
	all, err := contract.Parse(sources.OpenAPI())
	if err != nil {
		return nil, err
	}
	// An operation whose feature is toggled off in this environment gets no method at all:
	// API Gateway answers it like any unknown route, and nothing behind it is reachable.
	ops, err := contract.Enabled(all, features)
	if err != nil {
		return nil, err
	}
	t := s.target
	accessLogs := s.logGroup("ApiAccessLogs", "/aws/apigateway/"+s.name("access"))
	api := awsapigateway.NewRestApi(s.Stack, jsii.String("Api"), &awsapigateway.RestApiProps{
		RestApiName: jsii.String(s.name()),
		Description: jsii.String("Vehicle data API, generated from api/openapi.yaml"),
		EndpointConfiguration: &awsapigateway.EndpointConfiguration{
			Types: &[]awsapigateway.EndpointType{awsapigateway.EndpointType_REGIONAL},
		},
		// Execution logging (and the account-wide role it needs) stays off: see APIG6 below.
		CloudWatchRole: jsii.Bool(false),
		DeployOptions: &awsapigateway.StageOptions{
			StageName:            jsii.String(StageName),
			TracingEnabled:       jsii.Bool(true),
			MetricsEnabled:       jsii.Bool(true), // per-method metrics: p99 latency per route
			LoggingLevel:         awsapigateway.MethodLoggingLevel_OFF,
			DataTraceEnabled:     jsii.Bool(false),
			ThrottlingRateLimit:  jsii.Number(t.Sizes.APIRateLimit),
			ThrottlingBurstLimit: jsii.Number(t.Sizes.APIBurstLimit),
			AccessLogDestination: awsapigateway.NewLogGroupLogDestination(accessLogs),
			AccessLogFormat:      awsapigateway.AccessLogFormat_Custom(jsii.String(accessLogFormat)),
		},
	})
	r := &restAPI{api: api, ops: ops, methods: map[string]awsapigateway.Method{}}

	// REQUEST authorizer without identity sources and without caching, so anonymous callers
	// reach the public routes (functions/authorizer explains why).
	r.authorizer = awsapigateway.NewRequestAuthorizer(s.Stack, jsii.String("ApiAuthorizer"), &awsapigateway.RequestAuthorizerProps{
		AuthorizerName:  jsii.String(s.name("authorizer")),
		Handler:         s.functions.authorizer.alias,
		IdentitySources: &[]*string{},
		ResultsCacheTtl: awscdk.Duration_Seconds(jsii.Number(0)),
	})

	validator := api.AddRequestValidator(jsii.String("Validator"), &awsapigateway.RequestValidatorOptions{
		RequestValidatorName:      jsii.String(s.name("validator")),
		ValidateRequestBody:       jsii.Bool(true),
		ValidateRequestParameters: jsii.Bool(true),
	})

	// API Gateway starts exactly the machines the routes name.
	routed := map[string]bool{}
	for _, op := range ops {
		if op.Machine != "" {
			if _, ok := s.machines.byName[op.Machine]; !ok {
				return nil, fmt.Errorf("openapi %s %s: x-state-machine %s has no statemachines/%s.asl.json", op.Method, op.Path, op.Machine, op.Machine)
			}
			routed[op.Machine] = true
		}
	}
	names := make([]string, 0, len(routed))
	for n := range routed {
		names = append(names, n)
	}
	sort.Strings(names)
	arns := make([]*string, 0, len(names))
	for _, n := range names {
		arns = append(arns, s.machines.byName[n].sm.StateMachineArn())
	}
	role := awsiam.NewRole(s.Stack, jsii.String("ApiRole"), &awsiam.RoleProps{
		RoleName:  jsii.String(s.name("api")),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("apigateway.amazonaws.com"), nil),
	})
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("StartRoutedMachines"),
		Actions:   jsii.Strings("states:StartSyncExecution"),
		Resources: &arns,
	}))

	for _, op := range ops {
		resource := api.Root().ResourceForPath(jsii.String(op.Path))
		opts := &awsapigateway.MethodOptions{
			OperationName:    jsii.String(op.ID),
			RequestValidator: validator,
			MethodResponses:  methodResponses(op),
		}
		if len(op.PathParams)+len(op.Headers) > 0 {
			params := map[string]*bool{}
			for _, p := range op.PathParams {
				params["method.request.path."+p] = jsii.Bool(true)
			}
			// Declared headers are method request parameters, so the validator answers 400
			// when a required one (Idempotency-Key) is missing, before any machine starts.
			for _, h := range op.Headers {
				params["method.request.header."+h.Name] = jsii.Bool(h.Required)
			}
			opts.RequestParameters = &params
		}
		if op.Body != nil {
			model := awsapigateway.NewModel(s.Stack, jsii.String(pascal(op.ID)+"Model"), &awsapigateway.ModelProps{
				RestApi:     api,
				ContentType: jsii.String("application/json"),
				ModelName:   jsii.String(pascal(op.ID) + "Request"),
				Schema:      &awsapigateway.JsonSchema{}, // replaced below by the contract's schema
			})
			model.Node().DefaultChild().(awsapigateway.CfnModel).AddPropertyOverride(jsii.String("Schema"), op.Body)
			opts.RequestModels = &map[string]awsapigateway.IModel{"application/json": model}
		}
		if op.Secured {
			opts.AuthorizationType = awsapigateway.AuthorizationType_CUSTOM
			opts.Authorizer = r.authorizer
		} else {
			opts.AuthorizationType = awsapigateway.AuthorizationType_NONE
		}
		var integration awsapigateway.Integration
		if op.Health {
			integration = healthIntegration()
		} else {
			integration = machineIntegration(s.machines.byName[op.Machine].sm.StateMachineArn(), op, role)
		}
		m := resource.AddMethod(jsii.String(op.Method), integration, opts)
		r.methods[op.Method+" "+op.Path] = m
		if op.Secured {
			cdknag.NagSuppressions_AddResourceSuppressions(m, &[]*cdknag.NagPackSuppression{{
				Id: jsii.String("AwsSolutions-COG4"),
				Reason: jsii.String("The Lambda authorizer verifies the OIDC token (the Cognito pool's or, by the same code, any OIDC issuer's) " +
					"and must let anonymous callers through to public views, which a Cognito authorizer cannot."),
			}}, jsii.Bool(false))
		} else {
			cdknag.NagSuppressions_AddResourceSuppressions(m, &[]*cdknag.NagPackSuppression{
				{Id: jsii.String("AwsSolutions-APIG4"), Reason: jsii.String("The contract declares this operation public (security: [{}]); it returns no data.")},
				{Id: jsii.String("AwsSolutions-COG4"), Reason: jsii.String("The contract declares this operation public (security: [{}]); it returns no data.")},
			}, jsii.Bool(false))
		}
	}
	addGatewayResponses(api)
	cdknag.NagSuppressions_AddResourceSuppressions(api.DeploymentStage(), &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-APIG6"),
		Reason: jsii.String("Execution logs would record path parameters and authorizer context (VINs, subjects: personal data); " +
			"access logs without paths, queries or headers and X-Ray traces cover operations."),
	}}, jsii.Bool(false))
	r.waf = newRegionalWAF(s, api)
	return r, nil
}

// methodResponses declares every status the route may answer: the contract's, and every status
// of the error table (the response template may pick any of them).
func methodResponses(op contract.Operation) *[]*awsapigateway.MethodResponse {
	set := map[int]bool{}
	for _, st := range op.Statuses {
		set[st] = true
	}
	if op.Machine != "" {
		for _, e := range sources.Errors() {
			set[e.Status] = true
		}
	}
	statuses := make([]int, 0, len(set))
	for st := range set {
		statuses = append(statuses, st)
	}
	sort.Ints(statuses)
	out := make([]*awsapigateway.MethodResponse, 0, len(statuses))
	for _, st := range statuses {
		mr := &awsapigateway.MethodResponse{StatusCode: jsii.String(strconv.Itoa(st))}
		if st == op.SuccessStatus && op.Machine != "" {
			// The headers the response template sets on a success (ResponseTemplate).
			params := map[string]*bool{"method.response.header." + RequestIDHeader: jsii.Bool(true)}
			if op.Envelope {
				for _, h := range envelopeHeaders(op) {
					params["method.response.header."+h] = jsii.Bool(false)
				}
			}
			mr.ResponseParameters = &params
		}
		out = append(out, mr)
	}
	return &out
}

// RequestIDHeader carries API Gateway's request id on every answer of a state machine route, as
// the local gateway's X-Request-Id; it is the gateway's, never the state machine's.
const RequestIDHeader = "X-Request-Id"

// envelopeHeaders are the success response's declared headers an envelope may set: all but
// X-Request-Id.
func envelopeHeaders(op contract.Operation) []string {
	var out []string
	for _, h := range op.ResponseHeaders {
		if h != RequestIDHeader {
			out = append(out, h)
		}
	}
	return out
}

// headerNames are the operation's declared header parameters.
func headerNames(op contract.Operation) []string {
	out := make([]string, 0, len(op.Headers))
	for _, h := range op.Headers {
		out = append(out, h.Name)
	}
	return out
}

func healthIntegration() awsapigateway.Integration {
	return awsapigateway.NewMockIntegration(&awsapigateway.IntegrationOptions{
		PassthroughBehavior: awsapigateway.PassthroughBehavior_NEVER,
		RequestTemplates:    &map[string]*string{"application/json": jsii.String(`{"statusCode": 200}`)},
		IntegrationResponses: &[]*awsapigateway.IntegrationResponse{{
			StatusCode: jsii.String("200"),
			ResponseTemplates: &map[string]*string{
				"application/json": jsii.String(`{"status":"up","checks":[{"name":"api","status":"up"}]}`),
			},
		}},
	})
}

// machineIntegration calls StartSyncExecution with the request template the local gateway
// mirrors (internal/apigw.RequestTemplate, with the operation's declared headers).
func machineIntegration(machineArn *string, op contract.Operation, role awsiam.IRole) awsapigateway.Integration {
	tmpl := strings.ReplaceAll(sources.RequestTemplateFor(headerNames(op)), "${StateMachineArn}", *machineArn)
	return awsapigateway.NewAwsIntegration(&awsapigateway.AwsIntegrationProps{
		Service:               jsii.String("states"),
		Action:                jsii.String("StartSyncExecution"),
		IntegrationHttpMethod: jsii.String("POST"),
		Options: &awsapigateway.IntegrationOptions{
			CredentialsRole:     role,
			PassthroughBehavior: awsapigateway.PassthroughBehavior_NEVER,
			RequestTemplates:    &map[string]*string{"application/json": jsii.String(tmpl)},
			IntegrationResponses: &[]*awsapigateway.IntegrationResponse{
				{
					StatusCode:        jsii.String(strconv.Itoa(op.SuccessStatus)),
					ResponseTemplates: &map[string]*string{"application/json": jsii.String(OperationResponseTemplate(op))},
				},
				{
					// StartSyncExecution refused the request: the input did not parse (a value
					// escapeJavaScript could not make JSON), so the request is at fault.
					SelectionPattern:  jsii.String(`4\d{2}`),
					StatusCode:        jsii.String("400"),
					ResponseTemplates: &map[string]*string{"application/json": jsii.String(errorJSON("INVALID", "the request is invalid", "request", "invalid"))},
				},
				{
					SelectionPattern:  jsii.String(`5\d{2}`),
					StatusCode:        jsii.String("503"),
					ResponseTemplates: &map[string]*string{"application/json": jsii.String(errorJSON("UNAVAILABLE", "a dependency is unavailable; retry later", "", ""))},
				},
			},
		},
	})
}

func errorJSON(code, message, field, rule string) string {
	s := `{"error":{"code":"` + code + `","message":"` + message + `"`
	if field != "" {
		s += `,"field":"` + field + `","rule":"` + rule + `"`
	}
	return s + `}}`
}

// ResponseTemplate maps StartSyncExecution's answer (always HTTP 200) to the caller's response,
// as internal/gateway does locally: SUCCEEDED answers the output with the route's success status;
// FAILED answers by error name from internal/apperr's table, with the apperr JSON the step or the
// Fail state carried (ours, safe to show by construction); TIMED_OUT (and States.Timeout) answer
// 504; anything else is our bug, answered 500 with a generic message so no internal cause leaks.
func ResponseTemplate(success int) string {
	return responseTemplate(success, "$input.path('$.output')")
}

// OperationResponseTemplate is the operation's response template: ResponseTemplate, whose success
// branch unwraps the {headers, body} envelope for x-response-envelope operations
// (sources.ResponseEnvelopeTemplate) as the local gateway does.
func OperationResponseTemplate(op contract.Operation) string {
	if !op.Envelope {
		return ResponseTemplate(op.SuccessStatus)
	}
	notEnvelope := fmt.Sprintf("#set($context.responseOverride.status = %d)\n%s", sources.InternalStatus(), errorJSON(sources.InternalCode, "internal error", "", ""))
	return responseTemplate(op.SuccessStatus,
		strings.TrimSuffix(sources.ResponseEnvelopeTemplate(envelopeHeaders(op), op.SuccessStatus == 204, notEnvelope), "\n"))
}

func responseTemplate(success int, output string) string {
	var b strings.Builder
	b.WriteString("#set($status = $input.path('$.status'))\n")
	b.WriteString("#set($context.responseOverride.header.Cache-Control = \"no-store\")\n")
	b.WriteString("#set($context.responseOverride.header." + RequestIDHeader + " = $context.requestId)\n")
	b.WriteString("#if($status == \"SUCCEEDED\")\n")
	fmt.Fprintf(&b, "#set($context.responseOverride.status = %d)\n", success)
	if output != "" {
		b.WriteString(output + "\n")
	}
	b.WriteString("#elseif($status == \"TIMED_OUT\" || $input.path('$.error') == \"States.Timeout\")\n")
	fmt.Fprintf(&b, "#set($context.responseOverride.status = %d)\n", sources.TimeoutStatus())
	b.WriteString(errorJSON(sources.TimeoutCode, "the request did not finish in time; retry later", "", "") + "\n")
	b.WriteString("#else\n#set($error = $input.path('$.error'))\n")
	first := true
	for _, e := range sources.Errors() {
		if e.Code == sources.InternalCode {
			continue // falls to the generic answer below
		}
		kw := "#elseif"
		if first {
			kw, first = "#if", false
		}
		fmt.Fprintf(&b, "%s($error == \"%s\")\n#set($context.responseOverride.status = %d)\n", kw, e.StateError, e.Status)
		if e.Status == 401 {
			// Every 401 carries a challenge (RFC 9110 15.5.2), as internal/gateway answers.
			fmt.Fprintf(&b, "#set($context.responseOverride.header.WWW-Authenticate = '%s')\n", sources.Challenge())
		}
		b.WriteString("#set($cause = $util.parseJson($input.path('$.cause')))\n")
		// A Lambda step's cause is {"errorMessage": "<apperr JSON>", "errorType": ...}; a
		// Fail state's cause is the apperr JSON itself.
		b.WriteString("#if($cause.errorMessage)\n{\"error\":$cause.errorMessage}\n#else\n{\"error\":$input.path('$.cause')}\n#end\n")
	}
	fmt.Fprintf(&b, "#else\n#set($context.responseOverride.status = %d)\n%s\n#end\n#end\n", sources.InternalStatus(), errorJSON(sources.InternalCode, "internal error", "", ""))
	return b.String()
}

// MissingParametersMessage is the message of a request missing a required parameter: API
// Gateway's own, "Missing required request parameters: [Idempotency-Key]".
const MissingParametersMessage = "$context.error.validationErrorString"

// gatewayResponses answer API Gateway's own rejections in the contract's error shape. Messages are
// fixed, with one exception: API Gateway's body validation messages can echo the rejected value
// (a VIN, a code). A missing required header or query parameter (Idempotency-Key, If-Match) is
// the exception: API Gateway checks parameters for presence only, so its message names the
// missing parameters and never a value, and the caller learns which one to send.
func addGatewayResponses(api awsapigateway.RestApi) {
	add := func(id string, typ awsapigateway.ResponseType, status int, body string, headers map[string]*string) {
		h := map[string]*string{"Cache-Control": jsii.String("'no-store'")}
		for k, v := range headers {
			h[k] = v
		}
		api.AddGatewayResponse(jsii.String(id), &awsapigateway.GatewayResponseOptions{
			Type:            typ,
			StatusCode:      jsii.String(strconv.Itoa(status)),
			Templates:       &map[string]*string{"application/json": jsii.String(body)},
			ResponseHeaders: &h,
		})
	}
	add("Unauthorized", awsapigateway.ResponseType_UNAUTHORIZED(), 401,
		errorJSON("UNAUTHENTICATED", "the bearer token is malformed, expired or not ours", "", ""),
		map[string]*string{"WWW-Authenticate": jsii.String("'" + sources.InvalidTokenChallenge() + "'")})
	add("AccessDenied", awsapigateway.ResponseType_ACCESS_DENIED(), 403, errorJSON("FORBIDDEN", "this request is not allowed", "", ""), nil)
	add("WafFiltered", awsapigateway.ResponseType_WAF_FILTERED(), 403, errorJSON("FORBIDDEN", "this request is not allowed", "", ""), nil)
	add("BadRequestBody", awsapigateway.ResponseType_BAD_REQUEST_BODY(), 400, errorJSON("INVALID", "the request body does not match the contract", "body", "schema"), nil)
	add("BadRequestParameters", awsapigateway.ResponseType_BAD_REQUEST_PARAMETERS(), 400, errorJSON("INVALID", MissingParametersMessage, "request", "required"), nil)
	add("UnsupportedMediaType", awsapigateway.ResponseType_UNSUPPORTED_MEDIA_TYPE(), 415, errorJSON("INVALID", "the request body must be application/json", "body", "media-type"), nil)
	add("MissingRoute", awsapigateway.ResponseType_MISSING_AUTHENTICATION_TOKEN(), 404, errorJSON("NOT_FOUND", "not found", "", ""), nil)
	add("ResourceNotFound", awsapigateway.ResponseType_RESOURCE_NOT_FOUND(), 404, errorJSON("NOT_FOUND", "not found", "", ""), nil)
	add("Throttled", awsapigateway.ResponseType_THROTTLED(), 429, errorJSON("TOO_MANY_REQUESTS", "too many requests; retry later", "", ""), nil)
	add("QuotaExceeded", awsapigateway.ResponseType_QUOTA_EXCEEDED(), 429, errorJSON("TOO_MANY_REQUESTS", "too many requests; retry later", "", ""), nil)
	add("IntegrationTimeout", awsapigateway.ResponseType_INTEGRATION_TIMEOUT(), 504, errorJSON("TIMEOUT", "the request did not finish in time; retry later", "", ""), nil)
	add("Default4xx", awsapigateway.ResponseType_DEFAULT_4XX(), 400, errorJSON("INVALID", "the request is invalid", "request", "invalid"), nil)
	add("Default5xx", awsapigateway.ResponseType_DEFAULT_5XX(), 500, errorJSON("INTERNAL", "internal error", "", ""), nil)
}

// newRegionalWAF protects the API: AWS's managed rule groups and a per-IP rate limit.
func newRegionalWAF(s *Stack, api awsapigateway.RestApi) awswafv2.CfnWebACL {
	// Sampled requests stay off: they store URIs and headers, that is VINs and bearer tokens.
	visibility := func(metric string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
		return &awswafv2.CfnWebACL_VisibilityConfigProperty{
			CloudWatchMetricsEnabled: jsii.Bool(true),
			MetricName:               jsii.String(metric),
			SampledRequestsEnabled:   jsii.Bool(false),
		}
	}
	managed := func(priority int, name string) *awswafv2.CfnWebACL_RuleProperty {
		return &awswafv2.CfnWebACL_RuleProperty{
			Name:           jsii.String(name),
			Priority:       jsii.Number(float64(priority)),
			OverrideAction: &awswafv2.CfnWebACL_OverrideActionProperty{None: map[string]any{}},
			Statement: &awswafv2.CfnWebACL_StatementProperty{
				ManagedRuleGroupStatement: &awswafv2.CfnWebACL_ManagedRuleGroupStatementProperty{
					VendorName: jsii.String("AWS"), Name: jsii.String(name),
				},
			},
			VisibilityConfig: visibility(name),
		}
	}
	acl := awswafv2.NewCfnWebACL(s.Stack, jsii.String("ApiFirewall"), &awswafv2.CfnWebACLProps{
		Name:             jsii.String(s.name("api")),
		Scope:            jsii.String("REGIONAL"),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: map[string]any{}},
		VisibilityConfig: visibility(s.name("api")),
		Rules: &[]interface{}{
			&awswafv2.CfnWebACL_RuleProperty{
				Name:     jsii.String("RateLimitPerIP"),
				Priority: jsii.Number(0),
				Action:   &awswafv2.CfnWebACL_RuleActionProperty{Block: map[string]any{}},
				Statement: &awswafv2.CfnWebACL_StatementProperty{
					RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{
						Limit:            jsii.Number(s.target.Sizes.WAFRateLimit),
						AggregateKeyType: jsii.String("IP"),
					},
				},
				VisibilityConfig: visibility("RateLimitPerIP"),
			},
			managed(1, "AWSManagedRulesAmazonIpReputationList"),
			managed(2, "AWSManagedRulesCommonRuleSet"),
			managed(3, "AWSManagedRulesKnownBadInputsRuleSet"),
		},
	})
	awswafv2.NewCfnWebACLAssociation(s.Stack, jsii.String("ApiFirewallAssociation"), &awswafv2.CfnWebACLAssociationProps{
		ResourceArn: api.DeploymentStage().StageArn(),
		WebAclArn:   acl.AttrArn(),
	})
	return acl
}

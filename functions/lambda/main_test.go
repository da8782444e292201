package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/internal/local/devoidc"
	"github.com/acme-oem/vehicle-data/internal/wiring"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestHandlerName(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"HANDLER": "merge-report"}, "merge-report"},
		{map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "VehicleData-prod-fetch-workshop"}, "fetch-workshop"},
		{map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "validate-vin"}, "validate-vin"},
	}
	for _, c := range cases {
		if got, err := handlerName(envOf(c.env)); err != nil || got != c.want {
			t.Errorf("%v: %q, %v", c.env, got, err)
		}
	}
	if _, err := handlerName(envOf(map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "something-else"})); err == nil {
		t.Error("unknown function name accepted")
	}
}

// aws-lambda-go names a plain error by its Go type; the binary must report the state error name.
func TestInvokerReportsStateErrorName(t *testing.T) {
	h, err := build(context.Background(), envOf(map[string]string{"HANDLER": catalog.ValidateVIN, "PSEUDONYM_KEY": "0123456789abcdef"}), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.Invoke(context.Background(), []byte(`{"vin":"WVWZZZCD3MW100001"}`))
	if err != nil || string(out) != `{"vin":"WVWZZZCD3MW100001"}` {
		t.Fatalf("valid: %s, %v", out, err)
	}
	_, err = h.Invoke(context.Background(), []byte(`{"vin":"short"}`))
	var ire messages.InvokeResponse_Error
	if !errors.As(err, &ire) || ire.Type != "VehicleData.Invalid" {
		t.Fatalf("err = %#v", err)
	}
	var body struct{ Field, Rule string }
	if json.Unmarshal([]byte(ire.Message), &body) != nil || body.Field != "vin" || body.Rule != "length" {
		t.Fatalf("message = %s", ire.Message)
	}
	if _, err := build(context.Background(), envOf(map[string]string{"HANDLER": catalog.ValidateVIN}), slog.New(slog.DiscardHandler)); err == nil {
		t.Error("missing PSEUDONYM_KEY accepted")
	}
}

// With its settings, the binary builds the real ownership service (a dealer is refused by the
// step itself); a missing setting or a weak pepper stops start-up with an error naming it.
func TestOwnershipStepsAreWiredFromTheEnvironment(t *testing.T) {
	env := map[string]string{
		"HANDLER": catalog.OwnershipChallenge, "PSEUDONYM_KEY": "0123456789abcdef",
		"TABLE_NAME": "vehicle-data", "REGISTRY_URL": "http://127.0.0.1:1", "AWS_REGION": "eu-central-1",
		"OWNERSHIP_PEPPER": "0123456789abcdef0123456789abcdef", "CODE_SENDER": "codes@example.com",
	}
	dealer := []byte(`{"vin":"WVWZZZCD3MW100001","caller":{"sub":"d","role":"dealer"},"body":{"method":"owner-code"}}`)
	h, err := build(context.Background(), envOf(env), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.Invoke(context.Background(), dealer)
	var ire messages.InvokeResponse_Error
	if !errors.As(err, &ire) || ire.Type != "VehicleData.Forbidden" {
		t.Fatalf("configured: err = %#v, want errorType VehicleData.Forbidden", err)
	}
	for _, v := range []string{"OWNERSHIP_PEPPER", "TABLE_NAME", "REGISTRY_URL", "PSEUDONYM_KEY", "CODE_SENDER"} {
		without := maps.Clone(env)
		delete(without, v)
		if _, err := build(context.Background(), envOf(without), slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), v) {
			t.Errorf("without %s: start-up error %v does not name it", v, err)
		}
	}
	env["OWNERSHIP_PEPPER"] = "short"
	if _, err := build(context.Background(), envOf(env), slog.New(slog.DiscardHandler)); err == nil {
		t.Error("a 5-byte pepper was accepted")
	}
}

// Every step of the catalog starts with its variables set, and names the one that is missing.
func TestEveryStepNamesTheVariableItMisses(t *testing.T) {
	full := map[string]string{
		"PSEUDONYM_KEY": "0123456789abcdef", "TABLE_NAME": "vehicle-data", "AWS_REGION": "eu-central-1",
		"VEHICLE_MASTER_URL": "http://127.0.0.1:1", "WORKSHOP_URL": "http://127.0.0.1:1",
		"REGISTRY_URL": "http://127.0.0.1:1", "RECALLS_URL": "http://127.0.0.1:1",
		"DEALER_STOCK_URL": "http://127.0.0.1:1",
		"OWNERSHIP_PEPPER": "0123456789abcdef0123456789abcdef",
		"OFFERS_URL":       "http://127.0.0.1:1",
		"CODE_SENDER":      "codes@example.com",
	}
	for _, s := range catalog.Steps() {
		env := maps.Clone(full)
		env["HANDLER"] = s.Name
		if _, err := build(context.Background(), envOf(env), slog.New(slog.DiscardHandler)); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
		for _, v := range wiring.Needs(s.Name) {
			without := maps.Clone(env)
			delete(without, v)
			if _, err := build(context.Background(), envOf(without), slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), v) {
				t.Errorf("%s without %s: start-up error %v does not name it", s.Name, v, err)
			}
		}
	}
}

// The binary builds the authorizer and answers API Gateway's REQUEST authorizer events: a valid
// token is allowed with its role in the context, no token is anonymous, a bad token is the
// error API Gateway turns into 401.
func TestAuthorizerAnswersAPIGatewayEvents(t *testing.T) {
	issuer, srv, err := devoidc.NewServer(devoidc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	env := map[string]string{"HANDLER": catalog.Authorizer}
	if _, err := build(context.Background(), envOf(env), slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "OIDC_ISSUER") {
		t.Fatalf("without an issuer: %v", err)
	}
	env["OIDC_ISSUER"], env["OIDC_AUDIENCE"] = issuer.URL(), issuer.Audience()
	h, err := build(context.Background(), envOf(env), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	token, err := issuer.AccessToken("alice")
	if err != nil {
		t.Fatal(err)
	}
	const arn = "arn:aws:execute-api:eu-central-1:123456789012:api1/prod/GET/vehicles/WVWZZZCD3MW100001"
	invoke := func(headers map[string]string) (events.APIGatewayCustomAuthorizerResponse, error) {
		t.Helper()
		in, _ := json.Marshal(events.APIGatewayCustomAuthorizerRequestTypeRequest{Type: "REQUEST", MethodArn: arn, Headers: headers})
		out, err := h.Invoke(context.Background(), in)
		var res events.APIGatewayCustomAuthorizerResponse
		if err == nil {
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatal(err)
			}
		}
		return res, err
	}
	res, err := invoke(map[string]string{"authorization": "Bearer " + token})
	if err != nil || res.Context["role"] != "consumer" || res.Context["sub"] == "" || res.PolicyDocument.Statement[0].Effect != "Allow" {
		t.Fatalf("valid token: %+v, %v", res, err)
	}
	if res, err = invoke(nil); err != nil || res.Context["role"] != "anonymous" || res.PrincipalID != "anonymous" {
		t.Fatalf("no token: %+v, %v", res, err)
	}
	if _, err = invoke(map[string]string{"Authorization": "Bearer " + token + "x"}); err == nil || err.Error() != "Unauthorized" {
		t.Fatalf("tampered token: %v", err)
	}
}

// With active tracing the binary sends the step's span to the X-Ray daemon Lambda names (a real
// UDP socket on loopback here) as a subsegment of the invocation's segment, without the VIN.
func TestStepSpansReachTheXRayDaemon(t *testing.T) {
	var lc net.ListenConfig
	pc, err := lc.ListenPacket(t.Context(), "udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	const root, parent = "1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8"
	h, err := build(context.Background(), envOf(map[string]string{
		"HANDLER": catalog.ValidateVIN, "PSEUDONYM_KEY": "0123456789abcdef",
		"AWS_XRAY_DAEMON_ADDRESS": pc.LocalAddr().String(), "_X_AMZN_TRACE_ID": "Root=" + root + ";Parent=" + parent + ";Sampled=1",
	}), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	const vin = "WVWZZZCD3MW100001"
	if _, err := h.Invoke(context.Background(), []byte(`{"vin":"`+vin+`"}`)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 70000)
	_ = pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(buf[:n]), "\n")
	var d struct {
		Name     string `json:"name"`
		TraceID  string `json:"trace_id"`
		ParentID string `json:"parent_id"`
	}
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	if d.Name != catalog.ValidateVIN || d.TraceID != root || d.ParentID != parent || strings.Contains(body, vin) {
		t.Errorf("document %s: want %s in trace %s under %s, without the VIN", body, catalog.ValidateVIN, root, parent)
	}
}

// The binary answers the user pool's pre token generation trigger by name, with no settings; the
// aws-lambda-go V2_0 event type round-trips through it.
func TestPreTokenTriggerAnswersCognitoEvents(t *testing.T) {
	h, err := build(context.Background(), envOf(map[string]string{"HANDLER": catalog.PreToken}), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CognitoEventUserPoolsPreTokenGenV2_0
	ev.Version, ev.TriggerSource, ev.UserName = "2", "TokenGeneration_RefreshTokens", "OEM_abc"
	ev.Request.UserAttributes = map[string]string{
		"custom:dealer_id": "DLR-7",
		"identities":       `[{"userId":"abc","providerName":"OEM","providerType":"OIDC","primary":"true"}]`,
	}
	ev.Request.GroupConfiguration.GroupsToOverride = []string{"dealer"}
	in, _ := json.Marshal(ev)
	out, err := h.Invoke(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	var got events.CognitoEventUserPoolsPreTokenGenV2_0
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got.UserName != "OEM_abc" || got.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ClaimsToAddOrOverride["dealer_id"] != "DLR-7" {
		t.Fatalf("answer %s", out)
	}
}

// The binary builds the share page from its settings, names a missing one, and answers function
// URL events (a POST is refused before any S3 or API call).
func TestSharePageIsWiredFromTheEnvironment(t *testing.T) {
	env := map[string]string{"HANDLER": catalog.SharePage, "SITE_BUCKET": "site", "API_URL": "http://127.0.0.1:1/prod", "AWS_REGION": "eu-central-1"}
	for _, v := range wiring.Needs(catalog.SharePage) {
		without := maps.Clone(env)
		delete(without, v)
		if _, err := build(context.Background(), envOf(without), slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), v) {
			t.Errorf("without %s: start-up error %v does not name it", v, err)
		}
	}
	t.Setenv("AWS_REGION", "eu-central-1")
	h, err := build(context.Background(), envOf(env), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(events.LambdaFunctionURLRequest{RawPath: "/l/abcdefghijklmnopqrstuvwxyz",
		RequestContext: events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST"}}})
	out, err := h.Invoke(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	var res events.LambdaFunctionURLResponse
	if err := json.Unmarshal(out, &res); err != nil || res.StatusCode != 405 {
		t.Fatalf("POST answered %s (%v)", out, err)
	}
}

package authorizer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"go.uber.org/goleak"

	"github.com/acme-oem/vehicle-data/functions/authorizer"
	"github.com/acme-oem/vehicle-data/internal/local/devoidc"
	"github.com/acme-oem/vehicle-data/internal/oidc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const methodArn = "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/prod/GET/vehicles/WVWZZZ1JZXW000001"

type fixture struct {
	iss *devoidc.Issuer
	h   *authorizer.Handler
	v   *oidc.Verifier
	log *bytes.Buffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	iss, srv, err := devoidc.NewServer(devoidc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	v, err := oidc.NewVerifier(context.Background(), oidc.Config{Issuer: iss.URL(), Audience: iss.Audience(), HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	return &fixture{iss: iss, v: v, log: &buf, h: authorizer.New(v, slog.New(slog.NewJSONHandler(&buf, nil)))}
}

func (f *fixture) token(t *testing.T, user string) string {
	t.Helper()
	tok, err := f.iss.AccessToken(user)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func request(headers map[string]string, multi map[string][]string) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	return events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type: "REQUEST", MethodArn: methodArn, HTTPMethod: "GET", Path: "/vehicles/x",
		Headers: headers, MultiValueHeaders: multi,
	}
}

func TestAllowsWithCallerContext(t *testing.T) {
	f := newFixture(t)
	users := devoidc.Users()
	tests := []struct {
		name    string
		headers map[string]string
		sub     string
		role    string
		dealer  string
	}{
		{"anonymous", map[string]string{"Accept": "application/json"}, "", "anonymous", ""},
		{"alice", map[string]string{"Authorization": "Bearer " + f.token(t, "alice")}, users[0].Subject, "consumer", ""},
		{"lower-case header", map[string]string{"authorization": "Bearer " + f.token(t, "bob")}, users[1].Subject, "consumer", ""},
		{"dealer", map[string]string{"AUTHORIZATION": "Bearer " + f.token(t, "dealer-dan")}, users[2].Subject, "dealer", devoidc.DemoDealerID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := f.h.Handle(context.Background(), request(tt.headers, nil))
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			got, err := json.Marshal(resp)
			if err != nil {
				t.Fatal(err)
			}
			// Compare the wire shape API Gateway reads, not just the Go struct.
			want := `{"principalId":"` + tt.role + `","policyDocument":{"Version":"2012-10-17","Statement":[` +
				`{"Action":["execute-api:Invoke"],"Effect":"Allow","Resource":["arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/prod/*/*"]}]},` +
				`"context":{` + dealerCtx(tt.dealer) + `"role":"` + tt.role + `","sub":"` + tt.sub + `"}}`
			if string(got) != want {
				t.Errorf("response\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestRejectsWithUnauthorized(t *testing.T) {
	f := newFixture(t)
	good := f.token(t, "alice")
	parts := strings.Split(good, ".")
	forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	tests := map[string]events.APIGatewayCustomAuthorizerRequestTypeRequest{
		"forged signature": request(map[string]string{"Authorization": "Bearer " + forged}, nil),
		"basic scheme":     request(map[string]string{"Authorization": "Basic YWxpY2U6cHc="}, nil),
		"two headers":      request(nil, map[string][]string{"Authorization": {"Bearer " + good, "Bearer " + forged}}),
		"two spellings":    request(map[string]string{"Authorization": "Bearer " + good, "authorization": "Bearer " + forged}, nil),
	}
	for name, req := range tests {
		t.Run(name, func(t *testing.T) {
			f.log.Reset()
			resp, err := f.h.Handle(context.Background(), req)
			if !errors.Is(err, authorizer.ErrUnauthorized) || err.Error() != "Unauthorized" {
				t.Fatalf("error = %v; want exactly Unauthorized (API Gateway's 401)", err)
			}
			if resp.PrincipalID != "" || len(resp.PolicyDocument.Statement) != 0 {
				t.Errorf("rejection carries a policy: %+v", resp)
			}
			logged := f.log.String()
			if !strings.Contains(logged, `"reason"`) {
				t.Errorf("rejection not logged with a reason: %s", logged)
			}
			for _, secret := range append(parts, devoidc.Users()[0].Subject) {
				if strings.Contains(logged, secret) {
					t.Errorf("log leaks token or subject: %s", logged)
				}
			}
		})
	}
}

func TestAuthorizeForTheLocalGateway(t *testing.T) {
	f := newFixture(t)
	c, err := authorizer.Authorize(context.Background(), f.v, "Bearer "+f.token(t, "dealer-dan"))
	if err != nil {
		t.Fatal(err)
	}
	// The local gateway marshals {"caller": caller}; it must match what the REST integration's
	// request template builds from the authorizer context.
	in, err := json.Marshal(map[string]any{"caller": c})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"caller":{"sub":"` + devoidc.Users()[2].Subject + `","role":"dealer","dealerId":"` + devoidc.DemoDealerID + `"}}`; string(in) != want {
		t.Errorf("state machine input %s; want %s", in, want)
	}
	if c, err := authorizer.Authorize(context.Background(), f.v, ""); err != nil || !c.IsAnonymous() {
		t.Errorf("no header: %+v, %v", c, err)
	}
	c, err = authorizer.Authorize(context.Background(), f.v, "Bearer x.y.z")
	if !errors.Is(err, oidc.ErrUnauthenticated) || c.Role.Valid() {
		t.Errorf("bad token: %+v, %v", c, err)
	}
	if h := oidc.WWWAuthenticate(err); !strings.HasPrefix(h, `Bearer realm="vehicle-data", error="invalid_token"`) {
		t.Errorf("challenge %q", h)
	}
}

func dealerCtx(id string) string {
	if id == "" {
		return ""
	}
	return `"dealerId":"` + id + `",`
}

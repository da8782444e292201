package pretoken

import (
	"encoding/json"
	"strings"
	"testing"
)

// event is a V2_0 pre token generation event as Cognito sends it (the shape of the AWS
// developer guide's example), for a user federated through the OEM provider.
const event = `{
  "version": "2",
  "triggerSource": "TokenGeneration_HostedAuth",
  "region": "eu-central-1",
  "userPoolId": "eu-central-1_EXAMPLE",
  "userName": "OEM_3f8c2a",
  "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1example23456789"},
  "request": {
    "userAttributes": {
      "sub": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
      "cognito:user_status": "EXTERNAL_PROVIDER",
      "email_verified": "false",
      "identities": "[{\"dateCreated\":\"1733400000000\",\"userId\":\"3f8c2a\",\"providerName\":\"OEM\",\"providerType\":\"OIDC\",\"issuer\":null,\"primary\":\"true\"}]",
      "custom:dealer_id": "DLR-0042"
    },
    "groupConfiguration": {"groupsToOverride": ["dealer"], "iamRolesToOverride": [], "preferredRole": null},
    "scopes": ["openid", "email", "profile"]
  },
  "response": {"claimsAndScopeOverrideDetails": null}
}`

func handle(t *testing.T, ev string) map[string]any {
	t.Helper()
	out, err := Handle(t.Context(), json.RawMessage(ev))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestOEMDealerGetsTheDealerClaimInTheAccessToken(t *testing.T) {
	m := handle(t, event)
	if m["userName"] != "OEM_3f8c2a" || m["triggerSource"] != "TokenGeneration_HostedAuth" {
		t.Fatalf("the event's header was not returned: %v", m)
	}
	resp, _ := json.Marshal(m["response"])
	want := `{"claimsAndScopeOverrideDetails":{"accessTokenGeneration":{"claimsToAddOrOverride":{"dealer_id":"DLR-0042"}}}}`
	if string(resp) != want {
		t.Fatalf("response %s, want %s", resp, want)
	}
}

// No claim (and no override at all: groups and scopes stay as Cognito made them) unless a
// dealer signed in through the OEM with a usable id.
func TestNoDealerClaimOtherwise(t *testing.T) {
	for name, ev := range map[string]string{
		"consumer":           strings.Replace(event, `["dealer"]`, `["consumer"]`, 1),
		"no group":           strings.Replace(event, `["dealer"]`, `[]`, 1),
		"own directory":      strings.Replace(event, `"identities": "[{\"dateCreated\":\"1733400000000\",\"userId\":\"3f8c2a\",\"providerName\":\"OEM\",\"providerType\":\"OIDC\",\"issuer\":null,\"primary\":\"true\"}]",`, "", 1),
		"other provider":     strings.Replace(event, `providerName\":\"OEM\"`, `providerName\":\"Google\"`, 1),
		"no dealer id":       strings.Replace(event, `"custom:dealer_id": "DLR-0042"`, `"email": "x@example.com"`, 1),
		"blank dealer id":    strings.Replace(event, `"DLR-0042"`, `"  "`, 1),
		"dealer id too long": strings.Replace(event, `"DLR-0042"`, `"`+strings.Repeat("D", 65)+`"`, 1),
	} {
		if ev == event {
			t.Fatalf("%s: the fixture did not change", name)
		}
		m := handle(t, ev)
		resp, _ := json.Marshal(m["response"])
		if string(resp) != `{"claimsAndScopeOverrideDetails":null}` {
			t.Errorf("%s: response %s", name, resp)
		}
	}
}

func TestBadEventIsAnError(t *testing.T) {
	for _, ev := range []string{`[]`, `{"request": "x"}`, `not json`} {
		if _, err := Handle(t.Context(), json.RawMessage(ev)); err == nil {
			t.Errorf("%s: no error", ev)
		}
	}
}

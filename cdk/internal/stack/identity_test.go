package stack

import (
	"slices"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

// The OEM provider's dealer id reaches access tokens: mapped to custom:dealer_id at sign-in (the
// client may write it, and only the mapped attributes), copied by the pre token generation
// trigger (V2_0, on the Plus plan) that the one binary answers under HANDLER=pre-token.
func TestDealerIDReachesAccessTokens(t *testing.T) {
	for _, stage := range stages() {
		d := synth(t, stage).doc
		pools := d.ofType("AWS::Cognito::UserPool")
		if len(pools) != 1 {
			t.Fatalf("%s: user pools %v", stage, pools)
		}
		pool := d.Resources[pools[0]].Properties
		if tier := str(pool["UserPoolTier"]); tier != "PLUS" && tier != "ESSENTIALS" {
			t.Errorf("%s: the V2_0 trigger needs the Essentials or Plus plan: %v", stage, pool["UserPoolTier"])
		}
		cfg := props(props(pool["LambdaConfig"])["PreTokenGenerationConfig"])
		if cfg["LambdaVersion"] != "V2_0" {
			t.Errorf("%s: pre token generation config %v", stage, cfg)
		}
		fnID, _ := d.byProp(t, "AWS::Lambda::Function", "FunctionName", "vehicle-data-"+stage+"-"+sources.PreTokenName)
		if env := props(props(d.Resources[fnID].Properties["Environment"])["Variables"]); env[sources.EnvHandler] != sources.PreTokenName {
			t.Errorf("%s: pre-token function environment %v", stage, env)
		}
		aliasID := refOf(cfg["LambdaArn"])
		if alias := d.Resources[aliasID]; alias.Type != "AWS::Lambda::Alias" || refOf(alias.Properties["FunctionName"]) != fnID {
			t.Errorf("%s: the trigger is %s (%s), not the pre-token function's alias", stage, aliasID, alias.Type)
		}
		invokable := false
		for _, id := range d.ofType("AWS::Lambda::Permission") {
			p := d.Resources[id].Properties
			if p["Principal"] == "cognito-idp.amazonaws.com" && refOf(p["FunctionName"]) == aliasID && refOf(p["SourceArn"]) == pools[0] {
				invokable = true
			}
		}
		if !invokable {
			t.Errorf("%s: Cognito may not invoke the trigger (or not only from its pool)", stage)
		}
		var schema bool
		for _, a := range list(pool["Schema"]) {
			if a := props(a); "custom:"+str(a["Name"]) == sources.DealerAttribute && a["AttributeDataType"] == "String" && a["Mutable"] == true {
				schema = true
			}
		}
		if !schema {
			t.Errorf("%s: no mutable %s attribute: %v", stage, sources.DealerAttribute, pool["Schema"])
		}
		_, idp := d.byProp(t, "AWS::Cognito::UserPoolIdentityProvider", "ProviderName", sources.OEMProviderName)
		if m := props(idp.Properties["AttributeMapping"]); m[sources.DealerAttribute] != OEMDealerClaim || m["email"] != "email" {
			t.Errorf("%s: OEM attribute mapping %v", stage, m)
		}
		for _, id := range d.ofType("AWS::Cognito::UserPoolClient") {
			var w []string
			for _, a := range list(d.Resources[id].Properties["WriteAttributes"]) {
				w = append(w, str(a))
			}
			slices.Sort(w)
			if strings.Join(w, ",") != sources.DealerAttribute+",email" {
				t.Errorf("%s: client %s writes %v, want the mapped attributes only", stage, id, w)
			}
		}
	}
}

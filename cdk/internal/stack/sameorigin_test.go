package stack

import (
	"strings"
	"testing"
)

// The site and the API share one origin (CloudFront, /api/* to API Gateway), so the API allows
// no cross-origin use at all: no CORS anywhere, no preflight methods, and the API's answers get
// the site's security headers, HSTS included, through the same response headers policy.
func TestAPIIsSameOriginWithoutCORS(t *testing.T) {
	for _, stage := range stages() {
		d := synth(t, stage).doc
		for id, r := range d.Resources {
			if strings.Contains(str(r.Properties), "Access-Control-Allow") {
				t.Errorf("%s: %s (%s) sets a CORS header", stage, id, r.Type)
			}
			if r.Type == "AWS::ApiGateway::Method" && r.Properties["HttpMethod"] == "OPTIONS" {
				t.Errorf("%s: preflight method %s", stage, id)
			}
		}
		policies := d.ofType("AWS::CloudFront::ResponseHeadersPolicy")
		if len(policies) != 1 {
			t.Fatalf("%s: response headers policies %v", stage, policies)
		}
		cfg := props(d.Resources[policies[0]].Properties["ResponseHeadersPolicyConfig"])
		if cfg["CorsConfig"] != nil {
			t.Errorf("%s: CORS in the headers policy: %v", stage, cfg["CorsConfig"])
		}
		hsts := props(props(cfg["SecurityHeadersConfig"])["StrictTransportSecurity"])
		if age, _ := hsts["AccessControlMaxAgeSec"].(float64); age < 365*24*3600 || hsts["Override"] != true {
			t.Errorf("%s: HSTS %v", stage, hsts)
		}
		dist := d.ofType("AWS::CloudFront::Distribution")
		dc := props(d.Resources[dist[0]].Properties["DistributionConfig"])
		if refOf(props(dc["DefaultCacheBehavior"])["ResponseHeadersPolicyId"]) != policies[0] {
			t.Errorf("%s: the site is served without the headers policy", stage)
		}
		api := false
		for _, b := range list(dc["CacheBehaviors"]) {
			if b := props(b); b["PathPattern"] == "/api/*" {
				api = refOf(b["ResponseHeadersPolicyId"]) == policies[0]
			}
		}
		if !api {
			t.Errorf("%s: /api/* is served without the site's headers policy", stage)
		}
	}
}

package stack

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// idWithPrefix is the one logical id of a type that starts with prefix (CDK appends a hash).
func (d template) idWithPrefix(t *testing.T, typ, prefix string) string {
	t.Helper()
	var found []string
	for _, id := range d.ofType(typ) {
		if strings.HasPrefix(id, prefix) {
			found = append(found, id)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s %s*: %v, want exactly one", typ, prefix, found)
	}
	return found[0]
}

// A shared listing link previews with the listing's tags in AWS too: CloudFront sends /l/* to
// the share-page function's URL, which only CloudFront can call (origin access control), with
// nothing from the viewer but the path, under the site's headers policy, cached a minute by
// path. The function may read index.html of the site bucket and nothing else of it, and reads
// listings through the API stage.
func TestSharePathsReachTheSharePageFunction(t *testing.T) {
	for _, stage := range stages() {
		s := synth(t, stage)
		d := s.doc
		fnID, fn := d.byProp(t, "AWS::Lambda::Function", "FunctionName", "vehicle-data-"+stage+"-share-page")
		bucket := d.idWithPrefix(t, "AWS::S3::Bucket", "SiteBucket")
		vars := props(props(fn.Properties["Environment"])["Variables"])
		if vars["HANDLER"] != "share-page" || refOf(vars["SITE_BUCKET"]) != bucket ||
			!strings.Contains(str(vars["API_URL"]), d.idWithPrefix(t, "AWS::ApiGateway::RestApi", "Api")) {
			t.Errorf("%s: share page environment %v", stage, vars)
		}
		// og:url and the API's share links are absolute where the site's domain is known before
		// deploy; a developer stage's generated domain would make a cycle.
		wantSite := ""
		if u, ok := knownSiteURL(s.stack); ok {
			wantSite = u
		}
		_, create := d.byProp(t, "AWS::Lambda::Function", "FunctionName", "vehicle-data-"+stage+"-create-listing")
		for name, v := range map[string]map[string]any{"share-page": vars, "create-listing": props(props(create.Properties["Environment"])["Variables"])} {
			got, _ := v["SITE_URL"].(string)
			if got != wantSite || (stage != DeveloperStage && !strings.HasPrefix(got, "https://")) {
				t.Errorf("%s: %s SITE_URL %q, want %q", stage, name, got, wantSite)
			}
		}

		// The role reads index.html of the site bucket only.
		roleID := refOf(fn.Properties["Role"])
		var reads []string
		for _, id := range d.ofType("AWS::IAM::Policy") {
			p := d.Resources[id].Properties
			if !strings.Contains(str(p["Roles"]), roleID) {
				continue
			}
			for _, st := range list(props(p["PolicyDocument"])["Statement"]) {
				if strings.Contains(str(props(st)["Action"]), "s3:") {
					reads = append(reads, str(props(st)["Action"])+" "+str(props(st)["Resource"]))
				}
			}
		}
		if len(reads) != 1 || !strings.HasPrefix(reads[0], `s3:GetObject `) || !strings.Contains(reads[0], bucket) || !strings.HasSuffix(reads[0], `/index.html"]]}`) {
			t.Errorf("%s: share page S3 access %v, want s3:GetObject on the site bucket's index.html", stage, reads)
		}

		// Its URL takes signed requests only, on the live alias, and CloudFront may call it.
		urlID, url := "", resource{}
		for _, id := range d.ofType("AWS::Lambda::Url") {
			if strings.Contains(str(d.Resources[id].Properties["TargetFunctionArn"]), fnID) {
				urlID, url = id, d.Resources[id]
			}
		}
		if urlID == "" || url.Properties["AuthType"] != "AWS_IAM" || url.Properties["Qualifier"] != AliasName {
			t.Fatalf("%s: share page URL %s %v", stage, urlID, url.Properties)
		}
		// Lambda authorizes a URL call twice (lambda:InvokeFunctionUrl and, since October 2025,
		// lambda:InvokeFunction): CloudFront needs both, for this distribution, on the URL's alias.
		dist := d.ofType("AWS::CloudFront::Distribution")[0]
		granted := map[string]bool{}
		for _, id := range d.ofType("AWS::Lambda::Permission") {
			p := d.Resources[id].Properties
			if p["Principal"] == "cloudfront.amazonaws.com" && strings.Contains(str(p["SourceArn"]), dist) && strings.Contains(str(p["FunctionName"]), urlID) {
				granted[str(p["Action"])] = true
				if p["Action"] == "lambda:InvokeFunction" && p["InvokedViaFunctionUrl"] != true {
					t.Errorf("%s: CloudFront may invoke the share page other than through its URL: %v", stage, p)
				}
			}
			if strings.HasPrefix(str(p["Action"]), "lambda:Invoke") && p["Principal"] == "*" {
				t.Errorf("%s: %s lets anyone call a function", stage, id)
			}
		}
		if !granted["lambda:InvokeFunctionUrl"] || !granted["lambda:InvokeFunction"] {
			t.Errorf("%s: CloudFront's grants on the share page's URL: %v, want InvokeFunctionUrl and InvokeFunction", stage, granted)
		}

		// The behaviour.
		dc := props(d.Resources[dist].Properties["DistributionConfig"])
		var share map[string]any
		for _, b := range list(dc["CacheBehaviors"]) {
			if props(b)["PathPattern"] == "/l/*" {
				share = props(b)
			}
		}
		if share == nil {
			t.Fatalf("%s: no /l/* behaviour", stage)
		}
		headers := d.ofType("AWS::CloudFront::ResponseHeadersPolicy")[0]
		if refOf(share["ResponseHeadersPolicyId"]) != headers || share["ViewerProtocolPolicy"] != "redirect-to-https" ||
			str(share["AllowedMethods"]) != `["GET","HEAD"]` || share["OriginRequestPolicyId"] != nil || share["FunctionAssociations"] != nil {
			t.Errorf("%s: /l/* behaviour %v", stage, share)
		}
		var origin map[string]any
		for _, o := range list(dc["Origins"]) {
			if props(o)["Id"] == share["TargetOriginId"] {
				origin = props(o)
			}
		}
		if !strings.Contains(str(origin["DomainName"]), urlID) || origin["OriginAccessControlId"] == nil {
			t.Errorf("%s: /l/* origin %v, want the function URL behind origin access control", stage, origin)
		}
		oac := d.Resources[refOf(props(origin)["OriginAccessControlId"])].Properties
		if str(oac) == "" || !strings.Contains(str(oac), `"OriginAccessControlOriginType":"lambda"`) || !strings.Contains(str(oac), `"SigningBehavior":"always"`) {
			t.Errorf("%s: origin access control %v", stage, oac)
		}
		cache := props(d.Resources[refOf(share["CachePolicyId"])].Properties["CachePolicyConfig"])
		key := props(cache["ParametersInCacheKeyAndForwardedToOrigin"])
		if cache["DefaultTTL"] != float64(60) || cache["MaxTTL"] != float64(SharePageMaxAge*60) ||
			props(key["CookiesConfig"])["CookieBehavior"] != "none" || props(key["HeadersConfig"])["HeaderBehavior"] != "none" ||
			props(key["QueryStringsConfig"])["QueryStringBehavior"] != "none" {
			t.Errorf("%s: share page cache policy %v", stage, cache)
		}

		// A failing share page pages and rolls its deployment back.
		if _, ok := s.stack.ops.alarms["share-page-errors"]; !ok {
			t.Errorf("%s: no share-page-errors alarm", stage)
		}
	}
}

// The canary's script is JavaScript Node accepts (Synthetics runs it on Node): a syntax error
// would only show as a failing canary after a deploy.
func TestCanaryScriptParses(t *testing.T) {
	p := filepath.Join(t.TempDir(), "canary.js")
	if err := os.WriteFile(p, []byte(canaryScript), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.CommandContext(t.Context(), "node", "--check", p).CombinedOutput(); err != nil {
		t.Fatalf("node --check: %v\n%s", err, out)
	}
	if !strings.Contains(canaryScript, `og:title`) {
		t.Error("the canary no longer checks the share page's Open Graph tags")
	}
}

package apigw

import (
	"strings"
	"testing"
)

// An operation without declared headers keeps the plain template (its input has no "headers",
// as BuildInput without Headers); one with headers lists exactly them and passes them before
// the caller, so a header can never replace the caller.
func TestRequestTemplateFor(t *testing.T) {
	if RequestTemplateFor(nil) != RequestTemplate {
		t.Fatal("no headers: the template changed")
	}
	got := RequestTemplateFor([]string{"Idempotency-Key", "If-Match"})
	if !strings.HasPrefix(got, "#set($declaredHeaders = [\"Idempotency-Key\", \"If-Match\"])\n") {
		t.Errorf("declared list:\n%s", got)
	}
	h, c := strings.Index(got, `\"headers\": {`), strings.Index(got, `\"caller\": {`)
	if h < 0 || c < 0 || h > c || strings.Count(got, `\"headers\": {`) != 1 {
		t.Errorf("headers at %d, caller at %d:\n%s", h, c, got)
	}
	if strings.TrimPrefix(strings.Replace(got, RequestHeadersFragment, "", 1), "#set($declaredHeaders = [\"Idempotency-Key\", \"If-Match\"])\n") != RequestTemplate {
		t.Error("the template differs from RequestTemplate by more than the headers")
	}
}

// The envelope's declared headers are set only when the output carries them, the body is cut
// from the output unless the answer is a 204, and a non-envelope answers notEnvelope.
func TestResponseEnvelopeTemplate(t *testing.T) {
	got := ResponseEnvelopeTemplate([]string{"ETag", "Location"}, false, "NOT-AN-ENVELOPE")
	for _, want := range []string{
		"#if(\"$!envelope.headers.get('ETag')\" != \"\")\n#set($context.responseOverride.header.ETag = $envelope.headers.get('ETag'))\n#end",
		"#set($context.responseOverride.header.Location = $envelope.headers.get('Location'))",
		"NOT-AN-ENVELOPE", "$out.substring($from, $to)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Count(got, "#if(") != strings.Count(got, "#end") {
		t.Errorf("unbalanced:\n%s", got)
	}
	noContent := ResponseEnvelopeTemplate(nil, true, "NOT-AN-ENVELOPE")
	if strings.Contains(noContent, "substring") || strings.Contains(noContent, "NOT-AN-ENVELOPE") {
		t.Errorf("a 204 has no body:\n%s", noContent)
	}
}

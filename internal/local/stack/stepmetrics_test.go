package stack_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/local/stack"
	"github.com/acme-oem/vehicle-data/internal/metrics"
	"github.com/acme-oem/vehicle-data/internal/report"
)

// sum is the sum of the metric's series with exactly these dimension values (0 when none).
func sum(st *stack.Stack, name metrics.Name, dims map[string]string) (float64, int) {
	for _, s := range st.Metrics.Snapshot().Series {
		if s.Name != name || len(s.Dimensions) != len(dims) {
			continue
		}
		match := true
		for k, v := range dims {
			match = match && s.Dimensions[k] == v
		}
		if match {
			return s.Sum, s.Count
		}
	}
	return 0, 0
}

func send(t *testing.T, method, u, token, body string, header map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	return res.StatusCode, b.Bytes()
}

// TestStepsCountCacheProofsAndListingWrites drives real requests through the local stack (engine,
// real steps, dynalite, simulators) and reads the counts at /dev/metrics' source: a cold report
// misses every source, the next one hits, one two days on serves the daily sources stale; a
// proof of ownership counts its start, a wrong code, the verification and the spent challenge;
// a listing counts its create, the replayed retry and the withdrawal. No dimension value holds
// the VIN, the subject, the code or the listing id.
func TestStepsCountCacheProofsAndListingWrites(t *testing.T) {
	st, clock := startStack(t)
	vin := freshVIN()
	srcDims := func(src string) map[string]string { return map[string]string{metrics.DimSource: src} }
	want := func(name metrics.Name, dims map[string]string, n float64) {
		t.Helper()
		if got, _ := sum(st, name, dims); got != n {
			t.Errorf("%s%v = %v, want %v", name, dims, got, n)
		}
	}

	reportSections(t, st, vin) // cold: every source fetched
	for _, src := range report.Sources() {
		want(metrics.CacheMisses, srcDims(string(src)), 1)
		want(metrics.CacheHits, srcDims(string(src)), 0)
		if _, n := sum(st, metrics.ReportFreshness, srcDims(string(src))); n != 1 {
			t.Errorf("ReportFreshness{%s}: %d values after one report, want 1", src, n)
		}
	}
	drain(t, st)
	reportSections(t, st, vin) // warm: every source fresh in the cache
	for _, src := range report.Sources() {
		want(metrics.CacheMisses, srcDims(string(src)), 1)
		want(metrics.CacheHits, srcDims(string(src)), 1)
		want(metrics.CacheStaleServes, srcDims(string(src)), 0)
	}
	drain(t, st)

	// Two days on the daily sources are past their soft expiry: served stale at once, refreshed
	// in the background; build data (30 days) is still a hit.
	clock.Advance(48 * time.Hour)
	reportSections(t, st, vin)
	drain(t, st)
	want(metrics.CacheHits, srcDims("vehicle-master"), 2)
	for _, src := range []string{"workshop", "registry", "recalls"} {
		want(metrics.CacheStaleServes, srcDims(src), 1)
		want(metrics.CacheHits, srcDims(src), 1)
		want(metrics.CacheMisses, srcDims(src), 1)
		for _, s := range st.Metrics.Snapshot().Series {
			if s.Name == metrics.ReportFreshness && s.Dimensions[metrics.DimSource] == src && s.Last < 48*3600 {
				t.Errorf("ReportFreshness{%s} last = %v s, want the section's age of two days or more", src, s.Last)
			}
		}
	}

	// A proof of ownership by the document code: started, a wrong code, verified, and the spent
	// challenge tried again (its method cannot be read any more: unknown).
	code, h, body := call(t, http.MethodPost, st.IssuerURL+"/token", "", url.Values{"grant_type": {"password"}, "username": {"alice"}})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); code != http.StatusOK || err != nil {
		t.Fatalf("sign in: %d %s %v", code, body, h)
	}
	code, body = send(t, http.MethodGet, st.URL+"/dev/outbox?vin="+vin, "", "", nil)
	var box struct {
		DocumentCode string `json:"documentCode"`
	}
	if err := json.Unmarshal(body, &box); code != http.StatusOK || err != nil || box.DocumentCode == "" {
		t.Fatalf("outbox: %d %s", code, body)
	}
	code, body = send(t, http.MethodPost, st.APIURL+"/vehicles/"+vin+"/ownership-challenges", tok.AccessToken, `{"method":"document-code"}`, nil)
	var ch struct {
		ChallengeID string `json:"challengeId"`
	}
	if err := json.Unmarshal(body, &ch); code != http.StatusCreated || err != nil {
		t.Fatalf("start challenge: %d %s", code, body)
	}
	verify := st.APIURL + "/vehicles/" + vin + "/ownership-challenges/" + ch.ChallengeID + "/verify"
	wrong := []byte(box.DocumentCode)
	if wrong[len(wrong)-1] == '2' {
		wrong[len(wrong)-1] = '3'
	} else {
		wrong[len(wrong)-1] = '2'
	}
	for _, c := range []struct {
		code   string
		status int
	}{{string(wrong), http.StatusForbidden}, {box.DocumentCode, http.StatusOK}, {box.DocumentCode, http.StatusConflict}} {
		if got, body := send(t, http.MethodPost, verify, tok.AccessToken, `{"code":"`+c.code+`"}`, nil); got != c.status {
			t.Fatalf("verify: %d %s, want %d", got, body, c.status)
		}
	}
	proof := func(method, outcome string) map[string]string {
		return map[string]string{metrics.DimMethod: method, metrics.DimOutcome: outcome}
	}
	want(metrics.OwnershipProofs, proof("document-code", "started"), 1)
	want(metrics.OwnershipProofs, proof("document-code", "wrong_code"), 1)
	want(metrics.OwnershipProofs, proof("document-code", "verified"), 1)
	want(metrics.OwnershipProofs, proof(metrics.MethodUnknown, "expired"), 1)

	// A listing: created, the retry with the same key replayed, withdrawn.
	listingBody := `{"vin":"` + vin + `","priceEur":12000,"description":"Well kept.","photos":[],"region":{"country":"DE","postalPrefix":"101"}}`
	key := map[string]string{"Idempotency-Key": "metrics-" + vin}
	var created struct {
		ID string `json:"id"`
	}
	for _, status := range []int{http.StatusCreated, http.StatusCreated} {
		got, body := send(t, http.MethodPost, st.APIURL+"/listings", tok.AccessToken, listingBody, key)
		if got != status {
			t.Fatalf("create listing: %d %s, want %d", got, body, status)
		}
		_ = json.Unmarshal(body, &created)
	}
	if got, body := send(t, http.MethodDelete, st.APIURL+"/listings/"+created.ID, tok.AccessToken, "", nil); got/100 != 2 {
		t.Fatalf("withdraw listing: %d %s", got, body)
	}
	write := func(op, outcome string) map[string]string {
		return map[string]string{metrics.DimOperation: op, metrics.DimOutcome: outcome}
	}
	want(metrics.ListingWrites, write("create", "ok"), 1)
	want(metrics.ListingWrites, write("create", "replayed"), 1)
	want(metrics.ListingWrites, write("withdraw", "ok"), 1)

	// What /dev/metrics shows holds no identifier of the run.
	_, body = send(t, http.MethodGet, st.URL+"/dev/metrics", "", "", nil)
	for label, secret := range map[string]string{"VIN": vin, "document code": box.DocumentCode, "challenge id": ch.ChallengeID, "listing id": created.ID} {
		if secret != "" && strings.Contains(string(body), secret) {
			t.Errorf("/dev/metrics holds the %s", label)
		}
	}
	if !strings.Contains(string(body), `"OwnershipProofs"`) || !strings.Contains(string(body), `"CacheHits"`) {
		t.Errorf("/dev/metrics lacks the step metrics: %.400s", body)
	}
}

package stack_test

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// BenchmarkListingPage measures the listing share page (GET /listings/{id}: gateway, engine, the
// read-listing step, one consistent getItem) against the cached report (GET /vehicles/{vin},
// public view) in the same run, alternating rounds at 64 concurrent clients, so both see the same
// machine load. Run:
//
//	go test -run '^$' -bench ListingPage -benchtime 3x ./internal/local/stack
func BenchmarkListingPage(b *testing.B) {
	const clients = 64
	const perRound = clients * 8
	st := startBenchStack(b, nil)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 30 * time.Second}
	ids, err := st.SeedDemoListings(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	vins := make([]string, 16)
	for i := range vins {
		vins[i] = freshVIN()
		getOK(b.Context(), b, client, st.APIURL+"/vehicles/"+vins[i]) // fill the cache
	}
	for _, id := range ids {
		getOK(b.Context(), b, client, st.APIURL+"/listings/"+id)
	}
	var page, rep []time.Duration
	for b.Loop() {
		d, _ := hammer(b, client, st.APIURL+"/listings/", ids, clients, perRound)
		page = append(page, d...)
		d, _ = hammer(b, client, st.APIURL+"/vehicles/", vins, clients, perRound)
		rep = append(rep, d...)
	}
	slices.Sort(page)
	slices.Sort(rep)
	b.ReportMetric(ms(percentile(page, 50)), "listing-p50-ms")
	b.ReportMetric(ms(percentile(page, 99)), "listing-p99-ms")
	b.ReportMetric(ms(percentile(rep, 50)), "report-p50-ms")
	b.ReportMetric(ms(percentile(rep, 99)), "report-p99-ms")
	b.ReportMetric(float64(percentile(page, 99))/float64(percentile(rep, 99)), "p99-ratio")
}

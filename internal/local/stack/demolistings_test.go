package stack_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/local/stacktest"
)

func TestDemoListingsAreSeededOnceAndShownInTheBanner(t *testing.T) {
	st, ids := stacktest.WithListings(t)
	if len(ids) < 3 {
		t.Fatalf("%d demo listings, want a few", len(ids))
	}
	again, err := st.SeedDemoListings(t.Context())
	if err != nil || strings.Join(again, ",") != strings.Join(ids, ",") {
		t.Fatalf("seeding twice: %v, %v; want the same listings %v", again, err, ids)
	}
	for _, id := range ids {
		if status, _, body := call(t, http.MethodGet, st.APIURL+"/listings/"+id, "", nil); status != http.StatusOK {
			t.Errorf("demo listing %s: %d %s", id, status, body)
		}
	}
	banner := st.Banner()
	if want := st.SiteURL + "/l/" + ids[0]; !strings.Contains(banner, want) || !strings.HasPrefix(st.SiteURL, "http://localhost:") {
		t.Errorf("the banner does not show the share link %s:\n%s", want, banner)
	}
}

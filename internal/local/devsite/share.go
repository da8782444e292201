package devsite

import (
	"bytes"
	"net/http"
	"time"

	"github.com/acme-oem/vehicle-data/internal/sharepage"
)

// serveShare answers /l/{id} with index.html carrying the listing's Open Graph tags
// (internal/sharepage, as the share-page Lambda does in AWS).
func (s *Site) serveShare(w http.ResponseWriter, r *http.Request, index []byte, id string) {
	site := s.origin.String()
	m, outcome := sharepage.Listings{APIURL: s.apiURL, Client: s.client}.Meta(r.Context(), id, site)
	if outcome != sharepage.Found {
		m = sharepage.Generic(site, id)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Locally the tags follow the listing at once (a price change, a withdrawal): never kept.
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(sharepage.Render(index, m)))
}

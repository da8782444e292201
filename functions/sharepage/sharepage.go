// Package sharepage is the share-page Lambda: CloudFront sends the site's /l/{id} paths to its
// function URL (origin access control, GET and HEAD only, no cookie or Authorization forwarded),
// and it answers the deployed index.html carrying the listing's Open Graph tags
// (internal/sharepage), so a shared link previews the car in a chat or a post. The browser then
// runs the site as on any other path. CloudFront's response headers policy adds the site's
// security headers, as it does for every path.
package sharepage

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/acme-oem/vehicle-data/internal/sharepage"
)

// DefaultMaxAge is how long CloudFront and browsers keep a share page: a price change or a
// withdrawal shows in link previews within it, and a link posted to many readers costs the API
// one listing read per edge location and minute.
const DefaultMaxAge = time.Minute

// Handler answers the function URL's requests.
type Handler struct {
	// Index returns the deployed index.html (internal/sitebucket).
	Index func(ctx context.Context) ([]byte, error)
	// Listings reads the listing from the API.
	Listings sharepage.Listings
	// SiteURL is the site's origin ("https://..."), for og:url when the API's share URL is
	// site-relative; "" leaves such an og:url out.
	SiteURL string
	// MaxAge is the answer's cache lifetime; DefaultMaxAge when zero.
	MaxAge time.Duration
	// Log receives failures (never a path: it carries the listing id); discarded when nil.
	Log *slog.Logger
}

// Handle answers one request.
func (h *Handler) Handle(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	method := req.RequestContext.HTTP.Method
	if method != http.MethodGet && method != http.MethodHead {
		return plain(http.StatusMethodNotAllowed, "Only GET and HEAD.", map[string]string{"Allow": "GET, HEAD"}), nil
	}
	index, err := h.Index(ctx)
	if err != nil {
		h.log().ErrorContext(ctx, "share page: the site's index.html is unavailable", "error", err.Error())
		return plain(http.StatusServiceUnavailable, "The page is unavailable; try again in a minute.", nil), nil
	}
	id, ok := sharepage.ID(req.RawPath)
	meta, outcome := sharepage.Generic(h.SiteURL, id), sharepage.Absent
	if ok {
		var m sharepage.Meta
		if m, outcome = h.Listings.Meta(ctx, id, h.SiteURL); outcome == sharepage.Found {
			meta = m
		}
	}
	cache := "public, max-age=" + strconv.Itoa(int(h.maxAge().Seconds()))
	if outcome == sharepage.Unavailable {
		// The generic tags stand in for a listing that may well exist: keep them nowhere, so
		// the next crawler gets the real card once the API answers again.
		h.log().WarnContext(ctx, "share page: the listing could not be read; generic tags served")
		cache = "no-store"
	}
	body := string(sharepage.Render(index, meta))
	res := events.LambdaFunctionURLResponse{
		StatusCode: http.StatusOK,
		Headers: map[string]string{
			"Content-Type":  "text/html; charset=utf-8",
			"Cache-Control": cache,
		},
		Body: body,
	}
	if method == http.MethodHead {
		res.Body = ""
	}
	return res, nil
}

func (h *Handler) maxAge() time.Duration {
	if h.MaxAge <= 0 {
		return DefaultMaxAge
	}
	return h.MaxAge
}

func (h *Handler) log() *slog.Logger {
	if h.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Log
}

func plain(status int, text string, extra map[string]string) events.LambdaFunctionURLResponse {
	headers := map[string]string{"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
	for k, v := range extra {
		headers[k] = v
	}
	return events.LambdaFunctionURLResponse{StatusCode: status, Headers: headers, Body: text}
}

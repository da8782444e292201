// Package sharepage renders a listing's share page (/l/{id}): the site's index.html with the
// listing's Open Graph tags. Link-preview crawlers read the HTML and run no JavaScript, so the
// tags must be in the page as served. The local site (internal/local/devsite) and the share-page
// Lambda behind CloudFront's /l/* (functions/sharepage) both render it here, so a shared link
// previews the same under `make run` and in AWS.
//
// The listing comes from the API's public GET /listings/{id} (the listing-page state machine),
// the very answer the page itself reads: the tags can carry nothing the public view lacks (no
// VIN, no seller).
package sharepage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultTimeout bounds the API call; past it the page goes out with the generic tags.
const DefaultTimeout = 5 * time.Second

// maxListingBody bounds the listing answer read for the tags.
const maxListingBody = 1 << 20

// maxDescription is where a long description is cut for the preview card.
const maxDescription = 200

var (
	sharePath = regexp.MustCompile(`^/?l/([a-z2-7]{26})/?$`)
	ogTag     = regexp.MustCompile(`(?i)\s*<meta\s+property="og:[^"]*"[^>]*>`)
	titleEl   = regexp.MustCompile(`(?is)<title>.*?</title>`)
)

// ID returns the listing id a share path ("/l/{id}") names, and whether it names one. Only a
// well-formed id is ever sent to the API.
func ID(path string) (string, bool) {
	m := sharePath.FindStringSubmatch(path)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// Meta is what the tags say. An empty URL or Image leaves that tag out.
type Meta struct {
	Title, Description, URL, Image string
}

// Outcome says how far the tags can be kept.
type Outcome int

const (
	// Found: the listing's own tags.
	Found Outcome = iota
	// Absent: the API answered that the listing is unknown (404) or withdrawn (410); the
	// generic tags are the definite answer.
	Absent
	// Unavailable: the API did not answer usably (down, slow, 5xx, a body that is not a
	// listing); the generic tags stand in and must not be kept by a cache.
	Unavailable
)

// Listings reads listings from the API.
type Listings struct {
	// APIURL is the API's base URL (".../api" locally, the stage URL in AWS).
	APIURL string
	// Client is the HTTP client; http.DefaultClient when nil.
	Client *http.Client
	// Timeout bounds one lookup; DefaultTimeout when zero.
	Timeout time.Duration
}

// listingView is the part of the API's Listing the tags use.
type listingView struct {
	ShareURL    string   `json:"shareUrl"`
	PriceEur    int      `json:"priceEur"`
	Description string   `json:"description"`
	Photos      []string `json:"photos"`
	Verified    struct {
		Make      *struct{ Value string } `json:"make"`
		Model     *struct{ Value string } `json:"model"`
		ModelYear *struct{ Value int }    `json:"modelYear"`
	} `json:"verified"`
}

// Meta asks the API for the listing id (a value ID returned) and turns it into tags. siteURL,
// when set, makes a site-relative share URL absolute (og:url must be absolute).
func (l Listings) Meta(ctx context.Context, id, siteURL string) (Meta, Outcome) {
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	client := l.Client
	if client == nil {
		client = http.DefaultClient
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// The host is the configured API; the id matched ^[a-z2-7]{26}$ (ID), so it can only name a
	// listing.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(l.APIURL, "/")+"/listings/"+id, nil)
	if err != nil {
		return Meta{}, Unavailable
	}
	req.Header.Set("Accept", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return Meta{}, Unavailable
	}
	defer func() { _ = res.Body.Close() }()
	switch res.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusGone:
		return Meta{}, Absent
	default:
		return Meta{}, Unavailable
	}
	var v listingView
	if err := json.NewDecoder(io.LimitReader(res.Body, maxListingBody)).Decode(&v); err != nil {
		return Meta{}, Unavailable
	}
	return v.meta(siteURL), Found
}

func (v listingView) meta(siteURL string) Meta {
	var name []string
	if v.Verified.Make != nil {
		name = append(name, v.Verified.Make.Value)
	}
	if v.Verified.Model != nil {
		name = append(name, v.Verified.Model.Value)
	}
	if v.Verified.ModelYear != nil {
		name = append(name, strconv.Itoa(v.Verified.ModelYear.Value))
	}
	title := strings.Join(name, " ")
	if title == "" {
		title = "Car for sale"
	}
	m := Meta{
		Title:       fmt.Sprintf("%s · %s EUR", title, groupThousands(v.PriceEur)),
		Description: cut(strings.Join(strings.Fields(v.Description), " "), maxDescription),
		URL:         absolute(siteURL, v.ShareURL),
	}
	if m.Description == "" {
		m.Description = "For sale, with its history verified by the manufacturer's own systems."
	}
	if len(v.Photos) > 0 && strings.HasPrefix(v.Photos[0], "https://") {
		m.Image = v.Photos[0]
	}
	return m
}

// Generic is what an unknown or withdrawn listing's link (or any share path while the API is
// down) previews as. id is "" for a path that names no listing.
func Generic(siteURL, id string) Meta {
	m := Meta{
		Title:       "Car for sale · Vehicle history",
		Description: "Verified by the manufacturer's own systems.",
	}
	if id != "" {
		m.URL = absolute(siteURL, "/l/"+id)
	}
	return m
}

// absolute resolves ref against siteURL; "" when the result is not an absolute http(s) URL (a
// crawler then uses the URL it fetched, which beats a wrong og:url).
func absolute(siteURL, ref string) string {
	r, err := url.Parse(ref)
	if err != nil || ref == "" {
		return ""
	}
	if !r.IsAbs() {
		base, err := url.Parse(siteURL)
		if err != nil || !base.IsAbs() {
			return ""
		}
		r = base.ResolveReference(r)
	}
	if r.Scheme != "https" && r.Scheme != "http" {
		return ""
	}
	return r.String()
}

// Render puts the tags (HTML-escaped) and the title into index.html in place of its generic
// ones.
func Render(index []byte, m Meta) []byte {
	e := html.EscapeString
	var tags strings.Builder
	tags.WriteString("\n    <meta property=\"og:type\" content=\"website\" />")
	fmt.Fprintf(&tags, "\n    <meta property=\"og:title\" content=\"%s\" />", e(m.Title))
	fmt.Fprintf(&tags, "\n    <meta property=\"og:description\" content=\"%s\" />", e(m.Description))
	if m.URL != "" {
		fmt.Fprintf(&tags, "\n    <meta property=\"og:url\" content=\"%s\" />", e(m.URL))
	}
	if m.Image != "" {
		fmt.Fprintf(&tags, "\n    <meta property=\"og:image\" content=\"%s\" />", e(m.Image))
	}
	out := ogTag.ReplaceAll(index, nil)
	out = titleEl.ReplaceAllLiteral(out, []byte("<title>"+e(m.Title)+"</title>"))
	if i := bytes.Index(bytes.ToLower(out), []byte("</head>")); i >= 0 {
		return append(append(append([]byte{}, out[:i]...), tags.String()+"\n  "...), out[i:]...)
	}
	return out
}

func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// groupThousands writes 18500 as 18,500: the tags are English like the generic ones.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[0] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

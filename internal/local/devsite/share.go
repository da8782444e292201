package devsite

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A share page (/l/{id}) is index.html with Open Graph tags for its listing: link-preview
// crawlers read the HTML and run no JavaScript. The listing comes from the API's public
// GET /listings/{id} (the listing-page state machine), the very answer the page itself reads,
// so the tags can carry nothing the public view lacks (no VIN, no seller).

// shareTimeout bounds the API call; past it the page goes out with the generic tags.
const shareTimeout = 5 * time.Second

// maxListingBody bounds the listing answer read for the tags.
const maxListingBody = 1 << 20

// maxOGDescription is where a long description is cut for the preview card.
const maxOGDescription = 200

var (
	shareID = regexp.MustCompile(`^l/([a-z2-7]{26})$`)
	ogTag   = regexp.MustCompile(`(?i)\s*<meta\s+property="og:[^"]*"[^>]*>`)
	titleEl = regexp.MustCompile(`(?is)<title>.*?</title>`)
)

// shareMeta is what the tags say.
type shareMeta struct {
	Title, Description, URL, Image string
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

// genericMeta is what an unknown or withdrawn listing's link previews as.
func (s *Site) genericMeta(p string) shareMeta {
	return shareMeta{
		Title:       "Car for sale · Vehicle history",
		Description: "Verified by the manufacturer's own systems.",
		URL:         strings.TrimSuffix(s.origin.String(), "/") + p,
	}
}

// listingMeta asks the API for the listing; ok is false for any answer but 200 (404 unknown,
// 410 withdrawn, or the API down), and the page then carries the generic tags.
func (s *Site) listingMeta(ctx context.Context, id string) (shareMeta, bool) {
	ctx, cancel := context.WithTimeout(ctx, shareTimeout)
	defer cancel()
	// The host is the configured API; the id matched ^[a-z2-7]{26}$ (shareID), so it can only
	// name a listing.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.apiURL+"/listings/"+id, nil) //nolint:gosec // see above
	if err != nil {
		return shareMeta{}, false
	}
	req.Header.Set("Accept", "application/json")
	res, err := s.client.Do(req) //nolint:gosec // the configured API, a validated listing id
	if err != nil {
		return shareMeta{}, false
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		return shareMeta{}, false
	}
	var v listingView
	if err := json.NewDecoder(io.LimitReader(res.Body, maxListingBody)).Decode(&v); err != nil {
		return shareMeta{}, false
	}
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
	m := shareMeta{
		Title:       fmt.Sprintf("%s · %s EUR", title, groupThousands(v.PriceEur)),
		Description: cut(strings.Join(strings.Fields(v.Description), " "), maxOGDescription),
		URL:         v.ShareURL,
	}
	if m.Description == "" {
		m.Description = "For sale, with its history verified by the manufacturer's own systems."
	}
	if len(v.Photos) > 0 && strings.HasPrefix(v.Photos[0], "https://") {
		m.Image = v.Photos[0]
	}
	return m, true
}

// withMeta puts the tags (escaped) into index.html in place of its generic ones.
func withMeta(index []byte, m shareMeta) []byte {
	e := html.EscapeString
	var tags strings.Builder
	fmt.Fprintf(&tags, "\n    <meta property=\"og:type\" content=\"website\" />")
	fmt.Fprintf(&tags, "\n    <meta property=\"og:title\" content=\"%s\" />", e(m.Title))
	fmt.Fprintf(&tags, "\n    <meta property=\"og:description\" content=\"%s\" />", e(m.Description))
	fmt.Fprintf(&tags, "\n    <meta property=\"og:url\" content=\"%s\" />", e(m.URL))
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

// serveShare answers /l/{id} with index.html carrying the listing's tags.
func (s *Site) serveShare(w http.ResponseWriter, r *http.Request, index []byte, id string) {
	m, ok := s.listingMeta(r.Context(), id)
	if !ok {
		m = s.genericMeta("/l/" + id)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The tags follow the listing (a price change, a withdrawal): never kept.
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(withMeta(index, m)))
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

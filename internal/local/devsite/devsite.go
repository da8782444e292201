// Package devsite serves the web site in the local stack (`make run`), on the same origin as the
// API, as CloudFront and S3 serve it in AWS:
//
//	GET /config.json        the site's configuration: {issuer, clientId, apiBase, features, local}
//	GET /dev/chaos          the legacy systems and their current faults (the local chaos panel)
//	PUT /dev/chaos/{system} switches a system's faults (the body goes to its PUT /__admin/faults)
//	GET /l/{id}             index.html with the listing's Open Graph tags (share.go)
//	GET /...                a file of frontend/dist, else index.html (the site routes in the browser)
//
// Every answer carries the headers of frontend/security-headers.json, the same file the CDK app
// turns into CloudFront's response headers policy. Paths under the reserved prefixes (/api, /oidc,
// /dev, /healthz) that nothing else routed go to Options.NotFound, so they keep the API's error
// body instead of becoming the site's index page.
//
// It is local-only: the chaos proxy reaches the simulators' admin APIs and the configuration names
// the development issuer. Nothing here is deployed.
package devsite

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/config"
	"github.com/acme-oem/vehicle-data/internal/sharepage"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// ClientID is the OIDC client id of the site locally (the development issuer accepts any; Cognito
// gives one per environment, which the CDK app writes into config.json).
const ClientID = "vehicle-data-site"

// maxFaultsBody bounds a chaos request body; fault documents are tiny.
const maxFaultsBody = 64 << 10

// adminTimeout bounds a call to a simulator's admin API; it answers at once, faults or not.
const adminTimeout = 5 * time.Second

// reserved are the path prefixes that belong to the API, the issuer and the development tools: the
// site never answers them with its index page.
var reserved = []string{"/api", "/oidc", "/dev", "/healthz"}

// Options configure New.
type Options struct {
	// Root is the repository root: the site is Root/frontend/dist, its headers
	// Root/frontend/security-headers.json.
	Root string
	// Origin is the stack's base URL (e.g. http://127.0.0.1:8080). Site pages asked for under
	// another host (localhost instead of 127.0.0.1) are redirected to it: the issuer's URL, and
	// so every token's iss, names this origin, and the site may talk only to its own origin.
	Origin string
	// IssuerURL is the OIDC issuer the site signs in with.
	IssuerURL string
	// Systems maps each legacy system to its simulator's base URL, for the chaos panel.
	Systems map[vehicle.Source]string
	// NotFound answers reserved paths (see the package comment) that reach the site.
	NotFound http.Handler
	// Client calls the simulators' admin APIs; a client with adminTimeout when nil.
	Client *http.Client
	// APIURL is the API's base URL, for the share pages' Open Graph tags (share.go); Origin
	// + "/api" when empty.
	APIURL string
}

// Site is the http.Handler for everything outside the API and the issuer.
type Site struct {
	dist     string
	headers  map[string]string
	config   []byte
	origin   *url.URL
	systems  map[string]string
	names    []string
	notFound http.Handler
	client   *http.Client
	apiURL   string
	mux      *http.ServeMux
}

// Config is /config.json. The CDK app writes the same shape for each AWS environment.
type Config struct {
	Issuer   string          `json:"issuer"`
	ClientID string          `json:"clientId"`
	APIBase  string          `json:"apiBase"`
	Features map[string]bool `json:"features"`
	Local    bool            `json:"local"`
}

// New reads the headers file and the local feature toggles and builds the handler. A missing
// frontend/dist is not an error: the site then answers 503 saying how to build it, so the API
// works without Node.
func New(opts Options) (*Site, error) {
	if opts.NotFound == nil {
		opts.NotFound = http.NotFoundHandler()
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: adminTimeout}
	}
	origin, err := url.Parse(opts.Origin)
	if err != nil || origin.Host == "" {
		return nil, fmt.Errorf("devsite: origin %q is not an absolute URL", opts.Origin)
	}
	headers, err := ReadHeaders(filepath.Join(opts.Root, "frontend", "security-headers.json"))
	if err != nil {
		return nil, err
	}
	features, err := LocalFeatures()
	if err != nil {
		return nil, err
	}
	cfg, err := json.Marshal(Config{
		Issuer: opts.IssuerURL, ClientID: ClientID, APIBase: "/api", Features: features, Local: true,
	})
	if err != nil {
		return nil, fmt.Errorf("devsite: encode config.json: %w", err)
	}
	s := &Site{
		dist:     filepath.Join(opts.Root, "frontend", "dist"),
		headers:  headers,
		config:   cfg,
		origin:   origin,
		systems:  map[string]string{},
		notFound: opts.NotFound,
		client:   opts.Client,
		apiURL:   strings.TrimSuffix(opts.APIURL, "/"),
	}
	if s.apiURL == "" {
		s.apiURL = strings.TrimSuffix(origin.String(), "/") + "/api"
	}
	for src, u := range opts.Systems {
		s.systems[string(src)] = u
		s.names = append(s.names, string(src))
	}
	slices.Sort(s.names)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /config.json", s.serveConfig)
	mux.HandleFunc("GET /dev/chaos", s.listChaos)
	mux.HandleFunc("PUT /dev/chaos/{system}", s.putChaos)
	mux.HandleFunc("/", s.serveSite)
	s.mux = mux
	return s, nil
}

// ReadHeaders reads a flat JSON object of header name to value (frontend/security-headers.json).
func ReadHeaders(file string) (map[string]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("devsite: read security headers: %w", err)
	}
	var h map[string]string
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("devsite: %s: want a flat JSON object of header name to value: %w", file, err)
	}
	return h, nil
}

// LocalFeatures reads config/features/local.json.
func LocalFeatures() (map[string]bool, error) {
	b, err := fs.ReadFile(config.Features, "features/local.json")
	if err != nil {
		return nil, fmt.Errorf("devsite: read local features: %w", err)
	}
	var f map[string]bool
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("devsite: features/local.json: %w", err)
	}
	return f, nil
}

// ServeHTTP implements http.Handler.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for k, v := range s.headers {
		w.Header().Set(k, v)
	}
	s.mux.ServeHTTP(w, r)
}

func isReserved(p string) bool {
	for _, pre := range reserved {
		if p == pre || strings.HasPrefix(p, pre+"/") {
			return true
		}
	}
	return false
}

// canonical redirects a request for another host to the stack's origin and reports whether it did.
func (s *Site) canonical(w http.ResponseWriter, r *http.Request) bool {
	if r.Host == "" || strings.EqualFold(r.Host, s.origin.Host) {
		return false
	}
	target := *s.origin
	target.Path, target.RawPath, target.RawQuery = r.URL.Path, r.URL.RawPath, r.URL.RawQuery
	http.Redirect(w, r, target.String(), http.StatusTemporaryRedirect)
	return true
}

func (s *Site) serveConfig(w http.ResponseWriter, r *http.Request) {
	if s.canonical(w, r) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(s.config)
}

func (s *Site) serveSite(w http.ResponseWriter, r *http.Request) {
	if isReserved(r.URL.Path) {
		// The headers stay: harmless on a JSON error, and the gateway sets its own on top.
		s.notFound.ServeHTTP(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if s.canonical(w, r) {
		return
	}
	root, err := os.OpenRoot(s.dist)
	if err != nil {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "The web site is not built yet: run `make site` (make run does it when frontend/dist is missing).", http.StatusServiceUnavailable)
		return
	}
	defer func() { _ = root.Close() }()

	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name != "" && s.serveFile(w, r, root, name) {
		return
	}
	// A missing asset is a 404: answering index.html for a script would hide a broken build.
	if name != "" && (strings.HasPrefix(name, "assets/") || strings.Contains(path.Base(name), ".")) {
		http.NotFound(w, r)
		return
	}
	if id, ok := sharepage.ID(name); ok {
		index, err := root.ReadFile("index.html")
		if err == nil {
			s.serveShare(w, r, index, id)
			return
		}
	}
	if !s.serveFile(w, r, root, "index.html") {
		http.Error(w, "frontend/dist has no index.html: run `make site`", http.StatusServiceUnavailable)
	}
}

// serveFile serves one regular file of dist (os.Root keeps the name inside it) and reports whether
// it found one.
func (s *Site) serveFile(w http.ResponseWriter, r *http.Request, root *os.Root, name string) bool {
	f, err := root.Open(name)
	if err != nil {
		return false
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	if strings.HasPrefix(name, "assets/") {
		// Vite puts a content hash in every asset's name.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, name, st.ModTime(), f)
	return true
}

// chaosSystem is one entry of GET /dev/chaos.
type chaosSystem struct {
	System string          `json:"system"`
	Faults json.RawMessage `json:"faults,omitempty"`
	Error  string          `json:"error,omitempty"`
}

func (s *Site) listChaos(w http.ResponseWriter, r *http.Request) {
	out := make([]chaosSystem, 0, len(s.names))
	for _, name := range s.names {
		e := chaosSystem{System: name}
		status, body, err := s.admin(r.Context(), http.MethodGet, name, nil)
		switch {
		case err != nil:
			e.Error = err.Error()
		case status != http.StatusOK:
			e.Error = fmt.Sprintf("admin API answered %d", status)
		default:
			e.Faults = json.RawMessage(bytes.TrimSpace(body))
		}
		out = append(out, e)
	}
	writeJSON(w, http.StatusOK, map[string]any{"systems": out})
}

func (s *Site) putChaos(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("system")
	if _, ok := s.systems[name]; !ok {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "system", "no such legacy system")
		return
	}
	// A JSON content type makes a cross-site form post impossible without a CORS preflight,
	// which nothing here answers.
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "INVALID", "Content-Type", "send the faults as application/json")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFaultsBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "INVALID", "body", "the faults document is too large")
		return
	}
	status, answer, err := s.admin(r.Context(), http.MethodPut, name, body)
	if err != nil {
		writeError(w, http.StatusBadGateway, "UNAVAILABLE", "", "the simulator's admin API did not answer")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(answer)
}

// admin calls a simulator's /__admin/faults.
func (s *Site) admin(ctx context.Context, method, system string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.systems[system]+"/__admin/faults", bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("devsite: admin request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := s.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("devsite: admin API of %s: %w", system, err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxFaultsBody))
	if err != nil {
		return 0, nil, fmt.Errorf("devsite: admin API of %s: %w", system, err)
	}
	return res.StatusCode, b, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError answers in the API's error shape, so the site shows it like any other API error.
func writeError(w http.ResponseWriter, status int, code, field, msg string) {
	d := map[string]string{"code": code, "message": msg}
	if field != "" {
		d["field"] = field
	}
	writeJSON(w, status, map[string]any{"error": d})
}

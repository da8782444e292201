// Package traceview serves the local trace view: the waterfall of one trace (every span with its
// start offset and duration, nested under its parent) as HTML rendered on the server, or as JSON,
// and a list of recent traces. It reads a telemetry.Recorder, whose spans have passed the
// personal-data guard. It is for the local stack only (no authentication): mount it with
// http.StripPrefix, e.g. under /dev/traces/; links are relative so any prefix works.
//
//	GET /                  recent traces (HTML; ?format=json for JSON)
//	GET /{traceId}         one trace's waterfall; the id in X-Ray form or as 32 hex digits
package traceview

import (
	"cmp"
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/acme-oem/vehicle-data/internal/telemetry"
)

//go:embed *.html
var pages embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"ms":     func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) },
	"pct":    func(f float64) string { return strconv.FormatFloat(f*10, 'f', 1, 64) }, // of the 1000-wide SVG
	"indent": func(depth int) int { return min(depth, 12) },
}).ParseFS(pages, "*.html"))

// maxListed is how many traces the list shows.
const maxListed = 100

// Row is one span of the waterfall, in display order (depth first, children by start time).
type Row struct {
	Depth         int              `json:"depth"`
	SpanID        string           `json:"spanId"`
	ParentID      string           `json:"parentId,omitempty"`
	Name          string           `json:"name"`
	Service       string           `json:"service"`
	Kind          string           `json:"kind"`
	Status        string           `json:"status"`
	StatusMessage string           `json:"statusMessage,omitempty"`
	OffsetMs      float64          `json:"offsetMs"`
	DurationMs    float64          `json:"durationMs"`
	Attributes    []telemetry.Attr `json:"attributes,omitempty"`
	Events        []EventRow       `json:"events,omitempty"`
	// LeftPct and WidthPct place the bar: percent of the trace's duration.
	LeftPct  float64 `json:"-"`
	WidthPct float64 `json:"-"`
}

// EventRow is a span event at its offset from the trace's start.
type EventRow struct {
	Name     string  `json:"name"`
	OffsetMs float64 `json:"offsetMs"`
}

// Waterfall is one trace laid out.
type Waterfall struct {
	TraceID    string    `json:"traceId"`
	Start      time.Time `json:"start"`
	DurationMs float64   `json:"durationMs"`
	Rows       []Row     `json:"spans"`
}

// Summary is one line of the trace list.
type Summary struct {
	TraceID    string    `json:"traceId"`
	Root       string    `json:"root"`
	Start      time.Time `json:"start"`
	DurationMs float64   `json:"durationMs"`
	Spans      int       `json:"spans"`
	Errors     int       `json:"errors"`
}

// Handler serves the view of rec.
func Handler(rec *telemetry.Recorder) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		asJSON, ok := format(r)
		if !ok {
			badFormat(w)
			return
		}
		var list []Summary
		for _, id := range rec.TraceIDs() {
			if len(list) == maxListed {
				break
			}
			if wf, ok := Build(rec.Trace(id)); ok {
				list = append(list, summarise(wf))
			}
		}
		if !asJSON {
			render(w, "list.html", list)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"traces": nonNil(list)})
	})
	mux.HandleFunc("GET /{id}", func(w http.ResponseWriter, r *http.Request) {
		asJSON, ok := format(r)
		if !ok {
			badFormat(w)
			return
		}
		id, err := telemetry.ParseTraceID(r.PathValue("id"))
		if err != nil {
			fail(w, http.StatusBadRequest, "INVALID", "traceId", "traceId: "+err.Error())
			return
		}
		wf, ok := Build(rec.Trace(id))
		if !ok {
			fail(w, http.StatusNotFound, "NOT_FOUND", "traceId", "no such trace in this process (the recorder keeps the latest spans only)")
			return
		}
		if !asJSON {
			render(w, "trace.html", wf)
			return
		}
		writeJSON(w, http.StatusOK, wf)
	})
	return mux
}

// Build lays out spans (one trace) as a waterfall: roots are spans whose parent is not in the
// trace (the gateway's span, whose parent is the caller's), children follow their parent ordered
// by start. ok is false for no spans.
func Build(spans []telemetry.Span) (Waterfall, bool) {
	if len(spans) == 0 {
		return Waterfall{}, false
	}
	start, end := spans[0].Start, spans[0].End
	byID := map[string]bool{}
	for _, s := range spans {
		byID[s.SpanID] = true
		if s.Start.Before(start) {
			start = s.Start
		}
		if s.End.After(end) {
			end = s.End
		}
	}
	children := map[string][]telemetry.Span{}
	var roots []telemetry.Span
	for _, s := range spans {
		if s.ParentID != "" && byID[s.ParentID] && s.ParentID != s.SpanID {
			children[s.ParentID] = append(children[s.ParentID], s)
		} else {
			roots = append(roots, s)
		}
	}
	byStart := func(a, b telemetry.Span) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.SpanID, b.SpanID))
	}
	total := end.Sub(start)
	wf := Waterfall{TraceID: spans[0].TraceID, Start: start, DurationMs: ms(total)}
	seen := map[string]bool{}
	var walk func(s telemetry.Span, depth int)
	walk = func(s telemetry.Span, depth int) {
		if seen[s.SpanID] {
			return
		}
		seen[s.SpanID] = true
		row := Row{
			Depth: depth, SpanID: s.SpanID, ParentID: s.ParentID, Name: s.Name, Service: s.Service, Kind: s.Kind,
			Status: s.Status, StatusMessage: s.StatusMessage, Attributes: s.Attributes,
			OffsetMs: ms(s.Start.Sub(start)), DurationMs: ms(s.Duration()),
		}
		for _, e := range s.Events {
			row.Events = append(row.Events, EventRow{Name: e.Name, OffsetMs: ms(e.Time.Sub(start))})
		}
		if total > 0 {
			row.LeftPct = float64(s.Start.Sub(start)) / float64(total) * 100
			row.WidthPct = float64(s.Duration()) / float64(total) * 100
		}
		row.WidthPct = max(row.WidthPct, 0.2) // an instant still shows
		wf.Rows = append(wf.Rows, row)
		kids := children[s.SpanID]
		slices.SortFunc(kids, byStart)
		for _, k := range kids {
			walk(k, depth+1)
		}
	}
	slices.SortFunc(roots, byStart)
	for _, r := range roots {
		walk(r, 0)
	}
	return wf, true
}

func summarise(wf Waterfall) Summary {
	s := Summary{TraceID: wf.TraceID, Start: wf.Start, DurationMs: wf.DurationMs, Spans: len(wf.Rows), Root: wf.Rows[0].Name}
	for _, r := range wf.Rows {
		if r.Status == "Error" {
			s.Errors++
		}
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// format reads ?format= (html, the default, or json); ok is false for anything else.
func format(r *http.Request) (asJSON, ok bool) {
	switch r.URL.Query().Get("format") {
	case "json":
		return true, true
	case "", "html":
		return false, true
	}
	return false, false
}

func badFormat(w http.ResponseWriter) {
	fail(w, http.StatusBadRequest, "INVALID", "format", "format: must be html or json")
}

func securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	// No scripts at all; the one inline <style> element is the page's only style.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
}

func render(w http.ResponseWriter, page string, data any) {
	securityHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Templates are fixed and checked by the tests; an error here is a client gone away.
	_ = templates.ExecuteTemplate(w, page, data)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	securityHeaders(w)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, code, field, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg, "field": field}})
}

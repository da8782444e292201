package recalls_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/clienttest"
	"github.com/acme-oem/vehicle-data/legacyclients/recalls"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

const vin = vehicle.VIN("TMBJJ7NE1K0300003")

func campaign(id, status string) recalls.Campaign {
	c := recalls.Campaign{CampaignID: id, Title: "Airbag " + id, Description: "Replace the inflator", Severity: recalls.SeveritySafety,
		Status: status, IssuedOn: "2023-02-01"}
	if status == recalls.StatusCompleted {
		c.CompletedOn = "2023-05-10"
	}
	return c
}

// pager serves pages[cursor]; it records the cursors and page sizes it was asked for.
type pager struct {
	mu      sync.Mutex
	pages   map[string]any // cursor ("" first) -> body (marshalled) or an int status
	cursors []string
	sizes   []string
}

func (p *pager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cursor := r.URL.Query().Get(recalls.ParamCursor)
	p.cursors = append(p.cursors, cursor)
	p.sizes = append(p.sizes, r.URL.Query().Get(recalls.ParamPageSize))
	if r.URL.EscapedPath() != recalls.CampaignsPath(string(vin)) {
		w.WriteHeader(http.StatusTeapot)
		return
	}
	switch v := p.pages[cursor].(type) {
	case int:
		w.WriteHeader(v)
	case string:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(v))
	case nil:
		w.WriteHeader(http.StatusTeapot)
	default:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
}

func newClient(t *testing.T, p *pager, maxPages int) *recalls.Client {
	t.Helper()
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	c, err := recalls.New(recalls.Config{Transport: clienttest.Transport(t, recalls.System, srv.URL, 0), Now: clienttest.Now,
		PageSize: 2, MaxPages: maxPages})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func threePages() map[string]any {
	return map[string]any{
		"": recalls.Page{VIN: string(vin), Items: []recalls.Campaign{campaign("24A7", recalls.StatusOpen), campaign("23B1", recalls.StatusCompleted)}, NextCursor: "c2"},
		"c2": recalls.Page{VIN: string(vin), Items: []recalls.Campaign{
			{CampaignID: "22E9", Title: "Software", Description: "ECU update", Severity: recalls.SeverityEmissions, Status: recalls.StatusOpen, IssuedOn: "2022-09-01"},
			campaign("21C3", recalls.StatusCompleted)}, NextCursor: "c3"},
		"c3": recalls.Page{VIN: string(vin), Items: []recalls.Campaign{campaign("20Q5", recalls.StatusCompleted)}},
	}
}

func TestFetchRecallsFollowsEveryPage(t *testing.T) {
	p := &pager{pages: threePages()}
	c := newClient(t, p, 0)
	got, err := c.FetchRecalls(context.Background(), vin)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(p.cursors) != "[ c2 c3]" || fmt.Sprint(p.sizes) != "[2 2 2]" {
		t.Errorf("cursors %q sizes %q", p.cursors, p.sizes)
	}
	if got.OpenCount != 2 || len(got.Campaigns) != 5 {
		t.Fatalf("recalls = %+v", got)
	}
	if got.Campaigns[0] != (report.Recall{ID: "24A7", Title: "Airbag 24A7", Description: "Replace the inflator", Severity: "safety", Status: "open", IssuedOn: "2023-02-01"}) {
		t.Errorf("first = %+v", got.Campaigns[0])
	}
	if c := got.Campaigns[2]; c.ID != "22E9" || c.Severity != "emissions" {
		t.Errorf("third = %+v", c)
	}
	if c := got.Campaigns[4]; c.Status != "completed" || c.CompletedOn != "2023-05-10" {
		t.Errorf("last = %+v", c)
	}
}

func TestNoRecallsIsAnEmptyList(t *testing.T) {
	c := newClient(t, &pager{pages: map[string]any{"": `{"vin":"` + string(vin) + `","items":[]}`}}, 0)
	got, err := c.FetchRecalls(context.Background(), vin)
	if err != nil || got.OpenCount != 0 || got.Campaigns == nil || len(got.Campaigns) != 0 {
		t.Errorf("got %+v, %v", got, err)
	}
}

func TestPaginationLoopGuards(t *testing.T) {
	t.Run("cursor seen before", func(t *testing.T) {
		pages := threePages()
		pg := pages["c3"].(recalls.Page)
		pg.NextCursor = "c2"
		pages["c3"] = pg
		p := &pager{pages: pages}
		_, err := newClient(t, p, 0).FetchRecalls(context.Background(), vin)
		clienttest.CheckErr(t, err, apperr.Unavailable, transport.ErrBadPayload, string(vin))
		if len(p.cursors) != 3 {
			t.Errorf("requests = %d, want 3 (stop at the loop)", len(p.cursors))
		}
	})
	t.Run("page that points to itself", func(t *testing.T) {
		p := &pager{pages: map[string]any{
			"":   recalls.Page{VIN: string(vin), Items: []recalls.Campaign{}, NextCursor: "c2"},
			"c2": recalls.Page{VIN: string(vin), Items: []recalls.Campaign{}, NextCursor: "c2"},
		}}
		_, err := newClient(t, p, 0).FetchRecalls(context.Background(), vin)
		clienttest.CheckErr(t, err, apperr.Unavailable, transport.ErrBadPayload)
	})
	t.Run("endless fresh cursors stop at MaxPages", func(t *testing.T) {
		pages := map[string]any{}
		for i := range 10 {
			cur := ""
			if i > 0 {
				cur = fmt.Sprintf("c%d", i)
			}
			pages[cur] = recalls.Page{VIN: string(vin), Items: []recalls.Campaign{campaign(fmt.Sprintf("X%d", i), recalls.StatusOpen)}, NextCursor: fmt.Sprintf("c%d", i+1)}
		}
		p := &pager{pages: pages}
		_, err := newClient(t, p, 4).FetchRecalls(context.Background(), vin)
		clienttest.CheckErr(t, err, apperr.Unavailable, transport.ErrBadPayload)
		if len(p.cursors) != 4 {
			t.Errorf("requests = %d, want MaxPages = 4", len(p.cursors))
		}
	})
}

func TestFetchRecallsErrors(t *testing.T) {
	withPage := func(cursor string, f func(*recalls.Page)) map[string]any {
		pages := threePages()
		pg := pages[cursor].(recalls.Page)
		f(&pg)
		pages[cursor] = pg
		return pages
	}
	withStatus := func(cursor string, status int) map[string]any {
		pages := threePages()
		pages[cursor] = status
		return pages
	}
	cases := []struct {
		name  string
		pages map[string]any
		code  apperr.Code
		kind  error
	}{
		{"404 unknown VIN", map[string]any{"": 404}, apperr.NotFound, transport.ErrNotFound},
		{"400", map[string]any{"": 400}, apperr.Invalid, transport.ErrBadRequest},
		{"page 2 fails", withStatus("c2", 500), apperr.Unavailable, transport.ErrUnavailable},
		{"page 3 malformed", func() map[string]any { p := threePages(); p["c3"] = `{"vin":"x","items":[`; return p }(), apperr.Unavailable, transport.ErrBadPayload},
		{"null items", map[string]any{"": `{"vin":"` + string(vin) + `","items":null}`}, apperr.Unavailable, transport.ErrBadPayload},
		{"VIN mismatch on page 2", withPage("c2", func(p *recalls.Page) { p.VIN = "WVWZZZCD3MW100001" }), apperr.Unavailable, transport.ErrBadPayload},
		{"campaign repeated across pages", withPage("c3", func(p *recalls.Page) { p.Items[0].CampaignID = "24A7" }), apperr.Unavailable, transport.ErrBadPayload},
		{"completed without date", withPage("", func(p *recalls.Page) { p.Items[1].CompletedOn = "" }), apperr.Unavailable, transport.ErrBadPayload},
		{"open with completion date", withPage("", func(p *recalls.Page) { p.Items[0].CompletedOn = "2023-03-01" }), apperr.Unavailable, transport.ErrBadPayload},
		{"completed before issued", withPage("", func(p *recalls.Page) { p.Items[1].CompletedOn = "2022-01-01" }), apperr.Unavailable, transport.ErrBadPayload},
		{"issued in the future", withPage("", func(p *recalls.Page) { p.Items[0].IssuedOn = "2031-01-01" }), apperr.Unavailable, transport.ErrBadPayload},
		{"unknown severity", withPage("c2", func(p *recalls.Page) { p.Items[0].Severity = "COSMETIC" }), apperr.Unavailable, transport.ErrBadPayload},
		{"unknown status", withPage("c2", func(p *recalls.Page) { p.Items[0].Status = "PENDING" }), apperr.Unavailable, transport.ErrBadPayload},
		{"missing title", withPage("c2", func(p *recalls.Page) { p.Items[1].Title = "" }), apperr.Unavailable, transport.ErrBadPayload},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := newClient(t, &pager{pages: tc.pages}, 0).FetchRecalls(context.Background(), vin)
			if got != nil {
				t.Errorf("partial data with the error: %+v", got)
			}
			clienttest.CheckErr(t, err, tc.code, tc.kind, string(vin), "WVWZZZCD3MW100001")
		})
	}
}

func TestInvalidVINNeverReachesTheSystem(t *testing.T) {
	p := &pager{}
	_, err := newClient(t, p, 0).FetchRecalls(context.Background(), vehicle.VIN("TMBJJ7NE1K0300003/../x"))
	clienttest.CheckErr(t, err, apperr.Invalid, transport.ErrBadRequest)
	if len(p.cursors) != 0 {
		t.Error("a request reached the system")
	}
}

// TestDeadlineBoundsAllPages: DESIGN.md principle 4, the caller's deadline bounds the whole
// multi-page fetch, however slow a later page is.
func TestDeadlineBoundsAllPages(t *testing.T) {
	pages := threePages()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get(recalls.ParamCursor) == "c2" {
			<-r.Context().Done() // hang until the client gives up
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(pages[r.URL.Query().Get(recalls.ParamCursor)])
	}))
	t.Cleanup(srv.Close)
	c, err := recalls.New(recalls.Config{Transport: clienttest.Transport(t, recalls.System, srv.URL, 0), Now: clienttest.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	got, err := c.FetchRecalls(ctx, vin)
	if got != nil {
		t.Errorf("partial data: %+v", got)
	}
	clienttest.CheckErr(t, err, apperr.Unavailable, transport.ErrUnavailable, string(vin))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline in the chain", err)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("took %v, want about the 200ms deadline", elapsed)
	}
}

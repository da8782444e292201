// Package recalls is the client of the recall campaign system, a cursor-paginated REST + JSON
// API. wire.go documents the wire format; the simulator imports it.
package recalls

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/upstream"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// System is the transport.Config.System name for this client.
const System = string(vehicle.SourceRecalls)

const label = "recall system"

// DefaultMaxPages bounds the pages one fetch follows. With DefaultPageSize that is 1000
// campaigns, far beyond any real vehicle; more pages mean a server bug, and following them would
// spend the whole time budget of the report on one section.
const DefaultMaxPages = 20

// Config configures a Client.
type Config struct {
	// Transport is this system's resilient transport; required.
	Transport *transport.Client
	// Now judges "a date in the future"; nil means time.Now.
	Now func() time.Time
	// PageSize is requested per page: 0 means DefaultPageSize, capped at MaxPageSize.
	PageSize int
	// MaxPages: 0 means DefaultMaxPages.
	MaxPages int
}

// Client implements report.RecallSource. Safe for concurrent use.
type Client struct {
	tc       *transport.Client
	now      func() time.Time
	pageSize int
	maxPages int
}

var _ report.RecallSource = (*Client)(nil)

// New returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Transport == nil {
		return nil, errors.New("recalls: Config.Transport is required")
	}
	c := &Client{tc: cfg.Transport, now: upstream.NowFunc(cfg.Now), pageSize: cfg.PageSize, maxPages: cfg.MaxPages}
	if c.pageSize <= 0 {
		c.pageSize = DefaultPageSize
	}
	c.pageSize = min(c.pageSize, MaxPageSize)
	if c.maxPages <= 0 {
		c.maxPages = DefaultMaxPages
	}
	return c, nil
}

// FetchRecalls follows every page and returns the campaigns in the order served, with OpenCount.
// Each page is one transport call with its own retries; the context deadline bounds them all.
// A failure on any page fails the whole fetch: a partial recall list would hide open recalls.
func (c *Client) FetchRecalls(ctx context.Context, vin vehicle.VIN) (*report.RecallData, error) {
	if err := upstream.CheckVIN(System, OperationList, label, vin); err != nil {
		return nil, err
	}
	now := c.now()
	out := &report.RecallData{Campaigns: []report.Recall{}}
	seenIDs := map[string]bool{}
	seenCursors := map[string]bool{}
	cursor := ""
	for page := 0; ; page++ {
		if page >= c.maxPages {
			return nil, c.bad(nil, fmt.Errorf("more than %d pages", c.maxPages))
		}
		resp, err := c.tc.Do(ctx, upstream.GetJSON(OperationList, CampaignsPath(string(vin)), PageQuery(cursor, c.pageSize)))
		if err != nil {
			return nil, upstream.Wrap(label, err)
		}
		var p Page
		if err := upstream.DecodeJSON(resp.Body, &p); err != nil {
			return nil, c.bad(resp, fmt.Errorf("page %d: %w", page+1, err))
		}
		if err := addPage(out, &p, page, vin, now, seenIDs); err != nil {
			return nil, c.bad(resp, err)
		}
		if p.NextCursor == "" {
			return out, nil
		}
		if seenCursors[p.NextCursor] || p.NextCursor == cursor {
			return nil, c.bad(resp, fmt.Errorf("page %d: cursor loop", page+1))
		}
		seenCursors[p.NextCursor] = true
		cursor = p.NextCursor
	}
}

func (c *Client) bad(resp *transport.Response, cause error) error {
	return upstream.Wrap(label, c.tc.BadPayload(OperationList, resp, fmt.Errorf("recall campaigns: %w", cause)))
}

func severity(s string) (string, bool) {
	switch s {
	case SeveritySafety:
		return "safety", true
	case SeverityEmissions:
		return "emissions", true
	case SeverityQuality:
		return "quality", true
	}
	return "", false
}

// addPage validates one page and appends its campaigns.
func addPage(out *report.RecallData, p *Page, page int, vin vehicle.VIN, now time.Time, seen map[string]bool) error {
	var v upstream.Violations
	if p.VIN != string(vin) {
		v.Addf("page %d: vin does not match the requested VIN", page+1)
	}
	if p.Items == nil {
		v.Addf("page %d: items required (may be empty)", page+1)
	}
	for i, w := range p.Items {
		at := fmt.Sprintf("page %d items[%d]", page+1, i)
		if !upstream.Required(w.CampaignID) || !upstream.Required(w.Title) || !upstream.Required(w.Description) {
			v.Addf("%s: campaignId, title and description are required", at)
		}
		if seen[w.CampaignID] {
			v.Addf("%s.campaignId: repeated", at)
		}
		seen[w.CampaignID] = true
		sev, ok := severity(w.Severity)
		if !ok {
			v.Addf("%s.severity: unknown value", at)
		}
		issued, ok := upstream.Day(w.IssuedOn, now)
		if !ok {
			v.Addf("%s.issuedOn: not a past YYYY-MM-DD date", at)
		}
		switch w.Status {
		case StatusOpen:
			if w.CompletedOn != "" {
				v.Addf("%s.completedOn: set on an open campaign", at)
			}
			out.OpenCount++
		case StatusCompleted:
			done, ok := upstream.Day(w.CompletedOn, now)
			if !ok {
				v.Addf("%s.completedOn: not a past YYYY-MM-DD date", at)
			} else if done.Before(issued) {
				v.Addf("%s.completedOn: before issuedOn", at)
			}
		default:
			v.Addf("%s.status: unknown value", at)
		}
		out.Campaigns = append(out.Campaigns, report.Recall{
			ID: strings.TrimSpace(w.CampaignID), Title: w.Title, Description: w.Description, Severity: sev,
			Status: strings.ToLower(w.Status), IssuedOn: w.IssuedOn, CompletedOn: w.CompletedOn,
		})
	}
	return v.Err()
}

package recalls

import (
	"net/url"
	"strconv"
)

// Wire format of the recall campaign system: REST + JSON (UTF-8), cursor-paginated.
//
//	GET {base}/recalls/v2/vehicles/{vin}/campaigns?pageSize=50[&cursor=<opaque>]
//	Accept: application/json
//
//	200 application/json   Page
//	404 application/json   ErrorResponse{Error: {Code: ErrCodeNotFound}}: the VIN is unknown
//	400 application/json   ErrorResponse: malformed VIN, page size or cursor
//	5xx                    the system failed
//
// Pagination: the first request has no cursor. Each Page carries NextCursor; the client requests
// again with cursor=NextCursor until NextCursor is empty. A vehicle without recalls answers one
// page with no items and no cursor. The client follows at most Config.MaxPages pages
// (DefaultMaxPages) and treats a cursor it has already seen (a loop), more pages than that, a
// page whose VIN differs from the request, or a campaign ID repeated across pages as a bad
// payload.

// Paths, parameters and the operation name.
const (
	PathPrefix       = "/recalls/v2/vehicles/"
	PathSuffix       = "/campaigns"
	ParamCursor      = "cursor"
	ParamPageSize    = "pageSize"
	DefaultPageSize  = 50
	MaxPageSize      = 100
	OperationList    = "ListCampaigns"
	ErrCodeNotFound  = "VIN_NOT_FOUND"
	ErrCodeBadParams = "BAD_REQUEST"
)

// CampaignsPath is the request path for one VIN, path-escaped as defence in depth.
func CampaignsPath(vin string) string { return PathPrefix + url.PathEscape(vin) + PathSuffix }

// PageQuery builds the query of one page request; an empty cursor asks for the first page.
func PageQuery(cursor string, pageSize int) url.Values {
	q := url.Values{ParamPageSize: {strconv.Itoa(pageSize)}}
	if cursor != "" {
		q.Set(ParamCursor, cursor)
	}
	return q
}

// Severities (Campaign.Severity); the client maps them to the report's lower-case values.
const (
	SeveritySafety    = "SAFETY"
	SeverityEmissions = "EMISSIONS"
	SeverityQuality   = "QUALITY"
)

// Statuses (Campaign.Status), for this vehicle.
const (
	StatusOpen      = "OPEN"
	StatusCompleted = "COMPLETED"
)

// Page is one page of campaigns.
type Page struct {
	VIN        string     `json:"vin"`                  // must equal the requested VIN
	Items      []Campaign `json:"items"`                // may be empty, never null
	NextCursor string     `json:"nextCursor,omitempty"` // empty on the last page
}

// Campaign is one recall campaign and its state for this vehicle. Dates are YYYY-MM-DD.
type Campaign struct {
	CampaignID  string `json:"campaignId"` // e.g. "24A7", unique per vehicle
	Title       string `json:"title"`
	Description string `json:"description"`
	Severity    string `json:"severity"` // Severity* constant
	Status      string `json:"status"`   // Status* constant
	IssuedOn    string `json:"issuedOn"` // not in the future
	// CompletedOn is set if and only if Status is COMPLETED; not before IssuedOn.
	CompletedOn string `json:"completedOn,omitempty"`
}

// ErrorResponse is the body of a 4xx.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody carries a machine code and a human message.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

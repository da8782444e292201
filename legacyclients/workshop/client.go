// Package workshop is the client of the workshop system (service history and the odometer
// readings taken in workshops), a SOAP 1.1 service whose answers come in UTF-8, ISO-8859-1 or
// windows-1252. wire.go documents the wire format; the simulator imports it.
package workshop

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/upstream"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// System is the transport.Config.System name for this client.
const System = string(vehicle.SourceWorkshop)

const label = "workshop system"

// MaxOdometerKm bounds a plausible reading; anything above is a corrupt record.
const MaxOdometerKm = 2_000_000

// Config configures a Client.
type Config struct {
	// Transport is this system's resilient transport; required.
	Transport *transport.Client
	// Now judges "a date in the future"; nil means time.Now.
	Now func() time.Time
}

// Client implements report.WorkshopSource. Safe for concurrent use.
type Client struct {
	tc  *transport.Client
	now func() time.Time
}

var _ report.WorkshopSource = (*Client)(nil)

// New returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Transport == nil {
		return nil, errors.New("workshop: Config.Transport is required")
	}
	return &Client{tc: cfg.Transport, now: upstream.NowFunc(cfg.Now)}, nil
}

// FetchService returns the service visits (oldest first) and the workshop's odometer readings
// (one per visit plus those taken outside visits, oldest first, Source workshop). Errors follow
// the ports contract; a SOAP Fault maps as documented in wire.go.
func (c *Client) FetchService(ctx context.Context, vin vehicle.VIN) (*report.ServiceData, []report.OdometerReading, error) {
	if err := upstream.CheckVIN(System, OperationGetServiceHistory, label, vin); err != nil {
		return nil, nil, err
	}
	// EncodeRequest escapes the VIN as XML text: defence in depth on top of CheckVIN.
	body, err := EncodeRequest(string(vin))
	if err != nil {
		return nil, nil, upstream.Wrap(label, upstream.Outcome(System, OperationGetServiceHistory, transport.ErrBadRequest, "encode_request", nil))
	}
	resp, err := c.tc.Do(ctx, &transport.Request{
		Method: http.MethodPost,
		Path:   Path,
		Header: http.Header{
			"Content-Type": {ContentType(CharsetUTF8)},
			"Accept":       {"text/xml"},
			"Soapaction":   {SOAPAction}, // canonical form of SOAPAction: the transport copies keys as given
		},
		Body: body,
		// A read over POST: safe to repeat, so the transport may retry it.
		Idempotent: true,
		Operation:  OperationGetServiceHistory,
	})
	if err != nil {
		return nil, nil, upstream.Wrap(label, err)
	}
	env, err := DecodeEnvelope(resp.Body, resp.Header.Get("Content-Type"))
	if err != nil {
		return nil, nil, c.bad(resp, err)
	}
	if f := env.Body.Fault; f != nil {
		return nil, nil, c.fault(f, resp)
	}
	if env.Body.Response == nil {
		return nil, nil, c.bad(resp, errors.New("soap body holds neither a response nor a fault"))
	}
	svc, readings, err := toDomain(env.Body.Response, vin, c.now())
	if err != nil {
		return nil, nil, c.bad(resp, err)
	}
	return svc, readings, nil
}

func (c *Client) bad(resp *transport.Response, cause error) error {
	return upstream.Wrap(label, c.tc.BadPayload(OperationGetServiceHistory, resp, fmt.Errorf("service history: %w", cause)))
}

// fault maps a SOAP Fault per wire.go. The faultstring is not kept: it may quote the VIN.
func (c *Client) fault(f *Fault, resp *transport.Response) error {
	code := f.Code
	if i := strings.LastIndexByte(code, ':'); i >= 0 {
		code = code[i+1:]
	}
	if i := strings.IndexByte(code, '.'); i >= 0 {
		code = code[:i]
	}
	detail := ""
	if f.Detail != nil && f.Detail.WorkshopFault != nil {
		detail = strings.TrimSpace(f.Detail.WorkshopFault.Code)
	}
	var kind error
	var reason string
	switch {
	case code == FaultCodeClient && detail == FaultCodeVINUnknown:
		kind, reason = transport.ErrNotFound, "soap_fault_vin_unknown"
	case code == FaultCodeClient, code == "VersionMismatch", code == "MustUnderstand":
		kind, reason = transport.ErrBadRequest, "soap_fault_client"
	case code == FaultCodeServer:
		kind, reason = transport.ErrUnavailable, "soap_fault_server"
	default:
		return c.bad(resp, errors.New("soap fault with an unknown faultcode"))
	}
	return upstream.Wrap(label, upstream.Outcome(System, OperationGetServiceHistory, kind, reason, resp))
}

// visitKinds maps wire kinds to the report's kinds.
func visitKind(k string) (string, bool) {
	switch k {
	case KindInspection:
		return "inspection", true
	case KindOilService:
		return "oil-service", true
	case KindRepair:
		return "repair", true
	case KindAccidentRepair:
		return "accident-repair", true
	case KindRecallRepair:
		return "recall-repair", true
	case KindTyres:
		return "tyres", true
	}
	return "", false
}

// toDomain validates the response and maps it. Readings that go down are not an error here:
// spotting a rollback is the domain's job (report.MergeOdometer), and it needs the raw readings.
func toDomain(r *GetServiceHistoryResponse, vin vehicle.VIN, now time.Time) (*report.ServiceData, []report.OdometerReading, error) {
	var v upstream.Violations
	if strings.TrimSpace(r.VIN) != string(vin) {
		v.Addf("VIN: does not match the requested VIN")
	}
	visits := make([]report.ServiceVisit, 0, len(r.Visits))
	readings := make([]report.OdometerReading, 0, len(r.Visits)+len(r.OdometerReadings))
	seen := map[report.OdometerReading]bool{}
	for i, w := range r.Visits {
		date := strings.TrimSpace(w.Date)
		if _, ok := upstream.Day(date, now); !ok {
			v.Addf("Visits[%d].Date: not a past YYYY-MM-DD date", i)
		}
		if w.OdometerKm < 0 || w.OdometerKm > MaxOdometerKm {
			v.Addf("Visits[%d].OdometerKm: out of range 0..%d", i, MaxOdometerKm)
		}
		kind, ok := visitKind(strings.TrimSpace(w.Kind))
		if !ok {
			v.Addf("Visits[%d].Kind: unknown value", i)
		}
		ws := w.Workshop
		if !upstream.Required(ws.ID) || !upstream.Required(ws.Name) || !upstream.Required(ws.City) {
			v.Addf("Visits[%d].Workshop: ID, Name and City are required", i)
		}
		items := make([]string, 0, len(w.Items))
		for j, it := range w.Items {
			if !upstream.Required(it) {
				v.Addf("Visits[%d].Items[%d]: blank", i, j)
			}
			items = append(items, strings.TrimSpace(it))
		}
		if len(v) > 0 {
			continue // do not build from a broken visit; the error is returned below
		}
		visits = append(visits, report.ServiceVisit{
			Month: date[:7], Date: date, OdometerKm: w.OdometerKm, Kind: kind, Items: items,
			Workshop: &report.Workshop{ID: strings.TrimSpace(ws.ID), Name: strings.TrimSpace(ws.Name), City: strings.TrimSpace(ws.City)},
		})
		rd := report.OdometerReading{Month: date[:7], Date: date, Km: w.OdometerKm, Source: vehicle.SourceWorkshop}
		seen[rd] = true
		readings = append(readings, rd)
	}
	for i, w := range r.OdometerReadings {
		date := strings.TrimSpace(w.Date)
		if _, ok := upstream.Day(date, now); !ok {
			v.Addf("OdometerReadings[%d].Date: not a past YYYY-MM-DD date", i)
		}
		if w.Km < 0 || w.Km > MaxOdometerKm {
			v.Addf("OdometerReadings[%d].Km: out of range 0..%d", i, MaxOdometerKm)
		}
		if len(v) > 0 {
			continue
		}
		rd := report.OdometerReading{Month: date[:7], Date: date, Km: w.Km, Source: vehicle.SourceWorkshop}
		if seen[rd] {
			continue // the same reading repeated for its visit: one fact, one reading
		}
		seen[rd] = true
		readings = append(readings, rd)
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	sort.SliceStable(visits, func(i, j int) bool { return visits[i].Date < visits[j].Date })
	sort.SliceStable(readings, func(i, j int) bool { return readings[i].Date < readings[j].Date })
	return &report.ServiceData{Visits: visits}, readings, nil
}

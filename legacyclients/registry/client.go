// Package registry is the client of the registration and owner registry, a mainframe
// transaction answering fixed-width records over HTTP. wire.go documents the record layout; the
// simulator imports it.
package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"sync/atomic"
	"time"

	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/upstream"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// System is the transport.Config.System name for this client.
const System = string(vehicle.SourceRegistry)

const label = "registry"

// MaxOdometerKm bounds a plausible reading; anything above is a corrupt record.
const MaxOdometerKm = 2_000_000

// Config configures a Client.
type Config struct {
	// Transport is this system's resilient transport; required.
	Transport *transport.Client
	// Now judges "a date in the future"; nil means time.Now.
	Now func() time.Time
}

// Client implements report.RegistrySource. Safe for concurrent use.
type Client struct {
	tc       *transport.Client
	now      func() time.Time
	badRows  atomic.Uint64
	rejected atomic.Uint64
}

var _ report.RegistrySource = (*Client)(nil)

// New returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Transport == nil {
		return nil, errors.New("registry: Config.Transport is required")
	}
	return &Client{tc: cfg.Transport, now: upstream.NowFunc(cfg.Now)}, nil
}

// Metrics counts what the transport cannot see: malformed rows inside 200 answers.
type Metrics struct {
	BadRows           uint64 // malformed rows seen, over all responses
	RejectedResponses uint64 // responses rejected for any payload problem (bad rows included)
}

// Metrics returns a snapshot; counters only grow.
func (c *Client) Metrics() Metrics {
	return Metrics{BadRows: c.badRows.Load(), RejectedResponses: c.rejected.Load()}
}

// The shapes of a contact address: enough to refuse a garbled field, not a full RFC 5322 check
// (the delivery service has the last word).
var (
	e164RE  = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// Inquiry is everything the registry says about one vehicle, validated.
type Inquiry struct {
	Registration *report.RegistrationData
	Owner        *report.OwnerData // nil when no registration is current
	Odometer     []report.OdometerReading
	// DocumentCode is the code printed on the registration document, empty when the registry has
	// none. Ownership verification compares it with what the caller types: it is a secret, never
	// log or return it.
	DocumentCode string
	// Contact is where the current keeper receives one-time codes (SMS or e-mail), nil when the
	// registry has none. Personal data: never log it.
	Contact *Contact
}

// FetchRegistration implements report.RegistrySource.
func (c *Client) FetchRegistration(ctx context.Context, vin vehicle.VIN) (*report.RegistrationData, *report.OwnerData, []report.OdometerReading, error) {
	in, err := c.Inquire(ctx, vin)
	if err != nil {
		return nil, nil, nil, err
	}
	return in.Registration, in.Owner, in.Odometer, nil
}

// Inquire runs the registry inquiry. Errors follow the ports contract: an ER record maps like an
// HTTP status would (NFND NotFound, INVR Invalid, other Unavailable); bad rows, a trailer
// mismatch or inconsistent records are Unavailable with transport.ErrBadPayload, and
// errors.As(err, **BadRowsError) tells how many rows were bad.
func (c *Client) Inquire(ctx context.Context, vin vehicle.VIN) (*Inquiry, error) {
	if err := upstream.CheckVIN(System, OperationInquiry, label, vin); err != nil {
		return nil, err
	}
	resp, err := c.tc.Do(ctx, &transport.Request{
		Method:     http.MethodGet,
		Path:       InquiryPath(string(vin)),
		Header:     http.Header{"Accept": {"text/plain"}},
		Idempotent: true,
		Operation:  OperationInquiry,
	})
	if err != nil {
		return nil, upstream.Wrap(label, err)
	}
	rs, err := Parse(resp.Body)
	if err != nil {
		var br *BadRowsError
		if errors.As(err, &br) && br.BadRows > 0 {
			c.badRows.Add(uint64(br.BadRows))
		}
		return nil, c.bad(resp, err)
	}
	// An error record other than "not found" is trusted whatever its header says: the
	// mainframe's failure path does not always echo the VIN. Everything else must be about the
	// VIN asked for.
	if rs.Header.VIN != string(vin) && (rs.Error == nil || rs.Error.Code == ErrorNotFound) {
		return nil, c.bad(resp, errors.New("header: VIN does not match the requested VIN"))
	}
	if rs.Error != nil {
		kind, reason := transport.ErrUnavailable, "mainframe_error"
		switch rs.Error.Code {
		case ErrorNotFound:
			kind, reason = transport.ErrNotFound, "mainframe_not_found"
		case ErrorInvalidRequest:
			kind, reason = transport.ErrBadRequest, "mainframe_invalid_request"
		}
		return nil, upstream.Wrap(label, upstream.Outcome(System, OperationInquiry, kind, reason, resp))
	}
	in, err := toInquiry(rs, c.now())
	if err != nil {
		return nil, c.bad(resp, err)
	}
	return in, nil
}

func (c *Client) bad(resp *transport.Response, cause error) error {
	c.rejected.Add(1)
	return upstream.Wrap(label, c.tc.BadPayload(OperationInquiry, resp, fmt.Errorf("registry records: %w", cause)))
}

func keeperKind(k string) (string, bool) {
	switch k {
	case KeeperPrivate:
		return "private", true
	case KeeperCompany:
		return "company", true
	case KeeperDealer:
		return "dealer", true
	}
	return "", false
}

// toInquiry applies the consistency rules of wire.go and maps to the domain.
func toInquiry(rs *RecordSet, now time.Time) (*Inquiry, error) {
	var v upstream.Violations
	future := func(t time.Time) bool { return t.After(now.Add(24 * time.Hour)) }
	if rs.Header.VIN == "" || len(rs.Header.VIN) != 17 {
		v.Addf("HD.vin: not a VIN")
	}
	regs := append([]Registration(nil), rs.Registrations...)
	sort.SliceStable(regs, func(i, j int) bool { return regs[i].Seq < regs[j].Seq })
	out := &report.RegistrationData{OwnerCount: len(regs), Registrations: make([]report.Registration, 0, len(regs))}
	for i, r := range regs {
		kind := checkRegistration(&v, regs, i, future)
		reg := report.Registration{
			Country: r.Country, FromMonth: r.From.Format(upstream.MonthLayout), KeeperKind: kind,
			Plate: r.Plate, From: r.From.Format(upstream.DayLayout),
		}
		if !r.To.IsZero() {
			reg.ToMonth, reg.To = r.To.Format(upstream.MonthLayout), r.To.Format(upstream.DayLayout)
		}
		out.Registrations = append(out.Registrations, reg)
	}
	current := len(regs) > 0 && regs[len(regs)-1].To.IsZero()
	var owner *report.OwnerData
	switch {
	case current && rs.Keeper == nil:
		v.Addf("KP: missing for the current registration")
	case !current && rs.Keeper != nil:
		v.Addf("KP: present without a current registration")
	case rs.Keeper != nil:
		k := rs.Keeper
		if future(k.Since) {
			v.Addf("KP.since: in the future")
		}
		owner = &report.OwnerData{Name: k.Name, PostalCode: k.PostalCode, City: k.City, Since: k.Since.Format(upstream.DayLayout)}
	}
	readings := make([]report.OdometerReading, 0, len(rs.Odometers))
	for i, o := range rs.Odometers {
		if future(o.Date) || o.Date.Year() < upstream.EarliestYear {
			v.Addf("OD[%d].date: impossible", i)
		}
		if o.Km > MaxOdometerKm {
			v.Addf("OD[%d].km: above %d", i, MaxOdometerKm)
		}
		readings = append(readings, report.OdometerReading{
			Month: o.Date.Format(upstream.MonthLayout), Date: o.Date.Format(upstream.DayLayout), Km: o.Km, Source: vehicle.SourceRegistry,
		})
	}
	sort.SliceStable(readings, func(i, j int) bool { return readings[i].Date < readings[j].Date })
	in := &Inquiry{Registration: out, Owner: owner, Odometer: readings}
	if dc := rs.DocumentCode; dc != nil {
		if future(dc.IssuedOn) {
			v.Addf("DC.issuedOn: in the future")
		}
		in.DocumentCode = dc.Code
	}
	if ct := rs.Contact; ct != nil {
		switch {
		case rs.Keeper == nil:
			v.Addf("CT: present without a keeper")
		case ct.Channel == ContactSMS && !e164RE.MatchString(ct.Address):
			v.Addf("CT.address: not an E.164 phone number")
		case ct.Channel == ContactEmail && !emailRE.MatchString(ct.Address):
			v.Addf("CT.address: not an e-mail address")
		case ct.Channel != ContactSMS && ct.Channel != ContactEmail:
			v.Addf("CT.channel: neither S nor E")
		default:
			in.Contact = &Contact{Channel: ct.Channel, Address: ct.Address}
		}
	}
	if rs.Header.RunAt.IsZero() {
		v.Addf("HD.runDate: missing")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return in, nil
}

// checkRegistration records in v what is wrong with registration i of regs (sorted by sequence)
// and returns its keeper kind.
func checkRegistration(v *upstream.Violations, regs []Registration, i int, future func(time.Time) bool) string {
	r := regs[i]
	if r.Seq != i+1 {
		v.Addf("RG[%d].seq: not consecutive from 01", i)
	}
	if len(r.Country) != 2 || r.Country[0] < 'A' || r.Country[0] > 'Z' || r.Country[1] < 'A' || r.Country[1] > 'Z' {
		v.Addf("RG[%d].country: not an ISO 3166 alpha-2 code", i)
	}
	kind, ok := keeperKind(r.KeeperKind)
	if !ok {
		v.Addf("RG[%d].keeperKind: unknown value", i)
	}
	if future(r.From) || future(r.To) {
		v.Addf("RG[%d]: date in the future", i)
	}
	if !r.To.IsZero() && r.To.Before(r.From) {
		v.Addf("RG[%d]: ends before it starts", i)
	}
	if r.To.IsZero() && i != len(regs)-1 {
		v.Addf("RG[%d]: open registration that is not the last", i)
	}
	if i > 0 && !regs[i-1].To.IsZero() && r.From.Before(regs[i-1].To) {
		v.Addf("RG[%d]: overlaps the previous registration", i)
	}
	return kind
}

package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/registry"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/fault"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/legacyclients/workshop"
)

// ---- workshop (SOAP 1.1) ------------------------------------------------------------------

type workshopSystem struct{ w *world.World }

// maxSOAPRequest bounds the request body: the one operation's envelope is a few hundred bytes.
const maxSOAPRequest = 64 << 10

func (s workshopSystem) Operation(r *http.Request) string {
	if r.URL.Path == workshop.Path {
		return workshop.OperationGetServiceHistory
	}
	return opUnknown
}

func (s workshopSystem) fault(status int, code, text, detail, charset string) fault.Response {
	b, err := workshop.EncodeFault(code, text, detail, charset)
	if err != nil {
		charset = workshop.CharsetUTF8
		b, _ = workshop.EncodeFault(code, text, detail, charset)
	}
	return fault.Response{Status: status, ContentType: "text/xml", Charset: charset, Body: b}
}

func (s workshopSystem) clientFault(text, charset string) fault.Response {
	return s.fault(http.StatusOK, workshop.FaultCodeClient, text, workshop.FaultCodeInvalidRequest, charset)
}

// Failure is a soap:Server fault; real SOAP stacks send it with the HTTP error status.
func (s workshopSystem) Failure(status int, charset string) fault.Response {
	return s.fault(status, workshop.FaultCodeServer, "backend not available", workshop.FaultCodeBackendDown, charset)
}

func (s workshopSystem) Serve(r *http.Request, charset string) fault.Response {
	if r.URL.Path != workshop.Path {
		return fault.Response{Status: http.StatusNotFound, ContentType: "text/plain", Charset: "utf-8", Body: []byte("no such service endpoint\n")}
	}
	if r.Method != http.MethodPost {
		return fault.Response{Status: http.StatusMethodNotAllowed, ContentType: "text/plain", Charset: "utf-8",
			Header: http.Header{"Allow": {http.MethodPost}}, Body: []byte("SOAP endpoint: use POST\n")}
	}
	if a := r.Header.Get("SOAPAction"); a != workshop.SOAPAction && `"`+a+`"` != workshop.SOAPAction {
		return s.clientFault("unknown or missing SOAPAction", charset)
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "text/xml" {
		return s.clientFault("Content-Type must be text/xml (SOAP 1.1)", charset)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSOAPRequest+1))
	if err != nil || len(body) > maxSOAPRequest {
		return s.clientFault("request body unreadable or too large", charset)
	}
	var env workshop.Envelope
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if cs := params["charset"]; cs != "" {
			label = cs // the Content-Type charset overrides the XML declaration (RFC 7303)
		}
		switch strings.ToLower(label) {
		case "utf-8", "utf8", "":
			return in, nil
		case "iso-8859-1", "latin1":
			return charmap.ISO8859_1.NewDecoder().Reader(in), nil
		case "windows-1252", "cp1252":
			return charmap.Windows1252.NewDecoder().Reader(in), nil
		}
		return nil, fmt.Errorf("unsupported charset %q", label)
	}
	if err := dec.Decode(&env); err != nil || env.Body.Request == nil {
		return s.clientFault("malformed SOAP request: expected GetServiceHistory", charset)
	}
	vin, err := vehicle.ParseVIN(strings.TrimSpace(env.Body.Request.VIN))
	if err != nil {
		return s.clientFault(ruleOf(err), charset)
	}
	v, ok := s.w.Vehicle(vin)
	if !ok {
		return s.fault(http.StatusOK, workshop.FaultCodeClient, "VIN unknown", workshop.FaultCodeVINUnknown, charset)
	}
	resp := workshop.GetServiceHistoryResponse{VIN: string(vin)}
	for _, x := range v.Visits {
		resp.Visits = append(resp.Visits, workshop.Visit{
			Date: x.Date.Format(isoDate), OdometerKm: x.Km, Kind: visitKinds[x.Kind], Items: x.Items,
			Workshop: workshop.Workshop{ID: x.Workshop.ID, Name: x.Workshop.Name, City: x.Workshop.City},
		})
	}
	for _, x := range v.WorkshopReadings {
		resp.OdometerReadings = append(resp.OdometerReadings, workshop.Reading{Date: x.Date.Format(isoDate), Km: x.Km})
	}
	b, err := workshop.EncodeResponse(resp, charset)
	if err != nil {
		// A character the configured charset cannot hold: answer in UTF-8 rather than not at
		// all (the world keeps its text Latin-1 safe, so this is a safety net).
		charset = workshop.CharsetUTF8
		b, _ = workshop.EncodeResponse(resp, charset)
	}
	return fault.Response{Status: http.StatusOK, ContentType: "text/xml", Charset: charset, Body: b}
}

var visitKinds = map[string]string{
	world.KindInspection:     workshop.KindInspection,
	world.KindOilService:     workshop.KindOilService,
	world.KindRepair:         workshop.KindRepair,
	world.KindAccidentRepair: workshop.KindAccidentRepair,
	world.KindRecallRepair:   workshop.KindRecallRepair,
	world.KindTyres:          workshop.KindTyres,
}

// ---- registry (fixed-width records) -------------------------------------------------------

type registrySystem struct {
	w   *world.World
	now func() time.Time
}

func (s registrySystem) Operation(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, registry.PathPrefix) && len(r.URL.Path) > len(registry.PathPrefix) {
		return registry.OperationInquiry
	}
	return opUnknown
}

// records renders a record set; the mainframe frames every answer with header and trailer.
func (s registrySystem) records(status int, headerVIN string, body ...registry.Record) fault.Response {
	recs := append([]registry.Record{registry.Header{VIN: headerVIN, RunAt: s.now().UTC()}}, body...)
	recs = append(recs, registry.Trailer{Count: len(body)})
	b, err := registry.Encode(recs...)
	if err != nil {
		return fault.Response{Status: http.StatusInternalServerError, ContentType: "text/plain", Charset: "ISO-8859-1", Body: []byte("ABEND S0C7\r\n")}
	}
	return fault.Response{Status: status, ContentType: "text/plain", Charset: "ISO-8859-1", Body: b}
}

// Failure is an ER SYSE record set with the injected status.
func (s registrySystem) Failure(status int, _ string) fault.Response {
	return s.records(status, "SYSTEM", registry.ErrorRecord{Code: registry.ErrorSystem, Message: "REGQ TRANSACTION FAILED - RETRY LATER"})
}

// Serve answers an inquiry. The registry speaks ISO-8859-1 only (one byte per position), so the
// charset knob does not apply; the wrong-charset fault still does.
func (s registrySystem) Serve(r *http.Request, _ string) fault.Response {
	raw, ok := strings.CutPrefix(r.URL.Path, registry.PathPrefix)
	if !ok || raw == "" || strings.Contains(raw, "/") {
		return fault.Response{Status: http.StatusNotFound, ContentType: "text/plain", Charset: "ISO-8859-1", Body: []byte("DFHAC2001 TRANSACTION NOT RECOGNIZED\r\n")}
	}
	if r.Method != http.MethodGet {
		return fault.Response{Status: http.StatusMethodNotAllowed, ContentType: "text/plain", Charset: "ISO-8859-1",
			Header: http.Header{"Allow": {http.MethodGet}}, Body: []byte("METHOD NOT ALLOWED\r\n")}
	}
	vin, err := vehicle.ParseVIN(raw)
	if err != nil {
		return s.records(http.StatusOK, headerVIN(raw), registry.ErrorRecord{Code: registry.ErrorInvalidRequest, Message: strings.ToUpper(ruleOf(err))})
	}
	v, ok := s.w.Vehicle(vin)
	if !ok {
		return s.records(http.StatusOK, string(vin), registry.ErrorRecord{Code: registry.ErrorNotFound, Message: "VEHICLE NOT REGISTERED"})
	}
	var body []registry.Record
	for i, reg := range v.Registrations {
		body = append(body, registry.Registration{Seq: i + 1, Country: reg.Country, Plate: reg.Plate, From: reg.From, To: reg.To, KeeperKind: keeperKinds[reg.KeeperKind]})
	}
	cur := v.Current()
	body = append(body, registry.Keeper{Name: cut(cur.Keeper.Name, 40), PostalCode: cur.Keeper.PostalCode, City: cut(cur.Keeper.City, 30), Since: cur.From})
	for _, in := range v.Inspections {
		body = append(body, registry.Odometer{Date: in.Date, Km: in.Km})
	}
	body = append(body, registry.DocumentCode{Code: cur.DocumentCode, IssuedOn: cur.From})
	if ch, ok := contactChannels[cur.Contact.Channel]; ok {
		body = append(body, registry.Contact{Channel: ch, Address: cur.Contact.Address})
	}
	return s.records(http.StatusOK, string(vin), body...)
}

var contactChannels = map[string]string{world.ContactSMS: registry.ContactSMS, world.ContactEmail: registry.ContactEmail}

var keeperKinds = map[string]string{
	world.KeeperPrivate: registry.KeeperPrivate,
	world.KeeperCompany: registry.KeeperCompany,
	world.KeeperDealer:  registry.KeeperDealer,
}

// headerVIN is what the mainframe echoes for an unparsable VIN: its allowed characters, cut to
// the field's 17 positions.
func headerVIN(raw string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(raw) {
		if (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
	}
	s := b.String()
	if s == "" {
		return "?"
	}
	return cut(s, 17)
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// ---- shared helpers -----------------------------------------------------------------------

// atoiStrict parses a decimal without sign or spaces.
func atoiStrict(s string) (int, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" || len(s) > 9 {
		return 0, errors.New("not a decimal number")
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("parse %q: %w", s, err)
	}
	return n, nil
}

// Recall cursors: the offset and a short hash that binds the cursor to its VIN (without carrying
// the VIN), base64url-encoded so that clients treat them as opaque.
func encodeCursor(offset int, vin vehicle.VIN) string {
	h := sha256.Sum256([]byte(vin))
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d:%s", offset, hex.EncodeToString(h[:4]))))
}

func decodeCursor(c string, vin vehicle.VIN) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	off, tag, ok := strings.Cut(string(raw), ":")
	n, err := atoiStrict(off)
	if !ok || err != nil || n <= 0 {
		return 0, false
	}
	h := sha256.Sum256([]byte(vin))
	return n, tag == hex.EncodeToString(h[:4])
}

// listingID is the dealer system's stable ID of a stock car.
func listingID(v *world.Vehicle) string {
	h := fnv.New64a()
	h.Write([]byte(v.VIN))
	return fmt.Sprintf("STK-%s-%010d", v.Listing.Dealer.ID, h.Sum64()%1e10)
}

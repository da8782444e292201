package registry

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Wire format of the registration / owner registry: fixed-width records over HTTP, the way the
// mainframe transaction REGQ has always answered.
//
//	GET {base}/mf/regq/{vin}
//	Accept: text/plain
//
//	200 text/plain; charset=ISO-8859-1   a record set (below), also for errors (ER record)
//	404                                  the VIN is unknown (the gateway may answer so, too)
//	400                                  the request was malformed
//	5xx                                  the mainframe or its gateway failed
//
// A record set is a sequence of records, each exactly RecordLength characters followed by CRLF
// (the last record too). The charset is ISO-8859-1, so one character is one byte and umlauts in
// names take one position. Every record starts with a 2-character record type:
//
//	HD header              first record, exactly once
//	RG registration        one per registration period (keeper), 1..99, Seq ascending from 01 (oldest)
//	KP keeper              the current keeper, at most once
//	OD odometer            one per roadworthiness inspection, any number
//	DC document code       the code printed on the registration document, at most once
//	CT contact             how the current keeper asked to be contacted, at most once, only with KP
//	ER error               instead of RG/KP/OD/DC when the inquiry failed; exactly one then
//	TR trailer             last record, exactly once; RecordCount = records between HD and TR
//
// Field layout, positions 1-based and inclusive (see Layout for the machine-readable table):
//
//	HD  1-2 type | 3-19 VIN A17 | 20-27 run date D8 | 28-33 run time T6 | 34-37 layout version A4 "R001" | 38-100 filler
//	RG  1-2 type | 3-4 seq N2 | 5-6 country A2 | 7-16 plate A10 | 17-24 from D8 | 25-32 to D8 (blank: current) | 33 keeper kind A1 (P private, C company, D dealer) | 34-100 filler
//	KP  1-2 type | 3-42 name A40 | 43-52 postal code A10 | 53-82 city A30 | 83-90 since D8 | 91-100 filler
//	OD  1-2 type | 3-10 inspection date D8 | 11-17 km N7 | 18-100 filler
//	DC  1-2 type | 3-14 document code A12 | 15-22 issued on D8 | 23-100 filler
//	CT  1-2 type | 3 channel A1 (S SMS to a phone number, E e-mail) | 4-83 address A80 | 84-100 filler
//	ER  1-2 type | 3-6 error code A4 (NFND not found, INVR invalid request, SYSE/anything else system error) | 7-66 message A60 | 67-100 filler
//	TR  1-2 type | 3-9 record count N7 | 10-100 filler
//
// Kinds: A alphanumeric, left-justified, space-padded (required unless noted: blank is an error);
// N numeric, right-justified, zero-padded, digits only; D date YYYYMMDD (a real calendar date);
// T time HHMMSS; filler is spaces only.
//
// The client's rules: a record with the wrong length, a missing CR, an unknown type, a non-digit
// in an N field, an impossible date, a blank required field or a non-blank filler is a bad row.
// Bad rows are counted, and a response with any bad row is rejected as a whole (a registry answer
// with a hole could under-count owners, which is worse than no answer). A trailer whose count
// does not match, a missing header or trailer, or a header VIN that differs from the request is
// also a bad payload. Consistency rules, also a bad payload when broken: RG Seq runs 01..n
// without gaps; From <= To; only the last RG may be open (blank To); KP is present if and only if
// the last RG is open; no date lies in the future; OwnerCount in the report is the number of RG
// records.

// HTTP framing.
const (
	PathPrefix         = "/mf/regq/"
	OperationInquiry   = "RegistryInquiry"
	ContentType        = "text/plain; charset=ISO-8859-1"
	RecordLength       = 100
	LineEnd            = "\r\n"
	LayoutVersion      = "R001"
	MaxRegistrations   = 99
	dateLayout         = "20060102"
	timeLayout         = "150405"
	registryCharsetErr = "registry: a character is not representable in ISO-8859-1"
)

// InquiryPath is the request path for one VIN, path-escaped as defence in depth.
func InquiryPath(vin string) string { return PathPrefix + url.PathEscape(vin) }

// Record types.
const (
	TypeHeader       = "HD"
	TypeRegistration = "RG"
	TypeKeeper       = "KP"
	TypeOdometer     = "OD"
	TypeDocumentCode = "DC"
	TypeContact      = "CT"
	TypeError        = "ER"
	TypeTrailer      = "TR"
)

// Keeper kinds in RG records.
const (
	KeeperPrivate = "P"
	KeeperCompany = "C"
	KeeperDealer  = "D"
)

// Contact channels in CT records.
const (
	ContactSMS   = "S" // the address is a phone number in E.164 form (+ and 8 to 15 digits)
	ContactEmail = "E" // the address is an e-mail address
)

// Error codes in ER records.
const (
	ErrorNotFound       = "NFND"
	ErrorInvalidRequest = "INVR"
	ErrorSystem         = "SYSE"
)

// FieldKind says how a field is padded and validated.
type FieldKind byte

const (
	KindType     FieldKind = 'R' // the record type literal
	KindAlpha    FieldKind = 'A' // left-justified, space-padded
	KindOptAlpha FieldKind = 'a' // like KindAlpha, may be blank
	KindNumeric  FieldKind = 'N' // right-justified, zero-padded digits
	KindDate     FieldKind = 'D' // YYYYMMDD
	KindOptDate  FieldKind = 'd' // YYYYMMDD or all blank
	KindTime     FieldKind = 'T' // HHMMSS
	KindFiller   FieldKind = 'F' // spaces only
)

// Field is one column of a record: Start is 1-based, as in the mainframe copybook.
type Field struct {
	Name   string
	Start  int
	Length int
	Kind   FieldKind
}

// Layout returns the field table of a record type (a fresh slice each call), or false for an
// unknown type. The fields cover positions 1..RecordLength without gaps.
func Layout(recordType string) ([]Field, bool) {
	typ := Field{"type", 1, 2, KindType}
	switch recordType {
	case TypeHeader:
		return []Field{typ, {"vin", 3, 17, KindAlpha}, {"runDate", 20, 8, KindDate}, {"runTime", 28, 6, KindTime},
			{"layoutVersion", 34, 4, KindAlpha}, {"filler", 38, 63, KindFiller}}, true
	case TypeRegistration:
		return []Field{typ, {"seq", 3, 2, KindNumeric}, {"country", 5, 2, KindAlpha}, {"plate", 7, 10, KindAlpha},
			{"from", 17, 8, KindDate}, {"to", 25, 8, KindOptDate}, {"keeperKind", 33, 1, KindAlpha},
			{"filler", 34, 67, KindFiller}}, true
	case TypeKeeper:
		return []Field{typ, {"name", 3, 40, KindAlpha}, {"postalCode", 43, 10, KindAlpha}, {"city", 53, 30, KindAlpha},
			{"since", 83, 8, KindDate}, {"filler", 91, 10, KindFiller}}, true
	case TypeOdometer:
		return []Field{typ, {"date", 3, 8, KindDate}, {"km", 11, 7, KindNumeric}, {"filler", 18, 83, KindFiller}}, true
	case TypeDocumentCode:
		return []Field{typ, {"code", 3, 12, KindAlpha}, {"issuedOn", 15, 8, KindDate}, {"filler", 23, 78, KindFiller}}, true
	case TypeContact:
		return []Field{typ, {"channel", 3, 1, KindAlpha}, {"address", 4, 80, KindAlpha}, {"filler", 84, 17, KindFiller}}, true
	case TypeError:
		return []Field{typ, {"code", 3, 4, KindAlpha}, {"message", 7, 60, KindOptAlpha}, {"filler", 67, 34, KindFiller}}, true
	case TypeTrailer:
		return []Field{typ, {"count", 3, 7, KindNumeric}, {"filler", 10, 91, KindFiller}}, true
	}
	return nil, false
}

// Record is anything that formats as one fixed-width record.
type Record interface {
	Format() (string, error)
}

// Header is the HD record.
type Header struct {
	VIN   string
	RunAt time.Time // date and time of the inquiry run, mainframe local time
}

// Registration is an RG record.
type Registration struct {
	Seq        int // 1..99, oldest first
	Country    string
	Plate      string
	From       time.Time
	To         time.Time // zero: still registered
	KeeperKind string    // Keeper* constant
}

// Keeper is the KP record: the current keeper.
type Keeper struct {
	Name       string
	PostalCode string
	City       string
	Since      time.Time
}

// Odometer is an OD record: the reading taken at a roadworthiness inspection.
type Odometer struct {
	Date time.Time
	Km   int
}

// DocumentCode is the DC record: the code printed on the registration document.
type DocumentCode struct {
	Code     string
	IssuedOn time.Time
}

// Contact is the CT record: where the current keeper receives messages from the registry. The
// address is personal data: never log it.
type Contact struct {
	Channel string // Contact* constant
	Address string
}

// ErrorRecord is the ER record.
type ErrorRecord struct {
	Code    string // Error* constant
	Message string
}

// Trailer is the TR record.
type Trailer struct {
	Count int // records between header and trailer
}

// Format renders the HD record.
func (r Header) Format() (string, error) {
	return formatRecord(TypeHeader, []string{r.VIN, fmtDate(r.RunAt), r.RunAt.Format(timeLayout), LayoutVersion})
}

// Format renders an RG record.
func (r Registration) Format() (string, error) {
	return formatRecord(TypeRegistration, []string{strconv.Itoa(r.Seq), r.Country, r.Plate, fmtDate(r.From), fmtDate(r.To), r.KeeperKind})
}

// Format renders the KP record.
func (r Keeper) Format() (string, error) {
	return formatRecord(TypeKeeper, []string{r.Name, r.PostalCode, r.City, fmtDate(r.Since)})
}

// Format renders an OD record.
func (r Odometer) Format() (string, error) {
	return formatRecord(TypeOdometer, []string{fmtDate(r.Date), strconv.Itoa(r.Km)})
}

// Format renders the DC record.
func (r DocumentCode) Format() (string, error) {
	return formatRecord(TypeDocumentCode, []string{r.Code, fmtDate(r.IssuedOn)})
}

// Format renders the CT record.
func (r Contact) Format() (string, error) {
	return formatRecord(TypeContact, []string{r.Channel, r.Address})
}

// Format renders the ER record.
func (r ErrorRecord) Format() (string, error) {
	return formatRecord(TypeError, []string{r.Code, r.Message})
}

// Format renders the TR record.
func (r Trailer) Format() (string, error) {
	return formatRecord(TypeTrailer, []string{strconv.Itoa(r.Count)})
}

// Encode formats records, terminates each with CRLF and encodes the result in ISO-8859-1: a
// complete response body. It does not add the header or trailer: pass them in order.
func Encode(records ...Record) ([]byte, error) {
	var b strings.Builder
	for i, r := range records {
		line, err := r.Format()
		if err != nil {
			return nil, fmt.Errorf("registry: record %d: %w", i+1, err)
		}
		b.WriteString(line)
		b.WriteString(LineEnd)
	}
	out, err := charmap.ISO8859_1.NewEncoder().String(b.String())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", registryCharsetErr, err)
	}
	return []byte(out), nil
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(dateLayout)
}

// formatRecord pads values (one per non-type, non-filler field, in layout order) into a record of
// exactly RecordLength characters. Values that do not fit, or do not match their kind, are an
// error rather than silently truncated.
func formatRecord(recordType string, values []string) (string, error) {
	layout, _ := Layout(recordType)
	var b strings.Builder
	vi := 0
	for _, f := range layout {
		switch f.Kind {
		case KindType:
			b.WriteString(recordType)
			continue
		case KindFiller:
			b.WriteString(strings.Repeat(" ", f.Length))
			continue
		}
		if vi >= len(values) {
			return "", fmt.Errorf("registry: %s: missing value for %s", recordType, f.Name)
		}
		v := values[vi]
		vi++
		n := utf8.RuneCountInString(v)
		if n > f.Length {
			return "", fmt.Errorf("registry: %s.%s: %d characters do not fit in %d", recordType, f.Name, n, f.Length)
		}
		switch f.Kind {
		case KindNumeric:
			if v == "" || strings.Trim(v, "0123456789") != "" {
				return "", fmt.Errorf("registry: %s.%s: not a non-negative integer", recordType, f.Name)
			}
			b.WriteString(strings.Repeat("0", f.Length-n) + v)
		case KindAlpha, KindDate, KindTime:
			if strings.TrimSpace(v) == "" {
				return "", fmt.Errorf("registry: %s.%s: required", recordType, f.Name)
			}
			b.WriteString(v + strings.Repeat(" ", f.Length-n))
		default: // optional alpha and date
			b.WriteString(v + strings.Repeat(" ", f.Length-n))
		}
	}
	return b.String(), nil
}

package workshop

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Wire format of the workshop system: SOAP 1.1 over HTTP, one operation.
//
//	POST {base}/ws/workshop/ServiceHistory
//	Content-Type: text/xml; charset=utf-8
//	SOAPAction: "urn:acme-oem:workshop:v1#GetServiceHistory"
//
//	<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
//	  <soap:Body>
//	    <GetServiceHistory xmlns="urn:acme-oem:workshop:v1"><VIN>WVW...</VIN></GetServiceHistory>
//	  </soap:Body>
//	</soap:Envelope>
//
// The answer is always HTTP 200 (the legacy SOAP stack reports faults inside a 200 too) with
// Content-Type text/xml and a charset parameter of UTF-8, ISO-8859-1 or windows-1252; the XML
// declaration names the same encoding. The body holds either a GetServiceHistoryResponse or a
// SOAP 1.1 Fault:
//
//	faultcode soap:Client + detail WorkshopFault/Code FaultCodeVINUnknown -> the VIN is unknown (not found)
//	faultcode soap:Client, any other detail                                 -> our request was malformed (invalid)
//	faultcode soap:Server                                                   -> the system failed (unavailable)
//
// Dotted SOAP 1.1 subcodes ("soap:Client.Authentication") count as their first part; a
// VersionMismatch or MustUnderstand fault counts as a client fault. A 5xx, with or without a Fault
// body, is a system failure.
//
// Charsets: the Content-Type charset parameter when present, else the XML declaration's encoding,
// else UTF-8. When both are present they must agree. The client rejects as a bad payload: an
// unsupported charset, bytes invalid in the declared charset (Latin-1 bytes declared UTF-8; the
// five bytes windows-1252 leaves undefined), and a body declared ISO-8859-1 or windows-1252 that
// is in fact valid UTF-8 with multi-byte sequences (a UTF-8 body mislabelled: decoding it would
// turn every umlaut into two wrong characters; genuine Latin-1 text never forms such sequences in
// practice). A media type other than text/xml is a bad payload too (an HTML error page from a
// proxy, for instance).

// Namespaces.
const (
	NamespaceSOAP     = "http://schemas.xmlsoap.org/soap/envelope/"
	NamespaceWorkshop = "urn:acme-oem:workshop:v1"
)

// HTTP framing.
const (
	Path                       = "/ws/workshop/ServiceHistory"
	SOAPAction                 = `"urn:acme-oem:workshop:v1#GetServiceHistory"`
	OperationGetServiceHistory = "GetServiceHistory"
)

// Charsets the system emits. Names are matched case-insensitively; "latin1" and "cp1252" are
// accepted as aliases when decoding.
const (
	CharsetUTF8        = "UTF-8"
	CharsetISO88591    = "ISO-8859-1"
	CharsetWindows1252 = "windows-1252"
)

// ContentType is the Content-Type header for a body in the given charset.
func ContentType(charset string) string { return "text/xml; charset=" + charset }

// Fault codes (SOAP 1.1 faultcode local parts).
const (
	FaultCodeClient = "Client"
	FaultCodeServer = "Server"
)

// Detail codes in WorkshopFault.Code.
const (
	FaultCodeVINUnknown     = "VIN_UNKNOWN"     // with soap:Client: the VIN is not in the workshop system
	FaultCodeInvalidRequest = "INVALID_REQUEST" // with soap:Client: the request could not be parsed
	FaultCodeBackendDown    = "BACKEND_DOWN"    // with soap:Server: a backend behind the SOAP stack failed
)

// Visit kinds (Visit.Kind), mapped by the client to the report's kinds.
const (
	KindInspection     = "INSP" // periodic inspection -> "inspection"
	KindOilService     = "OIL"  // oil service -> "oil-service"
	KindRepair         = "REP"  // repair -> "repair"
	KindAccidentRepair = "ACC"  // accident repair -> "accident-repair"
	KindRecallRepair   = "RCL"  // recall work -> "recall-repair"
	KindTyres          = "TYR"  // tyre change -> "tyres"
)

// Envelope is the SOAP 1.1 envelope, for decoding requests and responses. Matching is by
// namespace URI, so any prefix works.
type Envelope struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Body    Body     `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

// Body holds exactly one of its fields.
type Body struct {
	Request  *GetServiceHistoryRequest  `xml:"urn:acme-oem:workshop:v1 GetServiceHistory"`
	Response *GetServiceHistoryResponse `xml:"urn:acme-oem:workshop:v1 GetServiceHistoryResponse"`
	Fault    *Fault                     `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault"`
}

// GetServiceHistoryRequest asks for one vehicle's history.
type GetServiceHistoryRequest struct {
	XMLName xml.Name `xml:"urn:acme-oem:workshop:v1 GetServiceHistory"`
	VIN     string   `xml:"VIN"`
}

// GetServiceHistoryResponse is the vehicle's history. VIN must equal the requested VIN.
type GetServiceHistoryResponse struct {
	XMLName xml.Name `xml:"urn:acme-oem:workshop:v1 GetServiceHistoryResponse"`
	VIN     string   `xml:"VIN"`
	// Visits, any order; the client sorts them oldest first.
	Visits []Visit `xml:"Visits>Visit"`
	// OdometerReadings are readings taken at the workshop outside a visit (a quick check, a
	// diagnostic read-out). Each visit's OdometerKm is a reading too; do not repeat it here.
	OdometerReadings []Reading `xml:"OdometerReadings>Reading"`
}

// Visit is one workshop visit. All fields are required; Items may be empty.
type Visit struct {
	Date       string   `xml:"Date"`       // YYYY-MM-DD, not in the future
	OdometerKm int      `xml:"OdometerKm"` // >= 0
	Kind       string   `xml:"Kind"`       // one of the Kind* constants
	Items      []string `xml:"Items>Item"` // work done, e.g. "Oil filter"
	Workshop   Workshop `xml:"Workshop"`
}

// Workshop is the dealer workshop; names and cities may carry umlauts.
type Workshop struct {
	ID   string `xml:"ID"`
	Name string `xml:"Name"`
	City string `xml:"City"`
}

// Reading is an odometer reading outside a visit.
type Reading struct {
	Date string `xml:"Date"` // YYYY-MM-DD
	Km   int    `xml:"Km"`   // >= 0
}

// Fault is a SOAP 1.1 Fault. Its children are unqualified, as SOAP 1.1 specifies.
type Fault struct {
	Code   string       `xml:"faultcode"`   // QName, e.g. "soap:Client"
	String string       `xml:"faultstring"` // human text, never parsed
	Actor  string       `xml:"faultactor,omitempty"`
	Detail *FaultDetail `xml:"detail"`
}

// FaultDetail carries the application fault.
type FaultDetail struct {
	WorkshopFault *WorkshopFault `xml:"urn:acme-oem:workshop:v1 WorkshopFault"`
}

// WorkshopFault is the application-level fault code.
type WorkshopFault struct {
	XMLName xml.Name `xml:"urn:acme-oem:workshop:v1 WorkshopFault"`
	Code    string   `xml:"Code"` // FaultCode* constant
}

// EncodeRequest builds the request envelope (UTF-8).
func EncodeRequest(vin string) ([]byte, error) {
	inner, err := xml.Marshal(GetServiceHistoryRequest{VIN: vin})
	if err != nil {
		return nil, fmt.Errorf("workshop: marshal request: %w", err)
	}
	return envelope(inner, CharsetUTF8)
}

// EncodeResponse builds a response envelope in the given charset. It fails when a character
// cannot be represented in that charset.
func EncodeResponse(resp GetServiceHistoryResponse, charset string) ([]byte, error) {
	inner, err := xml.Marshal(resp)
	if err != nil {
		return nil, fmt.Errorf("workshop: marshal response: %w", err)
	}
	return envelope(inner, charset)
}

// EncodeFault builds a Fault envelope in the given charset. faultCode is FaultCodeClient or
// FaultCodeServer (it is written as "soap:"+faultCode); detailCode may be empty.
func EncodeFault(faultCode, faultString, detailCode, charset string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("<soap:Fault><faultcode>soap:")
	if err := xml.EscapeText(&b, []byte(faultCode)); err != nil {
		return nil, fmt.Errorf("workshop: escape fault: %w", err)
	}
	b.WriteString("</faultcode><faultstring>")
	if err := xml.EscapeText(&b, []byte(faultString)); err != nil {
		return nil, fmt.Errorf("workshop: escape fault: %w", err)
	}
	b.WriteString("</faultstring>")
	if detailCode != "" {
		d, err := xml.Marshal(WorkshopFault{Code: detailCode})
		if err != nil {
			return nil, fmt.Errorf("workshop: marshal fault detail: %w", err)
		}
		b.WriteString("<detail>")
		b.Write(d)
		b.WriteString("</detail>")
	}
	b.WriteString("</soap:Fault>")
	return envelope(b.Bytes(), charset)
}

// envelope wraps body content in a prefixed SOAP 1.1 envelope with an XML declaration, and
// transcodes the document to charset.
func envelope(inner []byte, charset string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="` + charset + `"?>` + "\n")
	b.WriteString(`<soap:Envelope xmlns:soap="` + NamespaceSOAP + `"><soap:Body>`)
	b.Write(inner)
	b.WriteString(`</soap:Body></soap:Envelope>`)
	switch strings.ToLower(charset) {
	case "utf-8", "utf8":
		return b.Bytes(), nil
	case "iso-8859-1", "latin1":
		return encodeCharmap(charmap.ISO8859_1, b.Bytes())
	case "windows-1252", "cp1252":
		return encodeCharmap(charmap.Windows1252, b.Bytes())
	default:
		return nil, fmt.Errorf("workshop: unsupported charset %q", charset)
	}
}

func encodeCharmap(cm *charmap.Charmap, utf8 []byte) ([]byte, error) {
	out, err := cm.NewEncoder().Bytes(utf8)
	if err != nil {
		return nil, fmt.Errorf("workshop: a character is not representable in %s: %w", cm, err)
	}
	return out, nil
}

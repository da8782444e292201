package registry

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// RecordSet is a parsed response: every row well-formed, header first, trailer last, count
// matching. Parse checks syntax and structure; the client checks meaning (VIN, dates in the
// future, sequence, keeper consistency).
type RecordSet struct {
	Header        Header
	Registrations []Registration
	Keeper        *Keeper
	Odometers     []Odometer
	DocumentCode  *DocumentCode
	Contact       *Contact
	Error         *ErrorRecord
	Trailer       Trailer
}

// BadRowsError rejects a response with malformed rows. BadRows counts them all; Problems names
// the first few by line number, record type, field and rule, never by content.
type BadRowsError struct {
	BadRows  int
	Rows     int
	Problems []string
}

func (e *BadRowsError) Error() string {
	return fmt.Sprintf("%d of %d rows malformed: %s", e.BadRows, e.Rows, strings.Join(e.Problems, "; "))
}

// TrailerMismatchError: the trailer's count differs from the records received, so records were
// lost or added on the way.
type TrailerMismatchError struct {
	Declared, Actual int
}

func (e *TrailerMismatchError) Error() string {
	return fmt.Sprintf("trailer declares %d records, %d received", e.Declared, e.Actual)
}

// maxProblemsShown bounds the error text however broken a response is.
const maxProblemsShown = 10

// Parse reads a complete response body (ISO-8859-1, CRLF-terminated records).
func Parse(body []byte) (*RecordSet, error) {
	if len(body) == 0 {
		return nil, errors.New("empty body")
	}
	if !bytes.HasSuffix(body, []byte(LineEnd)) {
		return nil, errors.New("truncated body: the last record is not terminated by CRLF")
	}
	lines := bytes.Split(body[:len(body)-1], []byte("\n"))
	records := make([]any, 0, len(lines))
	bad := &BadRowsError{Rows: len(lines)}
	for i, raw := range lines {
		rec, err := parseLine(raw)
		if err != nil {
			bad.BadRows++
			if len(bad.Problems) < maxProblemsShown {
				bad.Problems = append(bad.Problems, fmt.Sprintf("line %d: %v", i+1, err))
			}
			continue
		}
		records = append(records, rec)
	}
	if bad.BadRows > 0 {
		return nil, bad
	}
	return assemble(records)
}

// assemble checks the record order and the trailer count.
func assemble(records []any) (*RecordSet, error) {
	if len(records) < 2 {
		return nil, errors.New("structure: a response needs a header and a trailer")
	}
	h, ok := records[0].(Header)
	if !ok {
		return nil, errors.New("structure: the first record is not a header")
	}
	t, ok := records[len(records)-1].(Trailer)
	if !ok {
		return nil, errors.New("structure: the last record is not a trailer (truncated?)")
	}
	rs := &RecordSet{Header: h, Trailer: t}
	details := records[1 : len(records)-1]
	if t.Count != len(details) {
		return nil, &TrailerMismatchError{Declared: t.Count, Actual: len(details)}
	}
	for i, r := range details {
		switch r := r.(type) {
		case Registration:
			rs.Registrations = append(rs.Registrations, r)
		case Odometer:
			rs.Odometers = append(rs.Odometers, r)
		case Keeper:
			if rs.Keeper != nil {
				return nil, fmt.Errorf("structure: record %d: a second keeper record", i+2)
			}
			rs.Keeper = &r
		case DocumentCode:
			if rs.DocumentCode != nil {
				return nil, fmt.Errorf("structure: record %d: a second document code record", i+2)
			}
			rs.DocumentCode = &r
		case Contact:
			if rs.Contact != nil {
				return nil, fmt.Errorf("structure: record %d: a second contact record", i+2)
			}
			rs.Contact = &r
		case ErrorRecord:
			if len(details) != 1 {
				return nil, fmt.Errorf("structure: record %d: an error record among data records", i+2)
			}
			rs.Error = &r
		default:
			return nil, fmt.Errorf("structure: record %d: a header or trailer inside the record set", i+2)
		}
	}
	if len(rs.Registrations) > MaxRegistrations {
		return nil, fmt.Errorf("structure: more than %d registration records", MaxRegistrations)
	}
	return rs, nil
}

// parseLine parses one record without its LF. The error names the record type, field and rule.
func parseLine(raw []byte) (any, error) {
	if !bytes.HasSuffix(raw, []byte("\r")) {
		return nil, errors.New("not terminated by CRLF")
	}
	raw = raw[:len(raw)-1]
	// ISO-8859-1: one byte per character, so the byte length is the record length.
	if len(raw) != RecordLength {
		return nil, fmt.Errorf("length %d, want %d", len(raw), RecordLength)
	}
	decoded, err := charmap.ISO8859_1.NewDecoder().Bytes(raw)
	if err != nil {
		return nil, errors.New("not ISO-8859-1")
	}
	line := []rune(string(decoded))
	typ := string(line[:2])
	layout, ok := Layout(typ)
	if !ok {
		return nil, errors.New("unknown record type")
	}
	vals := make([]string, 0, len(layout))
	for _, f := range layout {
		s := string(line[f.Start-1 : f.Start-1+f.Length])
		v, err := parseField(f, s)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", typ, f.Name, err)
		}
		if f.Kind != KindType && f.Kind != KindFiller {
			vals = append(vals, v)
		}
	}
	if typ == TypeHeader && vals[3] != LayoutVersion {
		return nil, errors.New("HD.layoutVersion: unsupported layout version")
	}
	return build(typ, vals), nil
}

// parseField validates one field and returns its trimmed text.
func parseField(f Field, s string) (string, error) {
	switch f.Kind {
	case KindType:
		return s, nil
	case KindFiller:
		if strings.Trim(s, " ") != "" {
			return "", errors.New("filler not blank")
		}
		return "", nil
	case KindAlpha:
		if strings.TrimSpace(s) == "" {
			return "", errors.New("required")
		}
		if s[0] == ' ' {
			return "", errors.New("not left-justified")
		}
		return strings.TrimRight(s, " "), nil
	case KindOptAlpha:
		return strings.TrimSpace(s), nil
	case KindNumeric:
		if strings.Trim(s, "0123456789") != "" {
			return "", errors.New("not numeric")
		}
		return s, nil
	case KindDate, KindOptDate:
		if f.Kind == KindOptDate && strings.Trim(s, " ") == "" {
			return "", nil
		}
		t, err := time.Parse(dateLayout, s)
		if err != nil || t.Year() < 1900 {
			return "", errors.New("not a YYYYMMDD date")
		}
		return s, nil
	case KindTime:
		if _, err := time.Parse(timeLayout, s); err != nil {
			return "", errors.New("not an HHMMSS time")
		}
		return s, nil
	}
	return "", errors.New("unknown field kind")
}

// build turns validated field texts (in layout order) into the record struct.
func build(typ string, v []string) any {
	switch typ {
	case TypeHeader:
		at, _ := time.Parse(dateLayout+timeLayout, v[1]+v[2])
		return Header{VIN: v[0], RunAt: at}
	case TypeRegistration:
		return Registration{Seq: atoi(v[0]), Country: v[1], Plate: v[2], From: date(v[3]), To: date(v[4]), KeeperKind: v[5]}
	case TypeKeeper:
		return Keeper{Name: v[0], PostalCode: v[1], City: v[2], Since: date(v[3])}
	case TypeOdometer:
		return Odometer{Date: date(v[0]), Km: atoi(v[1])}
	case TypeDocumentCode:
		return DocumentCode{Code: v[0], IssuedOn: date(v[1])}
	case TypeContact:
		return Contact{Channel: v[0], Address: v[1]}
	case TypeError:
		return ErrorRecord{Code: v[0], Message: v[1]}
	default: // TypeTrailer; Layout rejected every other type
		return Trailer{Count: atoi(v[0])}
	}
}

// atoi and date only see texts parseField validated.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func date(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := time.Parse(dateLayout, s)
	return t
}

package workshop

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// xmlDeclEncoding finds the encoding pseudo-attribute of an XML declaration at the very start.
var xmlDeclEncoding = regexp.MustCompile(`^\x{FEFF}?<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// canonicalCharset maps a charset label to one of the Charset* constants, or "" if unsupported.
func canonicalCharset(label string) string {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8":
		return CharsetUTF8
	case "iso-8859-1", "iso_8859-1", "latin1", "l1", "iso8859-1":
		return CharsetISO88591
	case "windows-1252", "cp1252", "x-cp1252":
		return CharsetWindows1252
	}
	return ""
}

// errCharset marks charset problems, so tests and callers can tell them from XML syntax errors.
var errCharset = errors.New("charset")

// DecodeEnvelope turns a response body into an Envelope, applying the charset rules in wire.go.
// contentType may be empty. Errors never quote the body.
func DecodeEnvelope(body []byte, contentType string) (*Envelope, error) {
	hdr := ""
	if contentType != "" {
		mt, params, err := mime.ParseMediaType(contentType)
		if err != nil {
			return nil, errors.New("content type: unparseable")
		}
		if mt != "text/xml" {
			return nil, errors.New("content type: not text/xml")
		}
		if cs, ok := params["charset"]; ok {
			if hdr = canonicalCharset(cs); hdr == "" {
				return nil, fmt.Errorf("%w: content type names an unsupported charset", errCharset)
			}
		}
	}
	decl := ""
	if m := xmlDeclEncoding.FindSubmatch(body); m != nil {
		if decl = canonicalCharset(string(m[1])); decl == "" {
			return nil, fmt.Errorf("%w: XML declaration names an unsupported encoding", errCharset)
		}
	}
	if hdr != "" && decl != "" && hdr != decl {
		return nil, fmt.Errorf("%w: content type and XML declaration disagree", errCharset)
	}
	cs := hdr
	if cs == "" {
		cs = decl
	}
	utf8Body, err := toUTF8(body, cs)
	if err != nil {
		return nil, err
	}
	dec := xml.NewDecoder(bytes.NewReader(utf8Body))
	// The bytes are UTF-8 by now; the declaration was checked above, so whatever it names is
	// read as is.
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var env Envelope
	if err := dec.Decode(&env); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected EOF") {
			return nil, errors.New("xml: truncated body")
		}
		var syn *xml.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("xml: syntax error on line %d", syn.Line)
		}
		return nil, errors.New("xml: not a SOAP envelope of the expected shape")
	}
	return &env, nil
}

// toUTF8 transcodes body from charset cs ("" means UTF-8) and enforces the charset rules.
func toUTF8(body []byte, cs string) ([]byte, error) {
	switch cs {
	case "", CharsetUTF8:
		if !utf8.Valid(body) {
			return nil, fmt.Errorf("%w: body is not valid UTF-8", errCharset)
		}
		return body, nil
	}
	if hasMultibyteUTF8(body) {
		return nil, fmt.Errorf("%w: body declared %s is UTF-8", errCharset, cs)
	}
	cm := charmap.ISO8859_1
	if cs == CharsetWindows1252 {
		cm = charmap.Windows1252
	}
	out, err := cm.NewDecoder().Bytes(body)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot decode %s", errCharset, cs)
	}
	// A single-byte input yields U+FFFD only for bytes the charset leaves undefined.
	if bytes.ContainsRune(out, utf8.RuneError) {
		return nil, fmt.Errorf("%w: byte undefined in %s", errCharset, cs)
	}
	return out, nil
}

// hasMultibyteUTF8 reports whether b is valid UTF-8 and holds at least one non-ASCII character.
func hasMultibyteUTF8(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

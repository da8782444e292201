package workshop_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/clienttest"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
	"github.com/acme-oem/vehicle-data/legacyclients/workshop"
)

const vin = vehicle.VIN("WAUZZZFV8GA200002")

// goodResponse has umlauts in ISO-8859-1's range, and a reading lower than the one before it
// (a rollback, which the client must pass on, not reject).
func goodResponse() workshop.GetServiceHistoryResponse {
	return workshop.GetServiceHistoryResponse{
		VIN: string(vin),
		Visits: []workshop.Visit{
			{Date: "2021-04-12", OdometerKm: 61000, Kind: workshop.KindOilService, Items: []string{"Ölwechsel", "Luftfilter"},
				Workshop: workshop.Workshop{ID: "DE-8001", Name: "Autohaus Müller", City: "München"}},
			{Date: "2019-03-01", OdometerKm: 30000, Kind: workshop.KindInspection, Items: []string{"Hauptuntersuchung"},
				Workshop: workshop.Workshop{ID: "DE-5002", Name: "Schäfer & Söhne", City: "Köln"}},
			{Date: "2022-05-20", OdometerKm: 42000, Kind: workshop.KindRepair, Items: nil,
				Workshop: workshop.Workshop{ID: "DE-8001", Name: "Autohaus Müller", City: "München"}},
		},
		OdometerReadings: []workshop.Reading{
			{Date: "2020-06-30", Km: 45000},
			{Date: "2021-04-12", Km: 61000}, // repeats the visit's reading
		},
	}
}

type reply struct {
	status      int
	contentType string
	body        []byte
}

func newClient(t *testing.T, r reply, maxBody int64, seen *http.Request, seenBody *[]byte) *workshop.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if seen != nil {
			*seen = *req.Clone(context.Background())
			*seenBody, _ = io.ReadAll(req.Body)
		}
		if r.contentType != "" {
			w.Header().Set("Content-Type", r.contentType)
		}
		w.WriteHeader(r.status)
		_, _ = w.Write(r.body)
	}))
	t.Cleanup(srv.Close)
	c, err := workshop.New(workshop.Config{
		Transport: clienttest.Transport(t, workshop.System, srv.URL, maxBody),
		Now:       clienttest.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func encode(t *testing.T, resp workshop.GetServiceHistoryResponse, charset string) reply {
	t.Helper()
	b, err := workshop.EncodeResponse(resp, charset)
	if err != nil {
		t.Fatal(err)
	}
	return reply{200, workshop.ContentType(charset), b}
}

func soapFault(t *testing.T, code, detail string) reply {
	t.Helper()
	b, err := workshop.EncodeFault(code, "Fahrzeug "+string(vin)+" unbekannt", detail, workshop.CharsetISO88591)
	if err != nil {
		t.Fatal(err)
	}
	return reply{200, workshop.ContentType(workshop.CharsetISO88591), b}
}

func TestFetchServiceDecodesEveryCharset(t *testing.T) {
	for _, cs := range []string{workshop.CharsetUTF8, workshop.CharsetISO88591, workshop.CharsetWindows1252} {
		t.Run(cs, func(t *testing.T) {
			var req http.Request
			var reqBody []byte
			c := newClient(t, encode(t, goodResponse(), cs), 0, &req, &reqBody)
			svc, readings, err := c.FetchService(context.Background(), vin)
			if err != nil {
				t.Fatal(err)
			}
			if req.Method != http.MethodPost || req.URL.Path != workshop.Path || req.Header.Get("SOAPAction") != workshop.SOAPAction ||
				!strings.HasPrefix(req.Header.Get("Content-Type"), "text/xml") {
				t.Errorf("request = %s %s SOAPAction %q Content-Type %q", req.Method, req.URL.Path, req.Header.Get("SOAPAction"), req.Header.Get("Content-Type"))
			}
			var env workshop.Envelope
			if err := xml.Unmarshal(reqBody, &env); err != nil || env.Body.Request == nil || env.Body.Request.VIN != string(vin) {
				t.Errorf("request envelope = %s (%v)", reqBody, err)
			}
			if len(svc.Visits) != 3 {
				t.Fatalf("visits = %+v", svc.Visits)
			}
			first, second := svc.Visits[0], svc.Visits[1]
			if first.Date != "2019-03-01" || first.Month != "2019-03" || first.Kind != "inspection" || first.Workshop.City != "Köln" ||
				first.Workshop.Name != "Schäfer & Söhne" || first.OdometerKm != 30000 {
				t.Errorf("oldest visit = %+v %+v", first, first.Workshop)
			}
			if second.Items[0] != "Ölwechsel" || second.Workshop.Name != "Autohaus Müller" || second.Kind != "oil-service" {
				t.Errorf("second visit = %+v %+v", second, second.Workshop)
			}
			if svc.Visits[2].Items == nil {
				t.Error("items of a visit without items must be empty, not nil")
			}
			want := []report.OdometerReading{
				{Month: "2019-03", Date: "2019-03-01", Km: 30000, Source: vehicle.SourceWorkshop},
				{Month: "2020-06", Date: "2020-06-30", Km: 45000, Source: vehicle.SourceWorkshop},
				{Month: "2021-04", Date: "2021-04-12", Km: 61000, Source: vehicle.SourceWorkshop},
				{Month: "2022-05", Date: "2022-05-20", Km: 42000, Source: vehicle.SourceWorkshop},
			}
			if len(readings) != len(want) {
				t.Fatalf("readings = %+v", readings)
			}
			for i := range want {
				if readings[i] != want[i] {
					t.Errorf("reading %d = %+v, want %+v", i, readings[i], want[i])
				}
			}
		})
	}
}

// TestWindows1252IsNotLatin1 proves the decoder picks the right table: 0x80 is the euro sign in
// windows-1252 and a control character in ISO-8859-1.
func TestWindows1252IsNotLatin1(t *testing.T) {
	resp := goodResponse()
	resp.Visits[0].Items = []string{"Zubehör „Komfort“ 199 €"}
	c := newClient(t, encode(t, resp, workshop.CharsetWindows1252), 0, nil, nil)
	svc, _, err := c.FetchService(context.Background(), vin)
	if err != nil {
		t.Fatal(err)
	}
	if got := svc.Visits[1].Items[0]; got != "Zubehör „Komfort“ 199 €" {
		t.Errorf("item = %q", got)
	}
}

func TestFetchServiceErrors(t *testing.T) {
	good := encode(t, goodResponse(), workshop.CharsetISO88591)
	utf8Body := encode(t, goodResponse(), workshop.CharsetUTF8).body
	latin1Body := good.body
	mutate := func(f func(*workshop.GetServiceHistoryResponse)) reply {
		r := goodResponse()
		f(&r)
		return encode(t, r, workshop.CharsetUTF8)
	}
	cases := []struct {
		name    string
		reply   reply
		maxBody int64
		code    apperr.Code
		kind    error
	}{
		{"fault VIN unknown in a 200", soapFault(t, workshop.FaultCodeClient, workshop.FaultCodeVINUnknown), 0, apperr.NotFound, transport.ErrNotFound},
		{"client fault", soapFault(t, workshop.FaultCodeClient, workshop.FaultCodeInvalidRequest), 0, apperr.Invalid, transport.ErrBadRequest},
		{"dotted client subcode", soapFault(t, workshop.FaultCodeClient+".VIN", workshop.FaultCodeVINUnknown), 0, apperr.NotFound, transport.ErrNotFound},
		{"server fault", soapFault(t, workshop.FaultCodeServer, workshop.FaultCodeBackendDown), 0, apperr.Unavailable, transport.ErrUnavailable},
		{"server fault without detail", soapFault(t, workshop.FaultCodeServer, ""), 0, apperr.Unavailable, transport.ErrUnavailable},
		{"unknown faultcode", soapFault(t, "Gremlin", ""), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"fault in a 500", reply{500, workshop.ContentType(workshop.CharsetUTF8), soapFault(t, workshop.FaultCodeServer, "").body}, 0, apperr.Unavailable, transport.ErrUnavailable},
		{"404", reply{404, "text/html", []byte("<html>not here</html>")}, 0, apperr.NotFound, transport.ErrNotFound},
		{"UTF-8 body declared ISO-8859-1", reply{200, workshop.ContentType(workshop.CharsetISO88591), bytes.Replace(utf8Body, []byte(`encoding="UTF-8"`), []byte(`encoding="ISO-8859-1"`), 1)}, 0, apperr.Unavailable, transport.ErrBadPayload},
		{"Latin-1 body declared UTF-8", reply{200, workshop.ContentType(workshop.CharsetUTF8), bytes.Replace(latin1Body, []byte(`encoding="ISO-8859-1"`), []byte(`encoding="UTF-8"`), 1)}, 0, apperr.Unavailable, transport.ErrBadPayload},
		{"header and declaration disagree", reply{200, workshop.ContentType(workshop.CharsetWindows1252), latin1Body}, 0, apperr.Unavailable, transport.ErrBadPayload},
		{"unsupported charset", reply{200, "text/xml; charset=EBCDIC-DE", latin1Body}, 0, apperr.Unavailable, transport.ErrBadPayload},
		{"byte undefined in windows-1252", reply{200, workshop.ContentType(workshop.CharsetWindows1252), bytes.Replace(
			bytes.Replace(latin1Body, []byte(`encoding="ISO-8859-1"`), []byte(`encoding="windows-1252"`), 1), []byte("Luftfilter"), []byte("Luft\x81filter"), 1)}, 0, apperr.Unavailable, transport.ErrBadPayload},
		{"HTML instead of XML", reply{200, "text/html; charset=UTF-8", []byte("<html><body>Gateway</body></html>")}, 0, apperr.Unavailable, transport.ErrBadPayload},
		{"malformed XML", reply{200, good.contentType, bytes.Replace(latin1Body, []byte("</Visits>"), []byte("</Visitz>"), 1)}, 0, apperr.Unavailable, transport.ErrBadPayload},
		{"truncated body", reply{200, good.contentType, latin1Body[:len(latin1Body)-40]}, 0, apperr.Unavailable, transport.ErrBadPayload},
		{"oversized body", good, 256, apperr.Unavailable, transport.ErrBadPayload},
		{"not a SOAP envelope", reply{200, good.contentType, []byte(`<?xml version="1.0"?><Other/>`)}, 0, apperr.Unavailable, transport.ErrBadPayload},
		{"empty SOAP body", reply{200, good.contentType, []byte(`<soap:Envelope xmlns:soap="` + workshop.NamespaceSOAP + `"><soap:Body/></soap:Envelope>`)}, 0, apperr.Unavailable, transport.ErrBadPayload},
		{"VIN mismatch", mutate(func(r *workshop.GetServiceHistoryResponse) { r.VIN = "WVWZZZCD3MW100001" }), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"negative odometer", mutate(func(r *workshop.GetServiceHistoryResponse) { r.Visits[0].OdometerKm = -1 }), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"negative extra reading", mutate(func(r *workshop.GetServiceHistoryResponse) { r.OdometerReadings[0].Km = -5 }), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"visit in the future", mutate(func(r *workshop.GetServiceHistoryResponse) { r.Visits[0].Date = "2030-01-01" }), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"impossible date", mutate(func(r *workshop.GetServiceHistoryResponse) { r.Visits[0].Date = "2021-13-01" }), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"unknown kind", mutate(func(r *workshop.GetServiceHistoryResponse) { r.Visits[0].Kind = "WASH" }), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"workshop without name", mutate(func(r *workshop.GetServiceHistoryResponse) { r.Visits[1].Workshop.Name = "" }), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"odometer not a number", reply{200, good.contentType, bytes.Replace(latin1Body, []byte("<OdometerKm>61000<"), []byte("<OdometerKm>61.000<"), 1)}, 0, apperr.Unavailable, transport.ErrBadPayload},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, tc.reply, tc.maxBody, nil, nil)
			svc, readings, err := c.FetchService(context.Background(), vin)
			if svc != nil || readings != nil {
				t.Errorf("got data with the error: %+v %+v", svc, readings)
			}
			clienttest.CheckErr(t, err, tc.code, tc.kind, string(vin), "WVWZZZCD3MW100001", "Müller")
		})
	}
}

func TestInvalidVINNeverReachesTheSystem(t *testing.T) {
	var req http.Request
	var body []byte
	c := newClient(t, reply{status: 200}, 0, &req, &body)
	_, _, err := c.FetchService(context.Background(), vehicle.VIN("<VIN>x</VIN>&amp;"))
	clienttest.CheckErr(t, err, apperr.Invalid, transport.ErrBadRequest)
	if req.Method != "" {
		t.Error("a request reached the system")
	}
}

func TestEncodeRequestEscapesTheVIN(t *testing.T) {
	b, err := workshop.EncodeRequest("A<B>&C")
	if err != nil {
		t.Fatal(err)
	}
	var env workshop.Envelope
	if err := xml.Unmarshal(b, &env); err != nil || env.Body.Request.VIN != "A<B>&C" {
		t.Errorf("round trip = %+v, %v (%s)", env.Body.Request, err, b)
	}
}

func TestEncodeRejectsUnrepresentableCharacters(t *testing.T) {
	r := goodResponse()
	r.Visits[0].Workshop.Name = "Łódź Serwis"
	if _, err := workshop.EncodeResponse(r, workshop.CharsetISO88591); err == nil {
		t.Error("a Polish name encoded to ISO-8859-1 without error")
	}
}

// TestReadOverPOSTIsRetried: the SOAP read travels as a POST, and is still marked idempotent so
// the transport retries a 503.
func TestReadOverPOSTIsRetried(t *testing.T) {
	good := encode(t, goodResponse(), workshop.CharsetISO88591)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if body, _ := io.ReadAll(r.Body); !bytes.Contains(body, []byte(string(vin))) {
			w.WriteHeader(http.StatusTeapot) // a retry must resend the whole envelope
			return
		}
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", good.contentType)
		_, _ = w.Write(good.body)
	}))
	t.Cleanup(srv.Close)
	c, err := workshop.New(workshop.Config{Transport: clienttest.Transport(t, workshop.System, srv.URL, 0), Now: clienttest.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.FetchService(context.Background(), vin); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Errorf("calls = %d, want 2", calls.Load())
	}
}

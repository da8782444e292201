package registry_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/internal/clienttest"
	"github.com/acme-oem/vehicle-data/legacyclients/registry"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

const vin = vehicle.VIN("WP0ZZZBR2CS500005")

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// goodRecords: three keepers, the last current, two inspections (the second lower: a rollback
// the client must pass on), a document code, umlauts in the keeper's name and city.
func goodRecords() []registry.Record {
	return []registry.Record{
		registry.Header{VIN: string(vin), RunAt: time.Date(2026, 6, 14, 8, 30, 5, 0, time.UTC)},
		registry.Registration{Seq: 1, Country: "DE", Plate: "S-PO 911", From: day("2012-05-02"), To: day("2016-07-31"), KeeperKind: registry.KeeperCompany},
		registry.Registration{Seq: 2, Country: "DE", Plate: "M-XY 42", From: day("2016-08-01"), To: day("2020-02-14"), KeeperKind: registry.KeeperDealer},
		registry.Registration{Seq: 3, Country: "AT", Plate: "W-12345A", From: day("2020-03-01"), KeeperKind: registry.KeeperPrivate},
		registry.Keeper{Name: "Jürgen Weiß", PostalCode: "1010", City: "Wien Innere Stadt", Since: day("2020-03-01")},
		registry.Odometer{Date: day("2022-03-10"), Km: 98000},
		registry.Odometer{Date: day("2018-04-20"), Km: 60500},
		registry.Odometer{Date: day("2024-03-11"), Km: 91000},
		registry.DocumentCode{Code: "ZB1X9K2M4Q7A", IssuedOn: day("2020-03-01")},
		registry.Trailer{Count: 8},
	}
}

func encode(t *testing.T, recs ...registry.Record) []byte {
	t.Helper()
	b, err := registry.Encode(recs...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newClient(t *testing.T, status int, body []byte, gotPath *string) *registry.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if gotPath != nil {
			*gotPath = r.URL.EscapedPath()
		}
		w.Header().Set("Content-Type", registry.ContentType)
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c, err := registry.New(registry.Config{Transport: clienttest.Transport(t, registry.System, srv.URL, 0), Now: clienttest.Now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFetchRegistrationMapsTheRecords(t *testing.T) {
	body := encode(t, goodRecords()...)
	if !bytes.Contains(body, []byte("J\xfcrgen Wei\xdf")) {
		t.Fatalf("body is not ISO-8859-1: %q", body)
	}
	var path string
	c := newClient(t, 200, body, &path)
	in, err := c.Inquire(context.Background(), vin)
	if err != nil {
		t.Fatal(err)
	}
	if path != "/mf/regq/"+string(vin) {
		t.Errorf("path = %s", path)
	}
	reg := in.Registration
	if reg.OwnerCount != 3 || len(reg.Registrations) != 3 {
		t.Fatalf("registration = %+v", reg)
	}
	want0 := report.Registration{Country: "DE", FromMonth: "2012-05", ToMonth: "2016-07", KeeperKind: "company", Plate: "S-PO 911", From: "2012-05-02", To: "2016-07-31"}
	want2 := report.Registration{Country: "AT", FromMonth: "2020-03", KeeperKind: "private", Plate: "W-12345A", From: "2020-03-01"}
	if reg.Registrations[0] != want0 || reg.Registrations[2] != want2 || reg.Registrations[1].KeeperKind != "dealer" {
		t.Errorf("registrations = %+v", reg.Registrations)
	}
	if *in.Owner != (report.OwnerData{Name: "Jürgen Weiß", PostalCode: "1010", City: "Wien Innere Stadt", Since: "2020-03-01"}) {
		t.Errorf("owner = %+v", in.Owner)
	}
	want := []report.OdometerReading{
		{Month: "2018-04", Date: "2018-04-20", Km: 60500, Source: vehicle.SourceRegistry},
		{Month: "2022-03", Date: "2022-03-10", Km: 98000, Source: vehicle.SourceRegistry},
		{Month: "2024-03", Date: "2024-03-11", Km: 91000, Source: vehicle.SourceRegistry},
	}
	for i := range want {
		if i >= len(in.Odometer) || in.Odometer[i] != want[i] {
			t.Fatalf("odometer = %+v, want %+v", in.Odometer, want)
		}
	}
	if in.DocumentCode != "ZB1X9K2M4Q7A" {
		t.Errorf("document code = %q", in.DocumentCode)
	}
	r, o, odo, err := c.FetchRegistration(context.Background(), vin)
	if err != nil || r.OwnerCount != 3 || o.Name != "Jürgen Weiß" || len(odo) != 3 {
		t.Errorf("FetchRegistration = %+v %+v %+v %v", r, o, odo, err)
	}
}

// lines splits a body into records (without CRLF) so tests can corrupt single rows.
func lines(b []byte) []string { return strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") }
func join(ls []string) []byte { return []byte(strings.Join(ls, "\r\n") + "\r\n") }

func TestBadRowsAreCountedAndRejectTheResponse(t *testing.T) {
	ls := lines(encode(t, goodRecords()...))
	ls[5] = ls[5][:10] + "98O00" + ls[5][15:] // OD km with a letter O
	ls[4] = ls[4][:99]                        // KP one character short
	ls[6] = "XX" + ls[6][2:]                  // unknown record type
	c := newClient(t, 200, join(ls), nil)
	_, err := c.Inquire(context.Background(), vin)
	clienttest.CheckErr(t, err, apperr.Unavailable, transport.ErrBadPayload, string(vin), "Jürgen")
	var br *registry.BadRowsError
	if !errors.As(err, &br) {
		t.Fatalf("err = %v, want a *BadRowsError in the chain", err)
	}
	if br.BadRows != 3 || br.Rows != 10 || len(br.Problems) != 3 {
		t.Errorf("bad rows = %+v", br)
	}
	if !strings.Contains(br.Problems[0], "line 5") || !strings.Contains(br.Problems[1], "OD.km") {
		t.Errorf("problems = %q", br.Problems)
	}
	if m := c.Metrics(); m.BadRows != 3 || m.RejectedResponses != 1 {
		t.Errorf("metrics = %+v", m)
	}
}

func TestInquiryErrors(t *testing.T) {
	good := encode(t, goodRecords()...)
	with := func(f func([]registry.Record) []registry.Record) []byte { return encode(t, f(goodRecords())...) }
	errorSet := func(code string) []byte {
		return encode(t, registry.Header{VIN: string(vin), RunAt: day("2026-06-14")}, registry.ErrorRecord{Code: code, Message: "FAHRZEUG NICHT GEFUNDEN"}, registry.Trailer{Count: 1})
	}
	ls := lines(good)
	cases := []struct {
		name   string
		status int
		body   []byte
		code   apperr.Code
		kind   error
	}{
		{"ER not found", 200, errorSet(registry.ErrorNotFound), apperr.NotFound, transport.ErrNotFound},
		{"ER invalid request", 200, errorSet(registry.ErrorInvalidRequest), apperr.Invalid, transport.ErrBadRequest},
		{"ER system error", 200, errorSet(registry.ErrorSystem), apperr.Unavailable, transport.ErrUnavailable},
		{"ER unknown code", 200, errorSet("ABND"), apperr.Unavailable, transport.ErrUnavailable},
		{"ER system error without the VIN", 200, encode(t, registry.Header{VIN: "SYSTEM", RunAt: day("2026-06-14")}, registry.ErrorRecord{Code: registry.ErrorSystem}, registry.Trailer{Count: 1}), apperr.Unavailable, transport.ErrUnavailable},
		{"ER not found for another VIN", 200, encode(t, registry.Header{VIN: "WVWZZZCD3MW100001", RunAt: day("2026-06-14")}, registry.ErrorRecord{Code: registry.ErrorNotFound}, registry.Trailer{Count: 1}), apperr.Unavailable, transport.ErrBadPayload},
		{"HTTP 404", 404, nil, apperr.NotFound, transport.ErrNotFound},
		{"HTTP 400", 400, nil, apperr.Invalid, transport.ErrBadRequest},
		{"HTTP 503 after retries", 503, nil, apperr.Unavailable, transport.ErrUnavailable},
		{"trailer count too high", 200, with(func(r []registry.Record) []registry.Record { r[len(r)-1] = registry.Trailer{Count: 9}; return r }), apperr.Unavailable, transport.ErrBadPayload},
		{"record dropped", 200, join(append(append([]string{}, ls[:3]...), ls[4:]...)), apperr.Unavailable, transport.ErrBadPayload},
		{"missing trailer", 200, join(ls[:len(ls)-1]), apperr.Unavailable, transport.ErrBadPayload},
		{"missing header", 200, join(ls[1:]), apperr.Unavailable, transport.ErrBadPayload},
		{"truncated mid-record", 200, good[:len(good)-50], apperr.Unavailable, transport.ErrBadPayload},
		{"LF line ends", 200, bytes.ReplaceAll(good, []byte("\r\n"), []byte("\n")), apperr.Unavailable, transport.ErrBadPayload},
		{"empty body", 200, nil, apperr.Unavailable, transport.ErrBadPayload},
		{"header VIN mismatch", 200, with(func(r []registry.Record) []registry.Record {
			r[0] = registry.Header{VIN: "WVWZZZCD3MW100001", RunAt: day("2026-06-14")}
			return r
		}), apperr.Unavailable, transport.ErrBadPayload},
		{"unsupported layout version", 200, join(append([]string{strings.Replace(ls[0], registry.LayoutVersion, "R002", 1)}, ls[1:]...)), apperr.Unavailable, transport.ErrBadPayload},
		{"impossible date", 200, join(append(append([]string{}, ls[:5]...), append([]string{strings.Replace(ls[5], "20220310", "20220231", 1)}, ls[6:]...)...)), apperr.Unavailable, transport.ErrBadPayload},
		{"negative km", 200, join(append(append([]string{}, ls[:5]...), append([]string{ls[5][:10] + "-098000" + ls[5][17:]}, ls[6:]...)...)), apperr.Unavailable, transport.ErrBadPayload},
		{"non-blank filler", 200, join(append(append([]string{}, ls[:5]...), append([]string{ls[5][:99] + "X"}, ls[6:]...)...)), apperr.Unavailable, transport.ErrBadPayload},
		{"date in the future", 200, with(func(r []registry.Record) []registry.Record {
			r[5] = registry.Odometer{Date: day("2027-01-01"), Km: 1}
			return r
		}), apperr.Unavailable, transport.ErrBadPayload},
		{"sequence gap", 200, with(func(r []registry.Record) []registry.Record {
			g := r[3].(registry.Registration)
			g.Seq = 4
			r[3] = g
			return r
		}), apperr.Unavailable, transport.ErrBadPayload},
		{"two open registrations", 200, with(func(r []registry.Record) []registry.Record {
			g := r[2].(registry.Registration)
			g.To = time.Time{}
			r[2] = g
			return r
		}), apperr.Unavailable, transport.ErrBadPayload},
		{"registration ends before it starts", 200, with(func(r []registry.Record) []registry.Record {
			g := r[1].(registry.Registration)
			g.To = day("2011-01-01")
			r[1] = g
			return r
		}), apperr.Unavailable, transport.ErrBadPayload},
		{"current registration without keeper", 200, with(func(r []registry.Record) []registry.Record {
			r = append(r[:4], r[5:]...)
			r[len(r)-1] = registry.Trailer{Count: 7}
			return r
		}), apperr.Unavailable, transport.ErrBadPayload},
		{"unknown keeper kind", 200, with(func(r []registry.Record) []registry.Record {
			g := r[1].(registry.Registration)
			g.KeeperKind = "X"
			r[1] = g
			return r
		}), apperr.Unavailable, transport.ErrBadPayload},
		{"error record among data", 200, with(func(r []registry.Record) []registry.Record {
			r = append(r[:len(r)-1], registry.ErrorRecord{Code: registry.ErrorSystem}, registry.Trailer{Count: 9})
			return r
		}), apperr.Unavailable, transport.ErrBadPayload},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, tc.status, tc.body, nil)
			in, err := c.Inquire(context.Background(), vin)
			if in != nil {
				t.Errorf("got data with the error: %+v", in)
			}
			clienttest.CheckErr(t, err, tc.code, tc.kind, string(vin), "WVWZZZCD3MW100001", "Jürgen", "W-12345A", "ZB1X9K2M4Q7A")
		})
	}
}

func TestTrailerMismatchIsTyped(t *testing.T) {
	recs := goodRecords()
	recs[len(recs)-1] = registry.Trailer{Count: 7}
	c := newClient(t, 200, encode(t, recs...), nil)
	_, err := c.Inquire(context.Background(), vin)
	var tm *registry.TrailerMismatchError
	if !errors.As(err, &tm) || tm.Declared != 7 || tm.Actual != 8 {
		t.Errorf("err = %v, want trailer mismatch 7 vs 8", err)
	}
}

func TestInvalidVINNeverReachesTheSystem(t *testing.T) {
	path := ""
	c := newClient(t, 200, nil, &path)
	_, err := c.Inquire(context.Background(), vehicle.VIN("WP0ZZZBR2CS50000/"))
	clienttest.CheckErr(t, err, apperr.Invalid, transport.ErrBadRequest)
	if path != "" {
		t.Error("a request reached the system")
	}
}

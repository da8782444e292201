package sim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/dealerstock"
	"github.com/acme-oem/vehicle-data/legacyclients/offers"
	"github.com/acme-oem/vehicle-data/legacyclients/recalls"
	"github.com/acme-oem/vehicle-data/legacyclients/registry"
	"github.com/acme-oem/vehicle-data/legacyclients/sim"
	"github.com/acme-oem/vehicle-data/legacyclients/sim/world"
	"github.com/acme-oem/vehicle-data/legacyclients/vehiclemaster"
	"github.com/acme-oem/vehicle-data/legacyclients/workshop"
)

// badCheckDigit is DemoClean with a wrong check digit: syntactically a VIN, rejected by the rule.
const badCheckDigit = "WVWZZZCD1MW100001"

// httpClient is a plain client whose idle connections are closed at cleanup, so that goleak sees
// no transport goroutines.
func httpClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, hc *http.Client, req *http.Request) answer {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

func get(t *testing.T, hc *http.Client, u string) answer {
	t.Helper()
	return do(t, hc, newRequest(t, http.MethodGet, u, nil))
}

func newRequest(t *testing.T, method, u string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func soapRequest(t *testing.T, base, action, body string) *http.Request {
	t.Helper()
	req := newRequest(t, http.MethodPost, base+workshop.Path, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	if action != "" {
		req.Header.Set("SOAPAction", action)
	}
	return req
}

func soapEnvelope(t *testing.T, vin string) string {
	t.Helper()
	b, err := workshop.EncodeRequest(vin)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// decodeStrict decodes JSON and rejects fields the wire type does not declare.
func decodeStrict(t *testing.T, b []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %T: %v", v, err)
	}
}

func TestVehicleMaster(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)
	base := c.URL(vehicle.SourceVehicleMaster)

	a := get(t, hc, base+vehiclemaster.BuildPath(string(world.DemoClean)))
	if a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, content type %q", a.status, a.header.Get("Content-Type"))
	}
	var b vehiclemaster.BuildResponse
	decodeStrict(t, a.body, &b)
	if b.VIN != string(world.DemoClean) || b.Make != "Volkswagen" || b.Model != "Golf" || b.ModelYear != 2021 || len(b.Equipment) == 0 {
		t.Fatalf("build %+v", b)
	}

	for _, tc := range []struct {
		name, path, method string
		status             int
		code               string
	}{
		{"check digit", vehiclemaster.BuildPath(badCheckDigit), http.MethodGet, 400, vehiclemaster.ErrCodeBadRequest},
		{"too short", vehiclemaster.BuildPath("WVWZZZ"), http.MethodGet, 400, vehiclemaster.ErrCodeBadRequest},
		{"unknown VIN", vehiclemaster.BuildPath(string(world.DemoUnknown)), http.MethodGet, 404, vehiclemaster.ErrCodeNotFound},
		{"other make", vehiclemaster.BuildPath("1M8GDM9AXKP042788"), http.MethodGet, 404, vehiclemaster.ErrCodeNotFound},
		{"method", vehiclemaster.BuildPath(string(world.DemoClean)), http.MethodDelete, 405, vehiclemaster.ErrCodeBadRequest},
	} {
		a := do(t, hc, newRequest(t, tc.method, base+tc.path, nil))
		var e vehiclemaster.ErrorResponse
		decodeStrict(t, a.body, &e)
		if a.status != tc.status || e.Error.Code != tc.code {
			t.Errorf("%s: %d %q, want %d %q", tc.name, a.status, e.Error.Code, tc.status, tc.code)
		}
		if strings.Contains(string(a.body), "WVWZZZ") {
			t.Errorf("%s: the error echoes the VIN", tc.name)
		}
	}
}

func TestWorkshopSOAP(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)
	base := c.URL(vehicle.SourceWorkshop)

	a := do(t, hc, soapRequest(t, base, workshop.SOAPAction, soapEnvelope(t, string(world.DemoRollback))))
	ct := a.header.Get("Content-Type")
	if a.status != 200 || ct != workshop.ContentType(workshop.CharsetISO88591) {
		t.Fatalf("status %d content type %q", a.status, ct)
	}
	// The workshop "Autohaus Krüger GmbH" serves this car: the ü must be the Latin-1 byte.
	if !bytes.Contains(a.body, []byte("Kr\xfcger")) {
		t.Fatalf("no Latin-1 umlaut in %q", a.body[:200])
	}
	env, err := workshop.DecodeEnvelope(a.body, ct)
	if err != nil || env.Body.Response == nil || env.Body.Response.VIN != string(world.DemoRollback) || len(env.Body.Response.Visits) == 0 {
		t.Fatalf("decode: %v %+v", err, env)
	}

	faultOf := func(a answer) (string, string) {
		t.Helper()
		env, err := workshop.DecodeEnvelope(a.body, a.header.Get("Content-Type"))
		if err != nil || env.Body.Fault == nil || env.Body.Fault.Detail == nil || env.Body.Fault.Detail.WorkshopFault == nil {
			t.Fatalf("not a fault with detail: %v %q", err, a.body)
		}
		return env.Body.Fault.Code, env.Body.Fault.Detail.WorkshopFault.Code
	}
	for _, tc := range []struct {
		name        string
		req         *http.Request
		code, dcode string
	}{
		{"unknown VIN", soapRequest(t, base, workshop.SOAPAction, soapEnvelope(t, string(world.DemoUnknown))), "soap:Client", workshop.FaultCodeVINUnknown},
		{"bad VIN", soapRequest(t, base, workshop.SOAPAction, soapEnvelope(t, badCheckDigit)), "soap:Client", workshop.FaultCodeInvalidRequest},
		{"no SOAPAction", soapRequest(t, base, "", soapEnvelope(t, string(world.DemoClean))), "soap:Client", workshop.FaultCodeInvalidRequest},
		{"broken XML", soapRequest(t, base, workshop.SOAPAction, "<soap:Envelope"), "soap:Client", workshop.FaultCodeInvalidRequest},
		{"wrong operation", soapRequest(t, base, workshop.SOAPAction, `<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><Other/></Body></Envelope>`), "soap:Client", workshop.FaultCodeInvalidRequest},
	} {
		a := do(t, hc, tc.req)
		code, dcode := faultOf(a)
		if a.status != 200 || code != tc.code || dcode != tc.dcode {
			t.Errorf("%s: %d %s/%s, want 200 %s/%s", tc.name, a.status, code, dcode, tc.code, tc.dcode)
		}
	}
	if a := get(t, hc, base+workshop.Path); a.status != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", a.status)
	}
}

func TestRegistryRecords(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)
	base := c.URL(vehicle.SourceRegistry)

	a := get(t, hc, base+registry.InquiryPath(string(world.DemoOwners)))
	if a.status != 200 || a.header.Get("Content-Type") != registry.ContentType {
		t.Fatalf("status %d content type %q", a.status, a.header.Get("Content-Type"))
	}
	lines := strings.SplitAfter(string(a.body), "\r\n")
	for i, l := range lines[:len(lines)-1] {
		if len(l) != registry.RecordLength+2 || !strings.HasSuffix(l, "\r\n") {
			t.Fatalf("line %d: %d bytes", i+1, len(l))
		}
	}
	rs, err := registry.Parse(a.body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if len(rs.Registrations) != 3 || rs.Keeper == nil || rs.DocumentCode == nil || rs.Error != nil {
		t.Fatalf("record set %+v", rs)
	}

	for _, tc := range []struct{ name, vin, code string }{
		{"unknown", string(world.DemoUnknown), registry.ErrorNotFound},
		{"bad check digit", badCheckDigit, registry.ErrorInvalidRequest},
		{"garbage", "12%20AB", registry.ErrorInvalidRequest},
	} {
		a := get(t, hc, base+registry.PathPrefix+tc.vin)
		rs, err := registry.Parse(a.body)
		if err != nil || a.status != 200 || rs.Error == nil || rs.Error.Code != tc.code {
			t.Errorf("%s: %d %v %+v, want an ER %s record", tc.name, a.status, err, rs, tc.code)
		}
	}
}

func TestRecallsPagination(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)
	base := c.URL(vehicle.SourceRecalls) + recalls.CampaignsPath(string(world.DemoRecall))

	var items []recalls.Campaign
	cursor := ""
	for page := 0; ; page++ {
		if page > 5 {
			t.Fatal("pagination does not end")
		}
		a := get(t, hc, base+"?"+recalls.PageQuery(cursor, 1).Encode())
		var p recalls.Page
		decodeStrict(t, a.body, &p)
		if a.status != 200 || p.VIN != string(world.DemoRecall) || len(p.Items) > 1 {
			t.Fatalf("page %d: %d %+v", page, a.status, p)
		}
		items = append(items, p.Items...)
		if cursor = p.NextCursor; cursor == "" {
			break
		}
		if strings.Contains(cursor, string(world.DemoRecall)) {
			t.Fatal("the cursor carries the VIN")
		}
	}
	open := 0
	for _, it := range items {
		if it.Status == recalls.StatusOpen {
			open++
		}
	}
	if len(items) != 2 || open != 1 {
		t.Fatalf("campaigns %+v, want 2 with 1 open", items)
	}

	for name, tc := range map[string]struct {
		u      string
		status int
	}{
		"page size zero":  {base + "?pageSize=0", 400},
		"page size large": {base + "?pageSize=101", 400},
		"page size text":  {base + "?pageSize=ten", 400},
		"forged cursor":   {base + "?cursor=bm9wZQ", 400},
		"unknown VIN":     {c.URL(vehicle.SourceRecalls) + recalls.CampaignsPath(string(world.DemoUnknown)), 404},
		"bad VIN":         {c.URL(vehicle.SourceRecalls) + recalls.CampaignsPath(badCheckDigit), 400},
	} {
		if a := get(t, hc, tc.u); a.status != tc.status {
			t.Errorf("%s: %d, want %d", name, a.status, tc.status)
		}
	}
	// A cursor of one VIN is no good for another.
	a := get(t, hc, base+"?pageSize=1")
	var p recalls.Page
	decodeStrict(t, a.body, &p)
	other := c.URL(vehicle.SourceRecalls) + recalls.CampaignsPath(string(world.DemoRollback)) + "?" + recalls.PageQuery(p.NextCursor, 1).Encode()
	if a := get(t, hc, other); a.status != 400 {
		t.Errorf("foreign cursor: %d", a.status)
	}
}

func TestDealerStockSearch(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)
	base := c.URL(vehicle.SourceDealerStock) + dealerstock.Path

	q := dealerstock.SearchParams{Make: "Volkswagen", Model: "Golf", YearFrom: 2020, YearTo: 2024, PriceMaxEur: 40000, Limit: 5}
	a := get(t, hc, base+"?"+q.Values().Encode())
	var r dealerstock.SearchResponse
	decodeStrict(t, a.body, &r)
	if a.status != 200 || len(r.Results) != 5 || r.Total < 5 {
		t.Fatalf("%d: %d results of %d", a.status, len(r.Results), r.Total)
	}
	for i, l := range r.Results {
		if l.Make != q.Make || l.Model != q.Model || l.ModelYear < q.YearFrom || l.ModelYear > q.YearTo || l.PriceEur > q.PriceMaxEur {
			t.Fatalf("listing %+v does not match", l)
		}
		if i > 0 && r.Results[i-1].PriceEur > l.PriceEur {
			t.Fatal("not ordered by price")
		}
	}
	all := get(t, hc, base+"?"+url.Values{"make": {"Volkswagen"}, "model": {"Golf"}, "yearFrom": {"2021"}, "yearTo": {"2023"}, "limit": {"100"}}.Encode())
	if !bytes.Contains(all.body, []byte(world.DemoDealer)) {
		t.Error("the dealer demo car is not in stock")
	}

	for name, tc := range map[string]struct{ query, param string }{
		"no make":       {"model=Golf", "make"},
		"limit":         {"make=Volkswagen&limit=1000", "limit"},
		"negative year": {"make=Volkswagen&yearFrom=-1", "yearFrom"},
		"year order":    {"make=Volkswagen&yearFrom=2024&yearTo=2020", "yearFrom"},
	} {
		a := get(t, hc, base+"?"+tc.query)
		var e dealerstock.ErrorResponse
		decodeStrict(t, a.body, &e)
		if a.status != 400 || e.Error.Parameter != tc.param {
			t.Errorf("%s: %d parameter %q, want 400 %q", name, a.status, e.Error.Parameter, tc.param)
		}
	}
}

func TestOffers(t *testing.T) {
	c := startCluster(t, sim.Options{})
	hc := httpClient(t)
	base := c.URL(vehicle.SourceOffers)

	a := get(t, hc, base+offers.OffersPath(string(world.DemoDealer)))
	var r offers.OffersResponse
	decodeStrict(t, a.body, &r)
	if a.status != 200 || r.VIN != string(world.DemoDealer) || len(r.Offers) == 0 {
		t.Fatalf("%d %+v", a.status, r)
	}
	financing := false
	for _, o := range r.Offers {
		financing = financing || (o.Type == offers.TypeFinancing && o.Financing != nil)
		if o.Currency != offers.CurrencyEUR {
			t.Fatalf("currency %q", o.Currency)
		}
	}
	if !financing {
		t.Error("a car in stock gets a financing offer")
	}
	if a := get(t, hc, base+offers.OffersPath(string(world.DemoUnknown))); a.status != 404 {
		t.Errorf("unknown: %d", a.status)
	}
	if a := get(t, hc, base+offers.OffersPath(badCheckDigit)); a.status != 400 {
		t.Errorf("bad VIN: %d", a.status)
	}
}

package vehiclemaster_test

import (
	"context"
	"encoding/json"
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
	"github.com/acme-oem/vehicle-data/legacyclients/vehiclemaster"
)

const vin = vehicle.VIN("WVWZZZCD3MW100001")

func goodBuild() vehiclemaster.BuildResponse {
	return vehiclemaster.BuildResponse{
		VIN: string(vin), Make: "Volkswagen", Model: "Golf", ModelYear: 2021, BodyType: "hatchback",
		Engine:       vehiclemaster.Engine{Code: "DFGA", Fuel: "diesel", PowerKW: 85},
		Transmission: "dsg", Drive: "fwd",
		ExteriorColor:  vehiclemaster.Color{Code: "LC9X", Name: "Deep Black Pearl"},
		Plant:          vehiclemaster.Plant{Code: "WOB", Name: "Wolfsburg"},
		ProductionDate: "2020-11-03",
		Equipment: []vehiclemaster.EquipmentItem{
			{Code: "8T6", Description: "Adaptive cruise control", Category: "assistance"},
			{Code: "9S8", Description: "Digital cockpit", Category: "infotainment"},
		},
	}
}

// newClient serves handler on loopback and returns a client for it.
func newClient(t *testing.T, handler http.HandlerFunc, maxBody int64) *vehiclemaster.Client {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	c, err := vehiclemaster.New(vehiclemaster.Config{
		Transport: clienttest.Transport(t, vehiclemaster.System, srv.URL, maxBody),
		Now:       clienttest.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func jsonHandler(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFetchBuildMapsTheRecord(t *testing.T) {
	var gotPath, gotMethod, gotAccept string
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotMethod, gotAccept = r.URL.EscapedPath(), r.Method, r.Header.Get("Accept")
		jsonHandler(200, marshal(t, goodBuild()))(w, r)
	}, 0)
	b, err := c.FetchBuild(context.Background(), vin)
	if err != nil {
		t.Fatal(err)
	}
	if gotPath != "/api/v1/vehicles/"+string(vin)+"/build" || gotMethod != http.MethodGet || gotAccept != "application/json" {
		t.Errorf("request = %s %s Accept %q", gotMethod, gotPath, gotAccept)
	}
	if b.Make != "Volkswagen" || b.Model != "Golf" || b.ModelYear != 2021 || b.EngineCode != "DFGA" || b.Fuel != "diesel" ||
		b.PowerKW != 85 || b.Transmission != "dsg" || b.Drive != "fwd" || b.ExteriorColor != "Deep Black Pearl" ||
		b.Plant != "Wolfsburg" || b.ProductionDate != "2020-11-03" || b.BodyType != "hatchback" {
		t.Errorf("mapped build = %+v", b)
	}
	if len(b.Equipment) != 2 || b.Equipment[1] != (report.Equipment{Code: "9S8", Description: "Digital cockpit", Category: "infotainment"}) {
		t.Errorf("equipment = %+v", b.Equipment)
	}
}

func TestFetchBuildErrors(t *testing.T) {
	mutate := func(f func(*vehiclemaster.BuildResponse)) string {
		b := goodBuild()
		f(&b)
		out, _ := json.Marshal(b)
		return string(out)
	}
	good := mutate(func(*vehiclemaster.BuildResponse) {})
	cases := []struct {
		name    string
		handler http.HandlerFunc
		maxBody int64
		code    apperr.Code
		kind    error
	}{
		{"404 unknown VIN", jsonHandler(404, `{"error":{"code":"VEHICLE_NOT_FOUND","message":"no such vehicle"}}`), 0, apperr.NotFound, transport.ErrNotFound},
		{"400 rejected", jsonHandler(400, `{"error":{"code":"BAD_REQUEST","message":"bad vin"}}`), 0, apperr.Invalid, transport.ErrBadRequest},
		{"500", jsonHandler(500, `oops`), 0, apperr.Unavailable, transport.ErrUnavailable},
		{"malformed JSON", jsonHandler(200, `{"vin": "`+string(vin)+`", make: }`), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"truncated JSON", jsonHandler(200, good[:len(good)/2]), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"trailing data", jsonHandler(200, good+`{}`), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"unknown field", jsonHandler(200, strings.Replace(good, `{"vin"`, `{"extra":1,"vin"`, 1)), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"wrong type", jsonHandler(200, strings.Replace(good, `"modelYear":2021`, `"modelYear":"2021"`, 1)), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"empty body", jsonHandler(200, ``), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"oversized body", jsonHandler(200, good), 64, apperr.Unavailable, transport.ErrBadPayload},
		{"VIN mismatch", jsonHandler(200, mutate(func(b *vehiclemaster.BuildResponse) { b.VIN = "WAUZZZFV8GA200002" })), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"missing make", jsonHandler(200, mutate(func(b *vehiclemaster.BuildResponse) { b.Make = " " })), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"production in the future", jsonHandler(200, mutate(func(b *vehiclemaster.BuildResponse) { b.ProductionDate = "2027-01-01" })), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"impossible date", jsonHandler(200, mutate(func(b *vehiclemaster.BuildResponse) { b.ProductionDate = "2020-02-30" })), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"production far from model year", jsonHandler(200, mutate(func(b *vehiclemaster.BuildResponse) { b.ProductionDate = "2012-05-01" })), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"negative power", jsonHandler(200, mutate(func(b *vehiclemaster.BuildResponse) { b.Engine.PowerKW = -85 })), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"unknown fuel", jsonHandler(200, mutate(func(b *vehiclemaster.BuildResponse) { b.Engine.Fuel = "coal" })), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"null equipment", jsonHandler(200, mutate(func(b *vehiclemaster.BuildResponse) { b.Equipment = nil })), 0, apperr.Unavailable, transport.ErrBadPayload},
		{"repeated equipment code", jsonHandler(200, mutate(func(b *vehiclemaster.BuildResponse) { b.Equipment[1].Code = b.Equipment[0].Code })), 0, apperr.Unavailable, transport.ErrBadPayload},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, tc.handler, tc.maxBody)
			b, err := c.FetchBuild(context.Background(), vin)
			if b != nil {
				t.Errorf("got a record with the error: %+v", b)
			}
			clienttest.CheckErr(t, err, tc.code, tc.kind, string(vin), "WAUZZZFV8GA200002")
		})
	}
}

func TestFetchBuildRetriesTransientFailures(t *testing.T) {
	var calls atomic.Int32
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		jsonHandler(200, marshal(t, goodBuild()))(w, r)
	}, 0)
	if _, err := c.FetchBuild(context.Background(), vin); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Errorf("calls = %d, want 2 (the read is idempotent, so a 503 is retried)", calls.Load())
	}
}

func TestInvalidVINNeverReachesTheSystem(t *testing.T) {
	var calls atomic.Int32
	c := newClient(t, func(http.ResponseWriter, *http.Request) { calls.Add(1) }, 0)
	for _, bad := range []vehicle.VIN{"", "../../admin?x=1", "WVWZZZCD3MW10000", "wvwzzzcd3mw100001", "WVWZZZCD4MW100001"} {
		_, err := c.FetchBuild(context.Background(), bad)
		clienttest.CheckErr(t, err, apperr.Invalid, transport.ErrBadRequest)
	}
	if calls.Load() != 0 {
		t.Errorf("%d requests reached the system", calls.Load())
	}
}

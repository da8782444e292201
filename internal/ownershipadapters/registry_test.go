package ownershipadapters_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/notify"
	"github.com/acme-oem/vehicle-data/internal/ownershipadapters"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
	"github.com/acme-oem/vehicle-data/legacyclients/registry"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

var regNow = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// registryAdapter runs the real registry client against a server answering status and records.
func registryAdapter(t *testing.T, status int, recs ...registry.Record) ownershipadapters.Registry {
	t.Helper()
	body, err := registry.Encode(recs...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", registry.ContentType)
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	tc, err := transport.New(transport.Config{
		System: registry.System, BaseURL: srv.URL, AttemptTimeout: 5 * time.Second,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond,
		Breaker: transport.BreakerConfig{ConsecutiveFailures: 1000},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	c, err := registry.New(registry.Config{Transport: tc, Now: func() time.Time { return regNow }})
	if err != nil {
		t.Fatal(err)
	}
	return ownershipadapters.NewRegistry(c)
}

func wrap(vin vehicle.VIN, body ...registry.Record) []registry.Record {
	recs := append([]registry.Record{registry.Header{VIN: string(vin), RunAt: regNow}}, body...)
	return append(recs, registry.Trailer{Count: len(body)})
}

func TestRegistryOwnerOnRecord(t *testing.T) {
	vin := newVIN(t)
	current := registry.Registration{Seq: 1, Country: "DE", Plate: "M-XY 42", From: day("2020-03-01"), KeeperKind: registry.KeeperPrivate}
	keeper := registry.Keeper{Name: "Erika Mustermann", PostalCode: "80331", City: "Muenchen", Since: day("2020-03-01")}
	ended := current
	ended.To = day("2024-01-31")
	cases := []struct {
		name     string
		status   int
		recs     []registry.Record
		owner    bool
		docCode  string
		wantCode apperr.Code // of the error; "" for none
	}{
		{"keeper and document code", 200, wrap(vin, current, keeper, registry.DocumentCode{Code: "ZB1X9K2M4Q7A", IssuedOn: day("2020-03-01")}), true, "ZB1X9K2M4Q7A", ""},
		{"keeper without document code", 200, wrap(vin, current, keeper), true, "", ""},
		{"no current registration", 200, wrap(vin, ended), false, "", ""},
		{"unknown VIN", 200, wrap(vin, registry.ErrorRecord{Code: registry.ErrorNotFound, Message: "VEHICLE NOT REGISTERED"}), false, "", ""},
		{"registry down", 503, wrap(vin, registry.ErrorRecord{Code: registry.ErrorSystem, Message: "RETRY LATER"}), false, "", apperr.Unavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			owner, doc, err := registryAdapter(t, c.status, c.recs...).OwnerOnRecord(context.Background(), vin)
			if c.wantCode != "" {
				if apperr.CodeOf(err) != c.wantCode {
					t.Fatalf("err = %v, want %s", err, c.wantCode)
				}
				return
			}
			if err != nil || owner != c.owner || doc != c.docCode {
				t.Fatalf("OwnerOnRecord = %v, %q, %v; want %v, %q", owner, doc, err, c.owner, c.docCode)
			}
		})
	}
}

func TestRegistryOwnerContact(t *testing.T) {
	vin := newVIN(t)
	current := registry.Registration{Seq: 1, Country: "DE", Plate: "M-XY 42", From: day("2020-03-01"), KeeperKind: registry.KeeperPrivate}
	keeper := registry.Keeper{Name: "Erika Mustermann", PostalCode: "80331", City: "Muenchen", Since: day("2020-03-01")}
	cases := []struct {
		name     string
		status   int
		recs     []registry.Record
		want     notify.Contact
		ok       bool
		wantCode apperr.Code
	}{
		{"phone", 200, wrap(vin, current, keeper, registry.Contact{Channel: registry.ContactSMS, Address: "+4915550123456"}),
			notify.Contact{Channel: notify.SMS, Address: "+4915550123456"}, true, ""},
		{"e-mail", 200, wrap(vin, current, keeper, registry.Contact{Channel: registry.ContactEmail, Address: "erika@example.com"}),
			notify.Contact{Channel: notify.Email, Address: "erika@example.com"}, true, ""},
		{"keeper without contact", 200, wrap(vin, current, keeper), notify.Contact{}, false, ""},
		{"unknown VIN", 200, wrap(vin, registry.ErrorRecord{Code: registry.ErrorNotFound, Message: "VEHICLE NOT REGISTERED"}), notify.Contact{}, false, ""},
		{"registry down", 503, wrap(vin, registry.ErrorRecord{Code: registry.ErrorSystem, Message: "RETRY LATER"}), notify.Contact{}, false, apperr.Unavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok, err := registryAdapter(t, c.status, c.recs...).OwnerContact(context.Background(), vin)
			if c.wantCode != "" {
				if apperr.CodeOf(err) != c.wantCode {
					t.Fatalf("err = %v, want %s", err, c.wantCode)
				}
				return
			}
			if err != nil || ok != c.ok || got != c.want {
				t.Fatalf("OwnerContact = %+v, %v, %v; want %+v, %v", got, ok, err, c.want, c.ok)
			}
		})
	}
}

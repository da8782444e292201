package fetchsource_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/functions/fetchsource"
	"github.com/acme-oem/vehicle-data/internal/apperr"
	"github.com/acme-oem/vehicle-data/internal/dynamo"
	"github.com/acme-oem/vehicle-data/internal/local/dynalitetest"
	"github.com/acme-oem/vehicle-data/internal/report"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

var env *dynalitetest.Env

func TestMain(m *testing.M) { dynalitetest.Main(m, &env) }

const vin = vehicle.VIN("WVWZZZCD3MW100001")

// Small port implementations: the ports are domain interfaces.
type buildPort struct {
	calls atomic.Int32
	err   error
}

func (p *buildPort) FetchBuild(context.Context, vehicle.VIN) (*report.BuildData, error) {
	p.calls.Add(1)
	if p.err != nil {
		return nil, p.err
	}
	return &report.BuildData{Make: "Volkswagen", Model: "Golf", ModelYear: 2021}, nil
}

type registryPort struct{ deadline time.Time }

func (p *registryPort) FetchRegistration(ctx context.Context, _ vehicle.VIN) (*report.RegistrationData, *report.OwnerData, []report.OdometerReading, error) {
	p.deadline, _ = ctx.Deadline()
	return &report.RegistrationData{OwnerCount: 1, Registrations: []report.Registration{{Country: "DE", FromMonth: "2021-03", KeeperKind: "private", Plate: "B-XY 123", From: "2021-03-04"}}},
		&report.OwnerData{Name: "Erika Mustermann", PostalCode: "10115", City: "Berlin", Since: "2021-03-04"},
		[]report.OdometerReading{{Month: "2023-03", Date: "2023-03-01", Km: 30000, Source: vehicle.SourceRegistry}}, nil
}

type workshopPort struct{ err error }

func (p workshopPort) FetchService(context.Context, vehicle.VIN) (*report.ServiceData, []report.OdometerReading, error) {
	return nil, nil, p.err
}

func setup(t *testing.T) (fetchsource.Options, string) {
	t.Helper()
	table := env.NewTable(t)
	return fetchsource.Options{Cache: dynamo.NewCache(env.Client, table, dynamo.CacheConfig{})}, table
}

func call(t *testing.T, h func(context.Context, []byte) ([]byte, error), access vehicle.Access) (report.FetchResult, error) {
	t.Helper()
	in, _ := json.Marshal(fetchsource.Event{VIN: string(vin), Access: access})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := h(ctx, in)
	if err != nil {
		return report.FetchResult{}, err
	}
	var r report.FetchResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	return r, nil
}

func TestVehicleMasterNotFoundIsCachedNegative(t *testing.T) {
	o, _ := setup(t)
	port := &buildPort{err: apperr.New(apperr.NotFound, "unknown")}
	h := fetchsource.NewVehicleMaster(o, port)
	for range 2 {
		r, err := call(t, h, vehicle.AccessPublic)
		if err != nil || r.Status != report.StatusNotFound {
			t.Fatalf("result %+v, %v", r, err)
		}
	}
	if port.calls.Load() != 1 {
		t.Fatalf("vehicle master asked %d times, want 1", port.calls.Load())
	}
}

func TestVehicleMasterFetchesAndCaches(t *testing.T) {
	o, _ := setup(t)
	port := &buildPort{}
	h := fetchsource.NewVehicleMaster(o, port)
	r, err := call(t, h, vehicle.AccessOwner)
	if err != nil || r.Status != report.StatusFetched || r.Data.Build.Model != "Golf" || r.FetchedAt == nil || r.Source != vehicle.SourceVehicleMaster {
		t.Fatalf("result %+v, %v", r, err)
	}
	// Build data has no personal part: an owner's second request is served from the cache.
	if _, err := call(t, h, vehicle.AccessOwner); err != nil || port.calls.Load() != 1 {
		t.Fatalf("second call: %v, port calls %d", err, port.calls.Load())
	}
}

func TestRegistryKeepsPersonalDataInItsOwnItem(t *testing.T) {
	o, _ := setup(t)
	port := &registryPort{}
	r, err := call(t, fetchsource.NewRegistry(o, port), vehicle.AccessPublic)
	if err != nil {
		t.Fatal(err)
	}
	if r.Data.Owner == nil || r.Data.Registration.Registrations[0].Plate != "B-XY 123" {
		t.Fatalf("step result lost data the redact step decides on: %+v", r.Data)
	}
	e, err := o.Cache.Get(context.Background(), vin, vehicle.SourceRegistry)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"B-XY 123", "Erika", "2021-03-04", "2023-03-01", "10115"} {
		if strings.Contains(string(e.Public), secret) {
			t.Errorf("long-lived public item holds personal %q: %s", secret, e.Public)
		}
		if !strings.Contains(string(e.Personal), secret) {
			t.Errorf("personal item lacks %q: %s", secret, e.Personal)
		}
	}
	if !strings.Contains(string(e.Public), "2021-03") || !strings.Contains(string(e.Public), "30000") {
		t.Errorf("public item lost public fields: %s", e.Public)
	}
}

func TestLegacyCallDeadlineLeavesMargin(t *testing.T) {
	o, _ := setup(t)
	o.Margin = 2 * time.Second
	port := &registryPort{}
	h := fetchsource.NewRegistry(o, port)
	in, _ := json.Marshal(fetchsource.Event{VIN: string(vin)})
	deadline := time.Now().Add(8 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if _, err := h(ctx, in); err != nil {
		t.Fatal(err)
	}
	if port.deadline.IsZero() || port.deadline.After(deadline.Add(-o.Margin)) {
		t.Fatalf("legacy deadline %v, step deadline %v: want at least %v margin", port.deadline, deadline, o.Margin)
	}
}

func TestSourceFailureIsAnErrorAndCachesNothing(t *testing.T) {
	o, _ := setup(t)
	h := fetchsource.NewWorkshop(o, workshopPort{err: apperr.New(apperr.Unavailable, "down")})
	if _, err := call(t, h, vehicle.AccessPublic); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("err = %v, want UNAVAILABLE", err)
	}
	if e, err := o.Cache.Get(context.Background(), vin, vehicle.SourceWorkshop); err != nil || e.Present {
		t.Fatalf("failure cached: %+v, %v", e, err)
	}
}

func TestWorkshopNotFoundIsAnEmptyHistory(t *testing.T) {
	o, _ := setup(t)
	h := fetchsource.NewWorkshop(o, workshopPort{err: apperr.New(apperr.NotFound, "no visits")})
	r, err := call(t, h, vehicle.AccessPublic)
	if err != nil || r.Status != report.StatusFetched || r.Data.Service == nil || len(r.Data.Service.Visits) != 0 {
		t.Fatalf("result %+v, %v", r, err)
	}
}

func TestInvalidVINIsRejectedBeforeAnyCall(t *testing.T) {
	o, _ := setup(t)
	port := &buildPort{}
	_, err := fetchsource.NewVehicleMaster(o, port)(context.Background(), []byte(`{"vin":"nope"}`))
	if apperr.CodeOf(err) != apperr.Invalid || port.calls.Load() != 0 {
		t.Fatalf("err %v, calls %d", err, port.calls.Load())
	}
}

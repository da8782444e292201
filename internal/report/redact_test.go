package report

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

// fill sets every string field to a canary naming the field path (PERSONAL-... for fields tagged
// personal, PUBLIC-... otherwise) and every slice to one element, so the test covers fields added
// later without being told about them.
func fill(v reflect.Value, path string, personal bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type() == reflect.TypeOf(&time.Time{}) {
			now := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
			v.Set(reflect.ValueOf(&now))
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), path, personal)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), path+"[0]", personal)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			fill(v.Field(i), path+"."+f.Name, personal || f.Tag.Get("personal") == "true")
		}
	case reflect.String:
		prefix := "PUBLIC"
		if personal {
			prefix = "PERSONAL"
		}
		v.SetString(fmt.Sprintf("%s-%s", prefix, path))
	case reflect.Int:
		v.SetInt(7)
	case reflect.Bool:
		v.SetBool(true)
	}
}

func fullReport(t *testing.T) Report {
	t.Helper()
	var r Report
	fill(reflect.ValueOf(&r).Elem(), "report", false)
	return r
}

func TestRedactPublicDropsEveryPersonalField(t *testing.T) {
	r := fullReport(t)
	pub := Redact(r, vehicle.AccessPublic)
	b, err := json.Marshal(pub)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if strings.Contains(s, "PERSONAL-") {
		t.Fatalf("public view leaks personal data: %s", s)
	}
	for _, key := range []string{`"owner"`, `"plate"`, `"workshop"`, `"date"`, `"from"`} {
		if strings.Contains(s, key) {
			t.Errorf("public view still carries key %s (personal fields must be omitempty)", key)
		}
	}
	for _, want := range []string{"PUBLIC-report.Build.Data.Model", "PUBLIC-report.Registration.Data.Registrations[0].FromMonth", "PUBLIC-report.Service.Data.Visits[0].Month"} {
		if !strings.Contains(s, want) {
			t.Errorf("public view lost public field %s", want)
		}
	}
	if pub.Access != vehicle.AccessPublic {
		t.Errorf("access = %q", pub.Access)
	}
}

func TestRedactOwnerKeepsEverythingAndCopies(t *testing.T) {
	r := fullReport(t)
	before, _ := json.Marshal(r)
	own := Redact(r, vehicle.AccessOwner)
	own.Access = r.Access // the only field Redact sets
	after, _ := json.Marshal(own)
	if string(before) != string(after) {
		t.Fatalf("owner view differs:\n%s\n%s", before, after)
	}
	// The copy shares no memory: changing it leaves the original alone.
	own.Registration.Data.Registrations[0].Plate = "changed"
	own.Owner.Data.Name = "changed"
	if r.Registration.Data.Registrations[0].Plate == "changed" || r.Owner.Data.Name == "changed" {
		t.Fatal("Redact returned memory shared with its input")
	}
}

func TestRedactUnknownAccessFailsClosed(t *testing.T) {
	r := fullReport(t)
	got := Redact(r, vehicle.Access("admin"))
	if got.Owner != nil || got.Access != vehicle.AccessPublic {
		t.Fatalf("unknown access level saw personal data: %+v", got.Owner)
	}
	// Redacting does not modify the input.
	if r.Owner == nil || r.Owner.Data.Name == "" {
		t.Fatal("Redact modified its input")
	}
}

func TestMergeOdometerDetectsRollback(t *testing.T) {
	workshop := []OdometerReading{
		{Month: "2019-03", Date: "2019-03-02", Km: 15000, Source: vehicle.SourceWorkshop},
		{Month: "2021-03", Date: "2021-03-10", Km: 61000, Source: vehicle.SourceWorkshop},
		{Month: "2022-04", Date: "2022-04-01", Km: 38000, Source: vehicle.SourceWorkshop},
		{Month: "2023-04", Date: "2023-04-01", Km: 52000, Source: vehicle.SourceWorkshop},
	}
	registry := []OdometerReading{{Month: "2020-03", Date: "2020-03-05", Km: 40000, Source: vehicle.SourceRegistry}}
	got := MergeOdometer(workshop, registry)
	if !got.RollbackDetected || len(got.Rollbacks) != 1 {
		t.Fatalf("rollbacks = %+v", got.Rollbacks)
	}
	if r := got.Rollbacks[0]; r.Month != "2022-04" || r.FromKm != 61000 || r.ToKm != 38000 || r.Before != workshop[1] || r.After != workshop[2] {
		t.Errorf("first rollback = %+v", got.Rollbacks[0])
	}
	if got.Readings[1].Source != vehicle.SourceRegistry {
		t.Errorf("readings not merged by date: %+v", got.Readings)
	}
	clean := MergeOdometer(workshop[:2], registry)
	if clean.RollbackDetected || clean.Rollbacks != nil {
		t.Errorf("monotonic readings flagged: %+v", clean)
	}
	if empty := MergeOdometer(); empty.Readings == nil || empty.RollbackDetected {
		t.Errorf("empty = %+v", empty)
	}
}

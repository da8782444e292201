package redactreport_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/functions/redactreport"
	"github.com/acme-oem/vehicle-data/internal/vehicle"
)

func TestRedactByAccess(t *testing.T) {
	report := vehicle.Report{
		VIN:   "WVWZZZCD3MW100001",
		Owner: &vehicle.Section[vehicle.OwnerData]{Source: vehicle.SourceRegistry, Freshness: vehicle.Fresh, Data: &vehicle.OwnerData{Name: "CANARY-NAME"}},
		Registration: &vehicle.Section[vehicle.RegistrationData]{Source: vehicle.SourceRegistry, Freshness: vehicle.Fresh,
			Data: &vehicle.RegistrationData{OwnerCount: 1, Registrations: []vehicle.Registration{{FromMonth: "2021-03", Plate: "CANARY-PLATE"}}}},
	}
	for access, wantPersonal := range map[string]bool{"owner": true, "public": false, "": false, "admin": false} {
		in, _ := json.Marshal(map[string]any{"report": report, "access": access})
		out, err := redactreport.New()(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		s := string(out)
		if got := strings.Contains(s, "CANARY-NAME") && strings.Contains(s, "CANARY-PLATE"); got != wantPersonal {
			t.Errorf("access %q: personal data shown = %v: %s", access, got, s)
		}
		if !strings.Contains(s, "2021-03") {
			t.Errorf("access %q lost public data: %s", access, s)
		}
	}
}

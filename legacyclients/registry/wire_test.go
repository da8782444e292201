package registry_test

import (
	"strings"
	"testing"
	"time"

	"github.com/acme-oem/vehicle-data/legacyclients/registry"
)

// TestLayoutsTileTheRecord: every layout covers positions 1..RecordLength, in order, no gaps.
func TestLayoutsTileTheRecord(t *testing.T) {
	for _, typ := range []string{registry.TypeHeader, registry.TypeRegistration, registry.TypeKeeper, registry.TypeOdometer,
		registry.TypeDocumentCode, registry.TypeError, registry.TypeTrailer} {
		layout, ok := registry.Layout(typ)
		if !ok {
			t.Fatalf("no layout for %s", typ)
		}
		next := 1
		for _, f := range layout {
			if f.Start != next {
				t.Errorf("%s.%s starts at %d, want %d", typ, f.Name, f.Start, next)
			}
			next = f.Start + f.Length
		}
		if next != registry.RecordLength+1 {
			t.Errorf("%s covers %d positions, want %d", typ, next-1, registry.RecordLength)
		}
	}
	if _, ok := registry.Layout("ZZ"); ok {
		t.Error("unknown type has a layout")
	}
}

func TestFormatPadsAndPlacesFields(t *testing.T) {
	line, err := registry.Registration{Seq: 2, Country: "DE", Plate: "M-XY 42", From: time.Date(2016, 8, 1, 0, 0, 0, 0, time.UTC), KeeperKind: "P"}.Format()
	if err != nil {
		t.Fatal(err)
	}
	want := "RG02DEM-XY 42   20160801        P" + strings.Repeat(" ", 67)
	if line != want {
		t.Errorf("line =\n%q\nwant\n%q", line, want)
	}
	line, err = registry.Keeper{Name: "Jürgen Weiß", PostalCode: "1010", City: "Wien", Since: time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC)}.Format()
	if err != nil || len([]rune(line)) != registry.RecordLength || string([]rune(line)[82:90]) != "20200301" {
		t.Errorf("keeper line %q (%d runes), %v", line, len([]rune(line)), err)
	}
	if tr, _ := (registry.Trailer{Count: 8}).Format(); !strings.HasPrefix(tr, "TR0000008 ") {
		t.Errorf("trailer = %q", tr)
	}
}

func TestFormatRejectsWhatDoesNotFit(t *testing.T) {
	for name, r := range map[string]registry.Record{
		"name too long":    registry.Keeper{Name: strings.Repeat("A", 41), PostalCode: "1", City: "X", Since: time.Now()},
		"negative km":      registry.Odometer{Date: time.Now(), Km: -1},
		"km too large":     registry.Odometer{Date: time.Now(), Km: 12_345_678},
		"missing required": registry.Registration{Seq: 1, Country: "", Plate: "X", From: time.Now(), KeeperKind: "P"},
		"missing date":     registry.Keeper{Name: "A", PostalCode: "1", City: "X"},
	} {
		if _, err := r.Format(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := registry.Encode(registry.Keeper{Name: "Łukasz", PostalCode: "1", City: "X", Since: time.Now()}); err == nil {
		t.Error("a character outside ISO-8859-1 was encoded")
	}
}

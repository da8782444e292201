package vehicle

import (
	"strings"
	"testing"
)

func TestPseudonymIsKeyedAndStable(t *testing.T) {
	a := NewPseudonymizer([]byte("key-a-0123456789"))
	b := NewPseudonymizer([]byte("key-b-0123456789"))
	v := VIN("1M8GDM9AXKP042788")
	again := NewPseudonymizer([]byte("key-a-0123456789"))
	if a.VIN(v) != again.VIN(v) {
		t.Fatal("pseudonym not stable across instances with the same key")
	}
	if a.VIN(v) == b.VIN(v) {
		t.Fatal("pseudonym does not depend on the key")
	}
	if strings.Contains(a.VIN(v), string(v)) || len(a.VIN(v)) != 18 {
		t.Fatalf("pseudonym %q", a.VIN(v))
	}
	if a.Subject(string(v)) == a.VIN(v) {
		t.Fatal("pseudonyms of different kinds collide")
	}
}

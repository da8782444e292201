package engine

import (
	"bytes"
	"testing"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// FuzzJSONCodec checks the fast codecs against encoding/json (package value): same accepted
// documents, same values, same encoding.
func FuzzJSONCodec(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `null`, `true`, `-0.5e+3`, `"a\"b\u2028\u0001"`, `{"b":[1,{"a":null}],"a":"é"}`, `01`, `[1,]`, `"\xff"`, ` {"x" : [ ] } `, `1.`, `"\t"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, werr := value.Decode(b)
		got, gerr := decodeJSON(b)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("decode %q: encoding/json err %v, fast err %v", b, werr, gerr)
		}
		if werr != nil {
			return
		}
		if !value.Equal(want, got) {
			t.Fatalf("decode %q: encoding/json %#v, fast %#v", b, want, got)
		}
		wb, err := value.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		gb, err := encodeJSON(want)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(wb, gb) {
			t.Fatalf("encode: encoding/json %s, fast %s", wb, gb)
		}
		if n := encodedLen(want); n != len(gb) {
			t.Fatalf("encodedLen %d, encoded size %d of %s", n, len(gb), gb)
		}
		if !withinLimit(want, len(gb)) || withinLimit(want, len(gb)-1) {
			t.Fatalf("withinLimit disagrees with the encoded size %d of %s", len(gb), gb)
		}
	})
}

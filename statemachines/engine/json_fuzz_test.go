package engine

import (
	"testing"
)

// FuzzJSONCodec checks the size measures against the encoding (package value fuzzes the codecs
// themselves against encoding/json).
func FuzzJSONCodec(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `null`, `true`, `-0.5e+3`, `"a\"b\u2028\u0001"`, `{"b":[1,{"a":null}],"a":"é"}`, `"\xff"`, ` {"x" : [ ] } `, `"\t"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeJSON(b)
		if err != nil {
			return
		}
		gb, err := encodeJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		if n := encodedLen(v); n != len(gb) {
			t.Fatalf("encodedLen %d, encoded size %d of %s", n, len(gb), gb)
		}
		if !withinLimit(v, len(gb)) || withinLimit(v, len(gb)-1) {
			t.Fatalf("withinLimit disagrees with the encoded size %d of %s", len(gb), gb)
		}
	})
}

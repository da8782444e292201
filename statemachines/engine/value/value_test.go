package value_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

func TestObjectKeepsOrder(t *testing.T) {
	t.Parallel()
	// Past the size at which the object starts indexing its keys, too.
	for _, n := range []int{3, 20} {
		o := value.NewObject(0)
		var want []string
		for i := n - 1; i >= 0; i-- {
			k := fmt.Sprintf("k%02d", i)
			o.Set(k, value.Int(int64(i)))
			want = append(want, k)
		}
		o.Set(want[1], "again") // an existing key keeps its place
		if got := o.Keys(); !slices.Equal(got, want) {
			t.Fatalf("n=%d keys %v, want %v", n, got, want)
		}
		if v, ok := o.Get(want[1]); !ok || v != "again" {
			t.Fatalf("n=%d get %v %v", n, v, ok)
		}
		o.Delete(want[0])
		o.Set("new", true) // a new key goes last
		want = append(want[1:], "new")
		if got := o.Keys(); !slices.Equal(got, want) {
			t.Fatalf("n=%d after delete: keys %v, want %v", n, got, want)
		}
		for i, k := range want {
			if !o.Has(k) {
				t.Fatalf("n=%d lost key %s (%d)", n, k, i)
			}
		}
		if o.Has(want[0]+"x") || o.Len() != len(want) {
			t.Fatalf("n=%d len %d", n, o.Len())
		}
	}
}

func TestDecodeAndMarshalKeepDocumentOrder(t *testing.T) {
	t.Parallel()
	doc := `{"zeta":1,"alpha":{"y":[{"b":1,"a":2}],"x":"\u00e9\n"},"mid":null,"zeta":2}`
	v, err := value.Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	b, err := value.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	// A repeated key keeps its first place and takes the last value, as encoding/json does.
	if want := `{"zeta":2,"alpha":{"y":[{"b":1,"a":2}],"x":"é\n"},"mid":null}`; string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	var java strings.Builder
	value.WriteJava(&java, v)
	if want := `{zeta=2, alpha={y=[{b=1, a=2}], x=é` + "\n" + `}, mid=null}`; java.String() != want {
		t.Fatalf("java %q", java.String())
	}
}

func TestJavaHashOrder(t *testing.T) {
	t.Parallel()
	// Expected orders from the AWS-recorded corpus and from java.util.HashMap's rules (computed
	// independently of this code).
	for _, c := range [][2][]string{
		{{"Question", "Answer"}, {"Answer", "Question"}},
		{{"Iterations", "Values"}, {"Values", "Iterations"}},
		{{"constant_in_literal", "constant_input_field"}, {"constant_input_field", "constant_in_literal"}},
		{{"original_input", "iteration_input_value", "iteration_index", "from_input_constant"}, {"iteration_input_value", "from_input_constant", "iteration_index", "original_input"}},
		{{"name", "id", "vin"}, {"name", "vin", "id"}},
		{{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11", "k12", "k13"}, {"k0", "k1", "k2", "k3", "k4", "k5", "k11", "k6", "k10", "k7", "k13", "k8", "k12", "k9"}},
	} {
		if got := value.JavaHashOrder(c[0]); !slices.Equal(got, c[1]) {
			t.Errorf("%v: got %v, want %v", c[0], got, c[1])
		}
	}
}

func TestNormalizeAndFromMap(t *testing.T) {
	t.Parallel()
	v := value.Normalize([]any{"x", map[string]any{"b": 1, "a": []any{map[string]any{"d": 1, "c": 2}}}})
	b, err := value.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `["x",{"a":[{"c":2,"d":1}],"b":1}]` {
		t.Fatalf("got %s", b)
	}
	if _, ok := v.([]any)[1].(*value.Object); !ok {
		t.Fatalf("map not converted: %T", v.([]any)[1])
	}
	plain := []any{"x", []any{json.Number("1")}}
	if n := value.Normalize(plain); &n.([]any)[0] != &plain[0] {
		t.Fatal("a value without maps must come back unchanged")
	}
}

// FuzzCodec checks the value model's codecs against encoding/json: the same documents accepted,
// the same values (objects compared as maps), and the same encoding of objects whose keys are
// sorted (encoding/json sorts map keys).
func FuzzCodec(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `null`, `true`, `-0.5e+3`, `"a\"b\u2028\u0001"`, `{"b":[1,{"a":null}],"a":"é"}`, `01`, `[1,]`, `"\xff"`, ` {"x" : [ ] } `, `1.`, `"\t"`, `{"a":1,"a":2}`, `"\ud800"`, `{"\u0041":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var want any
		werr := dec.Decode(&want)
		if werr == nil {
			if _, err := dec.Token(); !errors.Is(err, io.EOF) {
				werr = errors.New("data after the document")
			}
		}
		got, gerr := value.Decode(b)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("decode %q: encoding/json err %v, value err %v", b, werr, gerr)
		}
		if werr != nil {
			return
		}
		if !reflect.DeepEqual(value.ToGo(got), want) {
			t.Fatalf("decode %q: encoding/json %#v, value %#v", b, want, value.ToGo(got))
		}
		var wb bytes.Buffer
		enc := json.NewEncoder(&wb)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(want); err != nil {
			t.Fatal(err)
		}
		gb, err := value.Marshal(value.Normalize(want))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(bytes.TrimSuffix(wb.Bytes(), []byte("\n")), gb) {
			t.Fatalf("encode: encoding/json %s, value %s", wb.Bytes(), gb)
		}
	})
}

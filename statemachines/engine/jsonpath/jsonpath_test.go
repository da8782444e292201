package jsonpath

import (
	"errors"
	"testing"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

func mustDecode(t testing.TB, s string) any {
	t.Helper()
	v, err := value.Decode([]byte(s))
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

const doc = `{
  "a": {"b": {"c": 1}, "n": null, "num": 5, "s": "str"},
  "items": [{"k": 0, "v": "x"}, {"k": 1, "v": "y"}, {"k": 2}],
  "users": [{"year": 1997, "status": 0}, {"year": 1998, "status": 1}, {"year": 2001, "status": "0"}],
  "delivery-partner": "dp",
  "Test\\\"\"Name\"": "escaped",
  "it's": "quote"
}`

func TestGet(t *testing.T) {
	d := mustDecode(t, doc)
	tests := []struct {
		path string
		want string
	}{
		{"$", doc},
		{"$.a.b.c", `1`},
		{"$['a']['b']", `{"c": 1}`},
		{`$["a"].num`, `5`},
		{"$.a.n", `null`},
		{"$.delivery-partner", `"dp"`},
		{`$['Test\""Name"']`, `"escaped"`},
		{`$['it\'s']`, `"quote"`},
		{"$.items[0].v", `"x"`},
		// Jayway reads a dot before a bracket as the bracket alone.
		{"$.items.[0].v", `"x"`},
		{"$.['a'].num", `5`},
		{"$.users.[?(@.year > 1997 && @.status == 1)].year", `[1998]`},
		{"$.items[-1].k", `2`},
		{"$.items[*].v", `["x", "y"]`},
		{"$.items[*].missing", `[]`},
		{"$.items[1:]", `[{"k": 1, "v": "y"}, {"k": 2}]`},
		{"$.items[:1]", `[{"k": 0, "v": "x"}]`},
		{"$.items[-2:]", `[{"k": 1, "v": "y"}, {"k": 2}]`},
		{"$.items[0,2].k", `[0, 2]`},
		{"$.items[1:5].v", `["y"]`},
		{"$.nothing[1:5].v", `[]`},
		{"$.nothing[*].v", `[]`},
		{"$..c", `[1]`},
		{"$..k", `[0, 1, 2]`},
		{"$.a['num','s']", `[{"num": 5, "s": "str"}]`},
		{"$.users[?(@.status == 0)]", `[{"year": 1997, "status": 0}, {"year": 2001, "status": "0"}]`},
		{"$.users[?(@.year > 1997 && @.status == 1)].year", `[1998]`},
		{"$.users[?(@.year < 1998 || @.year >= 2001)].year", `[1997, 2001]`},
		{"$.items[?(@.v)].k", `[0, 1]`},
		{"$.items[?(!@.v)].k", `[2]`},
		{"$.items[?(@.v in ['y', 'z'])].k", `[1]`},
		{"$.items[?(@.v =~ /X/i)].k", `[0]`},
		{"$.items[?(@.k != 1)].k", `[0, 2]`},
		{"$.users[?(@.year == $.users[0].year)].year", `[1997]`},
		{"$.items.length()", `3`},
		{"$.a.s.length()", `3`},
		{"$.items[*].k.length()", `3`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, err := Parse(tt.path)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := p.Get(d)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if want := mustDecode(t, tt.want); !value.Equal(got, want) {
				t.Errorf("got %s, want %s", value.MustString(got), tt.want)
			}
		})
	}
}

// Definite paths fail with Jayway's messages, which AWS embeds in causes such as
// "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']".
func TestGetErrors(t *testing.T) {
	d := mustDecode(t, doc)
	tests := []struct {
		path, msg string
	}{
		{"$.NoSuchInputPath", "No results for path: $['NoSuchInputPath']"},
		{"$.a.b.missing", "No results for path: $['a']['b']['missing']"},
		{"$.nope.b.c", "Missing property in path $['nope']"},
		{"$.a.n.x", "Expected to find an object with property ['x'] in path $['a']['n'] but found 'null'. " +
			"This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'."},
		{"$.items[10]", "No results for path: $['items'][10]"},
		{"$.a.n[0]", "The path $['a']['n'] is null"},
		{"$.a.num.x", "Expected to find an object with property ['x'] in path $['a']['num'] but found 'java.lang.Integer'. " +
			"This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'."},
		{"$.a[0]", "Filter: [0] can only be applied to arrays. Current context is: {b={c=1}, n=null, num=5, s=str}"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, err := Parse(tt.path)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			_, err = p.Get(d)
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
			if err.Error() != tt.msg {
				t.Errorf("message\n got %q\nwant %q", err.Error(), tt.msg)
			}
		})
	}
}

func TestResolveRoots(t *testing.T) {
	env := Env{
		Input:   mustDecode(t, `{"x": 1}`),
		Context: mustDecode(t, `{"Execution": {"Name": "exec"}}`),
		Vars: func(name string) (any, bool) {
			if name == "myVar" {
				return mustDecode(t, `{"field": [10, 20]}`), true
			}
			return nil, false
		},
	}
	for path, want := range map[string]string{
		"$.x":                `1`,
		"$$.Execution.Name":  `"exec"`,
		"$$":                 `{"Execution": {"Name": "exec"}}`,
		"$myVar.field[1]":    `20`,
		"$myVar['field'][0]": `10`,
	} {
		p, err := Parse(path)
		if err != nil {
			t.Fatalf("Parse(%s): %v", path, err)
		}
		got, err := p.Resolve(env)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", path, err)
		}
		if !value.Equal(got, mustDecode(t, want)) {
			t.Errorf("Resolve(%s) = %s, want %s", path, value.MustString(got), want)
		}
	}

	p, err := Parse("$undefinedVar.x")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Resolve(env)
	var uv *UndefinedVariableError
	if !errors.As(err, &uv) || uv.Name != "undefinedVar" || !errors.Is(err, ErrUndefinedVariable) {
		t.Errorf("Resolve of an undefined variable: err = %v", err)
	}
	if _, err := p.Resolve(Env{}); !errors.Is(err, ErrUndefinedVariable) {
		t.Errorf("Resolve with nil Vars: err = %v", err)
	}
}

func TestParseProperties(t *testing.T) {
	tests := []struct {
		path     string
		definite bool
		root     Root
		norm     string
	}{
		{"$", true, RootInput, "$"},
		{"$$", true, RootContext, "$$"},
		{"$$.Map.Item.Value", true, RootContext, "$$['Map']['Item']['Value']"},
		{"$v", true, RootVariable, "$v"},
		{"$.a[0]['b c']", true, RootInput, "$['a'][0]['b c']"},
		{"$.a[*]", false, RootInput, "$['a'][*]"},
		{"$.a[1:2]", false, RootInput, "$['a'][1:2]"},
		{"$..a", false, RootInput, "$..['a']"},
		{"$.a[0,1]", false, RootInput, "$['a'][0,1]"},
		{"$['a','b']", false, RootInput, "$['a','b']"},
		{"$.a[?(@.b == 1)]", false, RootInput, "$['a'][?]"},
	}
	for _, tt := range tests {
		p, err := Parse(tt.path)
		if err != nil {
			t.Fatalf("Parse(%s): %v", tt.path, err)
		}
		if p.Definite() != tt.definite || p.Root() != tt.root || p.Normalized() != tt.norm || p.String() != tt.path {
			t.Errorf("Parse(%s): definite=%v root=%v norm=%q src=%q", tt.path, p.Definite(), p.Root(), p.Normalized(), p.String())
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{
		"", "a.b", "$.", "$..", "$[", "$[']", "$.a[1", "$.a[x]", "$a-b", "$.a.size(1)", "$.a.keys()",
		"$[?(@.a ==)]", "$[?(@.a =~ 'x')]", "$[?(@.a == 1]", "$.a.length().b",
	} {
		if p, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) = %v, want an error", s, p.segs)
		}
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		in, path, val, want string
	}{
		{`{"a": 1}`, "$", `"r"`, `"r"`},
		{`{"a": 1}`, "$.b", `"r"`, `{"a": 1, "b": "r"}`},
		{`{"a": 1}`, "$.a", `{"x": 1}`, `{"a": {"x": 1}}`},
		{`{"a": 1}`, "$.x.y.z", `2`, `{"a": 1, "x": {"y": {"z": 2}}}`},
		{`{"a": {"k": 1}}`, "$.a.j", `2`, `{"a": {"k": 1, "j": 2}}`},
		{`{"l": [1, {"k": 1}]}`, "$.l[1].k", `5`, `{"l": [1, {"k": 5}]}`},
		{`{"l": [1, 2]}`, "$.l[-1]", `5`, `{"l": [1, 5]}`},
		{`{}`, "$['a b']", `1`, `{"a b": 1}`},
	}
	for _, tt := range tests {
		in := mustDecode(t, tt.in)
		before := value.Copy(in)
		p, err := Parse(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Set(in, p, mustDecode(t, tt.val))
		if err != nil {
			t.Fatalf("Set(%s, %s): %v", tt.in, tt.path, err)
		}
		if !value.Equal(got, mustDecode(t, tt.want)) {
			t.Errorf("Set(%s, %s, %s) = %s, want %s", tt.in, tt.path, tt.val, value.MustString(got), tt.want)
		}
		if !value.Equal(in, before) {
			t.Errorf("Set(%s, %s) mutated its input to %s", tt.in, tt.path, value.MustString(in))
		}
	}
}

func TestSetErrors(t *testing.T) {
	tests := []struct {
		in, path, cause string
	}{
		{`"hello"`, "$.x", `Unable to apply step "x" to input "hello"`},
		{`{"a": 5}`, "$.a.b", `Unable to apply step "b" to input 5`},
		{`{"a": [1]}`, "$.a[3]", `Unable to apply step "3" to input [1]`},
		{`{"a": {}}`, "$.a[0]", `Unable to apply step "0" to input {}`},
	}
	for _, tt := range tests {
		p, err := Parse(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Set(mustDecode(t, tt.in), p, "v")
		var ve *value.Error
		if !errors.As(err, &ve) || ve.Name != "States.ResultPathMatchFailure" || ve.Cause != tt.cause {
			t.Errorf("Set(%s, %s): err = %v, want States.ResultPathMatchFailure %q", tt.in, tt.path, err, tt.cause)
		}
	}
	for _, s := range []string{"$$.a", "$v.a", "$.a[*]", "$..a", "$.a.length()"} {
		p, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Set(map[string]any{}, p, 1); err == nil {
			t.Errorf("Set with %s: want an error", s)
		}
	}
}

func BenchmarkResolveDefinite(b *testing.B) {
	d := mustDecode(b, doc)
	p, err := Parse("$.a.b.c")
	if err != nil {
		b.Fatal(err)
	}
	env := Env{Input: d}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Resolve(env); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResolveWildcard(b *testing.B) {
	d := mustDecode(b, doc)
	p, err := Parse("$.items[*].v")
	if err != nil {
		b.Fatal(err)
	}
	env := Env{Input: d}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Resolve(env); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSet(b *testing.B) {
	d := mustDecode(b, doc)
	p, err := Parse("$.result.value")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Set(d, p, "r"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("$.detail.items[0]['name']"); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"$", "$$", "$v.a[0]", "$.a.b", "$['a']['b']", "$.a[*]", "$..a", "$.a[1:2]", "$.a[-1]",
		"$.a[?(@.b == 1 && @.c)]", "$.a[?(@.b =~ /x/i)]", "$.a.length()", "$['it\\'s']",
	} {
		f.Add(s)
	}
	d := map[string]any{"a": []any{map[string]any{"b": "1"}}, "b": map[string]any{}}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		_ = p.String()
		_, _ = p.Get(d)
		if p.Definite() && p.Root() == RootInput {
			_, _ = Set(d, p, 1)
		}
	})
}

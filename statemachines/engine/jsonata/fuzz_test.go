package jsonata

import (
	"testing"
	"time"
)

// FuzzEval checks that no expression text makes the parser or the evaluator panic or hang:
// every input either fails to compile, fails with an error, or yields a value.
func FuzzEval(f *testing.F) {
	for _, seed := range []string{
		"a.b[0]", "$sum(a.b) + 1", "a{b: $count(c)}", "a^(>b).c", "[1..5][$ > 2]", "($x := 1; $x)",
		"function($f){$f(1)}", "$map(a, function($v, $i){$i})", "a#$i[$i>0]@$x.b", "|a|{'b':1}|",
		"$replace('abc', /b/, 'x')", "$now('[Y0001]-[M01]')", "$formatInteger(12, 'w')", "**.x", "%.a",
		"$string({'a': [1, 2, {'b': null}]})", "'a' & 1 & true", "x ? y : z", "$partition([1,2,3], 2)",
	} {
		f.Add(seed)
	}
	input := map[string]any{"a": []any{map[string]any{"b": 1.0, "c": "x"}, map[string]any{"b": 2.0}}, "x": true}
	f.Fuzz(func(t *testing.T, src string) {
		x, err := Compile(src)
		if err != nil {
			return
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _, _ = x.EvalWith(input, nil, Options{Now: time.Unix(0, 0)})
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%q did not finish", src)
		}
	})
}

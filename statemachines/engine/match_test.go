package engine

import "testing"

func TestErrorMatches(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		list []string
		name string
		want bool
	}{
		{[]string{"States.ALL"}, "MyError", true},
		{[]string{"States.ALL"}, "States.Timeout", true},
		{[]string{"States.ALL"}, "States.Runtime", false},
		{[]string{"States.Runtime"}, "States.Runtime", false},
		{[]string{"States.ALL"}, "States.DataLimitExceeded", false},
		{[]string{"States.DataLimitExceeded"}, "States.DataLimitExceeded", true},
		{[]string{"States.TaskFailed"}, "Lambda.ServiceException", true},
		{[]string{"States.TaskFailed"}, "States.Timeout", false},
		{[]string{"States.TaskFailed"}, "States.BranchFailed", true},
		{[]string{"A", "B"}, "B", true},
		{[]string{"A", "B"}, "C", false},
	} {
		if got := errorMatches(tc.list, tc.name); got != tc.want {
			t.Errorf("errorMatches(%v, %q) = %v, want %v", tc.list, tc.name, got, tc.want)
		}
	}
}

func TestWithinLimitMatchesEncodedSize(t *testing.T) {
	t.Parallel()
	v := map[string]any{"a\"\n": []any{"é\u2028", nil, true, false}, "b": map[string]any{}, "c": "\x01"}
	b, err := encodeJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	if !withinLimit(v, len(b)) || withinLimit(v, len(b)-1) {
		t.Fatalf("withinLimit disagrees with the encoded size %d of %s", len(b), b)
	}
}

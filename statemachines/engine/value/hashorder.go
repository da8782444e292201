package value

import (
	"slices"
	"unicode/utf16"
)

// Step Functions builds some objects in a java.util.HashMap, so their members come out in that
// map's iteration order, neither sorted nor in document order: the fields a JSONPath payload
// template computes (the "key.$" fields) and the result of States.JsonMerge. The AWS-recorded
// conformance corpus shows it ({"Question.$", "Answer.$"} gives {"Answer", "Question"}).

// JavaHashOrder returns keys (distinct, in insertion order) in the iteration order of a
// java.util.HashMap they were put into one by one: by bucket of the spread String.hashCode in a
// table grown by the default rule (16 buckets, doubled past a load of 0.75), and in insertion
// order within a bucket. (Java turns a bucket of 8 or more colliding keys into a tree; keys of
// state machines do not collide that much.)
func JavaHashOrder(keys []string) []string {
	buckets := uint32(16)
	for uint64(len(keys)) > uint64(buckets)*3/4 {
		buckets *= 2
	}
	type keyed struct {
		bucket uint32
		i      int
	}
	order := make([]keyed, len(keys))
	for i, k := range keys {
		h := javaStringHash(k)
		order[i] = keyed{(h ^ h>>16) & (buckets - 1), i}
	}
	slices.SortStableFunc(order, func(a, b keyed) int { return int(a.bucket) - int(b.bucket) })
	out := make([]string, len(keys))
	for i, o := range order {
		out[i] = keys[o.i]
	}
	return out
}

// javaStringHash is java.lang.String.hashCode: s[0]*31^(n-1) + ... over UTF-16 code units.
func javaStringHash(s string) uint32 {
	var h uint32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + uint32(u)
	}
	return h
}

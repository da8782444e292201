package value

import (
	"iter"
	"maps"
	"slices"
)

// indexAt is the member count from which an Object keeps a key index: below it a linear scan
// over the members is faster than hashing and saves the map's allocations.
const indexAt = 8

type member struct {
	key string
	val any
}

// Object is a JSON object that keeps its members in document order, as AWS does: decoding,
// templates, JSONata constructors and the intrinsics build objects whose keys come out in the
// order they went in. A key set again keeps its position; a new key goes last. Lookups are O(1)
// (a key index is kept once the object has more than a few members).
//
// The zero value is an empty object ready to use; methods on a nil *Object read as empty.
type Object struct {
	ms  []member
	idx map[string]int
}

// NewObject returns an empty object with room for capacity members.
func NewObject(capacity int) *Object {
	return &Object{ms: make([]member, 0, capacity)}
}

// ObjectOf builds an object from alternating keys and values, in that order.
func ObjectOf(kv ...any) *Object {
	o := NewObject(len(kv) / 2)
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1]) //nolint:forcetypeassert // a programming error, caught by any test
	}
	return o
}

// Len is the number of members.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.ms)
}

func (o *Object) find(k string) int {
	if o == nil {
		return -1
	}
	if o.idx != nil {
		if i, ok := o.idx[k]; ok {
			return i
		}
		return -1
	}
	for i := range o.ms {
		if o.ms[i].key == k {
			return i
		}
	}
	return -1
}

// Get returns the value of key k and whether the object has it.
func (o *Object) Get(k string) (any, bool) {
	if i := o.find(k); i >= 0 {
		return o.ms[i].val, true
	}
	return nil, false
}

// Value returns the value of key k, nil when absent.
func (o *Object) Value(k string) any {
	v, _ := o.Get(k)
	return v
}

// Has reports whether the object has key k.
func (o *Object) Has(k string) bool { return o.find(k) >= 0 }

// Set adds k with v at the end, or replaces the value of an existing k in its place.
func (o *Object) Set(k string, v any) {
	if i := o.find(k); i >= 0 {
		o.ms[i].val = v
		return
	}
	o.ms = append(o.ms, member{k, v})
	switch {
	case o.idx != nil:
		o.idx[k] = len(o.ms) - 1
	case len(o.ms) > indexAt:
		o.reindex()
	}
}

func (o *Object) reindex() {
	if len(o.ms) <= indexAt {
		o.idx = nil
		return
	}
	o.idx = make(map[string]int, len(o.ms))
	for i := range o.ms {
		o.idx[o.ms[i].key] = i
	}
}

// Delete removes key k (if present); the other members keep their order.
func (o *Object) Delete(k string) {
	i := o.find(k)
	if i < 0 {
		return
	}
	o.ms = slices.Delete(o.ms, i, i+1)
	if o.idx != nil {
		o.reindex()
	}
}

// Keys returns the keys in order, in a new slice.
func (o *Object) Keys() []string {
	keys := make([]string, o.Len())
	for i := range keys {
		keys[i] = o.ms[i].key
	}
	return keys
}

// At returns the i-th member.
func (o *Object) At(i int) (string, any) { return o.ms[i].key, o.ms[i].val }

// All yields the members in order.
func (o *Object) All() iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		for i := range o.Len() {
			if !yield(o.ms[i].key, o.ms[i].val) {
				return
			}
		}
	}
}

// Clone returns a shallow copy: the same members in the same order, in new storage.
func (o *Object) Clone() *Object {
	return o.CloneWithRoom(0)
}

// CloneWithRoom is Clone with room for extra more members.
func (o *Object) CloneWithRoom(extra int) *Object {
	out := &Object{ms: make([]member, o.Len(), o.Len()+extra)}
	if o != nil {
		copy(out.ms, o.ms)
		if o.idx != nil {
			out.idx = make(map[string]int, len(o.idx)+extra)
			for k, i := range o.idx {
				out.idx[k] = i
			}
		}
	}
	return out
}

// MarshalJSON renders the object in member order, so that an Object inside other Go values
// (API responses) encodes like the value model does.
func (o *Object) MarshalJSON() ([]byte, error) {
	if o == nil {
		return []byte("null"), nil
	}
	b := append(make([]byte, 0, sizeHint(o)), '{')
	for i, m := range o.ms {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendString(b, m.key), ':')
		n := len(b)
		nb, ok := appendJSON(b, m.val)
		if ok {
			b = nb
			continue
		}
		// Not the value model (a Go struct, an int): encoding/json, member by member, so that
		// it never comes back here for this object.
		vb, err := marshalStd(m.val)
		if err != nil {
			return nil, err
		}
		b = append(nb[:n], vb...)
	}
	return append(b, '}'), nil
}

// FromMap converts a Go map (and maps nested in it, in maps or []any) into objects with the keys
// sorted: the order AWS gives the service responses the integrations build this way.
func FromMap(m map[string]any) *Object {
	keys := slices.Sorted(maps.Keys(m))
	o := NewObject(len(keys))
	for _, k := range keys {
		o.ms = append(o.ms, member{k, Normalize(m[k])})
	}
	if len(o.ms) > indexAt {
		o.reindex()
	}
	return o
}

// Normalize turns the Go maps in v (in maps or []any, not inside objects) into objects with sorted
// keys, leaving everything else as it is; a value without maps is returned unchanged.
func Normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return FromMap(x)
	case []any:
		var out []any
		for i, e := range x {
			n := Normalize(e)
			if out == nil {
				if _, isMap := e.(map[string]any); !isMap && !changed(e, n) {
					continue
				}
				out = slices.Clone(x)
			}
			out[i] = n
		}
		if out == nil {
			return x
		}
		return out
	}
	return v
}

// changed reports whether Normalize gave a new array for the array e.
func changed(e, n any) bool {
	a, ok := e.([]any)
	if !ok {
		return false
	}
	b, _ := n.([]any)
	return len(a) > 0 && &a[0] != &b[0]
}

// ToGo converts objects (also nested in []any) into Go maps, for code that hands values to
// APIs whose members have no order (an SDK's input structs, attribute maps).
func ToGo(v any) any {
	switch x := v.(type) {
	case *Object:
		m := make(map[string]any, x.Len())
		for k, e := range x.All() {
			m[k] = ToGo(e)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = ToGo(e)
		}
		return out
	}
	return v
}

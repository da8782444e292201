package jsonpath

import (
	"fmt"
	"strconv"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// Set returns doc with v stored at p, as ResultPath does: "$" replaces the document; otherwise
// the maps and arrays along the path are copied (never mutated, since the input may be shared)
// and missing intermediate objects are created. A step into something that is neither an object
// (for a name) nor an array holding the index fails with States.ResultPathMatchFailure.
func Set(doc any, p *Path, v any) (any, error) {
	if p.root != RootInput || !p.definite || p.length {
		return nil, fmt.Errorf("jsonpath: %s cannot be used as a ResultPath: it must be a definite path on $", p.src)
	}
	if len(p.segs) == 0 {
		return v, nil
	}
	return p.setAt(doc, false, 0, v)
}

func (p *Path) setAt(cur any, missing bool, i int, v any) (any, error) {
	s := &p.segs[i]
	last := i == len(p.segs)-1
	switch s.kind {
	case segChild:
		name := s.names[0]
		var m *value.Object
		if !missing {
			var ok bool
			m, ok = cur.(*value.Object)
			if !ok {
				return nil, resultPathError(name, cur)
			}
		}
		// As in AWS, an existing key keeps its place and a new one goes last.
		out := m.CloneWithRoom(1)
		if last {
			out.Set(name, v)
			return out, nil
		}
		child, exists := m.Get(name)
		nv, err := p.setAt(child, !exists, i+1, v)
		if err != nil {
			return nil, err
		}
		out.Set(name, nv)
		return out, nil
	case segIndex:
		idx := s.indexes[0]
		a, ok := cur.([]any)
		if missing || !ok {
			return nil, resultPathError(strconv.Itoa(idx), cur)
		}
		if idx < 0 {
			idx += len(a)
		}
		if idx < 0 || idx >= len(a) {
			return nil, resultPathError(strconv.Itoa(s.indexes[0]), cur)
		}
		out := make([]any, len(a))
		copy(out, a)
		if last {
			out[idx] = v
			return out, nil
		}
		nv, err := p.setAt(a[idx], false, i+1, v)
		if err != nil {
			return nil, err
		}
		out[idx] = nv
		return out, nil
	}
	return nil, fmt.Errorf("jsonpath: internal: segment %s in a definite path", segString(s))
}

func resultPathError(step string, input any) error {
	return &value.Error{
		Name:  "States.ResultPathMatchFailure",
		Cause: fmt.Sprintf("Unable to apply step \"%s\" to input %s", step, value.MustString(input)),
	}
}

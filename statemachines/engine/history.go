package engine

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// HistoryEvent is one event of an execution's history, numbered as AWS numbers them (the ids
// runtime error causes cite: "entered at the event id #N").
type HistoryEvent struct {
	ID         int64
	PreviousID int64
	Type       string // "TaskStateEntered", "TaskScheduled", "ExecutionSucceeded", ...
	Time       time.Time
	// Details holds the type's details member as GetExecutionHistory shows it, e.g.
	// {"name": "Lookup", "input": "{...}"} for stateEnteredEventDetails; DetailsKey names it.
	DetailsKey string
	Details    map[string]any
}

// history numbers an execution's events and, for executions started with
// RunOptions.History, records them. Unrecorded, it is one atomic counter, so synchronous
// executions pay nothing for it.
type history struct {
	n      atomic.Int64
	record bool
	clock  Clock
	mu     sync.Mutex
	events []HistoryEvent
}

// skip numbers k events without recording them.
func (h *history) skip(k int64) int64 { return h.n.Add(k) }

// detail is one member of an event's details, rendered only when the history is recorded
// (no closure, no boxing: unrecorded executions allocate nothing for their history).
type detail struct {
	key  string
	str  string
	val  any   // rendered as JSON text when set
	num  int64 // rendered as a number when isNum
	kind uint8
}

const (
	detailString uint8 = iota
	detailJSON
	detailNumber
)

func dstr(k, v string) detail       { return detail{key: k, str: v} }
func djson(k string, v any) detail  { return detail{key: k, val: v, kind: detailJSON} }
func dnum(k string, n int64) detail { return detail{key: k, num: n, kind: detailNumber} }

// note numbers one event and, for a recorded history, records it with its details.
func (h *history) note(typ, key string, ds ...detail) int64 {
	if !h.record {
		return h.n.Add(1)
	}
	var d map[string]any
	if len(ds) > 0 {
		d = make(map[string]any, len(ds))
		for _, x := range ds {
			switch x.kind {
			case detailJSON:
				d[x.key] = jsonText(x.val)
			case detailNumber:
				d[x.key] = value.Int(x.num)
			default:
				d[x.key] = x.str
			}
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	id := h.n.Add(1)
	ev := HistoryEvent{ID: id, Type: typ, Time: h.clock.Now(), DetailsKey: key, Details: d}
	if n := len(h.events); n > 0 {
		ev.PreviousID = h.events[n-1].ID
	}
	h.events = append(h.events, ev)
	return id
}

func (h *history) snapshot() []HistoryEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]HistoryEvent(nil), h.events...)
}

// lastType is the type of the last recorded event.
func (h *history) lastType() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.events) == 0 {
		return ""
	}
	return h.events[len(h.events)-1].Type
}

// jsonText renders a value for an event's details (input, output, parameters).
func jsonText(v any) string {
	b, err := value.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// noteError records an event whose details are an error and its cause.
func (h *history) noteError(typ, key string, err *value.Error) int64 {
	return h.note(typ, key, dstr("error", err.Name), dstr("cause", err.Cause))
}

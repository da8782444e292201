package metrics

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Recorder records metric values. Record refuses (with an error, recording nothing) a name not in
// the catalogue, a value that is not finite, and dimension values that break their dimension's
// rule; dims are the values of the metric's Dimensions, in order.
type Recorder interface {
	Record(name Name, value float64, dims ...string) error
}

// EMF limits (CloudWatch embedded metric format specification): at most 100 metrics per
// document and 100 values per metric.
const (
	maxMetricsPerDocument = 100
	maxValuesPerMetric    = 100
)

// EMF buffers points and writes them as CloudWatch Embedded Metric Format documents, one JSON
// line each, so a Lambda function's log stream becomes metrics without an API call. Points with
// the same metric dimensions and values share a document; a metric recorded more than once holds
// an array of values. Use one EMF per invocation and Flush it at the end. Safe for concurrent use.
type EMF struct {
	w      io.Writer
	now    func() time.Time
	schema *schema

	mu     sync.Mutex
	groups map[string]*group
	order  []string // group keys in first-recorded order, so output is deterministic
}

type group struct {
	dimNames, dimValues []string
	metrics             []*series
}

type series struct {
	def    Metric
	values []float64
}

// NewEMF returns an EMF writing to w (in Lambda, standard output); now stamps the documents (nil:
// time.Now).
func NewEMF(w io.Writer, now func() time.Time) *EMF {
	if now == nil {
		now = time.Now
	}
	return &EMF{w: w, now: now, schema: newSchema(), groups: map[string]*group{}}
}

// Record implements Recorder.
func (e *EMF) Record(name Name, value float64, dims ...string) error {
	m, err := e.schema.check(name, value, dims)
	if err != nil {
		return err
	}
	key := strings.Join(m.Dimensions, "\x00") + "\x01" + strings.Join(dims, "\x00")
	e.mu.Lock()
	defer e.mu.Unlock()
	g, ok := e.groups[key]
	if !ok {
		g = &group{dimNames: m.Dimensions, dimValues: append([]string(nil), dims...)}
		e.groups[key] = g
		e.order = append(e.order, key)
	}
	for _, s := range g.metrics {
		if s.def.Name == name {
			s.values = append(s.values, value)
			return nil
		}
	}
	g.metrics = append(g.metrics, &series{def: m, values: []float64{value}})
	return nil
}

// Flush writes every buffered point and empties the buffer. Documents hold at most 100 values per
// metric; more become further documents.
func (e *EMF) Flush() error {
	e.mu.Lock()
	groups, order := e.groups, e.order
	e.groups, e.order = map[string]*group{}, nil
	e.mu.Unlock()
	if len(order) == 0 {
		return nil
	}
	ts := e.now().UnixMilli()
	var buf bytes.Buffer
	for _, k := range order {
		g := groups[k]
		// Split values into rounds of at most 100 per metric, and metrics into chunks of 100.
		for round := 0; ; round++ {
			var batch []*series
			for _, s := range g.metrics {
				lo := round * maxValuesPerMetric
				if lo < len(s.values) {
					batch = append(batch, &series{def: s.def, values: s.values[lo:min(lo+maxValuesPerMetric, len(s.values))]})
				}
			}
			if len(batch) == 0 {
				break
			}
			// A group holds metrics of one dimension set, fewer than 100 in the catalogue
			// (TestCatalogueFitsOneDocument), so one document takes them all.
			appendDocument(&buf, ts, g, batch)
		}
	}
	if _, err := e.w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("metrics: write EMF: %w", err)
	}
	return nil
}

// appendDocument writes one EMF document and a newline. Names and dimension values are checked
// against the catalogue before they get here, but they are still JSON-escaped.
func appendDocument(buf *bytes.Buffer, ts int64, g *group, batch []*series) {
	b := buf.AvailableBuffer()
	b = append(b, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
	b = appendString(b, Namespace)
	b = append(b, `,"Dimensions":[[`...)
	for i, d := range g.dimNames {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, d)
	}
	b = append(b, `]],"Metrics":[`...)
	for i, s := range batch {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"Name":`...)
		b = appendString(b, string(s.def.Name))
		b = append(b, `,"Unit":`...)
		b = appendString(b, string(s.def.Unit))
		b = append(b, '}')
	}
	b = append(b, `]}]}`...)
	for i, d := range g.dimNames {
		b = append(b, ',')
		b = appendString(b, d)
		b = append(b, ':')
		b = appendString(b, g.dimValues[i])
	}
	for _, s := range batch {
		b = append(b, ',')
		b = appendString(b, string(s.def.Name))
		b = append(b, ':')
		if len(s.values) == 1 {
			b = appendFloat(b, s.values[0])
		} else {
			b = append(b, '[')
			for i, v := range s.values {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendFloat(b, v)
			}
			b = append(b, ']')
		}
	}
	b = append(b, "}\n"...)
	buf.Write(b)
}

func appendFloat(b []byte, v float64) []byte {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// Multi records every point on each recorder (EMF in Lambda plus Local in tests, say). It
// returns the first error; the catalogue check makes all of them agree.
func Multi(rs ...Recorder) Recorder { return multi(rs) }

type multi []Recorder

func (m multi) Record(name Name, value float64, dims ...string) error {
	var first error
	for _, r := range m {
		if err := r.Record(name, value, dims...); err != nil && first == nil {
			first = err
		}
	}
	return first
}

package metrics

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Local bounds.
const (
	DefaultMaxSeries = 2_000
	// recentValues is how many of the latest values per series the percentiles are computed from.
	recentValues = 1_024
)

// Local aggregates points in memory for the local stack, where there is no CloudWatch: per metric
// and dimension values, the count, sum, min, max, last value and percentiles of the recent values.
// It holds at most MaxSeries series and counts points for further series as dropped. Safe for
// concurrent use.
type Local struct {
	schema    *schema
	maxSeries int

	mu      sync.Mutex
	series  map[string]*localSeries
	dropped int
}

type localSeries struct {
	def      Metric
	dims     []string
	count    int
	sum      float64
	min, max float64
	last     float64
	recent   []float64 // ring of the latest recentValues values
	next     int
}

// NewLocal returns an empty Local holding at most maxSeries series (<= 0: DefaultMaxSeries).
func NewLocal(maxSeries int) *Local {
	if maxSeries <= 0 {
		maxSeries = DefaultMaxSeries
	}
	return &Local{schema: newSchema(), maxSeries: maxSeries, series: map[string]*localSeries{}}
}

// Record implements Recorder.
func (l *Local) Record(name Name, value float64, dims ...string) error {
	m, err := l.schema.check(name, value, dims)
	if err != nil {
		return err
	}
	key := string(name) + "\x01" + strings.Join(dims, "\x00")
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.series[key]
	if !ok {
		if len(l.series) >= l.maxSeries {
			l.dropped++
			return nil
		}
		s = &localSeries{def: m, dims: append([]string(nil), dims...), min: value, max: value}
		l.series[key] = s
	}
	s.count++
	s.sum += value
	s.min, s.max, s.last = min(s.min, value), max(s.max, value), value
	if len(s.recent) < recentValues {
		s.recent = append(s.recent, value)
	} else {
		s.recent[s.next] = value
		s.next = (s.next + 1) % recentValues
	}
	return nil
}

// Series is one aggregated series as the local endpoint shows it.
type Series struct {
	Name       Name              `json:"name"`
	Unit       Unit              `json:"unit"`
	Dimensions map[string]string `json:"dimensions"`
	Count      int               `json:"count"`
	Sum        float64           `json:"sum"`
	Min        float64           `json:"min"`
	Max        float64           `json:"max"`
	Last       float64           `json:"last"`
	// P50, P90 and P99 are nearest-rank percentiles of the latest 1,024 values.
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
}

// Snapshot is every series, sorted by name and then dimension values.
type Snapshot struct {
	Namespace string   `json:"namespace"`
	Series    []Series `json:"series"`
	// Dropped counts points refused because MaxSeries series existed already.
	Dropped int `json:"dropped"`
}

// Snapshot returns the current aggregates.
func (l *Local) Snapshot() Snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := make([]string, 0, len(l.series))
	for k := range l.series {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := Snapshot{Namespace: Namespace, Series: make([]Series, 0, len(keys)), Dropped: l.dropped}
	for _, k := range keys {
		s := l.series[k]
		dims := make(map[string]string, len(s.dims))
		for i, v := range s.dims {
			dims[s.def.Dimensions[i]] = v
		}
		sorted := slices.Clone(s.recent)
		slices.Sort(sorted)
		out.Series = append(out.Series, Series{
			Name: s.def.Name, Unit: s.def.Unit, Dimensions: dims,
			Count: s.count, Sum: s.sum, Min: s.min, Max: s.max, Last: s.last,
			P50: nearestRank(sorted, 50), P90: nearestRank(sorted, 90), P99: nearestRank(sorted, 99),
		})
	}
	return out
}

// Reset forgets every series.
func (l *Local) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.series, l.dropped = map[string]*localSeries{}, 0
}

func nearestRank(sorted []float64, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1]
}

// Handler serves the Snapshot as JSON on GET, optionally narrowed by ?name=<metric>, for the
// local stack's /dev/metrics. It is for local use only: it has no authentication.
func (l *Local) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeJSON(w, http.StatusMethodNotAllowed, errorBody("method", "only GET and HEAD are allowed"))
			return
		}
		snap := l.Snapshot()
		if name := r.URL.Query().Get("name"); name != "" {
			if _, ok := l.schema.metrics[Name(name)]; !ok {
				writeJSON(w, http.StatusBadRequest, errorBody("name", "must name a metric of the catalogue"))
				return
			}
			snap.Series = slices.DeleteFunc(snap.Series, func(s Series) bool { return string(s.Name) != name })
		}
		writeJSON(w, http.StatusOK, snap)
	})
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func errorBody(field, rule string) apiError {
	var e apiError
	e.Error.Code, e.Error.Message, e.Error.Field = "INVALID", field+": "+rule, field
	return e
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away: nothing to do
}

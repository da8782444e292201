package cost

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// HeaderName is the response header in which the local stack may report a request's estimated
// cost in USD (loadgen reads it). Local only: AWS bills, it does not answer with a price.
const HeaderName = "X-Estimated-Cost-Usd"

// Meter collects the Usage of one request as it happens: the gateway puts one in the request's
// context, and whatever runs on AWS's behalf locally (the engine for Express executions, the
// Lambda invoker, the DynamoDB adapter, the log writer) adds what it did. Methods on a nil
// *Meter do nothing, so code can meter unconditionally. Safe for concurrent use (the branches of
// a Parallel state add at the same time).
type Meter struct {
	mu sync.Mutex
	u  Usage
}

// NewMeter returns an empty Meter.
func NewMeter() *Meter { return &Meter{} }

type meterKey struct{}

// WithMeter returns ctx carrying m.
func WithMeter(ctx context.Context, m *Meter) context.Context {
	return context.WithValue(ctx, meterKey{}, m)
}

// MeterFrom returns the Meter in ctx, or nil.
func MeterFrom(ctx context.Context) *Meter {
	m, _ := ctx.Value(meterKey{}).(*Meter)
	return m
}

func (m *Meter) add(f func(u *Usage)) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	f(&m.u)
}

// AddAPIRequest counts an API Gateway request.
func (m *Meter) AddAPIRequest() { m.add(func(u *Usage) { u.APIRequests++ }) }

// AddExpress records an Express execution (a nested StartSyncExecution is one more); memoryMB 0
// means the 64 MB minimum.
func (m *Meter) AddExpress(name string, d time.Duration, memoryMB float64) {
	m.add(func(u *Usage) {
		u.Express = append(u.Express, Execution{Name: name, DurationMs: msOf(d), MemoryMB: memoryMB})
	})
}

// AddLambda records a Lambda invocation of a function configured with memoryMB.
func (m *Meter) AddLambda(name string, memoryMB int, d time.Duration) {
	m.add(func(u *Usage) {
		u.Lambda = append(u.Lambda, Invocation{Name: name, MemoryMB: memoryMB, DurationMs: msOf(d)})
	})
}

// AddRead records a DynamoDB read returning bytes (a GetItem's item, a Query's items).
func (m *Meter) AddRead(bytes int, strong bool) {
	m.add(func(u *Usage) { u.DynamoDBReads = append(u.DynamoDBReads, Read{Bytes: bytes, Strong: strong}) })
}

// AddWrite records a single-item DynamoDB write of bytes (the larger of before and after).
func (m *Meter) AddWrite(bytes int) {
	m.add(func(u *Usage) { u.DynamoDBWrites = append(u.DynamoDBWrites, Write{Bytes: bytes}) })
}

// AddCapacity records request units DynamoDB reported itself (ConsumedCapacity).
func (m *Meter) AddCapacity(readUnits, writeUnits float64) {
	m.add(func(u *Usage) { u.ReadRequestUnits += readUnits; u.WriteRequestUnits += writeUnits })
}

// AddTrace records a trace: 1 when the request is sampled.
func (m *Meter) AddTrace(fraction float64) { m.add(func(u *Usage) { u.TracesRecorded += fraction }) }

// AddLogBytes records bytes written to CloudWatch Logs.
func (m *Meter) AddLogBytes(n int) { m.add(func(u *Usage) { u.LogBytes += int64(n) }) }

// Usage returns a copy of what was recorded.
func (m *Meter) Usage() Usage {
	if m == nil {
		return Usage{}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.u
	u.Express = append([]Execution(nil), u.Express...)
	u.Lambda = append([]Invocation(nil), u.Lambda...)
	u.DynamoDBReads = append([]Read(nil), u.DynamoDBReads...)
	u.DynamoDBWrites = append([]Write(nil), u.DynamoDBWrites...)
	return u
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// FormatUSD renders an amount for HeaderName: plain decimal, 12 places (a millionth of a cent is
// 1e-8).
func FormatUSD(usd float64) string { return strconv.FormatFloat(usd, 'f', 12, 64) }

// ParseUSD reads a HeaderName value.
func ParseUSD(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v != v || v > 1e6 {
		return 0, false
	}
	return v, true
}

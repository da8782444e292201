package engine_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

func passChain(n int) string {
	var b strings.Builder
	b.WriteString(`{"StartAt":"S0","States":{`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		if i == n-1 {
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","End":true}`, i)
		} else {
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Next":"S%d"}`, i, i+1)
		}
	}
	b.WriteString(`}}`)
	return b.String()
}

// benchExec runs executions on all cores and reports executions per second and allocations per
// state transition (transitions = states entered per execution).
func benchExec(b *testing.B, def, input string, transitions int) {
	e := engine.New(engine.Options{Clock: engine.NewFakeClock(epoch)})
	mustLoad(b, e, "bench", def)
	in := []byte(input)
	if res := run(b, e, "bench", input); res.Status != engine.StatusSucceeded {
		b.Fatalf("benchmark machine fails: %+v", res)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := e.StartSyncExecution(context.Background(), "bench", in)
			if err != nil || res.Status != engine.StatusSucceeded {
				b.Errorf("execution failed: %v %+v", err, res)
				return
			}
		}
	})
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "exec/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N*transitions), "allocs/transition")
}

func BenchmarkPassChain20(b *testing.B) {
	benchExec(b, passChain(20), `{"vin":"WVWZZZ1JZXW000001","section":"master"}`, 20)
}

func BenchmarkMap1000(b *testing.B) {
	items := make([]string, 1000)
	for i := range items {
		items[i] = fmt.Sprintf(`{"i":%d}`, i)
	}
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	benchExec(b, def, `{"items":[`+strings.Join(items, ",")+`]}`, 1001)
}

func BenchmarkParallel8(b *testing.B) {
	branches := make([]string, 8)
	for i := range branches {
		branches[i] = fmt.Sprintf(`{"StartAt":"B%d","States":{"B%d":{"Type":"Pass","End":true}}}`, i, i)
	}
	def := `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[` + strings.Join(branches, ",") + `],"End":true}}}`
	benchExec(b, def, `{"vin":"WVWZZZ1JZXW000001"}`, 9)
}

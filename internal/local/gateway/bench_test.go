package gateway_test

import (
	"io"
	"net/http"
	"testing"
)

// BenchmarkGatewayOverhead measures what the gateway itself costs per request over loopback HTTP
// (routing, validation, input mapping, access log, response), with an executor that answers at
// once: the floor under every API latency of the local stack.
func BenchmarkGatewayOverhead(b *testing.B) {
	e := newBenchEnv(b)
	client := e.srv.Client()
	url := e.srv.URL + "/api/vehicles/" + demoVIN
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, err := http.NewRequestWithContext(b.Context(), http.MethodGet, url, nil)
			if err != nil {
				b.Error(err)
				return
			}
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
}

package wiring

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/acme-oem/vehicle-data/functions/catalog"
	"github.com/acme-oem/vehicle-data/functions/step"
	"github.com/acme-oem/vehicle-data/internal/cost"
	"github.com/acme-oem/vehicle-data/internal/metrics"
	"github.com/acme-oem/vehicle-data/internal/telemetry"
	"github.com/acme-oem/vehicle-data/legacyclients/transport"
)

// observeStep wraps a guarded step with what every step reports: one log line (step, outcome,
// latency; the handler's LogHandler adds requestId and traceId), a span (telemetry.WrapStep,
// when a tracer provider is configured), the metrics its output tells (outputMetrics) and,
// locally, the Lambda duration at the catalog's memory on the request's cost meter.
func observeStep(name string, log *slog.Logger, tp trace.TracerProvider, rec recorder, now func() time.Time, h step.Handler) step.Handler {
	after := outputMetrics(name, rec, now)
	memory := 0
	for _, s := range catalog.Steps() {
		if s.Name == name {
			memory = s.MemoryMB
		}
	}
	inner := func(ctx context.Context, payload []byte) ([]byte, error) {
		start := time.Now()
		out, err := h(ctx, payload)
		d := time.Since(start)
		cost.MeterFrom(ctx).AddLambda(name, memory, d)
		if err == nil && after != nil {
			after(ctx, out)
		}
		outcome := "ok"
		level := slog.LevelInfo
		if err != nil {
			outcome = "unhandled"
			var typed interface{ ErrorType() string }
			if errors.As(err, &typed) {
				outcome = typed.ErrorType()
			}
			if outcome == "unhandled" || outcome == "VehicleData.Internal" {
				level = slog.LevelError
			}
		}
		log.LogAttrs(ctx, level, "step", slog.String("step", name), slog.String("outcome", outcome),
			slog.Float64("latencyMs", float64(d.Microseconds())/1000))
		return out, err
	}
	if tp == nil {
		return inner
	}
	return telemetry.WrapStep(tp, name, inner)
}

// transportHooks count every legacy call and breaker change in the metric catalogue.
func transportHooks(rec metrics.Recorder, log *slog.Logger) transport.Hooks {
	if rec == nil {
		return transport.Hooks{}
	}
	record := func(ctx context.Context, name metrics.Name, v float64, dims ...string) {
		if err := rec.Record(name, v, dims...); err != nil {
			// A refused point is a bug in the names, never in the data: say which.
			log.LogAttrs(ctx, slog.LevelWarn, "metric refused", slog.String("metric", string(name)), slog.String("error", err.Error()))
		}
	}
	return transport.Hooks{
		Call: func(ctx context.Context, c transport.CallInfo) {
			record(ctx, metrics.LegacyCalls, 1, c.System, c.Outcome)
			record(ctx, metrics.LegacyLatency, float64(c.Latency.Microseconds())/1000, c.System)
		},
		BreakerChange: func(ctx context.Context, system, _, to string) {
			record(ctx, metrics.BreakerTransitions, 1, system, to)
		},
	}
}

// tracedTransport is a dedicated connection pool for one legacy system whose every attempt is a
// span carrying X-Amzn-Trace-Id. Proxy stays nil, as in legacyclients/transport: VIN-bearing
// URLs never detour through a proxy a host happens to set.
func tracedTransport(tp trace.TracerProvider, system string) (*http.Transport, http.RoundTripper, error) {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	base := &http.Transport{
		DialContext: d.DialContext, ForceAttemptHTTP2: true, MaxIdleConns: 64, MaxIdleConnsPerHost: 32,
		IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 5 * time.Second,
	}
	rt, err := telemetry.NewTransport(base, tp, system)
	if err != nil {
		return nil, nil, err //nolint:wrapcheck // the caller names the system
	}
	return base, rt, nil
}

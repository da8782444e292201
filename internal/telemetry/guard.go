package telemetry

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/acme-oem/vehicle-data/internal/pii"
)

// The markers that replace refused data; they name the rule, never the value.
const (
	RefusedName  = "refused-span-name"
	refusedValue = "[refused: %s]"
)

// personalKeys are attribute key segments (split at dots) that name personal data or carry it
// whatever its shape: a URL or query holds the VIN, a user name is a name.
var personalKeys = []string{"vin", "plate", "owner", "keeper", "email", "phone", "token", "code", "password",
	"secret", "authorization", "cookie", "user", "enduser", "address", "street", "url", "query", "target", "body", "payload"}

// CheckName returns an error when a span or event name may carry personal data or free text
// (internal/pii). Names are fixed strings or route templates ("GET /vehicles/{vin}").
func CheckName(name string) error {
	if rule := pii.Check(name); rule != "" {
		return fmt.Errorf("span name is %s", rule)
	}
	return nil
}

// CheckAttribute returns an error when an attribute may carry personal data: its key names
// personal data (a segment such as vin, owner, url, user), or a string value breaks a pii rule.
// The error names the key and the rule, never the value.
func CheckAttribute(kv attribute.KeyValue) error {
	for seg := range strings.SplitSeq(strings.ToLower(string(kv.Key)), ".") {
		for _, p := range personalKeys {
			if seg == p {
				return fmt.Errorf("attribute %s: key names personal data (%s)", kv.Key, p)
			}
		}
	}
	if rule := pii.Check(string(kv.Key)); rule != "" {
		return fmt.Errorf("attribute key is %s", rule)
	}
	switch kv.Value.Type() {
	case attribute.STRING:
		if rule := pii.Check(kv.Value.AsString()); rule != "" {
			return fmt.Errorf("attribute %s: value is %s", kv.Key, rule)
		}
	case attribute.STRINGSLICE:
		for _, s := range kv.Value.AsStringSlice() {
			if rule := pii.Check(s); rule != "" {
				return fmt.Errorf("attribute %s: an element is %s", kv.Key, rule)
			}
		}
	}
	return nil
}

// guardAttrs returns attrs with each refused attribute's value replaced by a marker naming the
// rule (the key stays when it is safe: it tells a reader what was withheld), and how many were.
// Clean input is returned as it is, without a copy.
func guardAttrs(attrs []attribute.KeyValue) ([]attribute.KeyValue, int) {
	var out []attribute.KeyValue
	n := 0
	for i, kv := range attrs {
		err := CheckAttribute(kv)
		if err != nil && out == nil {
			out = append(make([]attribute.KeyValue, 0, len(attrs)), attrs[:i]...)
		}
		switch {
		case err != nil:
			n++
			key := kv.Key
			if pii.Check(string(key)) != "" {
				key = "refused.key"
			}
			out = append(out, attribute.String(string(key), fmt.Sprintf(refusedValue, ruleOf(err))))
		case out != nil:
			out = append(out, kv)
		}
	}
	if out == nil {
		return attrs, 0
	}
	return out, n
}

func ruleOf(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, " is "); i >= 0 {
		return msg[i+4:]
	}
	if strings.Contains(msg, "key names personal data") {
		return "personal key"
	}
	return "refused"
}

// guardedSpan is a ReadOnlySpan with its name, attributes, events and status message passed
// through the guard. Embedding the interface keeps the rest (and its private method).
type guardedSpan struct {
	sdktrace.ReadOnlySpan
	name    string
	attrs   []attribute.KeyValue
	events  []sdktrace.Event
	status  sdktrace.Status
	refused int
}

func (s *guardedSpan) Name() string                     { return s.name }
func (s *guardedSpan) Attributes() []attribute.KeyValue { return s.attrs }
func (s *guardedSpan) Events() []sdktrace.Event         { return s.events }
func (s *guardedSpan) Status() sdktrace.Status          { return s.status }
func (s *guardedSpan) Links() []sdktrace.Link           { return nil } // links carry attributes too; none are used

func guard(s sdktrace.ReadOnlySpan) *guardedSpan {
	g := &guardedSpan{ReadOnlySpan: s, name: s.Name(), status: s.Status()}
	if CheckName(g.name) != nil {
		g.name = RefusedName
		g.refused++
	}
	var n int
	g.attrs, n = guardAttrs(s.Attributes())
	g.refused += n
	for _, e := range s.Events() {
		if CheckName(e.Name) != nil {
			e.Name = RefusedName
			g.refused++
		}
		e.Attributes, n = guardAttrs(e.Attributes)
		g.refused += n
		g.events = append(g.events, e)
	}
	if g.status.Description != "" {
		if rule := pii.Check(g.status.Description); rule != "" {
			g.status.Description = fmt.Sprintf(refusedValue, rule)
			g.refused++
		}
	}
	return g
}

// GuardedExporter passes every span through the guard before the exporter it wraps sees it.
type GuardedExporter struct {
	next    sdktrace.SpanExporter
	refused atomic.Int64
}

// Guarded wraps next (in Lambda, the exporter to X-Ray) with the guard.
func Guarded(next sdktrace.SpanExporter) *GuardedExporter { return &GuardedExporter{next: next} }

// ExportSpans implements sdktrace.SpanExporter.
func (e *GuardedExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	out := make([]sdktrace.ReadOnlySpan, len(spans))
	for i, s := range spans {
		g := guard(s)
		e.refused.Add(int64(g.refused))
		out[i] = g
	}
	if err := e.next.ExportSpans(ctx, out); err != nil {
		return fmt.Errorf("telemetry: export: %w", err)
	}
	return nil
}

// Shutdown implements sdktrace.SpanExporter.
func (e *GuardedExporter) Shutdown(ctx context.Context) error {
	if err := e.next.Shutdown(ctx); err != nil {
		return fmt.Errorf("telemetry: exporter shutdown: %w", err)
	}
	return nil
}

// Refused counts the names, attributes and messages the guard replaced: a metric or a test can
// tell that some code tried to trace personal data.
func (e *GuardedExporter) Refused() int { return int(e.refused.Load()) }

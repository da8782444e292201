package engine

import (
	"context"
	"strings"
)

// TaskRequest is what a Task state hands its integration.
type TaskRequest struct {
	// Resource is the state's Resource ARN.
	Resource string
	// Parameters is the effective task input (after InputPath and Parameters) in the value model
	// (objects are *value.Object). An integration may answer in the value model or with plain
	// Go maps, which become objects with sorted keys.
	Parameters any
	// StateName names the Task state, for error messages.
	StateName string
	// TaskToken is set for .waitForTaskToken resources: the state completes when someone calls
	// Engine.SendTaskSuccess or SendTaskFailure with it.
	TaskToken string
}

// Integration runs Task states for the resources it was registered for. A returned *value.Error
// is a Step Functions error (Retry and Catch match its Name); any other error becomes
// States.TaskFailed with the error text as cause.
type Integration interface {
	Invoke(ctx context.Context, req TaskRequest) (any, error)
}

// IntegrationFunc adapts a function to Integration.
type IntegrationFunc func(ctx context.Context, req TaskRequest) (any, error)

// Invoke calls f.
func (f IntegrationFunc) Invoke(ctx context.Context, req TaskRequest) (any, error) {
	return f(ctx, req)
}

type registryEntry struct {
	pattern string
	integ   Integration
}

// registry maps resource ARN patterns to integrations; '*' in a pattern matches any run of
// characters. Later registrations win, so Options.Integrations can override built-ins.
type registry struct {
	entries []registryEntry
}

func (r *registry) add(pattern string, integ Integration) {
	r.entries = append(r.entries, registryEntry{pattern: pattern, integ: integ})
}

func (r *registry) lookup(resource string) Integration {
	for i := len(r.entries) - 1; i >= 0; i-- {
		if globMatch(r.entries[i].pattern, resource) {
			return r.entries[i].integ
		}
	}
	return nil
}

// globMatch matches s against a pattern where '*' stands for any (possibly empty) substring.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i := 1; i < len(parts)-1; i++ {
		idx := strings.Index(s, parts[i])
		if idx < 0 {
			return false
		}
		s = s[idx+len(parts[i]):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

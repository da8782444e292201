package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// MaxPayloadBytes is Step Functions' limit on execution input and on every state's result.
const MaxPayloadBytes = 256 * 1024

// Execution statuses, as DescribeExecution and StartSyncExecution report them.
const (
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
)

// Options configure an Engine. Every field is optional.
type Options struct {
	// Clock drives Wait, Retry intervals and TimeoutSeconds; RealClock when nil.
	Clock Clock
	// Functions resolves Lambda function names for lambda:invoke and function ARNs.
	Functions Functions
	// DynamoDB serves the dynamodb:* integrations (a *dynamodb.Client satisfies it).
	DynamoDB DynamoDBAPI
	// Region and Account build ARNs; us-east-1 and 123456789012 when empty.
	Region, Account string
	// RoleArn is reported as $$.Execution.RoleArn.
	RoleArn string
	// Trace, when set, receives state entered/exited events. It is called synchronously from
	// executions (possibly concurrently): keep it fast.
	Trace func(Event)
	// TraceData adds state input/output to trace events. Off by default because execution
	// data may hold personal data.
	TraceData bool
	// Integrations adds or overrides Task integrations by resource ARN pattern ('*' wildcards).
	Integrations map[string]Integration
	// Jitter returns a number in [0,1) for JitterStrategy FULL; math/rand/v2 when nil.
	Jitter func() float64
	// DisableJSONata rejects definitions whose QueryLanguage is JSONata at load.
	DisableJSONata bool
}

// EventKind says what a trace Event reports.
type EventKind string

// Trace event kinds.
const (
	EventStateEntered EventKind = "StateEntered"
	EventStateExited  EventKind = "StateExited"
)

// Event is a trace record. Input and Output are set only with Options.TraceData.
type Event struct {
	Kind         EventKind
	ExecutionArn string
	ID           int64 // history event id, numbered as AWS does
	State        string
	StateType    string
	Time         time.Time
	Duration     time.Duration // StateExited only: time since the state was entered
	Error        string        // StateExited only: the error name when the state failed
	Input        []byte
	Output       []byte
	// StateMachine names the execution's machine.
	StateMachine string
	// Context is the execution's context (the caller's, carrying its trace span and deadline), so
	// a hook can attach what it records to the request that caused it. Read it; never keep it.
	Context context.Context
}

// Result is the outcome of a synchronous execution, shaped like StartSyncExecution's answer.
type Result struct {
	ExecutionArn    string
	StateMachineArn string
	Name            string
	Status          string
	Output          string // JSON text; empty unless SUCCEEDED
	Error           string
	Cause           string
	StartDate       time.Time
	StopDate        time.Time
}

// Engine loads state machines and runs executions. It is safe for concurrent use.
type Engine struct {
	opts         Options
	clock        Clock
	integrations *registry

	mu       sync.RWMutex
	machines map[string]*machine // by name and by ARN

	callbacks callbacks // tasks waiting for SendTaskSuccess/SendTaskFailure

	background running // executions started by startExecution tasks, for Drain
}

type machine struct {
	name     string
	arn      string
	standard bool
	prog     *program
	timeout  int64 // TimeoutSeconds; 0 when absent
	readsCtx bool  // some state reads "$$"
}

// New builds an Engine with the built-in integrations (Lambda, DynamoDB, nested
// StartSyncExecution) plus opts.Integrations.
func New(opts Options) *Engine {
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "123456789012"
	}
	if opts.RoleArn == "" {
		opts.RoleArn = "arn:aws:iam::" + opts.Account + ":role/StepFunctionsLocal"
	}
	if opts.Jitter == nil {
		opts.Jitter = rand.Float64
	}
	e := &Engine{opts: opts, clock: opts.Clock, integrations: &registry{}, machines: map[string]*machine{}}
	e.registerBuiltins()
	// Register longer (more specific) patterns last so they win over broader ones, whatever
	// the map's iteration order.
	patterns := make([]string, 0, len(opts.Integrations))
	for p := range opts.Integrations {
		patterns = append(patterns, p)
	}
	slices.SortFunc(patterns, func(a, b string) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return strings.Compare(a, b)
	})
	for _, p := range patterns {
		e.integrations.add(p, opts.Integrations[p])
	}
	return e
}

var machineName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// Load validates a definition (after substituting ${Name} placeholders) and registers it under
// name as an EXPRESS machine, replacing any machine of that name. It returns the state machine
// ARN. An invalid definition yields a *ValidationError naming the state and field.
func (e *Engine) Load(name string, definition []byte, substitutions map[string]string) (string, error) {
	return e.LoadWith(name, definition, LoadOptions{Substitutions: substitutions})
}

// LoadOptions tune LoadWith.
type LoadOptions struct {
	// Substitutions replace ${Name} placeholders, like CDK's DefinitionSubstitutions.
	Substitutions map[string]string
	// Type is "EXPRESS" (default) or "STANDARD"; it shapes execution ARNs in $$.Execution.Id.
	Type string
}

// LoadWith is Load with options.
func (e *Engine) LoadWith(name string, definition []byte, lo LoadOptions) (string, error) {
	substitutions := lo.Substitutions
	if lo.Type != "" && lo.Type != "EXPRESS" && lo.Type != "STANDARD" {
		return "", fmt.Errorf("load state machine: type %q is neither EXPRESS nor STANDARD", lo.Type)
	}
	if !machineName.MatchString(name) {
		return "", fmt.Errorf("load state machine: invalid name %q (1-80 letters, digits, '-' or '_')", name)
	}
	m, err := e.compile(name, definition, substitutions)
	if err != nil {
		return "", fmt.Errorf("load state machine %q: %w", name, err)
	}
	m.standard = lo.Type == "STANDARD"
	e.mu.Lock()
	if old, ok := e.machines[name]; ok {
		delete(e.machines, old.arn)
	}
	e.machines[name] = m
	e.machines[m.arn] = m
	e.mu.Unlock()
	return m.arn, nil
}

// Delete removes a machine (by name or ARN) and reports whether it existed. Executions already
// running finish.
func (e *Engine) Delete(arnOrName string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ok := e.machines[arnOrName]
	if !ok {
		return false
	}
	delete(e.machines, m.name)
	delete(e.machines, m.arn)
	return true
}

// MachineArn is the ARN a machine loaded under name has.
func (e *Engine) MachineArn(name string) string { return e.machineArn(name) }

// Validate checks a definition without registering it.
func (e *Engine) Validate(definition []byte, substitutions map[string]string) error {
	_, err := e.compile("validate", definition, substitutions)
	return err
}

func (e *Engine) compile(name string, definition []byte, substitutions map[string]string) (*machine, error) {
	raw, err := value.Decode(substitute(definition, substitutions))
	if err != nil {
		return nil, &ValidationError{Problems: []Problem{{Code: "INVALID_JSON_DESCRIPTION", Message: err.Error()}}}
	}
	p := &parser{eng: e}
	prog, timeout := p.parseDefinition(raw)
	if len(p.problems) > 0 {
		return nil, &ValidationError{Problems: p.problems}
	}
	return &machine{name: name, arn: e.machineArn(name), prog: prog, timeout: timeout, readsCtx: p.readsCtx}, nil
}

func (e *Engine) machineArn(name string) string {
	return "arn:aws:states:" + e.opts.Region + ":" + e.opts.Account + ":stateMachine:" + name
}

func (e *Engine) lookup(arnOrName string) (*machine, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	m, ok := e.machines[arnOrName]
	return m, ok
}

// ErrStateMachineDoesNotExist is returned (wrapped) for an unknown ARN or name.
var ErrStateMachineDoesNotExist = errors.New("StateMachineDoesNotExist")

// ErrInvalidExecutionInput is returned (wrapped) when the input is not a JSON document or is
// larger than MaxPayloadBytes.
var ErrInvalidExecutionInput = errors.New("InvalidExecutionInput")

// StartSyncExecution runs the machine to completion like the Express StartSyncExecution API.
// The error is non-nil only when no execution could start (unknown machine, invalid input);
// an execution that fails or times out is a Result with that Status. When ctx ends first, the
// execution stops with TIMED_OUT and no goroutine of it outlives the call.
func (e *Engine) StartSyncExecution(ctx context.Context, arnOrName string, input []byte) (Result, error) {
	return e.startSync(ctx, arnOrName, "", input)
}

func (e *Engine) startSync(ctx context.Context, arnOrName, execName string, input []byte) (Result, error) {
	m, ok := e.lookup(arnOrName)
	if !ok {
		return Result{}, fmt.Errorf("start execution: state machine %q: %w", arnOrName, ErrStateMachineDoesNotExist)
	}
	if len(input) > MaxPayloadBytes {
		return Result{}, fmt.Errorf("start execution: input of %d bytes exceeds the %d byte limit: %w", len(input), MaxPayloadBytes, ErrInvalidExecutionInput)
	}
	if len(strings.TrimSpace(string(input))) == 0 {
		input = []byte("{}")
	}
	in, err := decodeJSON(input)
	if err != nil {
		return Result{}, fmt.Errorf("start execution: input is not valid JSON (%w): %w", err, ErrInvalidExecutionInput)
	}
	id := uuid.NewString()
	if execName == "" {
		execName = id
	}
	return e.run(ctx, m, execName, id, in), nil
}

package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

type createRequest struct {
	Name       string `json:"name"`
	Definition string `json:"definition"`
	RoleArn    string `json:"roleArn"`
	Type       string `json:"type"`
}

func required(field, v string) error {
	if v == "" {
		return badRequest("ValidationException", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	return nil
}

func (s *Server) createStateMachine(_ *http.Request, body []byte) (any, error) {
	var in createRequest
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	for _, f := range [][2]string{{"name", in.Name}, {"definition", in.Definition}, {"roleArn", in.RoleArn}} {
		if err := required(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	if !nameRE.MatchString(in.Name) {
		return nil, badRequest("InvalidName", "Invalid Name: '%s' (1-80 letters, digits, '-' or '_')", in.Name)
	}
	switch in.Type {
	case "":
		in.Type = "STANDARD" // AWS's default
	case "STANDARD", "EXPRESS":
	default:
		return nil, badRequest("ValidationException", "1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", in.Type)
	}
	arn := s.eng.MachineArn(in.Name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.machines[arn]; ok {
		if old.definition == in.Definition && old.roleArn == in.RoleArn && old.typ == in.Type {
			return map[string]any{"stateMachineArn": arn, "creationDate": epoch(old.created)}, nil // idempotent, as in AWS
		}
		return nil, badRequest("StateMachineAlreadyExists", "State Machine Already Exists: '%s'", arn)
	}
	if _, err := s.eng.LoadWith(in.Name, []byte(in.Definition), engine.LoadOptions{Type: in.Type}); err != nil {
		return nil, definitionError(err)
	}
	now := time.Now()
	s.machines[arn] = &machineRecord{arn: arn, name: in.Name, definition: in.Definition, roleArn: in.RoleArn, typ: in.Type, created: now}
	return map[string]any{"stateMachineArn": arn, "creationDate": epoch(now)}, nil
}

// Load registers a state machine as CreateStateMachine does, from Go: the definition's ${Name}
// placeholders are substituted first (as CDK's DefinitionSubstitutions). Loading a name again
// replaces its machine. typ is "EXPRESS" or "STANDARD". The machine is then listed, described
// and started through the API like one created by a client.
func (s *Server) Load(name string, definition []byte, substitutions map[string]string, typ, roleArn string) (string, error) {
	arn, err := s.eng.LoadWith(name, definition, engine.LoadOptions{Substitutions: substitutions, Type: typ})
	if err != nil {
		return "", fmt.Errorf("load state machine %s: %w", name, err)
	}
	if typ == "" {
		typ = "EXPRESS"
	}
	def := string(definition)
	for k, v := range substitutions {
		def = strings.ReplaceAll(def, "${"+k+"}", v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.machines[arn] = &machineRecord{arn: arn, name: name, definition: def, roleArn: roleArn, typ: typ, created: time.Now()}
	return arn, nil
}

type machineRequest struct {
	StateMachineArn string `json:"stateMachineArn"`
	Definition      string `json:"definition"`
	RoleArn         string `json:"roleArn"`
}

// machine finds a state machine created through the API.
func (s *Server) machine(arn string) (*machineRecord, error) {
	if err := required("stateMachineArn", arn); err != nil {
		return nil, err
	}
	if err := checkMachineArn(arn); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.machines[arn]
	if !ok {
		return nil, machineMissing(arn)
	}
	return m, nil
}

func (s *Server) updateStateMachine(_ *http.Request, body []byte) (any, error) {
	var in machineRequest
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	m, err := s.machine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if in.Definition == "" && in.RoleArn == "" {
		return nil, badRequest("MissingRequiredParameter", "Either the definition or the roleArn must be specified")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	def := m.definition
	if in.Definition != "" {
		def = in.Definition
	}
	if _, err := s.eng.LoadWith(m.name, []byte(def), engine.LoadOptions{Type: m.typ}); err != nil {
		return nil, definitionError(err)
	}
	m.definition = def
	if in.RoleArn != "" {
		m.roleArn = in.RoleArn
	}
	m.updated = time.Now()
	return map[string]any{"updateDate": epoch(m.updated)}, nil
}

func (s *Server) describeStateMachine(_ *http.Request, body []byte) (any, error) {
	var in machineRequest
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	m, err := s.machine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]any{
		"stateMachineArn": m.arn, "name": m.name, "status": "ACTIVE", "definition": m.definition,
		"roleArn": m.roleArn, "type": m.typ, "creationDate": epoch(m.created),
	}, nil
}

func (s *Server) listStateMachines(_ *http.Request, body []byte) (any, error) {
	var in struct{}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := make([]map[string]any, 0, len(s.machines))
	for _, m := range sortedMachines(s.machines) {
		list = append(list, map[string]any{"stateMachineArn": m.arn, "name": m.name, "type": m.typ, "creationDate": epoch(m.created)})
	}
	return map[string]any{"stateMachines": list}, nil
}

func (s *Server) deleteStateMachine(_ *http.Request, body []byte) (any, error) {
	var in machineRequest
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if _, err := s.machine(in.StateMachineArn); err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.code == "StateMachineDoesNotExist" {
			return map[string]any{}, nil // deleting twice is not an error in AWS
		}
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.machines, in.StateMachineArn)
	s.eng.Delete(in.StateMachineArn)
	return map[string]any{}, nil
}

func (s *Server) validateDefinition(_ *http.Request, body []byte) (any, error) {
	var in createRequest
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("definition", in.Definition); err != nil {
		return nil, err
	}
	err := s.eng.Validate([]byte(in.Definition), nil)
	if err == nil {
		return map[string]any{"result": "OK", "diagnostics": []any{}, "truncated": false}, nil
	}
	var ve *engine.ValidationError
	if !errors.As(err, &ve) {
		return nil, definitionError(err)
	}
	diags := make([]map[string]any, 0, len(ve.Problems))
	for _, p := range ve.Problems {
		diags = append(diags, map[string]any{"severity": "ERROR", "code": p.Code, "message": p.Message, "location": p.Location})
	}
	return map[string]any{"result": "FAIL", "diagnostics": diags, "truncated": false}, nil
}

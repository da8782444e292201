package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

type startRequest struct {
	StateMachineArn string  `json:"stateMachineArn"`
	Name            string  `json:"name"`
	Input           *string `json:"input"`
}

// start checks a start request and returns the machine's ARN and the input.
func (s *Server) checkStart(in startRequest) ([]byte, error) {
	if err := required("stateMachineArn", in.StateMachineArn); err != nil {
		return nil, err
	}
	if err := checkMachineArn(in.StateMachineArn); err != nil {
		return nil, err
	}
	if in.Name != "" && !nameRE.MatchString(in.Name) {
		return nil, badRequest("InvalidName", "Invalid Name: '%s' (1-80 letters, digits, '-' or '_')", in.Name)
	}
	if in.Input == nil {
		return []byte("{}"), nil
	}
	return []byte(*in.Input), nil
}

// startError maps the engine's refusal to start to AWS's error codes.
func startError(arn string, err error) error {
	switch {
	case errors.Is(err, engine.ErrStateMachineDoesNotExist):
		return machineMissing(arn)
	case errors.Is(err, engine.ErrInvalidExecutionInput):
		return badRequest("InvalidExecutionInput", "Invalid State Machine Execution Input: '%v'", err)
	}
	return err
}

func (s *Server) machineType(arn string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.machines[arn]; ok {
		return m.typ
	}
	return "EXPRESS" // loaded into the engine directly (Engine.Load loads EXPRESS machines)
}

func (s *Server) startExecution(_ *http.Request, body []byte) (any, error) {
	var in startRequest
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	input, err := s.checkStart(in)
	if err != nil {
		return nil, err
	}
	if in.Name != "" && s.nameTaken(in.StateMachineArn, in.Name) {
		return nil, badRequest("ExecutionAlreadyExists", "Execution Already Exists: '%s'", in.Name)
	}
	x, err := s.eng.Start(s.ctx, in.StateMachineArn, input, engine.RunOptions{Name: in.Name, History: true})
	if err != nil {
		return nil, startError(in.StateMachineArn, err)
	}
	s.mu.Lock()
	s.executions[x.ARN] = &executionRecord{x: x, machineArn: in.StateMachineArn}
	s.order = append(s.order, x.ARN)
	s.mu.Unlock()
	return map[string]any{"executionArn": x.ARN, "startDate": epoch(x.StartDate())}, nil
}

func (s *Server) nameTaken(machineArn, name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.executions {
		if r.machineArn == machineArn && r.x.Name == name {
			return true
		}
	}
	return false
}

func (s *Server) startSyncExecution(r *http.Request, body []byte) (any, error) {
	var in startRequest
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	input, err := s.checkStart(in)
	if err != nil {
		return nil, err
	}
	if s.machineType(in.StateMachineArn) != "EXPRESS" {
		return nil, badRequest("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
	}
	// The request's context bounds the execution: a client that gives up ends it.
	x, err := s.eng.Start(r.Context(), in.StateMachineArn, input, engine.RunOptions{Name: in.Name})
	if err != nil {
		return nil, startError(in.StateMachineArn, err)
	}
	res, err := x.Wait(r.Context())
	if err != nil {
		res = x.Stop("States.Timeout", "The client closed the request")
	}
	out := executionShape(res, string(input))
	ms := res.StopDate.Sub(res.StartDate).Milliseconds()
	out["billingDetails"] = map[string]any{"billedDurationInMilliseconds": max((ms+99)/100*100, 100), "billedMemoryUsedInMB": 64}
	return out, nil
}

// executionShape is the members DescribeExecution and StartSyncExecution share.
func executionShape(res engine.Result, input string) map[string]any {
	out := map[string]any{
		"executionArn": res.ExecutionArn, "stateMachineArn": res.StateMachineArn, "name": res.Name,
		"status": res.Status, "startDate": epoch(res.StartDate),
		"input": input, "inputDetails": map[string]any{"included": true},
	}
	if res.Status != engine.StatusRunning {
		out["stopDate"] = epoch(res.StopDate)
	}
	if res.Status == engine.StatusSucceeded {
		out["output"] = res.Output
		out["outputDetails"] = map[string]any{"included": true}
	}
	if res.Error != "" {
		out["error"] = res.Error
	}
	if res.Cause != "" {
		out["cause"] = res.Cause
	}
	return out
}

type executionRequest struct {
	ExecutionArn string `json:"executionArn"`
	Error        string `json:"error"`
	Cause        string `json:"cause"`
	ReverseOrder bool   `json:"reverseOrder"`
}

func (s *Server) execution(arn string) (*executionRecord, error) {
	if err := required("executionArn", arn); err != nil {
		return nil, err
	}
	if err := checkExecutionArn(arn); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.executions[arn]
	if !ok {
		return nil, executionMissing(arn)
	}
	return r, nil
}

func (s *Server) describeExecution(_ *http.Request, body []byte) (any, error) {
	var in executionRequest
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	rec, err := s.execution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	return executionShape(rec.x.Result(), rec.x.Input), nil
}

func (s *Server) listExecutions(_ *http.Request, body []byte) (any, error) {
	var in struct {
		StateMachineArn string `json:"stateMachineArn"`
		StatusFilter    string `json:"statusFilter"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if _, err := s.machine(in.StateMachineArn); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []map[string]any{}
	for i := len(s.order) - 1; i >= 0; i-- { // newest first, as AWS lists them
		rec := s.executions[s.order[i]]
		res := rec.x.Result()
		if rec.machineArn != in.StateMachineArn || (in.StatusFilter != "" && in.StatusFilter != res.Status) {
			continue
		}
		item := map[string]any{"executionArn": res.ExecutionArn, "stateMachineArn": res.StateMachineArn, "name": res.Name, "status": res.Status, "startDate": epoch(res.StartDate)}
		if res.Status != engine.StatusRunning {
			item["stopDate"] = epoch(res.StopDate)
		}
		list = append(list, item)
	}
	return map[string]any{"executions": list}, nil
}

func (s *Server) stopExecution(_ *http.Request, body []byte) (any, error) {
	var in executionRequest
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	rec, err := s.execution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	res := rec.x.Stop(in.Error, in.Cause)
	stop := res.StopDate
	if stop.IsZero() {
		stop = time.Now()
	}
	return map[string]any{"stopDate": epoch(stop)}, nil
}

func (s *Server) getExecutionHistory(_ *http.Request, body []byte) (any, error) {
	var in executionRequest
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	rec, err := s.execution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	events := rec.x.History()
	out := make([]map[string]any, 0, len(events))
	for _, ev := range events {
		item := map[string]any{"id": ev.ID, "previousEventId": ev.PreviousID, "type": ev.Type, "timestamp": epoch(ev.Time)}
		if ev.DetailsKey != "" && ev.Details != nil {
			item[ev.DetailsKey] = ev.Details
		}
		out = append(out, item)
	}
	if in.ReverseOrder {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return map[string]any{"events": out}, nil
}

type taskRequest struct {
	TaskToken string `json:"taskToken"`
	Output    string `json:"output"`
	Error     string `json:"error"`
	Cause     string `json:"cause"`
}

func taskError(err error) error {
	if errors.Is(err, engine.ErrTaskDoesNotExist) {
		return badRequest("TaskDoesNotExist", "Task Does Not Exist: the token is not waiting (finished, timed out or never issued)")
	}
	return badRequest("InvalidOutput", "Invalid Output: '%v'", err)
}

func (s *Server) sendTaskSuccess(_ *http.Request, body []byte) (any, error) {
	var in taskRequest
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	for _, f := range [][2]string{{"taskToken", in.TaskToken}, {"output", in.Output}} {
		if err := required(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	if err := s.eng.SendTaskSuccess(in.TaskToken, []byte(in.Output)); err != nil {
		return nil, taskError(err)
	}
	return map[string]any{}, nil
}

func (s *Server) sendTaskFailure(_ *http.Request, body []byte) (any, error) {
	var in taskRequest
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("taskToken", in.TaskToken); err != nil {
		return nil, err
	}
	if err := s.eng.SendTaskFailure(in.TaskToken, in.Error, in.Cause); err != nil {
		return nil, taskError(err)
	}
	return map[string]any{}, nil
}

func (s *Server) sendTaskHeartbeat(_ *http.Request, body []byte) (any, error) {
	var in taskRequest
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("taskToken", in.TaskToken); err != nil {
		return nil, err
	}
	if err := s.eng.SendTaskHeartbeat(in.TaskToken); err != nil {
		return nil, taskError(err)
	}
	return map[string]any{}, nil
}

func (s *Server) testState(r *http.Request, body []byte) (any, error) {
	var in struct {
		Definition string  `json:"definition"`
		Input      *string `json:"input"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("definition", in.Definition); err != nil {
		return nil, err
	}
	input := []byte("{}")
	if in.Input != nil {
		input = []byte(*in.Input)
	}
	res, err := s.eng.TestState(r.Context(), []byte(in.Definition), input)
	if err != nil {
		if errors.Is(err, engine.ErrInvalidExecutionInput) {
			return nil, badRequest("InvalidExecutionInput", "Invalid Input: '%v'", err)
		}
		return nil, definitionError(err)
	}
	out := map[string]any{"status": res.Status}
	if res.Status == engine.StatusSucceeded {
		out["output"] = res.Output
	}
	if res.NextState != "" {
		out["nextState"] = res.NextState
	}
	if res.Error != "" {
		out["error"] = res.Error
	}
	if res.Cause != "" {
		out["cause"] = res.Cause
	}
	return out, nil
}

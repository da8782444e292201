package stack

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Resources of the Task states that start another state machine.
const (
	startSyncResource  = "arn:aws:states:::aws-sdk:sfn:startSyncExecution"
	startAsyncResource = "arn:aws:states:::states:startExecution"
)

// nestedStart is a Task state that starts another machine.
type nestedStart struct {
	child string // the machine started
	sync  bool   // waits for it (startSyncExecution) or not (startExecution)
}

// nestedStarts reads statemachines/*.asl.json and returns, per machine and state name, the Task
// states that start another machine (the ASL's ${<Machine>StateMachineArn}), in Parallel
// branches and Map processors too: the engine's trace events name a state, not its resource.
func nestedStarts(root string) (map[string]map[string]nestedStart, error) {
	paths, err := filepath.Glob(filepath.Join(root, "statemachines", "*.asl.json"))
	if err != nil {
		return nil, fmt.Errorf("list state machines: %w", err)
	}
	byPlaceholder := map[string]string{}
	for _, p := range paths {
		n := strings.TrimSuffix(filepath.Base(p), ".asl.json")
		byPlaceholder["${"+pascal(n)+"StateMachineArn}"] = n
	}
	out := map[string]map[string]nestedStart{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read state machine: %w", err)
		}
		var def aslStates
		if err := json.Unmarshal(b, &def); err != nil {
			return nil, fmt.Errorf("state machine %s: %w", p, err)
		}
		found := map[string]nestedStart{}
		def.collect(byPlaceholder, found)
		if len(found) > 0 {
			out[strings.TrimSuffix(filepath.Base(p), ".asl.json")] = found
		}
	}
	return out, nil
}

// aslStates is the part of an ASL definition (or branch, or Map processor) nestedStarts reads.
type aslStates struct {
	States map[string]struct {
		Type       string         `json:"Type"`
		Resource   string         `json:"Resource"`
		Parameters map[string]any `json:"Parameters"`
		Arguments  map[string]any `json:"Arguments"`
		Branches   []aslStates    `json:"Branches"`
		Iterator   *aslStates     `json:"Iterator"`
		Processor  *aslStates     `json:"ItemProcessor"`
	} `json:"States"`
}

func (d aslStates) collect(byPlaceholder map[string]string, found map[string]nestedStart) {
	for name, st := range d.States {
		for _, b := range st.Branches {
			b.collect(byPlaceholder, found)
		}
		for _, p := range []*aslStates{st.Iterator, st.Processor} {
			if p != nil {
				p.collect(byPlaceholder, found)
			}
		}
		if st.Type != "Task" || (st.Resource != startSyncResource && st.Resource != startAsyncResource) {
			continue
		}
		arn, _ := st.Parameters["StateMachineArn"].(string)
		if arn == "" {
			arn, _ = st.Arguments["StateMachineArn"].(string)
		}
		if child, ok := byPlaceholder[arn]; ok {
			found[name] = nestedStart{child: child, sync: st.Resource == startSyncResource}
		}
	}
}

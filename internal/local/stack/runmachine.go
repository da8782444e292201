package stack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
)

// RunMachine runs the state machine definition at path once, synchronously, with the real
// handlers of this stack: its ${...} placeholders are filled in as for the machines of
// statemachines/ (function ARNs of the handler registry, the table, the ARNs of the loaded state
// machines), and it is loaded under its file name (x.asl.json is x), replacing a loaded machine
// of that name, so an edited copy of a deployed machine runs as that machine would.
func (s *Stack) RunMachine(ctx context.Context, path string, input []byte) (engine.Result, error) {
	def, err := os.ReadFile(path)
	if err != nil {
		return engine.Result{}, fmt.Errorf("localstack: read state machine: %w", err)
	}
	name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".json"), ".asl")
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range s.StateMachines {
			if !yield(n) {
				return
			}
		}
	})
	subs := substitutions(s.TableName, append(names, name))
	for _, m := range placeholderRE.FindAllSubmatch(def, -1) {
		if _, ok := subs[string(m[1])]; !ok {
			return engine.Result{}, fmt.Errorf("localstack: %s: no local value for ${%s}", path, m[1])
		}
	}
	arn, err := s.Engine.Load(name, def, subs)
	if err != nil {
		return engine.Result{}, fmt.Errorf("localstack: %w", err)
	}
	res, err := s.Engine.StartSyncExecution(ctx, arn, input)
	if err != nil {
		return engine.Result{}, fmt.Errorf("localstack: run %s: %w", name, err)
	}
	return res, nil
}

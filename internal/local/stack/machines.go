package stack

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/acme-oem/vehicle-data/functions/catalog"
)

// Region and account of the local ARNs (given to the engine too, because the substitutions are
// built before the machines are loaded).
const (
	localRegion  = "us-east-1"
	localAccount = "123456789012"
)

var placeholderRE = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// pascal turns a kebab-case name into PascalCase: "vehicle-report" -> "VehicleReport".
func pascal(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// localRole is the role the local machines are created with: the local engine checks no
// permission, but DescribeStateMachine answers it as AWS does.
const localRole = "arn:aws:iam::" + localAccount + ":role/vehicle-data-local-state-machines"

func functionArn(name string) string {
	return "arn:aws:lambda:" + localRegion + ":" + localAccount + ":function:" + name
}

func stateMachineArn(name string) string {
	return "arn:aws:states:" + localRegion + ":" + localAccount + ":stateMachine:" + name
}

// substitutions are the local values of the ASL's ${...} placeholders, named as CDK names them:
// ${TableName}, the catalog's ${<Step>FunctionArn}, and ${<Machine>StateMachineArn} per state
// machine file.
func substitutions(table string, machines []string) map[string]string {
	subs := catalog.Substitutions(functionArn)
	subs["TableName"] = table
	for _, m := range machines {
		subs[pascal(m)+"StateMachineArn"] = stateMachineArn(m)
	}
	return subs
}

// machineFile is one statemachines/*.asl.json.
type machineFile struct {
	name    string
	def     []byte
	missing []string // placeholders without a local value
	uses    []string // state machines it starts (its ${<Machine>StateMachineArn} placeholders)
}

// loadStateMachines loads statemachines/*.asl.json under their file names, as deployed. The
// machines the contract's routes name, and every machine they start, must load: a placeholder
// without a local value there is an error naming it (the ASL and the wiring drifted apart). Other
// machines load when they can and are reported otherwise: they serve no route yet.
func (s *Stack) loadStateMachines(root, table string, routed []string) error {
	paths, err := filepath.Glob(filepath.Join(root, "statemachines", "*.asl.json"))
	if err != nil {
		return fmt.Errorf("list state machines: %w", err)
	}
	sort.Strings(paths)
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = strings.TrimSuffix(filepath.Base(p), ".asl.json")
	}
	subs := substitutions(table, names)
	files, err := readMachineFiles(paths, names, subs)
	if err != nil {
		return err
	}
	required, err := requiredMachines(files, routed)
	if err != nil {
		return err
	}
	s.requiredMachines = slices.Sorted(func(yield func(string) bool) {
		for n := range required {
			if !yield(n) {
				return
			}
		}
	})

	for _, n := range names {
		f := files[n]
		if len(f.missing) > 0 {
			if required[n] {
				return fmt.Errorf("state machine %s: no local value for ${%s}", n, strings.Join(f.missing, "}, ${"))
			}
			s.log.Warn("state machine not loaded: its steps are not in the catalog yet",
				"stateMachine", n, "placeholders", f.missing)
			continue
		}
		arn, err := s.StepFunctionsAPI.Load(n, f.def, subs, "EXPRESS", localRole)
		if err != nil {
			if required[n] {
				return fmt.Errorf("load state machine: %w", err)
			}
			s.log.Warn("state machine not loaded", "stateMachine", n, "err", err)
			continue
		}
		if arn != stateMachineArn(n) {
			return fmt.Errorf("state machine %s: engine ARN %s differs from the substituted %s", n, arn, stateMachineArn(n))
		}
		s.StateMachines[n] = arn
	}
	return nil
}

// requiredMachines are the routed machines and, transitively, the machines they start.
func requiredMachines(files map[string]*machineFile, routed []string) (map[string]bool, error) {
	required := map[string]bool{}
	queue := slices.Clone(routed)
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if required[n] {
			continue
		}
		required[n] = true
		f, ok := files[n]
		if !ok {
			return nil, fmt.Errorf("state machine %s is named by the contract (or started by a machine it names) but statemachines/%s.asl.json does not exist", n, n)
		}
		queue = append(queue, f.uses...)
	}
	return required, nil
}

// readMachineFiles reads each state machine file and notes its placeholders without a local
// value and the machines it starts.
func readMachineFiles(paths, names []string, subs map[string]string) (map[string]*machineFile, error) {
	byPlaceholder := map[string]string{}
	for _, n := range names {
		byPlaceholder[pascal(n)+"StateMachineArn"] = n
	}
	files := map[string]*machineFile{}
	for i, p := range paths {
		def, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read state machine: %w", err)
		}
		f := &machineFile{name: names[i], def: def}
		for _, m := range placeholderRE.FindAllSubmatch(def, -1) {
			ph := string(m[1])
			if _, ok := subs[ph]; !ok {
				f.missing = append(f.missing, ph)
			}
			if n, ok := byPlaceholder[ph]; ok {
				f.uses = append(f.uses, n)
			}
		}
		files[f.name] = f
	}
	return files, nil
}

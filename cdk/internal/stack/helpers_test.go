package stack

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/acme-oem/vehicle-data/cdk/internal/envconfig"
	"github.com/acme-oem/vehicle-data/cdk/internal/sources"
)

func TestMain(m *testing.M) {
	// The template validation against CloudFormation's schemas runs in `make synth`; here it
	// would add 20-40 s per synth.
	if os.Getenv("CDK_VALIDATION") == "" {
		_ = os.Setenv("CDK_VALIDATION", "false")
	}
	_ = os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// DeveloperStage is the stage the tests synthesize next to the environments.
const DeveloperStage = "alice"

type synthesized struct {
	stack *Stack
	tmpl  assertions.Template
	doc   template
}

var (
	synthOnce sync.Once
	synthErr  error
	stacks    map[string]*synthesized // by stage
)

// synth synthesizes dev, qa, prod (one app, as `make synth` does) and the developer stage once
// per test binary, with cdk-nag applied, and returns the stage's stack.
func synth(t *testing.T, stage string) *synthesized {
	t.Helper()
	synthOnce.Do(func() {
		root, err := sources.Root()
		if err != nil {
			synthErr = err
			return
		}
		cfg, err := envconfig.Load(filepath.Join(root, "cdk", "environments.json"))
		if err != nil {
			synthErr = err
			return
		}
		// A stand-in for the binary of `make build`: the asset's content does not matter to the
		// template. It is written at run time because a file named bootstrap is build output to
		// the repository's ignore rules and checks.
		asset, err := os.MkdirTemp("", "cdk-test-lambda-")
		if err != nil {
			synthErr = err
			return
		}
		if err := os.WriteFile(filepath.Join(asset, "bootstrap"), []byte("placeholder: the tests synthesize with this instead of the real binary from make build\n"), 0o600); err != nil {
			synthErr = err
			return
		}
		stacks = map[string]*synthesized{}
		for _, o := range []AppOptions{
			{Config: cfg, Root: root, LambdaAssetDir: asset, Nag: true},
			{Config: cfg, Root: root, LambdaAssetDir: asset, Nag: true, Stage: DeveloperStage},
		} {
			app := awscdk.NewApp(nil)
			built, err := Build(app, o)
			if err != nil {
				synthErr = err
				return
			}
			for _, s := range built {
				tmpl := assertions.Template_FromStack(s.Stack, nil)
				var doc template
				b, err := json.Marshal(tmpl.ToJSON())
				if err != nil {
					synthErr = err
					return
				}
				if err := json.Unmarshal(b, &doc); err != nil {
					synthErr = err
					return
				}
				stacks[s.target.Stage] = &synthesized{stack: s, tmpl: tmpl, doc: doc}
			}
		}
	})
	if synthErr != nil {
		t.Fatal(synthErr)
	}
	s, ok := stacks[stage]
	if !ok {
		t.Fatalf("no stack for stage %s", stage)
	}
	return s
}

// template is a synthesized CloudFormation template.
type template struct {
	Resources map[string]resource `json:"Resources"`
	Outputs   map[string]struct {
		Value any `json:"Value"`
	} `json:"Outputs"`
}

type resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
}

// ofType returns the logical ids of the resources of a type, sorted.
func (d template) ofType(typ string) []string {
	var out []string
	for id, r := range d.Resources {
		if r.Type == typ {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// refOf returns the logical id an intrinsic {"Ref": id} or {"Fn::GetAtt": [id, ...]} names.
func refOf(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if r, ok := m["Ref"].(string); ok {
		return r
	}
	if g, ok := m["Fn::GetAtt"].([]any); ok && len(g) > 0 {
		s, _ := g[0].(string)
		return s
	}
	return ""
}

// str renders a property as text (intrinsics as JSON) for contains-checks.
func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// byProp finds the one resource of a type whose property equals value.
func (d template) byProp(t *testing.T, typ, prop, value string) (string, resource) {
	t.Helper()
	var found []string
	for id, r := range d.Resources {
		if r.Type == typ && str(r.Properties[prop]) == value {
			found = append(found, id)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s with %s=%s: found %v, want exactly one", typ, prop, value, found)
	}
	return found[0], d.Resources[found[0]]
}

func stages() []string { return append(append([]string(nil), envconfig.Names...), DeveloperStage) }

func props(m any) map[string]any {
	p, _ := m.(map[string]any)
	return p
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

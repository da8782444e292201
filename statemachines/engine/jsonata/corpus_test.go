package jsonata_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/acme-oem/vehicle-data/statemachines/engine/jsonata"
	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// corpusCase is the part of a conformance case (testdata/conformance/sfn, see its README) this
// test reads. The files are read directly rather than through package conformance, which
// imports the engine: the evaluator's tests must not depend on the engine building.
type corpusCase struct {
	Name         string          `json:"name"`
	Features     []string        `json:"features"`
	Definition   json.RawMessage `json:"definition"`
	Input        json.RawMessage `json:"input"`
	Placeholders []string        `json:"placeholders"`
	Expected     struct {
		Status string          `json:"status"`
		Output json.RawMessage `json:"output"`
	} `json:"expected"`
}

func loadCorpus(t *testing.T) []corpusCase {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		cand := filepath.Join(dir, "testdata", "conformance", "sfn")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			dir = cand
			break
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("the AWS-recorded corpus (testdata/conformance/sfn of the engine module) is missing")
		}
		dir = filepath.Dir(dir)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []corpusCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c corpusCase
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		cases = append(cases, c)
	}
	return cases
}

// TestCorpusOutputs evaluates, for every AWS-recorded JSONata case whose machine is a single
// Pass state with an "Output" template, the template against the recorded input and compares
// with the recorded execution output. It pins the evaluator to what AWS computed, independent
// of the engine around it.
func TestCorpusOutputs(t *testing.T) {
	t.Parallel()
	checked := 0
	for _, c := range loadCorpus(t) {
		if !slices.Contains(c.Features, "jsonata") || c.Expected.Status != "SUCCEEDED" || len(c.Placeholders) > 0 {
			continue
		}
		var def struct {
			StartAt string                    `json:"StartAt"`
			States  map[string]map[string]any `json:"States"`
		}
		if err := json.Unmarshal(c.Definition, &def); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		st := def.States[def.StartAt]
		_, hasOutput := st["Output"]
		if len(def.States) != 1 || st["Type"] != "Pass" || !hasOutput {
			continue
		}
		// Decode again with UseNumber: the engine's value model.
		defVal, err := value.Decode(c.Definition)
		if err != nil {
			t.Fatal(err)
		}
		rawOutput := defVal.(*value.Object).Value("States").(*value.Object).Value(def.StartAt).(*value.Object).Value("Output")
		input, err := value.Decode(c.Input)
		if err != nil {
			t.Fatal(err)
		}
		want, err := value.Decode(c.Expected.Output)
		if err != nil {
			t.Fatal(err)
		}
		tmpl, err := jsonata.CompileTemplate(rawOutput)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		states := map[string]any{"input": input, "context": map[string]any{}}
		got, err := tmpl.Eval(map[string]any{"states": states}, "Output", jsonata.Options{})
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		if !value.Equal(got, want) {
			t.Errorf("%s: got %s, want %s", c.Name, value.MustString(got), value.MustString(want))
		}
		checked++
	}
	t.Logf("%d corpus outputs checked", checked)
	if checked < 20 {
		t.Errorf("only %d corpus outputs checked; the corpus layout changed?", checked)
	}
}

// Package conformance runs the AWS-recorded Step Functions cases (testdata/conformance/sfn in the
// engine module, see its README) against the engine. The Go test of package engine judges them; `asl conform`
// reports them.
package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/acme-oem/vehicle-data/statemachines/engine"
	"github.com/acme-oem/vehicle-data/statemachines/engine/value"
)

// Case is one recorded execution.
type Case struct {
	Name             string          `json:"name"`
	Area             string          `json:"area"`
	Features         []string        `json:"features"`
	StateMachineType string          `json:"state_machine_type"`
	Definition       json.RawMessage `json:"definition"`
	Input            json.RawMessage `json:"input"`
	Expected         Expected        `json:"expected"`
	Placeholders     []string        `json:"placeholders"`
}

// Expected is the recorded outcome; Error and Cause are nil when AWS reported none.
type Expected struct {
	Status string          `json:"status"`
	Output json.RawMessage `json:"output"`
	Error  *string         `json:"error"`
	Cause  *string         `json:"cause"`
}

// Got is what the engine produced.
type Got struct {
	Status string `json:"status"`
	Output any    `json:"output,omitempty"`
	Error  string `json:"error,omitempty"`
	Cause  string `json:"cause,omitempty"`
}

// Outcome is the verdict on one case; Reason says what differed.
type Outcome struct {
	Name   string `json:"name"`
	Pass   bool   `json:"pass"`
	Got    Got    `json:"got"`
	Reason string `json:"reason,omitempty"`
}

// HasFeature reports whether the case is tagged with f.
func (c *Case) HasFeature(f string) bool {
	for _, x := range c.Features {
		if x == f {
			return true
		}
	}
	return false
}

// Load reads every case file in dir, sorted by name.
func Load(dir string) ([]Case, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("list cases in %s: %w", dir, err)
	}
	sort.Strings(files)
	cases := make([]Case, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f) //nolint:gosec // the case files of the directory the caller names
		if err != nil {
			return nil, fmt.Errorf("read case: %w", err)
		}
		var c Case
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("parse case %s: %w", f, err)
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// CorpusDir is where the AWS-recorded corpus sits, relative to the engine module's root.
const CorpusDir = "testdata/conformance/sfn"

// FindDir walks up from start (a directory inside the engine module) to the corpus, so tests
// of any package and `asl conform` run from any directory of the module find it.
func FindDir(start string) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", fmt.Errorf("find conformance cases: %w", err)
	}
	for {
		cand := filepath.Join(dir, filepath.FromSlash(CorpusDir))
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find conformance cases: no " + CorpusDir + " in or above " + start)
		}
		dir = parent
	}
}

// Run executes a case on a fresh engine with a virtual clock and compares the result.
func Run(ctx context.Context, c Case) Outcome {
	out := Outcome{Name: c.Name}
	eng := engine.New(engine.Options{Clock: engine.NewFakeClock(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))})
	if _, err := eng.LoadWith("ConformanceMachine", c.Definition, engine.LoadOptions{Type: c.StateMachineType}); err != nil {
		out.Got = Got{Status: "INVALID_DEFINITION", Cause: err.Error()}
		out.Reason = "definition rejected"
		return out
	}
	input := []byte(c.Input)
	if len(input) == 0 {
		input = []byte("{}")
	}
	res, err := eng.StartSyncExecution(ctx, "ConformanceMachine", input)
	if err != nil {
		out.Got = Got{Status: "NOT_STARTED", Cause: err.Error()}
		out.Reason = "execution did not start"
		return out
	}
	out.Got = Got{Status: res.Status, Error: res.Error, Cause: res.Cause}
	if res.Status == engine.StatusSucceeded {
		v, err := value.Decode([]byte(res.Output))
		if err != nil {
			out.Reason = "output is not JSON"
			return out
		}
		out.Got.Output = v
	}
	out.Pass, out.Reason = compare(c, out.Got)
	return out
}

func compare(c Case, got Got) (bool, string) {
	exp := c.Expected
	if got.Status != exp.Status {
		return false, "status differs"
	}
	m := newMatcher(c.Placeholders)
	if exp.Status == engine.StatusSucceeded {
		want, err := value.Decode(exp.Output)
		if err != nil {
			return false, "expected output is not JSON"
		}
		if !m.value(want, got.Output) {
			return false, "output differs"
		}
		return true, ""
	}
	if !m.optString(exp.Error, got.Error) {
		return false, "error differs"
	}
	if !m.optString(exp.Cause, got.Cause) {
		return false, "cause differs"
	}
	return true, ""
}

// matcher compares JSON values, treating the case's placeholder tokens in expected strings as
// wildcards; an expected string that is only a token matches any value. Objects must have their
// members in the same order, since the engine keeps the order AWS produces.
type matcher struct {
	tokens []string
	cache  map[string]*regexp.Regexp
}

var genericTokens = regexp.MustCompile(`<[A-Za-z_-]+:\d+>|<[A-Za-z]+Part_\d+idx>`)

func newMatcher(tokens []string) *matcher {
	return &matcher{tokens: tokens, cache: map[string]*regexp.Regexp{}}
}

func (m *matcher) optString(want *string, got string) bool {
	if want == nil {
		return got == ""
	}
	return m.str(*want, got)
}

func (m *matcher) value(want, got any) bool {
	switch w := want.(type) {
	case string:
		if len(m.tokens) > 0 && m.isToken(w) {
			return true
		}
		g, ok := got.(string)
		return ok && m.str(w, g)
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !m.value(w[i], g[i]) {
				return false
			}
		}
		return true
	case *value.Object:
		g, ok := got.(*value.Object)
		if !ok || g.Len() != w.Len() {
			return false
		}
		for i := range w.Len() {
			k, wv := w.At(i)
			gk, gv := g.At(i)
			if k != gk || !m.value(wv, gv) {
				return false
			}
		}
		return true
	default:
		return value.Equal(want, got)
	}
}

func (m *matcher) isToken(s string) bool {
	for _, t := range m.tokens {
		if s == t {
			return true
		}
	}
	return false
}

func (m *matcher) str(want, got string) bool {
	if want == got {
		return true
	}
	if len(m.tokens) == 0 {
		return false
	}
	re, ok := m.cache[want]
	if !ok {
		re = m.compile(want)
		m.cache[want] = re
	}
	return re.MatchString(got)
}

func (m *matcher) compile(want string) *regexp.Regexp {
	// Replace every known token (longest first) by a wildcard, quoting the rest.
	toks := append([]string(nil), m.tokens...)
	sort.Slice(toks, func(i, j int) bool { return len(toks[i]) > len(toks[j]) })
	var b strings.Builder
	b.WriteString("^")
	rest := want
	for len(rest) > 0 {
		idx, tok := -1, ""
		for _, t := range toks {
			if i := strings.Index(rest, t); i >= 0 && (idx < 0 || i < idx) {
				idx, tok = i, t
			}
		}
		if loc := genericTokens.FindStringIndex(rest); loc != nil && (idx < 0 || loc[0] < idx) {
			idx, tok = loc[0], rest[loc[0]:loc[1]]
		}
		if idx < 0 {
			b.WriteString(regexp.QuoteMeta(rest))
			break
		}
		b.WriteString(regexp.QuoteMeta(rest[:idx]))
		b.WriteString("(?s:.*)")
		rest = rest[idx+len(tok):]
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// Package workflowcheck finds what the GitHub workflows call that the repository does not have: a
// make target missing from the Makefile, a script or local action that is not in the tree, a Go
// package directory that is gone, a `go tool` that tools/go.mod does not pin. A renamed package or
// a dropped target then fails `make test` here, not a deploy on main.
//
// Every `run:` script is parsed as bash (mvdan.cc/sh), so quoting, `&&`, pipes and subshells do
// not fool it; words the shell would expand at run time (variables, `${{ }}` expressions) are not
// judged, except variables the workflow itself sets in `env:` to a literal value.
package workflowcheck

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"gopkg.in/yaml.v3"
	"mvdan.cc/sh/v3/syntax"
)

// Problem is one call to something that does not exist.
type Problem struct {
	File, Where, Msg string
}

func (p Problem) String() string { return p.File + ": " + p.Where + ": " + p.Msg }

// Options tune what counts as present.
type Options struct {
	// Awaited names make targets other branches bring, each with the file whose arrival makes the
	// target required: until that file exists, a missing target is not a problem.
	Awaited map[string]string
}

type step struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	Run              string            `yaml:"run"`
	Uses             string            `yaml:"uses"`
	WorkingDirectory string            `yaml:"working-directory"`
	Env              map[string]string `yaml:"env"`
}

type defaults struct {
	Run struct {
		WorkingDirectory string `yaml:"working-directory"`
	} `yaml:"run"`
}

type job struct {
	Env      map[string]string `yaml:"env"`
	Defaults defaults          `yaml:"defaults"`
	Steps    []step            `yaml:"steps"`
	Uses     string            `yaml:"uses"` // a reusable workflow
}

type workflow struct {
	Env      map[string]string `yaml:"env"`
	Defaults defaults          `yaml:"defaults"`
	Jobs     map[string]job    `yaml:"jobs"`
	Runs     struct {          // a composite action
		Steps []step `yaml:"steps"`
	} `yaml:"runs"`
}

// Check reads every workflow in root/.github/workflows and every local action in
// root/.github/actions and returns what they call that is missing, sorted.
func Check(root string, opts Options) ([]Problem, error) {
	// Everything is read through the repository root: no path a workflow names can reach outside.
	repo, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("open repository: %w", err)
	}
	defer func() { _ = repo.Close() }()
	var files []string
	for _, pattern := range []string{".github/workflows/*.yml", ".github/workflows/*.yaml", ".github/actions/*/action.yml", ".github/actions/*/action.yaml"} {
		m, err := fs.Glob(repo.FS(), pattern)
		if err != nil {
			return nil, fmt.Errorf("glob %s: %w", pattern, err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no workflows under %s/.github", root)
	}
	c := &checker{repo: repo, opts: opts, makefiles: map[string]map[string]bool{}, ignored: gitignoredDirs(repo)}
	for _, f := range files {
		if err := c.workflowFile(f); err != nil {
			return nil, err
		}
	}
	sort.Slice(c.problems, func(i, j int) bool { return c.problems[i].String() < c.problems[j].String() })
	return c.problems, nil
}

type checker struct {
	repo      *os.Root
	opts      Options
	makefiles map[string]map[string]bool // Makefile path → its targets (nil when absent)
	ignored   []string                   // top-level build-output folders (.gitignore), not in the tree
	problems  []Problem
	file      string
	where     string
}

func (c *checker) report(format string, args ...any) {
	c.problems = append(c.problems, Problem{File: c.file, Where: c.where, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) workflowFile(name string) error {
	b, err := c.repo.ReadFile(name)
	if err != nil {
		return fmt.Errorf("read workflow: %w", err)
	}
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("parse %s: %w", name, err)
	}
	c.file = name
	jobs := w.Jobs
	if len(w.Runs.Steps) > 0 {
		jobs = map[string]job{"(composite)": {Steps: w.Runs.Steps}}
	}
	names := make([]string, 0, len(jobs))
	for n := range jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, jn := range names {
		j := jobs[jn]
		if strings.HasPrefix(j.Uses, "./") {
			c.where = "job " + jn
			c.mustExist(".", strings.SplitN(j.Uses, "@", 2)[0], "reusable workflow")
		}
		for i, s := range j.Steps {
			c.where = fmt.Sprintf("job %s, step %d", jn, i+1)
			if s.Name != "" {
				c.where += " (" + s.Name + ")"
			}
			c.step(w, j, s)
		}
	}
	return nil
}

// step checks one step: its local action, or its run: script in its working directory with the
// environment the workflow, job and step set.
func (c *checker) step(w workflow, j job, s step) {
	if strings.HasPrefix(s.Uses, "./") {
		c.mustExist(".", s.Uses, "local action")
	}
	if s.Run == "" {
		return
	}
	env := map[string]string{}
	for _, m := range []map[string]string{w.Env, j.Env, s.Env} {
		for k, v := range m {
			env[k] = v
		}
	}
	dir := firstNonEmpty(s.WorkingDirectory, j.Defaults.Run.WorkingDirectory, w.Defaults.Run.WorkingDirectory, ".")
	if expr.MatchString(dir) {
		return // chosen at run time
	}
	if dir != "." && !c.mustExist(".", dir, "working directory") {
		return // one problem is enough: nothing in it can exist either
	}
	c.script(s.Run, dir, env)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// expr is a GitHub expression; the shell never sees it, the runner substitutes it first.
var expr = regexp.MustCompile(`\$\{\{[^}]*\}\}`)

// script walks the commands of one run: script in the order they run, following literal cd's.
func (c *checker) script(src, dir string, env map[string]string) {
	src = expr.ReplaceAllString(src, "GITHUB_EXPRESSION")
	for k, v := range env {
		if expr.MatchString(v) || strings.ContainsAny(v, "$`") {
			continue
		}
		src = strings.NewReplacer("${"+k+"}", v, "$"+k+" ", v+" ", "$"+k+"\n", v+"\n").Replace(src)
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "run")
	if err != nil {
		c.report("run: is not valid bash: %v", err)
		return
	}
	cwd := dir
	// A cd inside a subshell or command substitution ends with it: Walk calls f(nil) when it
	// leaves a node, so a stack of nodes tells when to restore the directory.
	type frame struct {
		scope bool
		cwd   string
	}
	var stack []frame
	syntax.Walk(f, func(n syntax.Node) bool {
		if n == nil {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if top.scope {
				cwd = top.cwd
			}
			return true
		}
		switch n.(type) {
		case *syntax.Subshell, *syntax.CmdSubst, *syntax.ProcSubst:
			stack = append(stack, frame{scope: true, cwd: cwd})
		default:
			stack = append(stack, frame{})
		}
		call, ok := n.(*syntax.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		words := make([]string, len(call.Args))
		for i, w := range call.Args {
			words[i] = literal(w)
		}
		cwd = c.call(cwd, words)
		return true
	})
}

// call checks one simple command run in cwd and returns the directory the next one runs in.
func (c *checker) call(cwd string, words []string) string {
	switch cmd := words[0]; {
	case cmd == "cd":
		if len(words) > 1 && words[1] != "" && words[1] != "-" {
			cwd = path.Join(cwd, words[1])
		} else {
			cwd = "" // unknown from here on
		}
	case cwd == "":
	case cmd == "make":
		c.make(cwd, words[1:])
	case cmd == "go":
		c.goCmd(cwd, words[1:])
	case cmd == "bash" || cmd == "sh" || cmd == "source" || cmd == ".":
		for _, a := range words[1:] {
			if strings.HasPrefix(a, "-") {
				continue
			}
			if a != "" {
				c.mustExist(cwd, a, "script")
			}
			break
		}
	case strings.Contains(cmd, "/"):
		c.mustExist(cwd, cmd, "command")
	}
	return cwd
}

// literal is the word's value when it has no expansion, else "".
func literal(w *syntax.Word) string {
	var b strings.Builder
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			b.WriteString(p.Value)
		case *syntax.SglQuoted:
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				l, ok := q.(*syntax.Lit)
				if !ok {
					return ""
				}
				b.WriteString(l.Value)
			}
		default:
			return ""
		}
	}
	if strings.Contains(b.String(), "GITHUB_EXPRESSION") {
		return ""
	}
	return b.String()
}

// mustExist reports rel (relative to dir, both repository-relative) unless it is in the tree or
// under a build-output folder, which a workflow fills before it runs it. It says whether rel may
// exist.
func (c *checker) mustExist(dir, rel, what string) bool {
	p := path.Clean(path.Join(dir, rel))
	if path.IsAbs(rel) || strings.HasPrefix(p, "../") {
		return true // outside the repository: the runner's business
	}
	for _, ig := range c.ignored {
		if p == ig || strings.HasPrefix(p, ig+"/") {
			return true
		}
	}
	if _, err := c.repo.Stat(p); err != nil {
		c.report("%s %s does not exist", what, p)
		return false
	}
	return true
}

// makeValueFlags are make's flags that take the next word as their value.
var makeValueFlags = []string{"-C", "-f", "--file", "--makefile", "--directory", "-I", "--include-dir", "-j", "--jobs", "-l", "-o", "-W"}

func (c *checker) make(cwd string, args []string) {
	dir, file := cwd, "Makefile"
	var targets []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "":
		case a == "-C" || a == "--directory":
			if i+1 < len(args) {
				dir = path.Join(dir, args[i+1])
			}
			i++
		case strings.HasPrefix(a, "--directory="):
			dir = path.Join(dir, strings.TrimPrefix(a, "--directory="))
		case a == "-f" || a == "--file" || a == "--makefile":
			if i+1 < len(args) {
				file = args[i+1]
			}
			i++
		case slices.Contains(makeValueFlags, a):
			i++
		case strings.HasPrefix(a, "-"), strings.Contains(a, "="):
		default:
			targets = append(targets, a)
		}
	}
	mf := path.Join(dir, file)
	known, err := c.targets(mf)
	if err != nil {
		c.report("make: %v", err)
		return
	}
	if len(targets) == 0 && len(known) == 0 {
		c.report("make: %s has no targets", mf)
	}
	for _, t := range targets {
		if known[t] {
			continue
		}
		if need, ok := c.opts.Awaited[t]; ok {
			if _, err := c.repo.Stat(need); err != nil {
				continue // its branch has not landed yet
			}
		}
		c.report("make target %q is not in %s", t, mf)
	}
}

// targets reads the explicit targets of a Makefile: rule lines `a b: prereqs`, not assignments.
func (c *checker) targets(mf string) (map[string]bool, error) {
	if t, ok := c.makefiles[mf]; ok {
		return t, nil
	}
	b, err := c.repo.ReadFile(mf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", mf, err)
	}
	t := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '\t' || line[0] == ' ' || line[0] == '#' {
			continue
		}
		before, after, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(after, "=") || strings.ContainsAny(before, "=$%") {
			continue
		}
		for _, name := range strings.Fields(before) {
			t[name] = true
		}
	}
	c.makefiles[mf] = t
	return t, nil
}

// goValueFlags are go build flags that take the next word as their value.
var goValueFlags = []string{"-C", "-o", "-p", "-tags", "-run", "-skip", "-bench", "-benchtime", "-count",
	"-timeout", "-modfile", "-ldflags", "-gcflags", "-asmflags", "-exec", "-coverprofile", "-covermode",
	"-coverpkg", "-cpu", "-parallel", "-mod", "-pkgdir", "-toolexec", "-overlay", "-fuzz", "-fuzztime"}

func (c *checker) goCmd(cwd string, args []string) {
	dir := cwd
	// go -C dir <command>: -C must come first.
	if len(args) >= 2 && args[0] == "-C" {
		dir = path.Join(dir, args[1])
		c.mustExist(cwd, args[1], "go -C directory")
		args = args[2:]
	}
	if len(args) == 0 {
		return
	}
	sub, rest := args[0], args[1:]
	modfilePath := path.Join(dir, "go.mod")
	var positional []string
flags:
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case strings.HasPrefix(a, "-modfile="):
			modfilePath = path.Join(dir, strings.TrimPrefix(a, "-modfile="))
		case a == "-modfile" && i+1 < len(rest):
			modfilePath = path.Join(dir, rest[i+1])
			i++
		case slices.Contains(goValueFlags, a):
			i++
		case strings.HasPrefix(a, "-"):
		default:
			positional = append(positional, a)
		}
		if (sub == "run" || sub == "tool") && len(positional) == 1 {
			break flags // the package or tool; the words after it are its own arguments
		}
	}
	switch sub {
	case "run", "test", "build", "vet", "install", "generate", "list":
		for _, p := range positional {
			if strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") {
				c.mustExist(dir, strings.TrimSuffix(strings.TrimSuffix(p, "..."), "/"), "Go package directory")
			}
			if sub == "run" {
				break
			}
		}
	case "tool":
		if len(positional) == 0 || positional[0] == "" {
			return
		}
		tools, err := c.toolNames(modfilePath)
		if err != nil {
			c.report("go tool: %v", err)
			return
		}
		if !tools[positional[0]] {
			c.report("go tool %s is not in the tool block of %s", positional[0], modfilePath)
		}
	}
}

var majorSuffix = regexp.MustCompile(`^v[0-9]+$`)

// toolNames are the names `go tool` accepts for a go.mod's tool block: the last path element,
// or the one before a major-version suffix.
func (c *checker) toolNames(gomod string) (map[string]bool, error) {
	b, err := c.repo.ReadFile(gomod)
	if err != nil {
		return nil, err
	}
	f, err := modfile.Parse(gomod, b, nil)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", gomod, err)
	}
	names := map[string]bool{}
	for _, t := range f.Tool {
		parts := strings.Split(t.Path, "/")
		name := parts[len(parts)-1]
		if majorSuffix.MatchString(name) && len(parts) > 1 {
			name = parts[len(parts)-2]
		}
		names[name] = true
	}
	if len(names) == 0 {
		return nil, errors.New(gomod + " has no tool block")
	}
	return names, nil
}

// gitignoredDirs lists the anchored folders of the root .gitignore (/bin/, /frontend/dist/):
// build output that a workflow creates before it runs it.
func gitignoredDirs(repo *os.Root) []string {
	b, err := repo.ReadFile(".gitignore")
	if err != nil {
		return nil
	}
	var dirs []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "/") && strings.HasSuffix(line, "/") && !strings.ContainsAny(line, "*?[!") {
			dirs = append(dirs, strings.Trim(line, "/"))
		}
	}
	return dirs
}

package readmetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds. Builds on a cold cache and npm ci dominate the first two.
const (
	finiteBound = 5 * time.Minute  // a command that must finish, with exit status 0
	readyBound  = 4 * time.Minute  // a server until it answers
	smokeBound  = 60 * time.Second // a long run (all benchmarks): must not fail within this
	stopBound   = 30 * time.Second // a server after Ctrl-C
)

// guardEnv marks processes started by this test, so a README command that runs the tests (make
// test) does not run this test again inside itself.
const guardEnv = "README_COMMANDS_UNDER_TEST"

// runEnv asks for the README commands to run.
const runEnv = "README_COMMANDS"

// TestREADMECommands runs every command of the README's tables as written, each with a bounded
// time: commands that finish must exit 0; servers (make run, the simulators) must come up and
// stop on Ctrl-C; commands that talk to a running stack get one on a free port (the README's
// 127.0.0.1:8080 is rewritten to it), load runs get -d 1s and benchmarks -benchtime 1x, so the
// check is about the command still working, not about its figures. The README is read at test
// time: a row added or changed tomorrow is checked too.
func TestREADMECommands(t *testing.T) {
	if testing.Short() {
		t.Skip("runs builds, servers and benchmarks: not in -short")
	}
	// The README's benchmarks measure a quiet machine: beside the other packages' tests (go test
	// runs packages in parallel) a 500-client stampede times out. make readme-commands runs this
	// test on its own, after the unit tests.
	if os.Getenv(runEnv) == "" {
		t.Skip("set " + runEnv + "=1 (make readme-commands) to run every README command")
	}
	if os.Getenv(guardEnv) != "" {
		t.Skip("running inside a README command")
	}
	root := repoRoot(t)
	md, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmds, bad := Parse(string(md))
	for _, b := range bad {
		t.Errorf("README.md:%d: `%s` cannot run as written (write the full command, e.g. `go run ./cmd/...`)", b.Line, b.Text)
	}
	if len(cmds) < 5 {
		t.Fatalf("found only %d commands in the README's tables: did the tables lose their command column?", len(cmds))
	}
	for _, c := range cmds {
		t.Run(fmt.Sprintf("line %d: %s", c.Line, c.Text), func(t *testing.T) { runCommand(t, root, c.Text) })
	}
}

var (
	portAssignRE = regexp.MustCompile(`\bPORT=\d+`)
	addrRE       = regexp.MustCompile(`-addr\s+127\.0\.0\.1:\d+`)
	localAPIRE   = regexp.MustCompile(`(127\.0\.0\.1|localhost):8080`)
	durationRE   = regexp.MustCompile(`(\s-d\s+)\S+`)
	benchtimeRE  = regexp.MustCompile(`\s-benchtime\s+\S+`)
	countRE      = regexp.MustCompile(`\s-count\s+\d+`)
)

func runCommand(t *testing.T, root, cmd string) {
	switch {
	case strings.Contains(cmd, "make test"):
		t.Skip("make test runs this test")
	case isServer(cmd):
		port := freePort(t)
		cmd = portAssignRE.ReplaceAllString(cmd, "PORT="+strconv.Itoa(port))
		cmd = addrRE.ReplaceAllString(cmd, "-addr 127.0.0.1:"+strconv.Itoa(port))
		// SFN_PORT=0: the stack's Step Functions API takes a free port too, not PORT+3.
		p := start(t, root, cmd, "PORT="+strconv.Itoa(port), "SFN_PORT=0")
		if strings.Contains(cmd, "legacysim") || strings.Contains(cmd, "asl serve") {
			p.waitOutput(t, "http://127.0.0.1:", readyBound)
		} else {
			p.waitHealthy(t, port, readyBound)
		}
		p.interrupt(t)
	case localAPIRE.MatchString(cmd):
		port := freePort(t)
		stack := start(t, root, "go run ./cmd/vehicled", "PORT="+strconv.Itoa(port), "SFN_PORT=0")
		stack.waitHealthy(t, port, readyBound)
		defer stack.interrupt(t)
		cmd = localAPIRE.ReplaceAllString(cmd, "127.0.0.1:"+strconv.Itoa(port))
		if strings.Contains(cmd, "loadgen") {
			cmd = durationRE.ReplaceAllString(cmd, "${1}1s")
		}
		finish(t, root, cmd)
	case strings.HasPrefix(program(cmd), "make") && strings.Contains(cmd, "make bench"):
		p := start(t, root, cmd)
		if p.exitedWithin(smokeBound) {
			p.wantSuccess(t)
			return
		}
		p.interrupt(t)
	default:
		if strings.Contains(cmd, "go test") && strings.Contains(cmd, "-bench") {
			cmd = countRE.ReplaceAllString(benchtimeRE.ReplaceAllString(cmd, ""), "")
			cmd = strings.Replace(cmd, "go test", "go test -count 1 -benchtime 1x", 1)
		}
		finish(t, root, cmd)
	}
}

// isServer: commands that run until stopped.
func isServer(cmd string) bool {
	return regexp.MustCompile(`\bmake run\b`).MatchString(cmd) || strings.Contains(cmd, "./cmd/legacysim") ||
		strings.Contains(cmd, "./cmd/asl serve") ||
		(strings.Contains(cmd, "./cmd/vehicled") && !strings.Contains(cmd, "run-machine"))
}

func finish(t *testing.T, root, cmd string) {
	t.Helper()
	p := start(t, root, cmd)
	if !p.exitedWithin(finiteBound) {
		p.kill()
		t.Fatalf("still running after %s\n%s", finiteBound, p.tail())
	}
	p.wantSuccess(t)
}

type proc struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

func start(t *testing.T, root, command string, env ...string) *proc {
	t.Helper()
	// Not CommandContext: the context would SIGKILL only bash; kill() ends the whole group.
	c := exec.Command("bash", "-c", command) //nolint:noctx // the README's own commands, on purpose
	c.Dir = root
	c.Env = append(append(os.Environ(), guardEnv+"=1"), env...)
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &syncBuffer{}
	c.Stdout, c.Stderr = out, out
	if err := c.Start(); err != nil {
		t.Fatalf("start %q: %v", command, err)
	}
	p := &proc{cmd: c, out: out, done: make(chan struct{})}
	go func() { p.err = c.Wait(); close(p.done) }()
	// Whatever happens to the test, nothing it started keeps running.
	t.Cleanup(p.kill)
	return p
}

func (p *proc) exitedWithin(d time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

func (p *proc) wantSuccess(t *testing.T) {
	t.Helper()
	<-p.done
	if p.err != nil {
		t.Fatalf("%v\n%s", p.err, p.tail())
	}
}

func (p *proc) waitOutput(t *testing.T, want string, bound time.Duration) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !strings.Contains(p.out.String(), want) {
		select {
		case <-p.done:
			t.Fatalf("exited before printing %q: %v\n%s", want, p.err, p.tail())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("did not print %q within %s\n%s", want, bound, p.tail())
		}
	}
}

func (p *proc) waitHealthy(t *testing.T, port int, bound time.Duration) {
	t.Helper()
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/healthz"
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(bound)
	for {
		if res, err := client.Get(url); err == nil { //nolint:noctx // bounded by the client timeout
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.done:
			t.Fatalf("exited before answering %s: %v\n%s", url, p.err, p.tail())
		case <-time.After(250 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer 200 within %s\n%s", url, bound, p.tail())
		}
	}
}

// interrupt is Ctrl-C to the command's process group; it must stop within stopBound.
func (p *proc) interrupt(t *testing.T) {
	t.Helper()
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGINT)
	if !p.exitedWithin(stopBound) {
		p.kill()
		t.Errorf("did not stop within %s of Ctrl-C\n%s", stopBound, p.tail())
	}
}

func (p *proc) kill() {
	select {
	case <-p.done:
	default:
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

func (p *proc) tail() string {
	s := p.out.String()
	if len(s) > 4000 {
		s = "..." + s[len(s)-4000:]
	}
	return s
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal(errors.New("no go.mod above the test"))
		}
		dir = parent
	}
}

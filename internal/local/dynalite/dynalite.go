// Package dynalite starts and stops a dynalite server (a DynamoDB API implementation from npm) for
// integration tests and for `make run`. It never skips silently: when node or dynalite is missing
// Start returns an error that says how to install them, and tests fail with it.
package dynalite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Options configure Start. Every field is optional.
type Options struct {
	// Port to listen on (loopback only); a free port is chosen when zero.
	Port int
	// DataDir is dynalite's LevelDB directory (--path); a temporary directory, removed by Stop,
	// when empty.
	DataDir string
	// Dir is where the search for node_modules/.bin/dynalite starts (walking up to the directory
	// holding go.mod); the working directory when empty.
	Dir string
	// StartTimeout bounds the wait until the server answers; 20 s when zero (node cold starts are
	// slow on a busy CI runner).
	StartTimeout time.Duration
}

// Server is a running dynalite process.
type Server struct {
	// Endpoint is the base URL to hand to the DynamoDB client, e.g. http://127.0.0.1:34567: the
	// shield in front of node (shield.go), so a client that hangs up cannot bring node down.
	Endpoint string

	shield  *shield
	cmd     *exec.Cmd
	tempDir string
	stderr  *bytes.Buffer
	done    chan struct{}
	waitErr error
	stop    sync.Once
}

// ErrNotInstalled is returned (wrapped) when node or the dynalite package cannot be found.
var ErrNotInstalled = errors.New("dynalite is not installed (run `make deps` or `npm ci` at the repository root; node must be on PATH)")

// Find returns the path of node_modules/.bin/dynalite's JavaScript entry point, looking in dir
// and its parents up to the module root (the directory holding go.mod).
func Find(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find dynalite from %q: %w", dir, err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		// The .bin entry is a symlink to cli.js; resolve it so node runs the script, which also
		// works where .bin holds a shell shim instead of a link.
		bin := filepath.Join(d, "node_modules", ".bin", "dynalite")
		if _, err := os.Stat(bin); err == nil {
			if real, err := filepath.EvalSymlinks(bin); err == nil {
				return real, nil
			}
			return bin, nil
		}
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return "", fmt.Errorf("no node_modules/.bin/dynalite between %s and the module root %s: %w", abs, d, ErrNotInstalled)
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no node_modules/.bin/dynalite above %s and no go.mod found: %w", abs, ErrNotInstalled)
		}
	}
}

// Start runs dynalite with node and waits until it answers DynamoDB requests. The caller must
// Stop the server; ctx bounds only the start-up.
func Start(ctx context.Context, opts Options) (*Server, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("start dynalite: node not on PATH: %w", ErrNotInstalled)
	}
	dir := opts.Dir
	if dir == "" {
		if dir, err = os.Getwd(); err != nil {
			return nil, fmt.Errorf("start dynalite: %w", err)
		}
	}
	script, err := Find(dir)
	if err != nil {
		return nil, fmt.Errorf("start dynalite: %w", err)
	}
	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	// A port picked by listening on :0 can be taken by someone else before dynalite binds it
	// (dynalite itself treats --port 0 as "use 4567"), so a chosen port that fails to bind is
	// retried with another one; a port the caller asked for is not.
	attempts := 1
	if opts.Port == 0 {
		attempts = 5
	}
	var lastErr error
	for range attempts {
		port := opts.Port
		if port == 0 {
			if port, err = freePort(ctx); err != nil {
				return nil, fmt.Errorf("start dynalite: %w", err)
			}
		}
		s, err := start(ctx, node, script, port, opts.DataDir, timeout)
		if err == nil {
			sh, endpoint, err := startShield(ctx, s.Endpoint)
			if err != nil {
				s.Stop()
				return nil, err
			}
			s.shield, s.Endpoint = sh, endpoint
			return s, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func start(ctx context.Context, node, script string, port int, dataDir string, timeout time.Duration) (*Server, error) {
	s := &Server{
		Endpoint: "http://127.0.0.1:" + strconv.Itoa(port),
		stderr:   &bytes.Buffer{},
		done:     make(chan struct{}),
	}
	if dataDir == "" {
		tmp, err := os.MkdirTemp("", "dynalite-")
		if err != nil {
			return nil, fmt.Errorf("start dynalite: data dir: %w", err)
		}
		s.tempDir, dataDir = tmp, tmp
	} else if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("start dynalite: data dir: %w", err)
	}
	// createTableMs 0: tables are ACTIVE at once, so tests need not poll DescribeTable.
	// The server outlives ctx (which bounds the start-up only); Stop ends it.
	s.cmd = exec.CommandContext(context.WithoutCancel(ctx), node, script, "--host", "127.0.0.1", "--port", strconv.Itoa(port),
		"--path", dataDir, "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
	listening := newLineWatch("listening at")
	s.cmd.Stdout = listening
	s.cmd.Stderr = &lockedWriter{buf: s.stderr}
	// Own process group: a Ctrl-C to `make run` reaches us, and we stop node ourselves.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		s.removeTemp()
		return nil, fmt.Errorf("start dynalite: %w", err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(ctx, timeout, listening.seen); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// waitReady polls until dynalite answers an HTTP request; any HTTP answer means it is serving.
// waitReady returns once our own node process says it is listening. Probing the port alone is
// not enough: if another process took the port between freePort and node's bind, node exits with
// EADDRINUSE while the port still answers, and tests would talk to a stranger's server.
func (s *Server) waitReady(ctx context.Context, timeout time.Duration, listening <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	select {
	case <-listening:
		return nil
	case <-s.done:
		return fmt.Errorf("start dynalite: node exited before serving (%w): %s", s.waitErr, s.stderrText())
	case <-ctx.Done():
		return fmt.Errorf("start dynalite: not listening at %s: %w; stderr: %s", s.Endpoint, ctx.Err(), s.stderrText())
	}
}

// lineWatch is node's stdout: it closes seen when a line containing marker has been written, and
// discards everything (dynalite prints nothing else of interest).
type lineWatch struct {
	marker string
	seen   chan struct{}
	mu     sync.Mutex
	buf    []byte
	done   bool
}

func newLineWatch(marker string) *lineWatch {
	return &lineWatch{marker: marker, seen: make(chan struct{})}
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	if bytes.Contains(w.buf, []byte(w.marker)) {
		w.done, w.buf = true, nil
		close(w.seen)
	} else if len(w.buf) > 4096 {
		w.buf = w.buf[len(w.buf)-len(w.marker):]
	}
	return len(p), nil
}

// Stop ends the server (SIGTERM, then SIGKILL after 5 s) and removes a temporary data dir.
// It is safe to call more than once.
func (s *Server) Stop() {
	s.stop.Do(func() {
		if s.shield != nil {
			s.shield.close()
		}
		if s.cmd.Process != nil {
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.done:
			case <-time.After(5 * time.Second):
				_ = s.cmd.Process.Kill()
				<-s.done
			}
		}
		s.removeTemp()
	})
}

func (s *Server) removeTemp() {
	if s.tempDir != "" {
		_ = os.RemoveAll(s.tempDir)
	}
}

func (s *Server) stderrText() string {
	w := s.cmd.Stderr.(*lockedWriter)
	w.mu.Lock()
	defer w.mu.Unlock()
	const maxLen = 2000
	b := w.buf.Bytes()
	if len(b) > maxLen {
		b = b[len(b)-maxLen:]
	}
	return string(b)
}

func freePort(ctx context.Context) (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lockedWriter collects node's stderr (written by exec's copier goroutine) for error messages.
type lockedWriter struct {
	mu  sync.Mutex
	buf *bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

package main

// End-to-end tests: they build the real binary once and drive it as a user
// would, over pipes, against the built-in emulator.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/botrun/botrun/host/emulator"
)

var botrunBin string

func TestMain(m *testing.M) {
	tmp, err := os.MkdirTemp("", "botrun-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	botrunBin = filepath.Join(tmp, "botrun")
	args := []string{"build", "-o", botrunBin}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building botrun:", err)
		os.RemoveAll(tmp)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}

// syncBuf is an output stream that tests can wait on.
type syncBuf struct {
	mu      sync.Mutex // guards buf and changed
	buf     bytes.Buffer
	changed chan struct{}
}

func newSyncBuf() *syncBuf { return &syncBuf{changed: make(chan struct{})} }

func (b *syncBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	close(b.changed)
	b.changed = make(chan struct{})
	return len(p), nil
}

func (b *syncBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until the output contains s at least n times.
func (b *syncBuf) waitFor(t *testing.T, n int, s string) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		b.mu.Lock()
		got := strings.Count(b.buf.String(), s)
		ch := b.changed
		b.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-timeout:
			t.Fatalf("timed out waiting for %d× %q in output:\n%s", n, s, b.String())
		}
	}
}

// proc is a running botrun.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *syncBuf
	stderr *syncBuf
	done   chan struct{}
	code   int
}

// baseEnv is the environment for the binary: no token unless a test adds
// one, and no BOTRUN_* or UNCORD_* leaking in from the developer's shell.
func baseEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "BOTRUN_") || strings.HasPrefix(kv, "DISCORD_TOKEN=") || strings.HasPrefix(kv, "UNCORD_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, cmd: exec.Command(botrunBin, args...), stdout: newSyncBuf(), stderr: newSyncBuf(), done: make(chan struct{})}
	p.cmd.Env = baseEnv(env...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *proc) send(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		p.t.Fatalf("write %q: %v", line, err)
	}
}

// wait waits for exit and returns the exit code.
func (p *proc) wait() int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(30 * time.Second):
		p.t.Fatalf("botrun did not exit; stdout:\n%s\nstderr:\n%s", p.stdout, p.stderr)
		return -1
	}
}

func (p *proc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// runCmd runs botrun to completion with the given stdin.
func runCmd(t *testing.T, stdin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	p := start(t, env, args...)
	io.WriteString(p.stdin, stdin)
	p.stdin.Close()
	code = p.wait()
	return p.stdout.String(), p.stderr.String(), code
}

// startEmulator starts the built-in emulator on a free loopback port for
// one test and subscribes to what bots do on it; both end with the test.
func startEmulator(t *testing.T, opts emulator.Options) (*emulator.Server, <-chan emulator.Output) {
	t.Helper()
	emu := emulator.New(opts)
	if err := emu.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	out, unsub := emu.Subscribe()
	t.Cleanup(unsub)
	return emu, out
}

// startOn runs botrun on dir against emu, with the emulator's API and
// token and env on top, and waits until its session is up.
func startOn(t *testing.T, ctx context.Context, emu *emulator.Server, dir string, env ...string) *proc {
	t.Helper()
	p := start(t, append([]string{"BOTRUN_API_URL=" + emu.APIBase(), "DISCORD_TOKEN=" + emu.Token()}, env...), "run", dir)
	if err := emu.WaitSessions(ctx, 1); err != nil {
		t.Fatalf("bot did not connect: %v\n%s", err, p.stderr)
	}
	return p
}

// injectNumbered injects "m0" to "m<n-1>" into the channel named name,
// then "!done".
func injectNumbered(t *testing.T, emu *emulator.Server, name string, n int) {
	t.Helper()
	ch := emu.ChannelID(name)
	for i := range n {
		if _, err := emu.InjectMessage(ch, fmt.Sprintf("m%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := emu.InjectMessage(ch, "!done"); err != nil {
		t.Fatal(err)
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		out, err string
	}{
		{args: nil, code: 2, err: "Usage:"},
		{args: []string{"frobnicate"}, code: 2, err: `unknown command "frobnicate"`},
		{args: []string{"--help"}, code: 0, out: "Examples:"},
		{args: []string{"help", "run"}, code: 0, out: "botrun run [DIR]"},
		{args: []string{"run", "--help"}, code: 0, out: "BOTRUN_API_URL"},
		{args: []string{"check", "--help"}, code: 0, out: "botrun check mybot"},
		{args: []string{"init", "-h"}, code: 0, out: "--lang"},
		{args: []string{"emulator", "--help"}, code: 0, out: "-addr"},
		{args: []string{"types", "--help"}, code: 0, out: "Examples:"},
		{args: []string{"run", "--bogus"}, code: 2, err: "flag provided but not defined: -bogus"},
		{args: []string{"run", "a", "b"}, code: 2, err: "at most one bot directory"},
		{args: []string{"run", "/nonexistent/dir"}, code: 2, err: "is not a directory"},
		{args: []string{"check"}, code: 2, err: "exactly one bot directory"},
		{args: []string{"init", "x", "--lang", "cobol"}, code: 2, err: "--lang must be lua or js"},
		{args: []string{"version"}, code: 0, out: "botrun "},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			out, errOut, code := runCmd(t, "", nil, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			if tt.out != "" && !strings.Contains(out, tt.out) {
				t.Errorf("stdout does not contain %q:\n%s", tt.out, out)
			}
			if tt.err != "" && !strings.Contains(errOut, tt.err) {
				t.Errorf("stderr does not contain %q:\n%s", tt.err, errOut)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	t.Run("errors", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{
			"good.lua":        `on("MESSAGE_CREATE", function(m) end)` + "\n",
			"bad.lua":         "on(\"MESSAGE_CREATE\", function(m)\n  if then\nend)\n",
			"worse.js":        "const a = 1;\nconst b = ;\n",
			"throws/init.lua": "local x = 1\nerror(\"boom at load\")\n",
		})
		out, errOut, code := runCmd(t, "", nil, "check", dir)
		if code != 1 {
			t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", code, out, errOut)
		}
		for _, want := range []string{
			filepath.Join(dir, "bad.lua") + ":2:",
			filepath.Join(dir, "worse.js") + ":2:",
			filepath.Join(dir, "throws/init.lua") + ":2:",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr does not report %q:\n%s", want, errOut)
			}
		}
		if strings.Contains(errOut, "good.lua") {
			t.Errorf("good.lua reported:\n%s", errOut)
		}
	})
	t.Run("examples pass", func(t *testing.T) {
		out, errOut, code := runCmd(t, "", nil, "check", "../../scripts/examples")
		if code != 0 {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
		}
		// Both twins of each example are checked: 4 bots × 2 languages.
		if !strings.Contains(out, "8 script(s) OK") || errOut != "" {
			t.Errorf("stdout: %s\nstderr: %s", out, errOut)
		}
	})
	t.Run("bad config", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"ok.lua": "", "botrun.toml": "log_level = \"info\"\nlog_levle = \"debug\"\n"})
		_, errOut, code := runCmd(t, "", nil, "check", dir)
		if code != 1 || !strings.Contains(errOut, "botrun.toml:2:1") || !strings.Contains(errOut, `"log_levle"`) {
			t.Errorf("exit %d, stderr:\n%s", code, errOut)
		}
	})
}

func TestRunBadConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"ok.lua": "", "botrun.toml": "[limits]\ncpu_ms = 10\nspeed = 3\n"})
	_, errOut, code := runCmd(t, "", nil, "run", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(errOut, "botrun.toml:3:1") || !strings.Contains(errOut, `unknown key "limits.speed"`) {
		t.Errorf("stderr does not name the key and line:\n%s", errOut)
	}
	writeFiles(t, dir, map[string]string{"botrun.toml": "platform = \"uncord\"\n"})
	_, errOut, code = runCmd(t, "", nil, "run", dir)
	if code == 0 || !strings.Contains(errOut, "platform uncord needs base_url") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
	_, errOut, code = runCmd(t, "", []string{"BOTRUN_WATCH=maybe"}, "run", dir)
	if code != 2 || !strings.Contains(errOut, "BOTRUN_WATCH") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
}

func TestInitThenCheck(t *testing.T) {
	for _, lang := range []string{"lua", "js"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "mybot")
			out, errOut, code := runCmd(t, "", nil, "init", dir, "--lang", lang)
			if code != 0 {
				t.Fatalf("init: exit %d\n%s%s", code, out, errOut)
			}
			for _, f := range []string{"ping." + lang, "botrun.toml", ".gitignore", "types/botrun.d.ts", "types/botrun.lua"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("init did not write %s", f)
				}
			}
			if _, errOut, code := runCmd(t, "", nil, "check", dir); code != 0 {
				t.Errorf("check of the starter bot: exit %d\n%s", code, errOut)
			}
			if _, _, code := runCmd(t, "", nil, "init", dir, "--lang", lang); code != 1 {
				t.Errorf("init over an existing bot: exit %d, want 1", code)
			}
		})
	}
}

func TestEmulatorCommand(t *testing.T) {
	t.Parallel()
	p := start(t, nil, "emulator", "--addr", "127.0.0.1:0")
	p.stdout.waitFor(t, 1, "BOTRUN_API_URL=http://127.0.0.1:")
	out := p.stdout.String()
	if !strings.Contains(out, "/api/v10") || !strings.Contains(out, "token:") {
		t.Errorf("output:\n%s", out)
	}
	p.signal(syscall.SIGINT)
	if code := p.wait(); code != 0 {
		t.Errorf("exit %d\n%s", code, p.stderr)
	}
}

func TestTypesCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, errOut, code := runCmd(t, "", nil, "types", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, f := range []string{"botrun.d.ts", "botrun.lua"} {
		b, err := os.ReadFile(filepath.Join(dir, "types", f))
		if err != nil || len(b) == 0 {
			t.Errorf("types/%s not written: %v", f, err)
		}
		if !strings.Contains(out, filepath.Join(dir, "types", f)) {
			t.Errorf("stdout does not list %s:\n%s", f, out)
		}
	}
	// The type files are not scripts: the directory still checks clean.
	if out, errOut, code := runCmd(t, "", nil, "check", dir); code != 0 || !strings.Contains(out, "0 script(s) OK") {
		t.Errorf("check after types: exit %d\n%s%s", code, out, errOut)
	}
}

package load

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Proc is a bot process under measurement.
type Proc struct {
	Name    string
	cmd     *exec.Cmd
	started time.Time
	done    chan struct{}
	waitErr error

	// mu guards tail, the last lines the process wrote, for error reports.
	mu   sync.Mutex
	tail []string
}

// Command describes how to start a process.
type Command struct {
	Name string   // peer name, for reports
	Argv []string // program and arguments
	Dir  string   // working directory
	Env  []string // added to the driver's environment
}

// Start runs c. The process lives until Stop, or until ctx is done.
func Start(ctx context.Context, c Command) (*Proc, error) {
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), c.Env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	p := &Proc{Name: c.Name, cmd: cmd, done: make(chan struct{})}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", c.Name, err)
	}
	p.started = time.Now()
	go p.collect(out)
	return p, nil
}

// collect keeps the last lines of output and reaps the process.
func (p *Proc) collect(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		p.mu.Lock()
		p.tail = append(p.tail, sc.Text())
		if len(p.tail) > 20 {
			p.tail = p.tail[len(p.tail)-20:]
		}
		p.mu.Unlock()
	}
	_, _ = io.Copy(io.Discard, r)
	p.waitErr = p.cmd.Wait()
	close(p.done)
}

// Started is when the process was started.
func (p *Proc) Started() time.Time { return p.started }

// Exited is closed when the process has exited.
func (p *Proc) Exited() <-chan struct{} { return p.done }

// Output is the last lines the process printed.
func (p *Proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.tail, "\n")
}

// Stop asks the process to exit (SIGTERM) and kills it after timeout.
func (p *Proc) Stop(timeout time.Duration) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return nil
	case <-t.C:
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not exit within %v of SIGTERM; killed", p.Name, timeout)
	}
}

// Mem is a process's resident memory in bytes.
type Mem struct {
	RSS  int64 // now
	Peak int64 // high-water mark since start or ResetPeak
	// RSS is Anon plus File (plus shared memory, which no peer uses).
	// Anon is the process's private working memory: heap, stacks, and
	// the pages of its data segment it has written. File is the pages
	// of the executable and libraries it has read, shared with the page
	// cache: they grow with the size of the program, not of its work.
	Anon, File int64
}

// Memory reads the process's resident set from /proc.
func (p *Proc) Memory() (Mem, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return Mem{}, fmt.Errorf("memory of %s: %w", p.Name, err)
	}
	var m Mem
	for _, line := range bytes.Split(b, []byte("\n")) {
		f := strings.Fields(string(line))
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			m.RSS = kb * 1024
		case "VmHWM:":
			m.Peak = kb * 1024
		case "RssAnon:":
			m.Anon = kb * 1024
		case "RssFile:":
			m.File = kb * 1024
		}
	}
	if m.RSS == 0 {
		return m, fmt.Errorf("memory of %s: no VmRSS in /proc status", p.Name)
	}
	return m, nil
}

// ResetPeak restarts the process's resident-memory high-water mark, so a
// later Memory().Peak covers only what follows.
func (p *Proc) ResetPeak() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.cmd.Process.Pid), []byte("5"), 0)
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat times; it is 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// CPU is the user+system CPU time the process has used so far, all its
// threads included (none of the peers forks worker processes).
func (p *Proc) CPU() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("cpu of %s: %w", p.Name, err)
	}
	// The command name (field 2) may hold spaces; fields after it are
	// space-separated, utime and stime being fields 14 and 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("cpu: malformed /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("cpu: short /proc stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// MemPeaks is what WatchMemory saw: the highest private (Anon) and
// program (File) memory among its samples. The kernel keeps a high-water
// mark only for the whole resident set, so these are sampled and may
// miss a peak shorter than the interval.
type MemPeaks struct {
	Anon, File int64
	Samples    int
}

// WatchMemory samples the process's memory every interval until stop is
// called, which returns the peaks. A sample that fails (the process
// exited) ends the sampling; the peaks so far are kept.
func (p *Proc) WatchMemory(interval time.Duration) (stop func() MemPeaks) {
	var (
		peaks MemPeaks
		quit  = make(chan struct{})
		done  = make(chan struct{})
	)
	sample := func() bool {
		m, err := p.Memory()
		if err != nil {
			return false
		}
		peaks.Anon = max(peaks.Anon, m.Anon)
		peaks.File = max(peaks.File, m.File)
		peaks.Samples++
		return true
	}
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for sample() {
			select {
			case <-t.C:
			case <-quit:
				return
			case <-p.done:
				return
			}
		}
	}()
	return func() MemPeaks {
		close(quit)
		<-done
		sample() // the end of the run, however short it was
		return peaks
	}
}

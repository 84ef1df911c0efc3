package enginetest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Recorder collects the transcript of everything scripts did.
type Recorder struct {
	mu      sync.Mutex    // guards entries and changed
	entries []string      // in the order they happened
	changed chan struct{} // closed and replaced on every append
}

// NewRecorder returns an empty transcript.
func NewRecorder() *Recorder { return &Recorder{changed: make(chan struct{})} }

// Add appends one line.
func (r *Recorder) Add(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	r.mu.Lock()
	r.entries = append(r.entries, line)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

// Entries returns a copy of the transcript.
func (r *Recorder) Entries() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.entries...)
}

func (r *Recorder) snapshot() ([]string, chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.entries...), r.changed
}

// WaitSeq waits until the transcript contains lines matching patterns, in
// that order (other lines may come between). It returns the index after
// the last match.
func (r *Recorder) WaitSeq(ctx context.Context, from int, patterns ...string) (int, error) {
	for {
		entries, changed := r.snapshot()
		i, j := from, 0
		for ; i < len(entries) && j < len(patterns); i++ {
			if Match(patterns[j], entries[i]) {
				j++
			}
		}
		if j == len(patterns) {
			return i, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return 0, fmt.Errorf("waiting for %q (matched %d of %d): %w\ntranscript:\n  %s",
				patterns[j], j, len(patterns), ctx.Err(), strings.Join(entries, "\n  "))
		}
	}
}

// WaitFor waits until some line contains text.
func (r *Recorder) WaitFor(ctx context.Context, text string) error {
	_, err := r.WaitSeq(ctx, 0, "*"+text+"*")
	return err
}

// Match reports whether line matches pattern, where '*' matches any text.
func Match(pattern, line string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == line
	}
	if !strings.HasPrefix(line, parts[0]) {
		return false
	}
	line = line[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(line, p)
		if i < 0 {
			return false
		}
		line = line[i+len(p):]
	}
	return strings.HasSuffix(line, last) && len(line) >= len(last)
}

// logHandler records script log lines: "log LEVEL message", and handler
// failures (records with an "error" attribute) as "error TEXT".
type logHandler struct {
	rec   *Recorder
	attrs []slog.Attr
}

func (h *logHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	var errText string
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "error" {
			errText = a.Value.String()
		}
		return true
	})
	if errText != "" {
		h.rec.Add("error %s", errText)
		return nil
	}
	h.rec.Add("log %s %s", r.Level, r.Message)
	return nil
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &logHandler{rec: h.rec, attrs: append(append([]slog.Attr(nil), h.attrs...), as...)}
}

func (h *logHandler) WithGroup(string) slog.Handler { return h }

// Logger returns a logger whose records go to the transcript.
func (r *Recorder) Logger() *slog.Logger { return slog.New(&logHandler{rec: r}) }

// waitTimeout bounds every wait of the harness.
const waitTimeout = 5 * time.Second

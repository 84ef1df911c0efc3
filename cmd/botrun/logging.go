package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
)

// newLogger builds the process logger: readable coloured text on a
// terminal, JSON lines otherwise or when asked. Everything it writes passes
// through a redactor so the token can never reach the output.
func newLogger(w io.Writer, level, format string, secrets ...string) *slog.Logger {
	var lvl slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lvl = slog.LevelDebug
	case "warn", "warning":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	default:
		lvl = slog.LevelInfo
	}
	out := &redactWriter{w: w, secrets: nonEmpty(secrets)}
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
	}
	if format == "json" || (format != "text" && !tty) {
		return slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: lvl}))
	}
	return slog.New(&textHandler{w: out, level: lvl, color: tty, mu: &sync.Mutex{}})
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// redactWriter replaces secrets in everything written through it. Handlers
// write whole records, so a secret is never split across writes.
type redactWriter struct {
	w       io.Writer
	secrets []string
}

func (r *redactWriter) Write(p []byte) (int, error) {
	out := p
	for _, s := range r.secrets {
		if bytes.Contains(out, []byte(s)) {
			out = bytes.ReplaceAll(out, []byte(s), []byte("[redacted]"))
		}
	}
	if _, err := r.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// textHandler prints "15:04:05.000 INFO  [script] message key=value" with
// colours on a terminal. A "frame" attribute (a code frame under a script
// error) is printed below the line as is.
type textHandler struct {
	w      io.Writer
	level  slog.Leveler
	color  bool
	mu     *sync.Mutex // guards writes to w, shared by derived handlers
	attrs  []slog.Attr
	groups string
}

func (h *textHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *textHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append([]slog.Attr(nil), h.attrs...)
	for _, a := range as {
		if h.groups != "" {
			a.Key = h.groups + a.Key
		}
		c.attrs = append(c.attrs, a)
	}
	return &c
}

func (h *textHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.groups += name + "."
	return &c
}

const (
	ansiReset  = "\x1b[0m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiCyan   = "\x1b[36m"
	ansiBold   = "\x1b[1m"
)

func (h *textHandler) paint(code, s string) string {
	if !h.color {
		return s
	}
	return code + s + ansiReset
}

func (h *textHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	b.WriteString(h.paint(ansiDim, t.Format("15:04:05.000")))
	b.WriteByte(' ')
	lvl, code := "INFO ", ansiBlue
	switch {
	case r.Level >= slog.LevelError:
		lvl, code = "ERROR", ansiRed
	case r.Level >= slog.LevelWarn:
		lvl, code = "WARN ", ansiYellow
	case r.Level < slog.LevelInfo:
		lvl, code = "DEBUG", ansiDim
	}
	b.WriteString(h.paint(code, lvl))
	b.WriteByte(' ')

	var script, frame string
	var rest []slog.Attr
	collect := func(a slog.Attr) bool {
		switch a.Key {
		case "script":
			script = a.Value.String()
		case "frame":
			frame = a.Value.String()
		default:
			rest = append(rest, a)
		}
		return true
	}
	for _, a := range h.attrs {
		collect(a)
	}
	r.Attrs(func(a slog.Attr) bool {
		if h.groups != "" {
			a.Key = h.groups + a.Key
		}
		return collect(a)
	})
	if script != "" {
		b.WriteString(h.paint(ansiCyan, "["+script+"]"))
		b.WriteByte(' ')
	}
	b.WriteString(h.paint(ansiBold, r.Message))
	for _, a := range rest {
		writeAttr(&b, h, "", a)
	}
	b.WriteByte('\n')
	if frame != "" {
		b.WriteString(frame)
		if !strings.HasSuffix(frame, "\n") {
			b.WriteByte('\n')
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func writeAttr(b *strings.Builder, h *textHandler, prefix string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		for _, g := range a.Value.Group() {
			writeAttr(b, h, prefix+a.Key+".", g)
		}
		return
	}
	v := a.Value.String()
	if v == "" || strings.ContainsAny(v, " \t\n\"=") {
		v = fmt.Sprintf("%q", v)
	}
	b.WriteByte(' ')
	b.WriteString(h.paint(ansiDim, prefix+a.Key+"="))
	b.WriteString(v)
}

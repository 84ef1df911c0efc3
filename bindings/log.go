package bindings

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
)

// log.debug/info/warn/error write to the script's logger. Arguments are
// joined with spaces like print; tables are shown as JSON.

const (
	levelDebug = slog.LevelDebug
	levelInfo  = slog.LevelInfo
	levelWarn  = slog.LevelWarn
	levelError = slog.LevelError
)

// maxLogLine bounds one log record so that a script cannot flood the log
// sink with a single call.
const maxLogLine = 16 << 10

func logAt(fn string, level slog.Level) Fn {
	return func(c *Call) (any, error) {
		l := slog.Default()
		if c.Script != nil && c.Script.Log != nil {
			l = c.Script.Log
		} else if c.Script != nil {
			l = l.With("script", c.Script.Name)
		}
		ctx := c.Ctx
		if ctx == nil {
			ctx = context.Background()
		}
		if !l.Enabled(ctx, level) {
			return nil, nil
		}
		l.Log(ctx, level, logLine(c.Args))
		return nil, nil
	}
}

func logLine(args []any) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch v := a.(type) {
		case string:
			b.WriteString(v)
		case nil:
			b.WriteString("nil")
		case float64:
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		case Callback:
			b.WriteString("function")
		default:
			enc, err := encodeJSON(v, maxLogLine)
			if err != nil {
				b.WriteString("<" + typeName(v) + ">")
			} else {
				b.Write(enc)
			}
		}
		if b.Len() > maxLogLine {
			break
		}
	}
	s := b.String()
	if len(s) > maxLogLine {
		s = strings.ToValidUTF8(s[:maxLogLine], "") + "… (truncated)"
	}
	return s
}

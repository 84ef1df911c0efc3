package bindings

import (
	"reflect"
	"strings"
	"testing"
)

func TestLog(t *testing.T) {
	f := newFixture(t)
	if _, err := f.call("log.info", "hello", int64(3), 1.5, true, nil, map[string]any{"a": int64(1)}, []any{"x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.call("log.error", "boom"); err != nil {
		t.Fatal(err)
	}
	out := f.logs.String()
	for _, want := range []string{
		`level=INFO msg="hello 3 1.5 true nil {\"a\":1} [\"x\"]" script=test`,
		`level=ERROR msg=boom script=test`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log output %q lacks %q", out, want)
		}
	}
	f.logs.Reset()
	if _, err := f.call("log.warn", strings.Repeat("y", 2*maxLogLine)); err != nil {
		t.Fatal(err)
	}
	if n := f.logs.Len(); n > maxLogLine+200 {
		t.Errorf("a huge log line was written whole (%d bytes)", n)
	}
}

func TestSetPresence(t *testing.T) {
	tests := []struct {
		name string
		arg  map[string]any
		want map[string]any
		err  string
	}{
		{"status only", map[string]any{"status": "idle"},
			map[string]any{"status": "idle", "activities": []any{}, "afk": false, "since": nil}, ""},
		{"one activity", map[string]any{"activity": map[string]any{"name": "chess"}},
			map[string]any{"status": "online", "activities": []any{map[string]any{"name": "chess", "type": int64(0)}}, "afk": false, "since": nil}, ""},
		{"empty lua table", map[string]any{"activities": map[string]any{}},
			map[string]any{"status": "online", "activities": []any{}, "afk": false, "since": nil}, ""},
		{"bad status", map[string]any{"status": "sleepy"}, nil, "status must be one of"},
		{"nameless activity", map[string]any{"activities": []any{map[string]any{"type": int64(0)}}}, nil, "activities[1].name must be a non-empty string"},
		{"both", map[string]any{"activity": map[string]any{"name": "a"}, "activities": []any{}}, nil, "either activity or activities"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.call("bot.set_presence", tt.arg)
			if tt.err != "" {
				if ue := usageErr(t, err); !strings.Contains(ue.Msg, tt.err) {
					t.Errorf("error %q, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := f.rec.last(t); got.Op != "presence" || !reflect.DeepEqual(got.Msg, tt.want) {
				t.Errorf("gateway got %+v, want %v", got.Msg, tt.want)
			}
		})
	}
}

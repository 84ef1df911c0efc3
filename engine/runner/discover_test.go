package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/botrun/botrun/engine"
)

func writeTree(t testing.TB, dir string, files map[string]string) {
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

func TestDiscover(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		want     []string // name:path:lang
		problems []string // substrings, "!" prefix for errors (not warnings)
	}{
		{
			name: "layout",
			files: map[string]string{
				"ping.lua": "", "greet.js": "", "README.md": "", "botrun.toml": "",
				"mod/init.lua": "", "mod/util.lua": "", "web/index.js": "", "web/lib.js": "",
				"lib/helpers.lua": "", ".hidden.lua": "", ".git/x.lua": "", "node_modules/a/index.js": "",
				"ping.lua~": "", ".ping.lua.swp": "", "4913": "", "#x.lua#": "",
			},
			want: []string{"greet:greet.js:js", "mod:mod/init.lua:lua", "ping:ping.lua:lua", "web:web/index.js:js"},
		},
		{
			name:     "same bot in both languages: lua runs",
			files:    map[string]string{"ping.js": "", "ping.lua": ""},
			want:     []string{"ping:ping.lua:lua"},
			problems: []string{"ping.js: twin of ping.lua, which runs"},
		},
		{
			name:     "folder with both entries",
			files:    map[string]string{"bot/init.lua": "", "bot/index.js": ""},
			want:     []string{"bot:bot/init.lua:lua"},
			problems: []string{"bot: folder has both"},
		},
		{
			name:     "file and folder with one name",
			files:    map[string]string{"bot.lua": "", "bot/index.js": ""},
			want:     []string{"bot:bot/index.js:js"},
			problems: []string{"!bot.lua: script name \"bot\" is already used by bot/index.js"},
		},
		{name: "empty", files: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tt.files)
			units, problems, err := Discover(dir)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range units {
				if u.Dir != dir {
					t.Errorf("unit %s: Dir %q, want %q", u.Name, u.Dir, dir)
				}
				got = append(got, u.Name+":"+u.Path+":"+u.Lang)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("units = %v, want %v", got, tt.want)
			}
			if len(problems) != len(tt.problems) {
				t.Fatalf("problems = %v, want %v", problems, tt.problems)
			}
			for i, want := range tt.problems {
				de := problems[i].(*DiscoveryError)
				isErr := strings.HasPrefix(want, "!")
				if de.Warning == isErr {
					t.Errorf("problem %q: Warning=%v", de, de.Warning)
				}
				if !strings.Contains(de.Error(), strings.TrimPrefix(want, "!")) {
					t.Errorf("problem %q does not contain %q", de, want)
				}
			}
		})
	}
}

func TestDiscoverPreferJS(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"ping.js": "", "ping.lua": "", "solo.lua": ""})
	units, problems, err := DiscoverPrefer(dir, "js")
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 2 || units[0].Path != "ping.js" || units[1].Path != "solo.lua" {
		t.Errorf("units = %+v", units)
	}
	if len(problems) != 1 || !problems[0].(*DiscoveryError).Twin || !strings.Contains(problems[0].Error(), "ping.lua: twin of ping.js") {
		t.Errorf("problems = %v", problems)
	}
}

func TestDiscoverMissingDir(t *testing.T) {
	if _, _, err := Discover(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Fatal("want error for a missing directory")
	}
}

func TestUnitOfPath(t *testing.T) {
	for in, want := range map[string]string{
		"ping.lua": "ping", "greet.js": "greet", "mod/util.lua": "mod", "mod/init.lua": "mod",
		"README.md": "", "lib/a/b.lua": "lib",
	} {
		if got := unitOfPath(in); got != want {
			t.Errorf("unitOfPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCodeFrame(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"bad.lua": "-- one\n-- two\nlocal x = = 1\n-- four\n-- five\n-- six\n"})
	err := &engine.ScriptError{Path: "bad.lua", Line: 3, Col: 11, Message: "unexpected '='"}
	got := CodeFrame(dir, err)
	want := "  1 | -- one\n" +
		"  2 | -- two\n" +
		"> 3 | local x = = 1\n" +
		"    |           ^\n" +
		"  4 | -- four\n" +
		"  5 | -- five\n"
	if got != want {
		t.Errorf("frame:\n%s\nwant:\n%s", got, want)
	}
	if CodeFrame(dir, &engine.ScriptError{Path: "bad.lua"}) != "" {
		t.Error("frame without a line should be empty")
	}
	if CodeFrame(dir, &engine.ScriptError{Path: "gone.lua", Line: 1}) != "" {
		t.Error("frame of a missing file should be empty")
	}
}

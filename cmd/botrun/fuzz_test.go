package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseSlash: any console line either parses into a command whose
// name and options are non-empty and colon-free where they must be, or
// fails with an error; it never panics.
func FuzzParseSlash(f *testing.F) {
	for _, s := range []string{"/echo text:hi", `/a b:"c d" e:'f'`, "/x y z:1", `/q s:"\"esc\""`, "/", "//", `/e t:"`, "/é ü:ß"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		sc, err := parseSlash(line)
		if err != nil {
			return
		}
		if sc.Name == "" || strings.Contains(sc.Name, ":") {
			t.Fatalf("bad name %q from %q", sc.Name, line)
		}
		if len(sc.Order) != len(sc.Options) {
			t.Fatalf("order %v vs options %v", sc.Order, sc.Options)
		}
		for _, k := range sc.Order {
			if k == "" {
				t.Fatalf("empty option name from %q", line)
			}
		}
		if _, err := sc.interactionData(nil); err != nil {
			t.Fatalf("untyped options must always build: %v", err)
		}
	})
}

// FuzzConfigFile: any botrun.toml loads or fails with an error; never a
// panic, and a failure is always located in the file.
func FuzzConfigFile(f *testing.F) {
	for _, s := range []string{"", "api_url = \"x\"\n", "[limits]\ncpu_ms = 5\n", "[scripts.a]\nb = [1, {c = 2}]\n", "x = 1\n", "watch = \"no\"\n", "[[scripts]]\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, toml string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte(toml), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := loadConfigFile(dir)
		if err != nil && !strings.Contains(err.Error(), ConfigFile) {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/botrun/botrun/stdlib"
)

func cmdTypes(_ context.Context, a *app, args []string) int {
	fs := a.newFlagSet("types", "DIR", "  botrun types mybot   # writes botrun.d.ts and the LuaLS annotations")
	pos, code, ok := a.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return a.usageErr("types", "expected exactly one directory, got %d arguments", len(pos))
	}
	written, err := writeTypes(pos[0])
	if err != nil {
		fmt.Fprintf(a.stderr, "botrun types: %v\n", err)
		return exitFatal
	}
	for _, p := range written {
		fmt.Fprintln(a.stdout, p)
	}
	return exitOK
}

// typesDir is where editor type definitions go inside a bot directory. It is
// a folder without init.lua or index.js, so discovery never takes it for a
// script.
const typesDir = "types"

// writeTypes writes the editor type definitions embedded in the binary into
// DIR/types, overwriting older versions, and returns the paths written.
func writeTypes(dir string) ([]string, error) {
	files := stdlib.TypeFiles()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		p := filepath.Join(dir, typesDir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return out, err
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

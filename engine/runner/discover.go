package runner

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/botrun/botrun/engine"
)

// DiscoveryError is a problem with the layout of the bot directory, such as
// two scripts with the same name.
type DiscoveryError struct {
	Path    string // relative to the bot directory
	Message string
	// Warning marks a layout that still loads deterministically.
	Warning bool
	// Twin marks the other-language twin of a script (ping.js beside
	// ping.lua) that was skipped: a normal layout, worth a note only.
	Twin bool
}

func (e *DiscoveryError) Error() string { return e.Path + ": " + e.Message }

// Discover is DiscoverPrefer(dir, "lua").
func Discover(dir string) ([]engine.Unit, []error, error) { return DiscoverPrefer(dir, "lua") }

// DiscoverPrefer lists the scripts in dir, sorted by name. Top-level *.lua and *.js
// files are scripts; a subfolder with init.lua or index.js is one script
// (init.lua wins when both exist, which is reported); everything else is a
// module. Dot-files, dot-dirs, node_modules and editor temp files are ignored.
// Problems with one entry are returned as *DiscoveryError values alongside the
// units that were found; only an unreadable dir fails outright.
//
// When a top-level script exists in both languages (ping.lua and ping.js,
// as in the examples), the one in language prefer ("lua" or "js") runs and
// the other is reported as a Twin.
func DiscoverPrefer(dir, prefer string) ([]engine.Unit, []error, error) {
	if prefer != "js" {
		prefer = "lua"
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("read bot directory: %w", err)
	}
	var units []engine.Unit
	var problems []error
	byName := map[string]int{} // script name → index in units, to catch duplicates
	add := func(u engine.Unit) {
		if i, ok := byName[u.Name]; ok {
			prev := &units[i]
			// The same bot written in both languages (ping.lua beside
			// ping.js, as in the examples): the preferred one runs.
			if !strings.Contains(prev.Path, "/") && !strings.Contains(u.Path, "/") && prev.Lang != u.Lang {
				skipped := u.Path
				if u.Lang == prefer {
					skipped = prev.Path
					*prev = u
				}
				other := "js"
				if prefer == "js" {
					other = "lua"
				}
				problems = append(problems, &DiscoveryError{Path: skipped, Warning: true, Twin: true,
					Message: fmt.Sprintf("twin of %s, which runs (--prefer %s runs the %s twins)", units[i].Path, other, langName(other))})
				return
			}
			problems = append(problems, &DiscoveryError{Path: u.Path,
				Message: fmt.Sprintf("script name %q is already used by %s; rename one of them", u.Name, prev.Path)})
			return
		}
		byName[u.Name] = len(units)
		units = append(units, u)
	}
	for _, e := range entries {
		name := e.Name()
		if Ignored(name) {
			continue
		}
		if e.IsDir() {
			u, ok, problem := folderUnit(dir, name)
			if problem != nil {
				problems = append(problems, problem)
			}
			if ok {
				add(u)
			}
			continue
		}
		if lang := langOf(name); lang != "" && e.Type().IsRegular() || lang != "" && e.Type()&fs.ModeSymlink != 0 {
			add(engine.Unit{Name: strings.TrimSuffix(name, path.Ext(name)), Path: name, Dir: dir, Lang: lang})
		}
	}
	sort.Slice(units, func(i, j int) bool { return units[i].Name < units[j].Name })
	return units, problems, nil
}

func folderUnit(dir, name string) (engine.Unit, bool, error) {
	hasLua := isFile(filepath.Join(dir, name, "init.lua"))
	hasJS := isFile(filepath.Join(dir, name, "index.js"))
	switch {
	case hasLua && hasJS:
		return engine.Unit{Name: name, Path: name + "/init.lua", Dir: dir, Lang: "lua"}, true,
			&DiscoveryError{Path: name, Warning: true, Message: "folder has both init.lua and index.js; init.lua runs, index.js is skipped"}
	case hasLua:
		return engine.Unit{Name: name, Path: name + "/init.lua", Dir: dir, Lang: "lua"}, true, nil
	case hasJS:
		return engine.Unit{Name: name, Path: name + "/index.js", Dir: dir, Lang: "js"}, true, nil
	}
	return engine.Unit{}, false, nil
}

func langName(lang string) string {
	if lang == "js" {
		return "JavaScript"
	}
	return "Lua"
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func langOf(name string) string {
	switch path.Ext(name) {
	case ".lua":
		return "lua"
	case ".js":
		return "js"
	}
	return ""
}

// Ignored reports whether a file or folder name is never a script or a
// watched path: dot-files and dot-dirs, node_modules, and the temp files
// editors write while saving (vim swap and backup files, emacs lock files,
// vim's 4913 probe, *.tmp).
func Ignored(name string) bool {
	switch {
	case name == "" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "#"):
		return true
	case name == "node_modules" || name == "4913":
		return true
	case strings.HasSuffix(name, "~") || strings.HasSuffix(name, ".swp") || strings.HasSuffix(name, ".swx") ||
		strings.HasSuffix(name, ".tmp") || strings.HasSuffix(name, ".bak"):
		return true
	}
	return false
}

// ignoredPath reports whether any element of a relative path is ignored.
func ignoredPath(rel string) bool {
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if Ignored(part) {
			return true
		}
	}
	return false
}

// unitOfPath returns the name of the script whose entry (or folder) contains
// rel, as discovery would see it, or "" for a top-level non-script file.
func unitOfPath(rel string) string {
	rel = filepath.ToSlash(rel)
	if i := strings.IndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	if langOf(rel) != "" {
		return strings.TrimSuffix(rel, path.Ext(rel))
	}
	return ""
}

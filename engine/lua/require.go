package lua

import (
	"errors"
	"io/fs"
	"path"
	"regexp"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// moduleName is what require accepts: dot-separated plain names. Slashes,
// "..", absolute paths and empty segments cannot be written, so a module
// name can only denote a file below the search roots.
var moduleName = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)

// findModule is the prelude's hook: it returns true, value for a module
// already loaded, or false, chunk, key for one to run (the prelude runs it
// in the calling coroutine, so its top level may use async bindings).
//
// Search order: the script's own folder (folder scripts), the bot
// directory, the embedded stdlib. Files are read through os.Root, which
// refuses symlinks that point out of the bot directory.
func (s *script) findModule(L *lua.LState) int {
	name := L.CheckString(1)
	if !moduleName.MatchString(name) {
		L.RaiseError("require %q: module names are dot-separated names (lib.util), not paths", name)
	}
	rel := strings.ReplaceAll(name, ".", "/")
	var dirs []string
	if d := path.Dir(s.unit.Path); d != "." {
		dirs = append(dirs, d)
	}
	dirs = append(dirs, ".")
	var tried []string
	for _, d := range dirs {
		for _, cand := range []string{path.Join(d, rel+".lua"), path.Join(d, rel, "init.lua")} {
			if v, ok := s.modules[cand]; ok {
				L.Push(lua.LTrue)
				L.Push(v)
				return 2
			}
			tried = append(tried, cand)
			src, err := s.root.ReadFile(cand)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				L.RaiseError("require %q: %s: %s", name, cand, rootErr(err))
			}
			return s.startModule(L, name, cand, src)
		}
	}
	if s.eng.stdlib != nil {
		for _, cand := range []string{rel + ".lua", path.Join(rel, "init.lua")} {
			key := "stdlib:" + cand
			if v, ok := s.modules[key]; ok {
				L.Push(lua.LTrue)
				L.Push(v)
				return 2
			}
			src, err := fs.ReadFile(s.eng.stdlib, cand)
			if err == nil {
				return s.startModule(L, name, key, src)
			}
		}
	}
	L.RaiseError("module %q not found (looked for %s)", name, strings.Join(tried, ", "))
	return 0
}

func (s *script) startModule(L *lua.LState, name, key string, src []byte) int {
	if s.loading[key] {
		L.RaiseError("require %q: circular require of %s", name, key)
	}
	fn, err := s.compileSource(src, key)
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	if !strings.HasPrefix(key, "stdlib:") {
		s.addFile(key)
	}
	s.loading[key] = true
	L.Push(lua.LFalse)
	L.Push(fn)
	L.Push(lua.LString(key))
	return 3
}

func (s *script) storeModule(L *lua.LState) int {
	key := L.CheckString(1)
	delete(s.loading, key)
	s.modules[key] = L.Get(2)
	return 0
}

// rootErr says why os.Root refused a path without showing host paths.
func rootErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

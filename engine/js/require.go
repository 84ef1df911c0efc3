package js

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/dop251/goja"

	"github.com/botrun/botrun/engine"
)

// CommonJS modules. A module's source is wrapped in a function on the
// same first line, so only columns of line 1 shift (unwrapCol undoes it).
const (
	modulePrefix = "(function (exports, require, module, __filename, __dirname) {"
	moduleSuffix = "\n})"
	// maxModuleSize bounds one module file; larger files are refused
	// rather than compiled.
	maxModuleSize = 4 << 20
	stdlibPrefix  = "stdlib/"
)

// unwrapCol maps a column of the wrapped source back to the file.
func unwrapCol(line, col int) int {
	if line == 1 && col > len(modulePrefix) {
		return col - len(modulePrefix)
	}
	return col
}

// module is one loaded CommonJS module.
type module struct {
	obj *goja.Object // the `module` object; exports live on it
}

// nodeBuiltins get a pointed error: people reach for them first.
var nodeBuiltins = map[string]bool{
	"fs": true, "path": true, "os": true, "child_process": true, "net": true, "http": true,
	"https": true, "process": true, "crypto": true, "vm": true, "worker_threads": true,
	"events": true, "util": true, "url": true, "dns": true, "tls": true, "stream": true,
	"buffer": true, "module": true, "cluster": true, "readline": true, "zlib": true,
}

// requireError is a require() failure the script can catch.
type requireError struct{ msg string }

func (e *requireError) Error() string { return e.msg }

// requireEntry loads the script's entry file as a module.
func (s *script) requireEntry() (goja.Value, error) {
	rel := path.Clean(filepath.ToSlash(s.unit.Path))
	src, err := s.readFile(rel)
	if err != nil {
		return nil, &engine.ScriptError{Kind: engine.KindLoad, Script: s.unit.Name, Path: rel,
			Message: fmt.Sprintf("read %s: %v", rel, err), Err: err}
	}
	mod, err := s.loadModule(rel, src)
	if err != nil {
		return nil, err
	}
	return mod.obj, nil
}

// readFile reads a file of the bot directory through the os.Root, which
// refuses paths and symlinks that leave the directory.
func (s *script) readFile(rel string) ([]byte, error) {
	f, err := s.root.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", rel)
	}
	if st.Size() > maxModuleSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", rel, maxModuleSize)
	}
	s.addFile(rel)
	return io.ReadAll(io.LimitReader(f, maxModuleSize+1))
}

// loadModule compiles and runs one module, caching it first so that
// require cycles see the partial exports, as in Node.
func (s *script) loadModule(name string, src []byte) (*module, error) {
	var fnv goja.Value
	if strings.HasSuffix(name, ".json") {
		mod := s.vm.NewObject()
		v, err := s.jsonParse(string(src))
		if err != nil {
			return nil, err
		}
		mod.Set("exports", v)
		m := &module{obj: mod}
		s.modules[name] = m
		return m, nil
	}
	if err := checkNesting(string(src)); err != nil {
		return nil, &engine.ScriptError{Kind: engine.KindSyntax, Script: s.unit.Name, Path: name, Message: err.Error(), Err: err}
	}
	prog, err := goja.Compile(name, modulePrefix+string(src)+moduleSuffix, false)
	if err != nil {
		return nil, s.syntaxError(name, src, err)
	}
	fnv, err = s.vm.RunProgram(prog)
	if err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(fnv)
	if !ok {
		return nil, fmt.Errorf("%s: module wrapper is not a function", name)
	}
	mod := s.vm.NewObject()
	exports := s.vm.NewObject()
	mod.Set("exports", exports)
	mod.Set("id", name)
	m := &module{obj: mod}
	s.modules[name] = m
	dir := path.Dir(name)
	if _, err := fn(exports, exports, s.requireFunc(dir), mod, s.vm.ToValue(name), s.vm.ToValue(dir)); err != nil {
		delete(s.modules, name)
		return nil, err
	}
	return m, nil
}

func (s *script) jsonParse(src string) (goja.Value, error) {
	parse, _ := goja.AssertFunction(s.vm.Get("JSON").ToObject(s.vm).Get("parse"))
	return parse(goja.Undefined(), s.vm.ToValue(src))
}

// requireFunc is the require of modules in dir (relative to the bot dir).
func (s *script) requireFunc(dir string) goja.Value {
	return s.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		name := call.Argument(0)
		if goja.IsUndefined(name) || name.ExportType() == nil || name.ExportType().Kind().String() != "string" {
			panic(s.newError(s.typeErrCtor, "require: module name must be a string"))
		}
		key, src, err := s.resolve(dir, name.String())
		if err != nil {
			panic(s.newError(s.errorCtor, err.Error()))
		}
		if m, ok := s.modules[key]; ok {
			return m.obj.Get("exports")
		}
		m, err := s.loadModule(key, src)
		if err != nil {
			panic(s.rethrow(err))
		}
		return m.obj.Get("exports")
	})
}

// rethrow turns a nested module's failure back into something goja
// throws: exceptions keep their value and stack, uncatchable errors
// (interrupts, stack overflow) stay uncatchable, syntax errors become a
// SyntaxError remembered so the report points into the failing file.
func (s *script) rethrow(err error) any {
	var (
		exc     *goja.Exception
		syntax  *goja.CompilerSyntaxError
		located *engine.ScriptError
	)
	switch {
	case errors.As(err, &syntax) || errors.As(err, &located):
		se := s.toScriptError(engine.KindSyntax, err)
		obj := s.newError(s.vm.Get("SyntaxError"), se.Error())
		s.syntaxErrs[obj] = se
		return obj
	case isUncatchable(err):
		return err
	case errors.As(err, &exc):
		return exc
	default:
		return err
	}
}

func isUncatchable(err error) bool {
	var (
		interrupt *goja.InterruptedError
		overflow  *goja.StackOverflowError
	)
	return errors.As(err, &interrupt) || errors.As(err, &overflow)
}

// resolve finds a module: relative names from dir, bare names from the
// bot directory root and then the stdlib. It never leaves the bot
// directory: absolute paths and ".." escapes are refused here, and
// symlinks pointing outside are refused by os.Root.
func (s *script) resolve(dir, name string) (key string, src []byte, err error) {
	switch {
	case name == "":
		return "", nil, &requireError{"require: empty module name"}
	case strings.HasPrefix(name, "node:"):
		return "", nil, &requireError{fmt.Sprintf("require(%q): Node.js built-in modules are not available in botrun", name)}
	case strings.HasPrefix(name, "/") || filepath.IsAbs(name) || strings.Contains(name, "\\"):
		return "", nil, &requireError{fmt.Sprintf("require(%q): absolute paths are not allowed; use a path relative to the script", name)}
	}
	relative := name == "." || name == ".." || strings.HasPrefix(name, "./") || strings.HasPrefix(name, "../")
	var p string
	if relative {
		p = path.Join(dir, name)
	} else {
		p = path.Clean(name)
	}
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", nil, &requireError{fmt.Sprintf("require(%q): the module is outside the bot directory", name)}
	}
	for _, c := range candidates(p) {
		if m, ok := s.modules[c]; ok && m != nil {
			return c, nil, nil
		}
		st, err := s.root.Stat(c)
		if err != nil {
			if isEscape(err) {
				return "", nil, &requireError{fmt.Sprintf("require(%q): %s leaves the bot directory", name, c)}
			}
			continue
		}
		if !st.Mode().IsRegular() {
			continue
		}
		src, err := s.readFile(c)
		if err != nil {
			if isEscape(err) {
				return "", nil, &requireError{fmt.Sprintf("require(%q): %s leaves the bot directory", name, c)}
			}
			return "", nil, &requireError{fmt.Sprintf("require(%q): %v", name, err)}
		}
		return c, src, nil
	}
	if !relative && s.opts.stdlib != nil {
		for _, c := range candidates(p) {
			key := stdlibPrefix + c
			if _, ok := s.modules[key]; ok {
				return key, nil, nil
			}
			src, err := fs.ReadFile(s.opts.stdlib, c)
			if err == nil {
				return key, src, nil
			}
		}
	}
	if !relative && nodeBuiltins[name] {
		return "", nil, &requireError{fmt.Sprintf("require(%q): Node.js built-in modules are not available in botrun; use the botrun bindings (discord, store, timer, log)", name)}
	}
	return "", nil, &requireError{fmt.Sprintf("require(%q): cannot find module (looked for %s in the bot directory)", name, strings.Join(candidates(p), ", "))}
}

func candidates(p string) []string {
	if p == "." {
		return []string{"index.js"}
	}
	if strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".json") {
		return []string{p, p + "/index.js"}
	}
	return []string{p, p + ".js", p + ".json", p + "/index.js"}
}

// syntaxError turns a compile failure into a located ScriptError. An
// error past the file's last line is the wrapper's closing brace meeting
// an unfinished construct: the file ended too early.
func (s *script) syntaxError(name string, src []byte, err error) error {
	se := s.toScriptError(engine.KindSyntax, err)
	if se.Kind != engine.KindSyntax {
		return err
	}
	lines := strings.Split(string(src), "\n")
	if se.Line > len(lines) {
		last := lines[len(lines)-1]
		se.Line, se.Col = len(lines), len(last)+1
		se.Message = "SyntaxError: unexpected end of file"
	}
	return se
}

// isEscape reports os.Root refusing a path that leaves the root.
func isEscape(err error) bool {
	return err != nil && strings.Contains(err.Error(), "path escapes from parent")
}

package js

import (
	"fmt"
	"sync"

	"github.com/dop251/goja"
)

// goja's parser and compiler run in native code, which neither the CPU
// budget nor Close can interrupt, and they are recursive and superlinear
// on some shapes: 200,000 nested blocks never finish, a 20,000-term sum
// takes seconds. Source compiled at run time (eval, the Function
// constructors) is therefore bounded in size and nesting before goja sees
// it, and module files in nesting.
const (
	// maxDynamicSource bounds the text given to eval or new Function.
	maxDynamicSource = 16 << 10
	// maxNesting bounds bracket nesting ((, [, {, ${) of any source.
	maxNesting = 400
)

// checkNesting scans src for bracket nesting deeper than maxNesting,
// skipping strings, template text and comments. Regular expression
// literals are not recognised; brackets in them count, which only errs
// on the side of refusing.
func checkNesting(src string) error {
	depth := 0
	var tmpl []int // depth at which each open template literal's ${ began
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '(', '[', '{':
			depth++
			if depth > maxNesting {
				return fmt.Errorf("source nested deeper than %d brackets", maxNesting)
			}
		case ')', ']', '}':
			if c == '}' && len(tmpl) > 0 && tmpl[len(tmpl)-1] == depth {
				tmpl = tmpl[:len(tmpl)-1]
				depth--
				i = skipTemplate(src, i+1, &tmpl, &depth) - 1
				if depth > maxNesting {
					return fmt.Errorf("source nested deeper than %d brackets", maxNesting)
				}
				continue
			}
			depth--
		case '\'', '"':
			i = skipQuoted(src, i+1, c)
		case '`':
			i = skipTemplate(src, i+1, &tmpl, &depth) - 1
			if depth > maxNesting {
				return fmt.Errorf("source nested deeper than %d brackets", maxNesting)
			}
		case '/':
			if i+1 < len(src) && src[i+1] == '/' {
				for i < len(src) && src[i] != '\n' {
					i++
				}
			} else if i+1 < len(src) && src[i+1] == '*' {
				i += 2
				for i+1 < len(src) && !(src[i] == '*' && src[i+1] == '/') {
					i++
				}
				i++
			}
		}
	}
	return nil
}

// skipQuoted returns the index of the closing quote q (or the end).
func skipQuoted(src string, i int, q byte) int {
	for ; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case q, '\n':
			return i
		}
	}
	return i
}

// skipTemplate skips template text from i; at "${" it enters an
// expression (recorded in tmpl) and returns the index after "${", at the
// closing backquote it returns the index after it.
func skipTemplate(src string, i int, tmpl *[]int, depth *int) int {
	for ; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '`':
			return i + 1
		case '$':
			if i+1 < len(src) && src[i+1] == '{' {
				*depth++
				*tmpl = append(*tmpl, *depth)
				return i + 2
			}
		}
	}
	return i
}

// ctorProbes evaluate to functions whose prototype's constructor is one
// of the hidden Function constructors. Programs are shared by all
// runtimes, so they are compiled once, when the first JS script loads:
// a bot without JavaScript never runs goja's compiler.
var ctorProbes = sync.OnceValue(func() []struct {
	prog *goja.Program
	name string
} {
	var out []struct {
		prog *goja.Program
		name string
	}
	for _, p := range [...]struct{ src, name string }{
		{"(async function () {})", "AsyncFunction"},
		{"(function* () {})", "GeneratorFunction"},
	} {
		out = append(out, struct {
			prog *goja.Program
			name string
		}{goja.MustCompile("probe", p.src, false), p.name})
	}
	return out
})

// checkDynamic bounds source compiled at run time.
func checkDynamic(what string, size int, parts ...string) error {
	if size > maxDynamicSource {
		return fmt.Errorf("%s: source of %d bytes exceeds the limit of %d", what, size, maxDynamicSource)
	}
	for _, p := range parts {
		if err := checkNesting(p); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// installCompileGuards replaces eval and the Function constructors with
// versions that check their source first. eval becomes indirect eval (it
// runs in the global scope, not the caller's), which is what almost all
// code that uses it expects anyway.
func (s *script) installCompileGuards() {
	vm := s.vm
	origEval, ok := goja.AssertFunction(vm.Get("eval"))
	if ok {
		vm.Set("eval", func(call goja.FunctionCall) goja.Value {
			src := call.Argument(0)
			if _, isStr := src.Export().(string); !isStr {
				return src
			}
			text := src.String()
			if err := checkDynamic("eval", len(text), text); err != nil {
				panic(s.newError(s.rangeErrCtor, err.Error()))
			}
			v, err := origEval(goja.Undefined(), src)
			if err != nil {
				panic(err)
			}
			return v
		})
	}
	guard := func(ctor goja.Value, name string) goja.Value {
		orig, ok := goja.AssertConstructor(ctor)
		if !ok {
			return nil
		}
		proto := ctor.ToObject(vm).Get("prototype")
		g := vm.ToValue(func(call goja.ConstructorCall) *goja.Object {
			size := 0
			parts := make([]string, len(call.Arguments))
			for i, a := range call.Arguments {
				parts[i] = a.String()
				size += len(parts[i])
			}
			if err := checkDynamic(name, size, parts...); err != nil {
				panic(s.newError(s.rangeErrCtor, err.Error()))
			}
			o, err := orig(nil, call.Arguments...)
			if err != nil {
				panic(err)
			}
			return o
		}).ToObject(vm)
		g.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
		g.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
		proto.ToObject(vm).DefineDataProperty("constructor", g, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
		return g
	}
	if g := guard(vm.Get("Function"), "Function"); g != nil {
		vm.Set("Function", g)
	}
	// AsyncFunction and GeneratorFunction are reachable only through the
	// prototypes of such functions.
	for _, probe := range ctorProbes() {
		fn, err := vm.RunProgram(probe.prog)
		if err != nil {
			continue
		}
		proto := fn.ToObject(vm).Prototype()
		if proto == nil {
			continue
		}
		if c := proto.Get("constructor"); c != nil && c != vm.Get("Function") {
			guard(c, probe.name)
		}
	}
}

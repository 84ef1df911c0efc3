package lua

import lua "github.com/yuin/gopher-lua"

// compactProto copies the slices of a compiled function (and of the
// functions nested in it) into arrays of their exact length. gopher-lua's
// compiler hands out slices of its scratch buffers: every function, even
// an empty one, kept about 16 KB (room for 1024 instructions and their
// line numbers, 128 call records, ...) for as long as the script lived.
// Prototypes are immutable once compiled, so the copies are equivalent.
func compactProto(p *lua.FunctionProto) {
	p.Code = exact(p.Code)
	p.Constants = exact(p.Constants)
	p.FunctionPrototypes = exact(p.FunctionPrototypes)
	p.DbgSourcePositions = exact(p.DbgSourcePositions)
	p.DbgLocals = exact(p.DbgLocals)
	p.DbgCalls = exact(p.DbgCalls)
	p.DbgUpvalues = exact(p.DbgUpvalues)
	for _, fp := range p.FunctionPrototypes {
		compactProto(fp)
	}
}

// exact returns a copy of s with no spare capacity, or nil for an empty s
// (an empty slice of the old array would keep the array alive).
func exact[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

package lua

import lua "github.com/yuin/gopher-lua"

// compactProto copies the slices of a compiled function (and of the
// functions nested in it) into arrays of their exact length. gopher-lua's
// compiler hands out slices of its scratch buffers: every function, even
// an empty one, kept about 16 KB (room for 1024 instructions and their
// line numbers, 128 call records, ...) for as long as the script lived.
// Prototypes are immutable once compiled, so the copies are equivalent.
// Field reads by constant name are rewritten on the way (see
// constantKeyReads).
func compactProto(p *lua.FunctionProto) {
	p.Code = exact(p.Code)
	constantKeyReads(p.Code)
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

// opShift is where an instruction's opcode sits (its top 6 bits).
const opShift = 26

// constantKeyReads turns the compiler's OP_GETTABLEKS (t.name, t["name"])
// into OP_GETTABLE with the same operands. The two read the same field
// the same way and fail with the same message; they differ in how the
// key reaches an __index function: GETTABLEKS holds it as a Go string and
// boxes it into a new Lua string (16 bytes) for every call, GETTABLE
// pushes the compiler's constant, boxed once. Every field read of an
// event view goes through __index, so the rewrite takes an allocation
// off each.
func constantKeyReads(code []uint32) {
	for i, inst := range code {
		if int(inst>>opShift) == lua.OP_GETTABLEKS {
			code[i] = inst&^(0x3f<<opShift) | uint32(lua.OP_GETTABLE)<<opShift
		}
	}
}

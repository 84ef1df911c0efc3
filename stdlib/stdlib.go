package stdlib

import (
	"embed"
	"io/fs"
)

// Type definition files, by the name they get in a bot directory.
const (
	TSFile  = "botrun.d.ts"
	LuaFile = "botrun.lua"
)

//go:embed botrun.d.ts botrun.lua
var files embed.FS

// Files is the embedded stdlib: the editor type definitions at its root.
// It holds no requirable modules: botrun.lua is an annotation stub that
// would shadow the real globals if a script required it, so it is not a
// module path for the engines.
func Files() fs.FS { return files }

// TypeFiles returns the editor type definitions by file name, for
// `botrun types` and `botrun init` to write into a bot directory.
func TypeFiles() map[string][]byte {
	out := map[string][]byte{}
	for _, name := range []string{TSFile, LuaFile} {
		b, err := files.ReadFile(name)
		if err != nil {
			panic("stdlib: embedded file missing: " + name) // a build defect, not a runtime condition
		}
		out[name] = b
	}
	return out
}

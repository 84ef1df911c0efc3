package runner

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/botrun/botrun/engine"
)

// CodeFrame renders a few lines of source around a script error's position
// with a caret under the column, for humans reading a failed load:
//
//	   3 | on("MESSAGE_CREATE", function(msg)
//	>  4 |   if msg.content == "!ping" then msg:reply("pong") ed
//	     |                                                    ^
//	   5 | end)
//
// It returns "" when the error carries no line or the file is unreadable.
func CodeFrame(dir string, err error) string {
	var se *engine.ScriptError
	if !errors.As(err, &se) || se.Line <= 0 || se.Path == "" {
		return ""
	}
	f, ferr := os.Open(filepath.Join(dir, filepath.FromSlash(se.Path)))
	if ferr != nil {
		return ""
	}
	defer f.Close()
	const around = 2
	first, last := se.Line-around, se.Line+around
	var b strings.Builder
	width := len(fmt.Sprint(last))
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan() && n <= last; n++ {
		if n < first {
			continue
		}
		line := strings.ReplaceAll(sc.Text(), "\t", "    ")
		mark := "  "
		if n == se.Line {
			mark = "> "
		}
		fmt.Fprintf(&b, "%s%*d | %s\n", mark, width, n, line)
		if n == se.Line && se.Col > 0 {
			// Tabs were expanded above, so expand them before the caret too.
			raw := sc.Text()
			col := se.Col - 1
			if col > len(raw) {
				col = len(raw)
			}
			pad := len(strings.ReplaceAll(raw[:col], "\t", "    "))
			fmt.Fprintf(&b, "  %*s | %s^\n", width, "", strings.Repeat(" ", pad))
		}
	}
	return b.String()
}

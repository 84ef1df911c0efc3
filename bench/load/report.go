package load

import (
	"fmt"
	"io"
	"strings"
)

// Table is a result table in Markdown. Cells that were not measured hold
// "n/a" so a missing figure is never mistaken for a zero.
type Table struct {
	Title   string
	Columns []string
	Rows    [][]string
}

// Write renders t as a Markdown table.
func (t Table) Write(w io.Writer) error {
	var b strings.Builder
	if t.Title != "" {
		fmt.Fprintf(&b, "\n### %s\n\n", t.Title)
	}
	b.WriteString("| " + strings.Join(t.Columns, " | ") + " |\n")
	b.WriteString("|" + strings.Repeat(" --- |", len(t.Columns)) + "\n")
	for _, r := range t.Rows {
		cells := make([]string, len(t.Columns))
		for i := range cells {
			cells[i] = "n/a"
			if i < len(r) && r[i] != "" {
				cells[i] = r[i]
			}
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Ratio formats peer/base as "1.23×", or "" when either is missing.
func Ratio(peer, base float64) string {
	if peer <= 0 || base <= 0 {
		return ""
	}
	r := peer / base
	if r < 0.1 {
		return fmt.Sprintf("%.3f×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}

// MiB formats bytes as mebibytes.
func MiB(b float64) string {
	if b <= 0 {
		return ""
	}
	return fmt.Sprintf("%.1f MiB", b/(1<<20))
}

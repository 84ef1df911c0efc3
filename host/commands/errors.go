package commands

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ConflictError is a command declared by two owners (or twice by one) in
// the same scope with the same type and name. The later declaration is not
// registered; the earlier one keeps working.
type ConflictError struct {
	Scope      Scope
	Name       string
	Type       int
	Where      string // the rejected declaration
	OtherOwner string
	OtherWhere string // the declaration that keeps the name
}

func (e *ConflictError) Error() string {
	kind := ""
	switch e.Type {
	case User:
		kind = "user "
	case Message:
		kind = "message "
	}
	return fmt.Sprintf("%s: %scommand %q (%s) is already declared at %s (%s); this declaration is ignored until that one goes away",
		e.Where, kind, e.Name, e.Scope, e.OtherWhere, e.OtherOwner)
}

// SyncError is a failed read or overwrite of one scope's commands.
type SyncError struct {
	Scope Scope
	// Problems are per-command messages prefixed with the declaring
	// location when the platform's field errors could be attributed.
	Problems []string
	Err      error
}

func (e *SyncError) Error() string {
	msg := fmt.Sprintf("sync %s commands: %v", e.Scope, e.Err)
	if len(e.Problems) > 0 {
		msg += "\n" + strings.Join(e.Problems, "\n")
	}
	return msg
}

func (e *SyncError) Unwrap() error { return e.Err }

// attribute maps the platform's field errors of a bulk overwrite
// ({"1": {"options": {"0": {"name": {"_errors": [...]}}}}}) to the
// declarations that were sent at those indexes.
func attribute(err error, sent []*declared) []string {
	var fe FieldErrorer
	if !errors.As(err, &fe) {
		return nil
	}
	var tree map[string]json.RawMessage
	if json.Unmarshal(fe.FieldErrors(), &tree) != nil {
		return nil
	}
	var out []string
	for _, idx := range sortedKeys(tree) {
		var lines []string
		flattenFieldErrors(tree[idx], "", &lines)
		var i int
		if _, err := fmt.Sscanf(idx, "%d", &i); err != nil || i < 0 || i >= len(sent) {
			for _, l := range lines {
				out = append(out, idx+"."+l)
			}
			continue
		}
		d := sent[i]
		for _, l := range lines {
			out = append(out, fmt.Sprintf("%s: command %q: rejected by the platform: %s", d.where, d.name, l))
		}
	}
	return out
}

func flattenFieldErrors(raw json.RawMessage, path string, out *[]string) {
	var node map[string]json.RawMessage
	if json.Unmarshal(raw, &node) != nil {
		return
	}
	if errs, ok := node["_errors"]; ok {
		var list []struct{ Code, Message string }
		_ = json.Unmarshal(errs, &list)
		for _, e := range list {
			p := path
			if p == "" {
				p = "(command)"
			}
			*out = append(*out, fmt.Sprintf("%s: %s (%s)", p, e.Message, e.Code))
		}
	}
	keys := make([]string, 0, len(node))
	for k := range node {
		if k != "_errors" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := k
		if path != "" {
			p = path + "." + k
		}
		flattenFieldErrors(node[k], p, out)
	}
}

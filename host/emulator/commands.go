package emulator

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/botrun/botrun/host/commands/chatname"
)

// command is a registered application command. echo is what Discord
// returns for it: the accepted fields plus Discord's defaults.
type command struct {
	id   string
	name string
	typ  int
	echo map[string]any
}

var commandFields = []string{"name", "name_localizations", "description", "description_localizations", "options",
	"default_member_permissions", "dm_permission", "type", "nsfw", "integration_types", "contexts"}

var optionFields = []string{"type", "name", "name_localizations", "description", "description_localizations",
	"required", "choices", "options", "channel_types", "min_value", "max_value", "min_length", "max_length", "autocomplete"}

func pick(in map[string]any, keys []string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := in[k]; ok {
			out[k] = v
		}
	}
	return out
}

func asInt(v any) (int, bool) {
	f, ok := v.(float64)
	if !ok || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

// normalizeCommand validates one command body. It returns the fields to
// store (unknown ones dropped) or an errors object relative to the
// command ("name", "options.0.description", ...).
func normalizeCommand(in map[string]any) (map[string]any, map[string]any) {
	c := pick(in, commandFields)
	typ := 1
	if v, ok := c["type"]; ok {
		t, ok := asInt(v)
		if !ok || t < 1 || t > 4 {
			return nil, fieldErrors("type", "BASE_TYPE_CHOICES", fmt.Sprintf("Value must be one of {1, 2, 3, 4}."))
		}
		typ = t
	}
	c["type"] = typ
	name, _ := c["name"].(string)
	switch {
	case name == "":
		return nil, fieldErrors("name", "BASE_TYPE_REQUIRED", "This field is required")
	case utf8.RuneCountInString(name) > 32:
		return nil, fieldErrors("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
	case typ == 1 && (!chatname.Valid(name) || strings.ToLower(name) != name):
		return nil, fieldErrors("name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
	}
	desc, _ := c["description"].(string)
	if typ == 1 {
		if n := utf8.RuneCountInString(desc); n < 1 || n > 100 {
			return nil, fieldErrors("description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
		}
	} else if desc != "" {
		return nil, fieldErrors("description", "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION", "Context menu commands cannot have description")
	}
	c["description"] = desc
	if opts, ok := c["options"]; ok && opts != nil {
		norm, errs := normalizeOptions(opts, "options")
		if errs != nil {
			return nil, errs
		}
		if len(norm) == 0 || typ != 1 {
			delete(c, "options")
		} else {
			c["options"] = norm
		}
	} else {
		delete(c, "options")
	}
	if _, ok := c["default_member_permissions"]; !ok {
		c["default_member_permissions"] = nil
	}
	if _, ok := c["nsfw"]; !ok {
		c["nsfw"] = false
	}
	if _, ok := c["integration_types"]; !ok {
		c["integration_types"] = []any{0}
	}
	if _, ok := c["contexts"]; !ok {
		c["contexts"] = nil
	}
	return c, nil
}

func normalizeOptions(v any, path string) ([]any, map[string]any) {
	list, ok := v.([]any)
	if !ok {
		return nil, fieldErrors(path, "BASE_TYPE_ARRAY", "Must be an array.")
	}
	if len(list) > 25 {
		return nil, fieldErrors(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
	}
	out := make([]any, 0, len(list))
	seen := map[string]bool{}
	for i, raw := range list {
		p := fmt.Sprintf("%s.%d", path, i)
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, fieldErrors(p, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
		}
		o := pick(m, optionFields)
		t, ok := asInt(o["type"])
		if !ok || t < 1 || t > 11 {
			return nil, fieldErrors(p+".type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.")
		}
		name, _ := o["name"].(string)
		if !chatname.Valid(name) || strings.ToLower(name) != name {
			return nil, fieldErrors(p+".name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
		}
		if seen[name] {
			return nil, fieldErrors(p+".name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique")
		}
		seen[name] = true
		desc, _ := o["description"].(string)
		if n := utf8.RuneCountInString(desc); n < 1 || n > 100 {
			return nil, fieldErrors(p+".description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
		}
		if sub, ok := o["options"]; ok && sub != nil {
			if t != 1 && t != 2 {
				delete(o, "options")
			} else {
				norm, errs := normalizeOptions(sub, p+".options")
				if errs != nil {
					return nil, errs
				}
				o["options"] = norm
			}
		}
		if r, ok := o["required"].(bool); ok && !r {
			delete(o, "required")
		}
		out = append(out, o)
	}
	return out, nil
}

// scopeOf reads the command scope from the path: "" global or a guild id.
func (s *Server) scopeLocked(r *http.Request) (string, *apiError) {
	if r.PathValue("application_id") != s.w.appID {
		return "", errMissingAccess
	}
	g := r.PathValue("guild_id")
	if g != "" && s.w.guild(g) == nil {
		return "", errMissingAccess
	}
	return g, nil
}

// echoLocked completes a stored command with id, version and scope.
func (s *Server) echo(c *command, scope string) map[string]any {
	e := maps.Clone(c.echo)
	e["id"] = c.id
	e["application_id"] = s.w.appID
	if scope == "" {
		if _, ok := e["dm_permission"]; !ok {
			e["dm_permission"] = true
		}
	} else {
		e["guild_id"] = scope
		delete(e, "dm_permission")
	}
	return e
}

func (s *Server) emitCommandsLocked(scope string) {
	name := scope
	if name == "" {
		name = "global"
	}
	s.emitLocked(Output{Kind: OutCommands, Scope: name, Count: len(s.w.commands[scope])})
}

func (s *Server) listCommands(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	scope, e := s.scopeLocked(r)
	if e != nil {
		e.write(w)
		return
	}
	out := []map[string]any{}
	for _, c := range s.w.commands[scope] {
		out = append(out, s.echo(c, scope))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) findCommandLocked(scope, id string) (*command, int) {
	for i, c := range s.w.commands[scope] {
		if c.id == id {
			return c, i
		}
	}
	return nil, -1
}

var errUnknownCommand = &apiError{status: 404, code: 10063, message: "Unknown application command"}

// commandLocked finds the command a .../commands/{command_id} request
// names, with its scope and index.
func (s *Server) commandLocked(r *http.Request) (c *command, scope string, i int, e *apiError) {
	scope, e = s.scopeLocked(r)
	if e != nil {
		return nil, "", -1, e
	}
	c, i = s.findCommandLocked(scope, r.PathValue("command_id"))
	if c == nil {
		return nil, "", -1, errUnknownCommand
	}
	return c, scope, i, nil
}

func (s *Server) getCommand(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, scope, _, e := s.commandLocked(r)
	if e != nil {
		e.write(w)
		return
	}
	writeJSON(w, http.StatusOK, s.echo(c, scope))
}

// upsertLocked stores a normalized command, keeping the id (and version
// when nothing changed) of an existing one with the same name and type.
func (s *Server) upsertLocked(list []*command, norm map[string]any) (*command, bool) {
	name, _ := norm["name"].(string)
	typ, _ := norm["type"].(int)
	for _, c := range list {
		if c.name == name && c.typ == typ {
			if !reflect.DeepEqual(withoutVersion(c.echo), norm) {
				norm["version"] = s.w.newID()
				c.echo = norm
			}
			return c, false
		}
	}
	norm["version"] = s.w.newID()
	return &command{id: s.w.newID(), name: name, typ: typ, echo: norm}, true
}

func withoutVersion(m map[string]any) map[string]any {
	c := maps.Clone(m)
	delete(c, "version")
	return c
}

// decodeCommandBody re-decodes through JSON so numbers are float64 and
// the shape is comparable.
func decodeCommandBody(r *http.Request, v any) bool {
	return decodeBody(r, v) == nil
}

func (s *Server) createCommand(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	if !decodeCommandBody(r, &in) || in == nil {
		writeError(w, http.StatusBadRequest, 50109, errInvalidJSON.Error())
		return
	}
	norm, errs := normalizeCommand(in)
	if errs != nil {
		writeFormError(w, errs)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	scope, e := s.scopeLocked(r)
	if e != nil {
		e.write(w)
		return
	}
	c, created := s.upsertLocked(s.w.commands[scope], norm)
	status := http.StatusOK
	if created {
		s.w.commands[scope] = append(s.w.commands[scope], c)
		status = http.StatusCreated
	}
	s.emitCommandsLocked(scope)
	writeJSON(w, status, s.echo(c, scope))
}

func (s *Server) overwriteCommands(w http.ResponseWriter, r *http.Request) {
	var in []map[string]any
	if !decodeCommandBody(r, &in) {
		writeError(w, http.StatusBadRequest, 50109, errInvalidJSON.Error())
		return
	}
	if len(in) > 200 {
		writeFormError(w, fieldErrors("_errors", "BASE_TYPE_MAX_LENGTH", "Must be 200 or fewer in length."))
		return
	}
	norms := make([]map[string]any, len(in))
	seen := map[string]bool{}
	for i, c := range in {
		norm, errs := normalizeCommand(c)
		if errs != nil {
			writeFormError(w, map[string]any{fmt.Sprint(i): errs})
			return
		}
		key := fmt.Sprint(norm["type"], "/", norm["name"])
		if seen[key] {
			writeFormError(w, map[string]any{fmt.Sprint(i): fieldErrors("name", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")})
			return
		}
		seen[key] = true
		norms[i] = norm
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	scope, e := s.scopeLocked(r)
	if e != nil {
		e.write(w)
		return
	}
	old := s.w.commands[scope]
	next := make([]*command, 0, len(norms))
	out := make([]map[string]any, 0, len(norms))
	for _, norm := range norms {
		c, _ := s.upsertLocked(old, norm)
		next = append(next, c)
		out = append(out, s.echo(c, scope))
	}
	s.w.commands[scope] = next
	s.emitCommandsLocked(scope)
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) editCommand(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	if !decodeCommandBody(r, &in) || in == nil {
		writeError(w, http.StatusBadRequest, 50109, errInvalidJSON.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, scope, _, e := s.commandLocked(r)
	if e != nil {
		e.write(w)
		return
	}
	merged := withoutVersion(c.echo)
	for k, v := range pick(in, commandFields) {
		merged[k] = v
	}
	merged["type"] = float64(c.typ)
	norm, errs := normalizeCommand(roundTrip(merged))
	if errs != nil {
		writeFormError(w, errs)
		return
	}
	if !reflect.DeepEqual(withoutVersion(c.echo), norm) {
		norm["version"] = s.w.newID()
		c.echo, c.name = norm, norm["name"].(string)
	}
	s.emitCommandsLocked(scope)
	writeJSON(w, http.StatusOK, s.echo(c, scope))
}

// roundTrip makes a map look freshly decoded (ints become float64).
func roundTrip(m map[string]any) map[string]any {
	var out map[string]any
	_ = json.Unmarshal(mustJSON(m), &out)
	return out
}

func (s *Server) deleteCommand(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, scope, i, e := s.commandLocked(r)
	if e != nil {
		e.write(w)
		return
	}
	s.w.commands[scope] = append(s.w.commands[scope][:i:i], s.w.commands[scope][i+1:]...)
	s.emitCommandsLocked(scope)
	writeNoContent(w)
}

// Commands returns the registered commands of a scope ("" or "global"
// for global, else a guild id) as Discord would return them.
func (s *Server) Commands(scope string) []json.RawMessage {
	if scope == "global" {
		scope = ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []json.RawMessage
	for _, c := range s.w.commands[scope] {
		out = append(out, mustJSON(s.echo(c, scope)))
	}
	return out
}

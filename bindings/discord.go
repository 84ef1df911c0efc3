package bindings

import (
	"encoding/json"
	"net/url"
	"strings"
)

// The discord.* bindings: raw REST calls relative to the configured API
// base. The path check is the only thing standing between a script and
// other hosts, so it is strict: scripts may only name paths on the API.

const maxPathLen = 2048

// checkPath validates a script-supplied API path.
func checkPath(fn, path string) error {
	if path == "" || path[0] != '/' {
		return Usagef(fn, "path %q must start with \"/\" (relative to the API base, e.g. /channels/123/messages)", clip(path))
	}
	if len(path) > maxPathLen {
		return Usagef(fn, "path is longer than %d bytes", maxPathLen)
	}
	if strings.HasPrefix(path, "//") || strings.Contains(path, "://") {
		return Usagef(fn, "path %q must not name a scheme or host: scripts can only reach the configured API", clip(path))
	}
	p, _, _ := strings.Cut(path, "?")
	for _, r := range path {
		if r < 0x20 || r == 0x7f || r == ' ' || r == '\\' || r == '#' {
			return Usagef(fn, "path %q contains a character that must be percent-encoded (%q)", clip(path), r)
		}
	}
	dec, err := url.PathUnescape(p)
	if err != nil {
		return Usagef(fn, "path %q has a bad percent-escape", clip(path))
	}
	if strings.ContainsAny(dec, "\\\x00") {
		return Usagef(fn, "path %q must not contain an encoded backslash or NUL", clip(path))
	}
	for seg := range strings.SplitSeq(dec, "/") {
		if seg == ".." || seg == "." {
			return Usagef(fn, "path %q must not contain \".\" or \"..\" segments", clip(path))
		}
	}
	return nil
}

// clip shortens a value quoted in an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

var verbs = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true}

// discordVerb builds discord.get/post/put/patch/delete.
func discordVerb(method string, withBody bool) Fn {
	fn := "discord." + strings.ToLower(method)
	return func(c *Call) (any, error) {
		max := 1
		if withBody {
			max = 2
		}
		if err := checkArgs(c, fn, 1, max); err != nil {
			return nil, err
		}
		path, err := argString(c, fn, 0, "path")
		if err != nil {
			return nil, err
		}
		return doRequest(c, fn, method, path, arg(c, 1))
	}
}

func discordRequest(c *Call) (any, error) {
	const fn = "discord.request"
	if err := checkArgs(c, fn, 2, 3); err != nil {
		return nil, err
	}
	method, err := argString(c, fn, 0, "method")
	if err != nil {
		return nil, err
	}
	method = strings.ToUpper(method)
	if !verbs[method] {
		return nil, Usagef(fn, "method %q is not one of GET, POST, PUT, PATCH, DELETE", clip(method))
	}
	path, err := argString(c, fn, 1, "path")
	if err != nil {
		return nil, err
	}
	return doRequest(c, fn, method, path, arg(c, 2))
}

func doRequest(c *Call, fn, method, path string, body any) (any, error) {
	if err := checkPath(fn, path); err != nil {
		return nil, err
	}
	var payload any
	if body != nil {
		limit := c.Script.caps().MaxPayload
		b, err := encodeJSON(body, limit)
		if err != nil {
			return nil, payloadErr(fn, "request body", limit, err)
		}
		payload = json.RawMessage(b)
	}
	p, err := platform(c, fn)
	if err != nil {
		return nil, err
	}
	raw, err := p.Request(c.Ctx, method, path, payload)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, nil
	}
	return raw, nil
}

func discordSend(c *Call) (any, error) {
	const fn = "discord.send"
	if err := checkArgs(c, fn, 2, 2); err != nil {
		return nil, err
	}
	channel, err := argString(c, fn, 0, "channel id")
	if err != nil {
		return nil, err
	}
	msg, err := plainMessage(c, fn, 1)
	if err != nil {
		return nil, err
	}
	p, err := platform(c, fn)
	if err != nil {
		return nil, err
	}
	raw, err := p.SendMessage(c.Ctx, channel, msg, "")
	if err != nil {
		return nil, err
	}
	return messageObject(raw), nil
}

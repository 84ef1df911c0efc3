package rest

import (
	"strings"
)

// route identifies the queue a request waits in and the key its learned
// bucket is stored under.
type route struct {
	key   string // method + template, e.g. "POST /channels/{major}/messages"
	major string // the major parameter value ("" when none)
	// exempt routes do not take from the global limit (interaction
	// callbacks and anything authenticated by a webhook/interaction token).
	exempt bool
}

// routeOf derives the rate-limit route of a request. Path must not include
// the query. Ids other than the major parameter become placeholders so all
// messages of one channel share a queue while different channels do not.
func routeOf(method, path string) route {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var r route
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = s
		prev := ""
		if i > 0 {
			prev = segs[i-1]
		}
		switch {
		case i == 1 && (prev == "channels" || prev == "guilds"):
			r.major = prev + ":" + s
			out[i] = "{major}"
		case i == 1 && prev == "webhooks":
			r.major = "webhooks:" + s
			out[i] = "{major}"
		case i == 2 && segs[0] == "webhooks":
			// webhook (or interaction) token: part of the major parameter
			r.major += "/" + s
			out[i] = "{token}"
			r.exempt = true
		case i == 1 && prev == "interactions":
			// each interaction is its own queue: callbacks have a 3 s
			// deadline and must not wait behind other interactions
			r.major = "interactions:" + s
			out[i] = "{major}"
			r.exempt = true
		case i == 2 && segs[0] == "interactions":
			out[i] = "{token}"
		case prev == "reactions":
			out[i] = "{emoji}"
		case isID(s):
			out[i] = "{id}"
		}
	}
	r.key = method + " /" + strings.Join(out, "/")
	return r
}

func isID(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// redactPath hides webhook and interaction tokens (secrets that let anyone
// post as the bot) before a path goes into an error or a log record.
func redactPath(path string) string {
	segs := strings.Split(path, "/")
	// "", "webhooks"|"interactions", id, token, ...
	if len(segs) > 3 && (segs[1] == "webhooks" || segs[1] == "interactions") && segs[3] != "" {
		segs[3] = "{token}"
		return strings.Join(segs, "/")
	}
	return path
}

package rest

import "net/url"

// Option changes one request.
type Option func(*reqOpts)

type reqOpts struct {
	reason string
	files  []File
	noAuth bool
	query  url.Values
	noWait bool
}

// File is an attachment sent as multipart/form-data; the JSON body goes in
// the payload_json part and files become files[0], files[1], ...
type File struct {
	Name        string
	ContentType string // default application/octet-stream
	Data        []byte
}

// WithReason sets X-Audit-Log-Reason (URL-escaped as Discord requires).
func WithReason(reason string) Option { return func(o *reqOpts) { o.reason = reason } }

// WithFiles attaches files; the request becomes multipart/form-data.
func WithFiles(files ...File) Option {
	return func(o *reqOpts) { o.files = append(o.files, files...) }
}

// WithoutAuth omits the Authorization header (interaction callbacks and
// webhook-token routes do not need it).
func WithoutAuth() Option { return func(o *reqOpts) { o.noAuth = true } }

// WithQuery adds query parameters.
func WithQuery(q url.Values) Option { return func(o *reqOpts) { o.query = q } }

// WithoutWait makes a rate-limited request fail at once with a
// *RateLimitError instead of waiting for the limit to reset.
func WithoutWait() Option { return func(o *reqOpts) { o.noWait = true } }

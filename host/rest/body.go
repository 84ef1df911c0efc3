package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strings"
)

// encodeBody returns the request bytes and content type. Files turn it into
// multipart/form-data with the JSON body in payload_json.
func encodeBody(body any, files []File) ([]byte, string, error) {
	var js []byte
	if body != nil {
		switch b := body.(type) {
		case json.RawMessage:
			js = b
		case []byte:
			js = b
		default:
			var err error
			if js, err = json.Marshal(body); err != nil {
				return nil, "", err
			}
		}
	}
	if len(files) == 0 {
		if js == nil {
			return nil, "", nil
		}
		return js, "application/json", nil
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if js != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="payload_json"`)
		h.Set("Content-Type", "application/json")
		w, err := mw.CreatePart(h)
		if err != nil {
			return nil, "", err
		}
		w.Write(js)
	}
	for i, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files[%d]"; filename="%s"`, i, escapeQuotes(f.Name)))
		ct := f.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		w, err := mw.CreatePart(h)
		if err != nil {
			return nil, "", err
		}
		w.Write(f.Data)
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "", "\n", "")

func escapeQuotes(s string) string { return quoteEscaper.Replace(s) }

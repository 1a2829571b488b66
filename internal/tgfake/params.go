package tgfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxBody bounds request bodies; Telegram's own upload limit is 50 MB.
const maxBody = 50 << 20

// params is a request's parameters flattened the way multipart forms carry
// them: scalars as their text, objects and arrays as JSON text. JSON and
// urlencoded bodies are normalised to the same shape so every method
// parses one representation.
type params struct {
	values map[string]string
	files  map[string]upload
}

// upload is a multipart file part.
type upload struct {
	name string
	data []byte
}

func parseParams(r *http.Request) (*params, error) {
	p := &params{values: map[string]string{}, files: map[string]upload{}}
	for k, v := range r.URL.Query() {
		p.values[k] = v[0]
	}

	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("can't read request body: %w", err)
	}
	if len(body) > maxBody {
		return nil, errors.New("request entity too large")
	}
	// go-telegram sends an empty multipart body (with a boundary in the
	// header) for parameterless methods such as getMe; that is valid.
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}

	mediaType, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data":
		return p, p.parseMultipart(body, ctParams["boundary"])
	case "application/json":
		return p, p.parseJSON(body)
	case "application/x-www-form-urlencoded", "":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("can't parse urlencoded body: %w", err)
		}
		for k, v := range vals {
			p.values[k] = v[0]
		}
		return p, nil
	default:
		return nil, fmt.Errorf("unsupported Content-Type %q", mediaType)
	}
}

func (p *params) parseMultipart(body []byte, boundary string) error {
	if boundary == "" {
		return errors.New("multipart body without boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("can't parse multipart body: %w", err)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return fmt.Errorf("can't read multipart part %q: %w", part.FormName(), err)
		}
		if part.FileName() != "" {
			p.files[part.FormName()] = upload{name: part.FileName(), data: data}
		} else {
			p.values[part.FormName()] = string(data)
		}
	}
}

func (p *params) parseJSON(body []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return fmt.Errorf("can't parse JSON body: %w", err)
	}
	for k, raw := range obj {
		var s string
		switch {
		case bytes.Equal(raw, []byte("null")):
			continue
		case json.Unmarshal(raw, &s) == nil:
			p.values[k] = s
		default:
			p.values[k] = string(raw)
		}
	}
	return nil
}

func (p *params) str(name string) string { return p.values[name] }

// int64 parses a numeric parameter; ok is false when missing or malformed.
func (p *params) int64(name string) (int64, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(p.values[name]), 10, 64)
	return v, err == nil
}

func (p *params) int(name string) (int, bool) {
	v, err := strconv.Atoi(strings.TrimSpace(p.values[name]))
	return v, err == nil
}

func (p *params) bool(name string) bool {
	v, _ := strconv.ParseBool(p.values[name])
	return v
}

// inputFile resolves an InputFile parameter: an uploaded part under the
// same name, an "attach://<part>" reference, or a file_id / URL string.
func (p *params) inputFile(name string) (up *upload, fileID string, ok bool) {
	if f, found := p.files[name]; found {
		return &f, "", true
	}
	v := p.values[name]
	if ref, isRef := strings.CutPrefix(v, "attach://"); isRef {
		if f, found := p.files[ref]; found {
			return &f, "", true
		}
		return nil, "", false
	}
	return nil, v, v != ""
}

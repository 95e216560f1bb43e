package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// File is what one config file holds. Every field is optional.
type File struct {
	Permissions Permissions `json:"permissions,omitzero"`
	// Model is the default model: an installed name or a GGUF path.
	Model string `json:"model,omitempty"`
	// Context is the context length to load a local model with.
	Context int `json:"context,omitempty"`
	// Remote points atelier at an OpenAI-compatible server.
	Remote Remote `json:"remote,omitzero"`
	// PassEnv names environment variables that commands get although they
	// look like secrets.
	PassEnv []string `json:"pass_env,omitempty"`
	// Projects holds per-project settings; only the user file has it.
	Projects map[string]Project `json:"projects,omitempty"`
}

// Permissions are a permission mode and rules.
type Permissions struct {
	// Mode is ask, accept-edits, plan or bypass.
	Mode  string   `json:"mode,omitempty"`
	Allow []string `json:"allow,omitempty"`
	Ask   []string `json:"ask,omitempty"`
	Deny  []string `json:"deny,omitempty"`
}

// Remote are the settings of an OpenAI-compatible server. The API key is
// never in a file: APIKeyEnv names the environment variable holding it.
type Remote struct {
	BaseURL   string `json:"base_url,omitempty"`
	Model     string `json:"model,omitempty"`
	APIKeyEnv string `json:"api_key_env,omitempty"`
}

// Project is the user file's entry for one project directory.
type Project struct {
	// Trusted lets the project's own .atelier/config.json grant
	// permissions and choose the model and server.
	Trusted bool `json:"trusted,omitempty"`
	// Permissions apply in that project only ("always" answers saved by
	// the permission dialog go here).
	Permissions Permissions `json:"permissions,omitzero"`
}

// ErrInvalid marks a config file that cannot be used.
var ErrInvalid = errors.New("invalid config")

// known lists the keys each object may have, by path ("*" stands for any
// key of a map).
var known = map[string][]string{
	"":                       {"permissions", "model", "context", "remote", "pass_env", "projects"},
	"permissions":            {"mode", "allow", "ask", "deny"},
	"remote":                 {"base_url", "model", "api_key_env"},
	"projects":               {"*"},
	"projects.*":             {"trusted", "permissions"},
	"projects.*.permissions": {"mode", "allow", "ask", "deny"},
}

// parsed is a decoded file with the line of each field, by path
// ("permissions.allow[1]").
type parsed struct {
	path  string
	file  File
	lines map[string]int
}

// line returns the line of a field, or of its nearest parent that has one.
func (p *parsed) line(field string) int {
	for f := field; ; {
		if n, ok := p.lines[f]; ok {
			return n
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			return 1
		}
		f = f[:i]
	}
}

// errorf reports a problem with a field as one sentence naming the file and
// line.
func (p *parsed) errorf(field, format string, a ...any) error {
	return fmt.Errorf("config: %s:%d: %s: %s: %w", p.path, p.line(field), field, fmt.Sprintf(format, a...), ErrInvalid)
}

// parse decodes a config file, checking its syntax, keys and types.
func parse(path string, data []byte) (*parsed, error) {
	p := &parsed{path: path, lines: map[string]int{}}
	if len(bytes.TrimSpace(data)) == 0 {
		return p, nil
	}
	lineAt := func(off int64) int { return bytes.Count(data[:min(int(off), len(data))], []byte("\n")) + 1 }
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	w := walker{dec: dec, p: p, lineAt: lineAt}
	if err := w.value("", ""); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("config: %s:%d: there is more after the JSON object; a config file is one object: %w", path, lineAt(dec.InputOffset()), ErrInvalid)
	}
	if err := json.Unmarshal(data, &p.file); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			return nil, fmt.Errorf("config: %s:%d: %s: want %s, not a JSON %s: %w", path, lineAt(te.Offset), field, typeName(te.Type.Kind().String()), te.Value, ErrInvalid)
		}
		return nil, fmt.Errorf("config: %s: %v: %w", path, err, ErrInvalid)
	}
	return p, nil
}

func typeName(kind string) string {
	switch kind {
	case "slice":
		return "a list of strings"
	case "struct", "map":
		return "an object"
	case "int":
		return "a whole number"
	case "bool":
		return "true or false"
	}
	return "a " + kind
}

// walker reads the JSON tokens, recording the line of each field and
// rejecting syntax errors and unknown keys with their line.
type walker struct {
	dec    *json.Decoder
	p      *parsed
	lineAt func(int64) int
}

func (w *walker) syntax(err error) error {
	var se *json.SyntaxError
	line := w.lineAt(w.dec.InputOffset())
	msg := err.Error()
	if errors.As(err, &se) {
		line = w.lineAt(se.Offset)
		msg = strings.TrimPrefix(se.Error(), "invalid character ")
		msg = "invalid JSON: unexpected " + msg
	} else if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		line = w.lineAt(math.MaxInt64)
		msg = "invalid JSON: the file ends in the middle of the object"
	}
	return fmt.Errorf("config: %s:%d: %s: %w", w.p.path, line, msg, ErrInvalid)
}

// value reads one value at path; schema is the path with map keys
// replaced by "*".
func (w *walker) value(path, schema string) error {
	tok, err := w.dec.Token()
	if err != nil {
		return w.syntax(err)
	}
	if path != "" {
		w.p.lines[path] = w.lineAt(w.dec.InputOffset())
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch d {
	case '{':
		keys, checked := known[schema]
		for w.dec.More() {
			kt, err := w.dec.Token()
			if err != nil {
				return w.syntax(err)
			}
			key, _ := kt.(string)
			sub, subSchema := join(path, key), join(schema, key)
			line := w.lineAt(w.dec.InputOffset())
			w.p.lines[sub] = line
			switch {
			case slices.Equal(keys, []string{"*"}):
				subSchema = join(schema, "*")
			case key == "api_key" && schema == "remote":
				return fmt.Errorf("config: %s:%d: remote.api_key: atelier does not read API keys from files; put the key in an environment variable and name it in remote.api_key_env: %w", w.p.path, line, ErrInvalid)
			case checked && !slices.Contains(keys, key):
				return fmt.Errorf("config: %s:%d: unknown setting %q%s (known: %s): %w", w.p.path, line, key, where(path), strings.Join(keys, ", "), ErrInvalid)
			case !checked && schema != "":
				return fmt.Errorf("config: %s:%d: %s: want a value, not an object: %w", w.p.path, line, path, ErrInvalid)
			}
			if err := w.value(sub, subSchema); err != nil {
				return err
			}
		}
	case '[':
		for i := 0; w.dec.More(); i++ {
			if err := w.value(path+"["+strconv.Itoa(i)+"]", schema+"[]"); err != nil {
				return err
			}
		}
	}
	if _, err := w.dec.Token(); err != nil {
		return w.syntax(err)
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func where(path string) string {
	if path == "" {
		return ""
	}
	return " in " + path
}

package agent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/atelier-dev/atelier/internal/chat"
)

// argsProblem says what is wrong with a call's arguments as JSON, or "".
// Empty arguments count as {}.
func argsProblem(raw json.RawMessage) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Sprintf("the arguments are not valid JSON (%v): %s\nWrite the call again with the arguments as one JSON object.", err, clip(string(raw), 300))
	}
	if _, ok := v.(map[string]any); !ok {
		return fmt.Sprintf("the arguments must be a JSON object, not %s.", clip(string(raw), 100))
	}
	return ""
}

// schema is the part of a tool's JSON Schema that validate checks.
type schema struct {
	Properties map[string]struct {
		Type any `json:"type"`
	} `json:"properties"`
	Required []string `json:"required"`
}

// validate checks a call against the tools offered: a known name, an object
// of arguments with the required fields, of the declared basic types. It
// returns the arguments compacted (the form loop detection compares) or,
// for a bad call, a problem to tell the model.
func validate(tools []chat.Tool, c chat.ToolCall) (json.RawMessage, string) {
	var tool *chat.Tool
	names := make([]string, 0, len(tools))
	for i := range tools {
		names = append(names, tools[i].Name)
		if tools[i].Name == c.Name {
			tool = &tools[i]
		}
	}
	if tool == nil {
		sort.Strings(names)
		return nil, fmt.Sprintf("there is no tool named %q. The tools are: %s.", c.Name, strings.Join(names, ", "))
	}
	raw := c.Arguments
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage("{}")
	}
	if p := argsProblem(raw); p != "" {
		return nil, p
	}
	var args map[string]any
	_ = json.Unmarshal(raw, &args)
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, argsProblem(raw)
	}
	var s schema
	if len(tool.Parameters) > 0 && json.Unmarshal(tool.Parameters, &s) == nil {
		for _, name := range s.Required {
			if v, ok := args[name]; !ok || v == nil {
				return nil, fmt.Sprintf("the %s tool needs the argument %q. Its parameters: %s", c.Name, name, clip(string(tool.Parameters), 600))
			}
		}
		for name, v := range args {
			p, ok := s.Properties[name]
			if !ok {
				continue
			}
			if want, ok := p.Type.(string); ok && !hasType(v, want) {
				return nil, fmt.Sprintf("the argument %q of %s must be of type %s.", name, c.Name, want)
			}
		}
	}
	return json.RawMessage(buf.Bytes()), ""
}

func hasType(v any, t string) bool {
	switch t {
	case "string":
		_, ok := v.(string)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	case "number":
		_, ok := v.(float64)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return true
}

// clip shortens s to about n bytes, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// sentence ends s with a period.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "it is malformed."
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

package toolcall

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/atelier-dev/atelier/internal/chat"
)

// toolSet is what the parser knows of the offered tools: their names and
// the JSON types of their parameters.
type toolSet struct {
	names  []string
	params map[string]map[string][]string // tool -> parameter -> types
}

func newToolSet(tools []chat.Tool) toolSet {
	ts := toolSet{params: map[string]map[string][]string{}}
	for _, t := range tools {
		ts.names = append(ts.names, t.Name)
		var schema struct {
			Properties map[string]struct {
				Type json.RawMessage `json:"type"`
			} `json:"properties"`
		}
		props := map[string][]string{}
		if json.Unmarshal(t.Parameters, &schema) == nil {
			for name, p := range schema.Properties {
				var one string
				var many []string
				switch {
				case json.Unmarshal(p.Type, &one) == nil:
					props[name] = []string{one}
				case json.Unmarshal(p.Type, &many) == nil:
					props[name] = many
				}
			}
		}
		ts.params[t.Name] = props
	}
	return ts
}

// check returns a message for the model when name is not an offered tool.
func (ts toolSet) check(name string) string {
	if name == "" {
		return "The tool call has no function name."
	}
	if len(ts.names) == 0 || slices.Contains(ts.names, name) {
		return ""
	}
	return fmt.Sprintf("There is no tool named %q; the tools are: %s.", name, strings.Join(ts.names, ", "))
}

const hermesShape = `{"name": <function-name>, "arguments": <args-json-object>}`

// parseHermes reads {"name": …, "arguments": {…}}. It returns a message
// for the model when the call is malformed.
func parseHermes(body string, ts toolSet) (chat.ToolCall, string) {
	body = strings.TrimSpace(body)
	var c struct {
		Name       *string         `json:"name"`
		Arguments  json.RawMessage `json:"arguments"`
		Parameters json.RawMessage `json:"parameters"`
	}
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		return chat.ToolCall{}, fmt.Sprintf("The tool call is not valid JSON (%s); write %s inside <tool_call></tool_call>.", jsonProblem(err), hermesShape)
	}
	if c.Name == nil {
		return chat.ToolCall{}, fmt.Sprintf("The tool call has no \"name\"; write %s.", hermesShape)
	}
	if msg := ts.check(*c.Name); msg != "" {
		return chat.ToolCall{}, msg
	}
	args := c.Arguments
	if args == nil {
		args = c.Parameters
	}
	args, msg := argumentsObject(args)
	if msg != "" {
		return chat.ToolCall{}, msg
	}
	return chat.ToolCall{Name: *c.Name, Arguments: args}, ""
}

// argumentsObject checks that raw is a JSON object (or a string holding
// one, as some models write) and returns it; absent arguments are {}.
func argumentsObject(raw json.RawMessage) (json.RawMessage, string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage("{}"), ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil && json.Valid([]byte(s)) {
			raw = bytes.TrimSpace([]byte(s))
		}
	}
	if raw[0] != '{' {
		return nil, "The tool call's arguments must be a JSON object of argument names and values."
	}
	return raw, ""
}

// jsonProblem shortens a JSON error for the model.
func jsonProblem(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}

// parseLlama reads a Llama 3 JSON call {"name": …, "parameters": {…}}.
// ok is false when obj is no call: msg is then set when obj was meant as
// one but is malformed.
func parseLlama(obj string, ts toolSet) (c chat.ToolCall, ok bool, msg string) {
	var v struct {
		Name       *string         `json:"name"`
		Parameters json.RawMessage `json:"parameters"`
		Arguments  json.RawMessage `json:"arguments"`
	}
	if err := json.Unmarshal([]byte(obj), &v); err != nil {
		return c, false, fmt.Sprintf("The tool call is not valid JSON (%s); write {\"name\": <function-name>, \"parameters\": <arguments-object>}.", jsonProblem(err))
	}
	if v.Name == nil {
		return c, false, "The tool call has no \"name\"; write {\"name\": <function-name>, \"parameters\": <arguments-object>}."
	}
	if m := ts.check(*v.Name); m != "" {
		return c, false, m
	}
	args := v.Parameters
	if args == nil {
		args = v.Arguments
	}
	args, m := argumentsObject(args)
	if m != "" {
		return c, false, m
	}
	return chat.ToolCall{Name: *v.Name, Arguments: args}, true, ""
}

// looksLikeJSONCall reports whether s starts as {"name" does.
func looksLikeJSONCall(s string) bool {
	s = strings.TrimLeft(s, " \t\r\n")
	if !strings.HasPrefix(s, "{") {
		return false
	}
	s = strings.TrimLeft(s[1:], " \t\r\n")
	return strings.HasPrefix(s, `"name"`) || strings.HasPrefix(s, `"type"`)
}

const xmlShape = "<tool_call>\n<function=NAME>\n<parameter=NAME>\nVALUE\n</parameter>\n</function>\n</tool_call>"

// parseXML reads one or more <function=NAME><parameter=P>VALUE</parameter>
// …</function> blocks (Qwen3-Coder). A missing </parameter> or
// </function> is tolerated where the next tag makes the end clear.
func parseXML(body string, ts toolSet) ([]chat.ToolCall, string) {
	var calls []chat.ToolCall
	rest := body
	for {
		i := strings.Index(rest, "<function=")
		if i < 0 {
			break
		}
		if strings.TrimSpace(rest[:i]) != "" && len(calls) == 0 {
			return nil, fmt.Sprintf("Unexpected text before <function=…> in the tool call; write %s.", xmlShape)
		}
		rest = rest[i+len("<function="):]
		j := strings.Index(rest, ">")
		if j < 0 {
			return nil, fmt.Sprintf("The <function=NAME> tag is not closed with '>'; write %s.", xmlShape)
		}
		name := strings.TrimSpace(rest[:j])
		rest = rest[j+1:]
		if msg := ts.check(name); msg != "" {
			return nil, msg
		}
		end := strings.Index(rest, "</function>")
		fn := rest
		if end >= 0 {
			fn, rest = rest[:end], rest[end+len("</function>"):]
		} else if k := strings.Index(rest, "<function="); k >= 0 {
			fn, rest = rest[:k], rest[k:]
		} else {
			rest = ""
		}
		args, msg := xmlArguments(fn, ts.params[name])
		if msg != "" {
			return nil, msg
		}
		calls = append(calls, chat.ToolCall{Name: name, Arguments: args})
	}
	if len(calls) == 0 {
		return nil, fmt.Sprintf("The tool call has no <function=NAME> tag; write %s.", xmlShape)
	}
	return calls, ""
}

// xmlArguments builds the JSON arguments object of a function block.
func xmlArguments(fn string, types map[string][]string) (json.RawMessage, string) {
	var b bytes.Buffer
	b.WriteByte('{')
	seen := map[string]bool{}
	rest := fn
	for {
		i := strings.Index(rest, "<parameter=")
		if i < 0 {
			break
		}
		rest = rest[i+len("<parameter="):]
		j := strings.Index(rest, ">")
		if j < 0 {
			return nil, fmt.Sprintf("A <parameter=NAME> tag is not closed with '>'; write %s.", xmlShape)
		}
		name := strings.TrimSpace(rest[:j])
		rest = rest[j+1:]
		var value string
		if k := strings.Index(rest, "</parameter>"); k >= 0 {
			value, rest = rest[:k], rest[k+len("</parameter>"):]
		} else if k := strings.Index(rest, "<parameter="); k >= 0 {
			value, rest = rest[:k], rest[k:]
		} else {
			value, rest = rest, ""
		}
		if name == "" {
			return nil, "A <parameter=NAME> tag has no name."
		}
		if seen[name] {
			return nil, fmt.Sprintf("The parameter %q is given twice.", name)
		}
		seen[name] = true
		value = strings.TrimPrefix(value, "\n")
		value = strings.TrimSuffix(value, "\n")
		if len(seen) > 1 {
			b.WriteByte(',')
		}
		writeJSONString(&b, name)
		b.WriteByte(':')
		b.Write(typedValue(value, types[name]))
	}
	b.WriteByte('}')
	return json.RawMessage(b.Bytes()), ""
}

// typedValue is the JSON of a parameter value: raw text for a string
// parameter (or one the schema does not describe), the value itself when
// it is valid JSON for a typed one, and a string again when it is not.
func typedValue(v string, types []string) []byte {
	if len(types) > 0 && !(slices.Contains(types, "string") && !(v == "null" && slices.Contains(types, "null"))) {
		t := strings.TrimSpace(v)
		if json.Valid([]byte(t)) {
			var c bytes.Buffer
			if json.Compact(&c, []byte(t)) == nil {
				return c.Bytes()
			}
		}
		// Python-style booleans are common.
		switch t {
		case "True":
			return []byte("true")
		case "False":
			return []byte("false")
		case "None":
			return []byte("null")
		}
	}
	var b bytes.Buffer
	writeJSONString(&b, v)
	return b.Bytes()
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Truncate(b.Len() - 1)
}

package grammar

import (
	"errors"
	"fmt"
	"strings"
)

// Tool is a function offered to the model: its name and the JSON Schema
// of its arguments (an object schema; empty means any object).
type Tool struct {
	Name   string
	Schema []byte
}

// ToolFormat is a model family's syntax for calling a tool.
type ToolFormat int

const (
	// ToolsHermes is Qwen2.5's and Hermes' format:
	// <tool_call>\n{"name": "NAME", "arguments": {...}}\n</tool_call>
	ToolsHermes ToolFormat = iota
	// ToolsLlama3 is Llama 3.x's: {"name": "NAME", "parameters": {...}}
	ToolsLlama3
	// ToolsQwen3Coder is Qwen3-Coder's parameter XML:
	// <tool_call>\n<function=NAME>\n<parameter=P>\nVALUE\n</parameter>\n</function>\n</tool_call>
	// String values are raw text; others are JSON.
	ToolsQwen3Coder
)

// ErrNoTools is returned when a tool-call grammar is asked for no tools.
var ErrNoTools = errors.New("grammar: no tools to call")

// ToolCallGBNF returns the grammar of one call of one of tools in format f,
// and the strings that open a call (the triggers for NewLazy). The name
// must be one of the tools' and the arguments must satisfy its schema.
func ToolCallGBNF(f ToolFormat, tools []Tool, opts SchemaOptions) (src string, triggers []string, err error) {
	if len(tools) == 0 {
		return "", nil, ErrNoTools
	}
	c := newSchemaConv(nil, opts)
	c.reserve("root")
	sp := c.use("space")
	var alts []string
	seen := map[string]bool{}
	for i, tool := range tools {
		if tool.Name == "" || seen[tool.Name] {
			return "", nil, fmt.Errorf("grammar: tool %d: empty or repeated name %q", i, tool.Name)
		}
		seen[tool.Name] = true
		schema := tool.Schema
		if len(strings.TrimSpace(string(schema))) == 0 {
			schema = []byte(`{"type":"object"}`)
		}
		root, err := parseJSON(schema)
		if err != nil {
			return "", nil, fmt.Errorf("grammar: tool %q: JSON Schema: %w", tool.Name, err)
		}
		c.root, c.refs = root, map[string]string{}
		hint := fmt.Sprintf("tool-%d", i)
		switch f {
		case ToolsHermes, ToolsLlama3:
			args, err := c.visit(root, hint+"-args", "#")
			if err != nil {
				return "", nil, fmt.Errorf("grammar: tool %q: %w", tool.Name, err)
			}
			key := "arguments"
			if f == ToolsLlama3 {
				key = "parameters"
			}
			alts = append(alts, c.add(hint, fmt.Sprintf(`%s %s "," %s %s %s ":" %s %s`,
				gbnfQuote(quoteJSON(tool.Name)), sp, sp, gbnfQuote(`"`+key+`"`), sp, sp, args)))
		case ToolsQwen3Coder:
			body, err := c.xmlParams(root, hint)
			if err != nil {
				return "", nil, fmt.Errorf("grammar: tool %q: %w", tool.Name, err)
			}
			alts = append(alts, c.add(hint, gbnfQuote(tool.Name+">\n")+" "+body+` "</function>"`))
		default:
			return "", nil, fmt.Errorf("grammar: unknown tool format %d", f)
		}
	}
	choice := strings.Join(alts, " | ")
	switch f {
	case ToolsHermes:
		call := c.add("call", fmt.Sprintf(`"{" %s "\"name\"" %s ":" %s ( %s ) %s "}"`, sp, sp, sp, choice, sp))
		c.set("root", fmt.Sprintf(`"<tool_call>" "\n"? %s "\n"? "</tool_call>"`, call))
		triggers = []string{"<tool_call>"}
	case ToolsLlama3:
		c.set("root", fmt.Sprintf(`"{" %s "\"name\"" %s ":" %s ( %s ) %s "}"`, sp, sp, sp, choice, sp))
		triggers = []string{`{"name"`, `{ "name"`}
	case ToolsQwen3Coder:
		fn := c.add("function", fmt.Sprintf(`"<function=" ( %s )`, choice))
		c.set("root", fmt.Sprintf(`"<tool_call>" "\n"? %s "\n"? "</tool_call>" | %s`, fn, fn))
		triggers = []string{"<tool_call>", "<function="}
	}
	return c.String(), triggers, nil
}

// NewToolCalls returns a lazy constraint that leaves text free and holds
// every tool call in format f to the tools offered.
func NewToolCalls(f ToolFormat, tools []Tool, t *Tokens, opts SchemaOptions) (*Lazy, error) {
	src, triggers, err := ToolCallGBNF(f, tools, opts)
	if err != nil {
		return nil, err
	}
	g, err := Parse(src)
	if err != nil {
		return nil, fmt.Errorf("grammar: tool-call grammar: %w", err)
	}
	return NewLazy(g, triggers, t), nil
}

// xmlParams renders the <parameter=...> blocks of an object schema,
// required parameters first, then optional ones, each in schema order.
func (c *schemaConv) xmlParams(s *jvalue, hint string) (string, error) {
	if s.kind == jBool && s.b {
		return `""`, nil
	}
	if s.kind != jObject {
		return "", schemaError("#", ErrBadSchema, "tool arguments must be an object schema")
	}
	if t := s.get("type"); t != nil && !(t.kind == jString && t.str == "object") {
		return "", schemaError("#", ErrUnsupported, "tool arguments that are not an object")
	}
	props := s.get("properties")
	if props == nil || len(props.keys) == 0 {
		return `""`, nil
	}
	required := map[string]bool{}
	if r := s.get("required"); r != nil && r.kind == jArray {
		for _, k := range r.arr {
			if k.kind == jString {
				required[k.str] = true
			}
		}
	}
	var req, opt []string
	for i, k := range props.keys {
		if strings.ContainsAny(k, "<>\n") {
			return "", schemaError("#/properties", ErrUnsupported, "parameter name %q in XML", k)
		}
		value, err := c.xmlValue(props.vals[i], hint+"-"+k, "#/properties/"+k)
		if err != nil {
			return "", err
		}
		p := c.add(hint+"-"+k, fmt.Sprintf(`%s %s "\n"`, gbnfQuote("<parameter="+k+">\n"), value))
		if required[k] {
			req = append(req, p)
		} else {
			opt = append(opt, p+"?")
		}
	}
	return strings.Join(append(req, opt...), " "), nil
}

// xmlValue is the grammar of one parameter's value and its closing tag:
// raw text for strings, JSON for the rest. Strings with a minLength or
// maxLength are held to one line; other string keywords are not applied.
func (c *schemaConv) xmlValue(s *jvalue, hint, path string) (string, error) {
	isString := false
	if s.kind == jObject {
		if t := s.get("type"); t != nil && t.kind == jString && t.str == "string" {
			isString = true
		}
		if e := s.get("enum"); e != nil && e.kind == jArray && len(e.arr) > 0 {
			isString = true
			var alts []string
			for _, v := range e.arr {
				if v.kind != jString {
					isString = false
					break
				}
				alts = append(alts, gbnfQuote(v.str))
			}
			if isString {
				return "( " + strings.Join(alts, " | ") + ` ) "\n</parameter>"`, nil
			}
		}
	}
	if isString {
		lo, hi, err := bounds(s, "minLength", "maxLength", path)
		if err != nil {
			return "", err
		}
		if lo < 0 && hi < 0 {
			return c.textUntil("\n</parameter>"), nil
		}
		// Bounded text is held to one line, which cannot hold the closing tag.
		return `[^\n]` + repeat(max(lo, 0), hi) + ` "\n</parameter>"`, nil
	}
	v, err := c.visit(s, hint, path)
	if err != nil {
		return "", err
	}
	return v + ` "\n</parameter>"`, nil
}

// textUntil returns a rule for any text followed by stop, where the text
// does not contain stop: a Knuth-Morris-Pratt automaton written as rules.
func (c *schemaConv) textUntil(stop string) string {
	p := []rune(stop)
	m := len(p)
	fail := make([]int, m+1) // fail[k]: longest proper border of p[:k]
	fail[0] = -1
	for k := 1; k <= m; k++ {
		j := fail[k-1]
		for j >= 0 && p[j] != p[k-1] {
			j = fail[j]
		}
		fail[k] = j + 1
	}
	if m == 1 {
		fail[1] = 0
	}
	next := func(k int, r rune) int {
		for k >= 0 {
			if k < m && p[k] == r {
				return k + 1
			}
			k = fail[k]
		}
		return 0
	}
	names := make([]string, m)
	for k := range m {
		names[k] = c.reserve(fmt.Sprintf("until-%d", k))
	}
	alphabet := map[rune]bool{}
	var others []span
	for _, r := range p {
		if !alphabet[r] {
			alphabet[r] = true
			others = append(others, span{r, r})
		}
	}
	other := classLiteral(complement(normalize(others)))
	for k := range m {
		alts := []string{other + " " + names[0]}
		for r := range alphabet {
			j := next(k, r)
			if j == m {
				alts = append(alts, gbnfQuote(string(r)))
			} else {
				alts = append(alts, gbnfQuote(string(r))+" "+names[j])
			}
		}
		sortStrings(alts[1:])
		c.set(names[k], strings.Join(alts, " | "))
	}
	return names[0]
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

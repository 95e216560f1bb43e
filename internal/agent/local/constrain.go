package local

import (
	"strings"
	"sync"

	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/engine"
	"github.com/atelier-dev/atelier/internal/grammar"
	"github.com/atelier-dev/atelier/internal/toolcall"
)

// Tool calls are constrained: when a request offers tools, the engine
// samples only tokens that keep every call the model writes well-formed:
// a tool on offer, arguments valid against its schema, in the family's own
// syntax. Text stays free until the model opens a call (a lazy grammar),
// unless Options.RequireToolCall asks for a call from the first token.
//
// Schemas are translated leniently (keywords the grammar cannot express
// are skipped, so the grammar may allow what the tool will then refuse).
// A tool whose schema cannot be translated at all gets any JSON object as
// arguments in the JSON formats; in Qwen3-Coder's XML format, where no
// grammar stands for "any parameters", the request is left unconstrained.
// Neither case is an error: the tool checks its arguments anyway.

// grammarOf returns the grammar format of a tool-call format, if it has one.
func grammarOf(f toolcall.Format) (grammar.ToolFormat, bool) {
	switch f {
	case toolcall.Hermes, toolcall.Qwen3, toolcall.SmolLM3:
		return grammar.ToolsHermes, true
	case toolcall.Llama3:
		return grammar.ToolsLlama3, true
	case toolcall.Qwen3Coder, toolcall.Qwen3XML:
		return grammar.ToolsQwen3Coder, true
	}
	return 0, false
}

// constrainer builds the constraint of each request: the vocabulary index
// once (on first use: it takes a tenth of a second on a large vocabulary),
// and the tool-call grammar once per tool list.
type constrainer struct {
	vocab grammar.Vocab
	once  sync.Once
	toks  *grammar.Tokens

	mu   sync.Mutex
	key  string // the tool list of g
	g    *grammar.Grammar
	trig []string
}

// constraint returns the constraint for a request offering tools in
// format f, or nil when there is none to apply.
func (c *constrainer) constraint(f toolcall.Format, tools []chat.Tool, require bool) engine.Constraint {
	gf, ok := grammarOf(f)
	if !ok || len(tools) == 0 {
		return nil
	}
	g, triggers := c.grammar(gf, tools)
	if g == nil {
		return nil
	}
	c.once.Do(func() { c.toks = grammar.NewTokens(c.vocab) })
	if require {
		return grammar.NewConstraint(g, c.toks)
	}
	return grammar.NewLazy(g, triggers, c.toks)
}

// grammar returns the tool-call grammar of tools, from the cache when the
// tools are the last request's, or nil when none can be made.
func (c *constrainer) grammar(f grammar.ToolFormat, tools []chat.Tool) (*grammar.Grammar, []string) {
	var key strings.Builder
	key.WriteByte(byte('0' + f))
	for _, t := range tools {
		key.WriteString("\x00" + t.Name + "\x00" + string(t.Parameters))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.key == key.String() {
		return c.g, c.trig
	}
	c.key, c.g, c.trig = key.String(), nil, nil
	opts := grammar.SchemaOptions{Lenient: true}
	gts := make([]grammar.Tool, len(tools))
	for i, t := range tools {
		gts[i] = grammar.Tool{Name: t.Name, Schema: t.Parameters}
		if _, _, err := grammar.ToolCallGBNF(f, gts[i:i+1], opts); err != nil {
			if f == grammar.ToolsQwen3Coder {
				return nil, nil
			}
			gts[i].Schema = nil // any object
		}
	}
	src, triggers, err := grammar.ToolCallGBNF(f, gts, opts)
	if err != nil {
		return nil, nil // such as two tools of one name
	}
	g, err := grammar.Parse(src)
	if err != nil {
		return nil, nil
	}
	c.g, c.trig = g, triggers
	return g, triggers
}

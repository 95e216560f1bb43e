package local

import (
	"bytes"
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
//
// Llama 3 writes its calls as bare JSON, which the parser reads as a call
// only at the start of the answer, after a call or after <|python_tag|>;
// elsewhere {"name": … is prose (a JSON example, say), and the grammar
// stands aside there too (llamaCalls). In the families that think first
// (Qwen3, SmolLM3), a call opener written inside the reasoning is held to
// the grammar like any other, though the parser reads it as reasoning.

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
	if gf == grammar.ToolsLlama3 {
		return &llamaCalls{vocab: c.vocab, triggers: triggers, fresh: func() *grammar.Lazy { return grammar.NewLazy(g, triggers, c.toks) }}
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

// llamaCalls is Llama 3's lazy tool-call grammar, applied only where a bare
// JSON object is a call: from the start of the answer, or of the text after
// a call or after <|python_tag|>, until something other than blanks and
// the start of a trigger comes; from there the text is prose, free.
type llamaCalls struct {
	vocab    grammar.Vocab
	triggers []string
	fresh    func() *grammar.Lazy
	l        *grammar.Lazy // made on first use
	prose    bool          // the grammar stands aside
	head     []byte        // the text since a call could start
	inCall   bool
}

// llamaTag is the token after which Llama 3 writes a call.
const llamaTag = "<|python_tag|>"

// lazy returns the grammar, or nil in prose.
func (c *llamaCalls) lazy() *grammar.Lazy {
	if c.prose {
		return nil
	}
	if c.l == nil {
		c.l, c.head = c.fresh(), c.head[:0]
	}
	return c.l
}

// Allows implements engine.Constraint.
func (c *llamaCalls) Allows(id int32) bool {
	l := c.lazy()
	return l == nil || l.Allows(id)
}

// Mask implements engine.Constraint.
func (c *llamaCalls) Mask(logits []float32) {
	if l := c.lazy(); l != nil {
		l.Mask(logits)
	}
}

// Done implements engine.Constraint.
func (c *llamaCalls) Done() bool { return c.l != nil && c.l.Done() }

// Accept implements engine.Constraint.
func (c *llamaCalls) Accept(id int32) error {
	text := c.vocab.TokenBytes(id)
	if !c.inCall && string(text) == llamaTag {
		c.l, c.prose = nil, false // a call may follow: a fresh grammar
		return nil
	}
	l := c.lazy()
	if l == nil {
		return nil
	}
	if err := l.Accept(id); err != nil {
		return err
	}
	switch {
	case l.Triggered():
		c.inCall = true
	case c.inCall: // the call ended
		c.inCall, c.head = false, c.head[:0]
	default:
		c.head = append(c.head, text...)
		if h := bytes.TrimLeft(c.head, " \t\r\n"); len(h) > 0 && !c.mayTrigger(h) {
			c.prose = true
		}
	}
	return nil
}

// Remaining implements engine.Closer.
func (c *llamaCalls) Remaining() int {
	if l := c.lazy(); l != nil {
		return l.Remaining()
	}
	return 0
}

// Fits implements engine.Closer.
func (c *llamaCalls) Fits(id int32, budget int) bool {
	l := c.lazy()
	return l == nil || l.Fits(id, budget)
}

// Close implements engine.Closer.
func (c *llamaCalls) Close(logits []float32, budget int) {
	if l := c.lazy(); l != nil {
		l.Close(logits, budget)
	}
}

// The constraints finish a call within the answer's token cap.
var (
	_ engine.Closer = (*grammar.Constraint)(nil)
	_ engine.Closer = (*grammar.Lazy)(nil)
	_ engine.Closer = (*llamaCalls)(nil)
)

// mayTrigger reports whether text is the start of a trigger.
func (c *llamaCalls) mayTrigger(text []byte) bool {
	for _, t := range c.triggers {
		if len(text) < len(t) && strings.HasPrefix(t, string(text)) {
			return true
		}
	}
	return false
}

package local

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/engine"
	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/grammar"
	"github.com/atelier-dev/atelier/internal/testshared"
	"github.com/atelier-dev/atelier/internal/tokenizer"
	"github.com/atelier-dev/atelier/internal/toolcall"
)

// byteVocab has one token per byte, an end-of-generation token (256) and
// Llama 3's <|python_tag|> (257).
type byteVocab struct{}

func (byteVocab) VocabSize() int { return 258 }
func (byteVocab) TokenBytes(id int32) []byte {
	switch {
	case id < 256:
		return []byte{byte(id)}
	case id == 257:
		return []byte(llamaTag)
	}
	return nil
}
func (byteVocab) IsEOG(id int32) bool { return id == 256 }

// follow feeds text to c a byte at a time (<|python_tag|> as its token),
// returning how many bytes it took before refusing one (len(text) when it
// took them all).
func follow(t *testing.T, c engine.Constraint, text string) int {
	t.Helper()
	for i := 0; i < len(text); {
		id, n := int32(text[i]), 1
		if strings.HasPrefix(text[i:], llamaTag) {
			id, n = 257, len(llamaTag)
		}
		if !c.Allows(id) {
			return i
		}
		if err := c.Accept(id); err != nil {
			t.Fatalf("accept after allows: %v", err)
		}
		i += n
	}
	return len(text)
}

var (
	readTool = chat.Tool{Name: "read", Parameters: json.RawMessage(`{"type":"object","properties":{"file_path":{"type":"string"},"limit":{"type":"integer"}},"required":["file_path"]}`)}
	// badTool's schema cannot be translated: it is not even JSON.
	badTool = chat.Tool{Name: "bad", Parameters: json.RawMessage(`{"type":`)}
)

// TestConstraint checks the constraint each format and option gives: text
// free until a call opens, then only well-formed calls; a tool whose schema
// cannot be translated takes any object in JSON, and leaves XML calls
// unconstrained.
func TestConstraint(t *testing.T) {
	const (
		good      = "Let me look.<tool_call>\n{\"name\": \"read\", \"arguments\": {\"file_path\": \"a.go\"}}\n</tool_call> done"
		unknown   = "<tool_call>\n{\"name\": \"write\""
		badArgs   = "<tool_call>\n{\"name\": \"read\", \"arguments\": {\"file_path\": \"a\", \"limit\": \"x"
		anyObject = "<tool_call>\n{\"name\": \"bad\", \"arguments\": {\"x\": [1, {}]}}\n</tool_call>"
		xmlGood   = "<tool_call>\n<function=read>\n<parameter=file_path>\na.go\n</parameter>\n</function>\n</tool_call>"
		llama     = "{\"name\": \"read\", \"parameters\": {\"file_path\": \"a.go\"}}"
	)
	tests := []struct {
		name    string
		format  toolcall.Format
		tools   []chat.Tool
		require bool
		text    string
		want    int // bytes taken; -1: no constraint
	}{
		{"hermes good", toolcall.Hermes, []chat.Tool{readTool}, false, good, len(good)},
		{"hermes unknown tool", toolcall.Hermes, []chat.Tool{readTool}, false, unknown, len(unknown) - 6},
		{"hermes bad arguments", toolcall.Hermes, []chat.Tool{readTool}, false, badArgs, len(badArgs) - 2},
		{"qwen3 is hermes", toolcall.Qwen3, []chat.Tool{readTool}, false, good, len(good)},
		{"smollm3 is hermes", toolcall.SmolLM3, []chat.Tool{readTool}, false, unknown, len(unknown) - 6},
		{"untranslatable schema takes any object", toolcall.Hermes, []chat.Tool{readTool, badTool}, false, anyObject, len(anyObject)},
		{"qwen3-coder", toolcall.Qwen3Coder, []chat.Tool{readTool}, false, "ok " + xmlGood, len(xmlGood) + 3},
		{"qwen3-xml unknown tool", toolcall.Qwen3XML, []chat.Tool{readTool}, false, "<function=write>", len("<function=")},
		{"xml untranslatable schema", toolcall.Qwen3Coder, []chat.Tool{readTool, badTool}, false, "", -1},
		{"llama3", toolcall.Llama3, []chat.Tool{readTool}, false, llama, len(llama)},
		{"llama3 unknown tool", toolcall.Llama3, []chat.Tool{readTool}, false, `{"name": "x"`, len(`{"name": "`)},
		{"llama3 blanks first", toolcall.Llama3, []chat.Tool{readTool}, false, "\n {\"name\": \"x\"", len("\n {\"name\": \"")},
		{"llama3 after a call", toolcall.Llama3, []chat.Tool{readTool}, false, llama + ` {"name": "x"`, len(llama + ` {"name": "`)},
		{"llama3 JSON in prose", toolcall.Llama3, []chat.Tool{readTool}, false, `Like this: {"name": "Bob"}`, len(`Like this: {"name": "Bob"}`)},
		{"llama3 prose after a call", toolcall.Llama3, []chat.Tool{readTool}, false, llama + ` Done: {"name": "Bob"}`, len(llama + ` Done: {"name": "Bob"}`)},
		{"llama3 after the tag", toolcall.Llama3, []chat.Tool{readTool}, false, `Sure. <|python_tag|>{"name": "x"`, len(`Sure. <|python_tag|>{"name": "`)},
		{"no format", toolcall.None, []chat.Tool{readTool}, false, "", -1},
		{"no tools", toolcall.Hermes, nil, false, "", -1},
		{"repeated name", toolcall.Hermes, []chat.Tool{readTool, readTool}, false, "", -1},
		{"required: no text first", toolcall.Hermes, []chat.Tool{readTool}, true, "Let me", 0},
		{"required: a call", toolcall.Hermes, []chat.Tool{readTool}, true, good[12 : len(good)-5], len(good) - 17},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := constrainer{vocab: byteVocab{}}
			c := cs.constraint(tt.format, tt.tools, tt.require)
			if tt.want < 0 {
				if c != nil {
					t.Fatalf("constraint %T, want none", c)
				}
				return
			}
			if c == nil {
				t.Fatal("no constraint")
			}
			if got := follow(t, c, tt.text); got != tt.want {
				t.Errorf("took %d bytes (%q), want %d", got, tt.text[:got], tt.want)
			}
			if tt.require && tt.want == len(tt.text) && !c.Done() {
				t.Error("a required call is complete but the constraint is not done")
			}
		})
	}
}

// TestConstraintCache checks that the grammar is made once per tool list.
func TestConstraintCache(t *testing.T) {
	cs := constrainer{vocab: byteVocab{}}
	cs.constraint(toolcall.Hermes, []chat.Tool{readTool}, false)
	g := cs.g
	cs.constraint(toolcall.Hermes, []chat.Tool{readTool}, true)
	if cs.g != g {
		t.Error("the same tools made a new grammar")
	}
	cs.constraint(toolcall.Hermes, []chat.Tool{readTool, badTool}, false)
	if cs.g == g {
		t.Error("other tools kept the old grammar")
	}
}

// recorder is a Model that records the engine request and writes nothing.
type recorder struct {
	tok  *tokenizer.Tokenizer
	tmpl string
	ctx  int
	req  engine.Request
}

func (r *recorder) Tokenizer() *tokenizer.Tokenizer { return r.tok }
func (r *recorder) ChatTemplate() string            { return r.tmpl }
func (r *recorder) ContextLength() int              { return r.ctx }
func (r *recorder) Generate(_ context.Context, req engine.Request, _ func(engine.Chunk) error) (engine.Stats, error) {
	r.req = req
	return engine.Stats{StopReason: engine.StopEOG}, nil
}

// TestStreamRequest checks what Stream asks of the engine: the answer cap
// and the constraint, on Qwen2.5's vocabulary and template.
func TestStreamRequest(t *testing.T) {
	f, err := gguf.Open(testshared.Path(t, "testdata/vocab/ggml-vocab-qwen2.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := os.ReadFile(testshared.Path(t, "testdata/templates/Qwen-Qwen2.5-7B-Instruct.jinja"))
	if err != nil {
		t.Fatal(err)
	}
	msgs := []chat.Message{{Role: chat.RoleUser, Content: "Read a.go."}}
	tools := []chat.Tool{readTool}
	m := &recorder{tok: tok, tmpl: string(tmpl), ctx: 32768}
	prompt := func(c *Client) int {
		_, ids, err := c.Prompt(msgs, tools)
		if err != nil {
			t.Fatal(err)
		}
		return len(ids)
	}
	stream := func(c *Client, maxTokens int) engine.Request {
		t.Helper()
		if _, err := c.Stream(context.Background(), agent.Request{Messages: msgs, Tools: tools, MaxTokens: maxTokens}, func(agent.Delta) error { return nil }); err != nil {
			t.Fatal(err)
		}
		return m.req
	}
	c, err := New(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	req := stream(c, 0)
	if req.MaxTokens != DefaultMaxTokens {
		t.Errorf("no cap asked: MaxTokens %d, want %d", req.MaxTokens, DefaultMaxTokens)
	}
	lazy, ok := req.Constraint.(*grammar.Lazy)
	if !ok {
		t.Fatalf("constraint %T, want *grammar.Lazy", req.Constraint)
	}
	call := tok.Encode("<tool_call>\n{\"name\": \"", false, true)
	for _, id := range call {
		if err := lazy.Accept(id); err != nil {
			t.Fatal(err)
		}
	}
	if id := tok.Encode("write", false, false)[0]; lazy.Allows(id) {
		t.Errorf("the lazy constraint allows %q as a tool name", tok.TokenText(id))
	}
	if req := stream(c, 100); req.MaxTokens != 100 {
		t.Errorf("MaxTokens %d, want the 100 asked", req.MaxTokens)
	}

	m.ctx = prompt(c) + 50
	if req := stream(c, 0); req.MaxTokens != 50 {
		t.Errorf("MaxTokens %d, want the 50 the context leaves", req.MaxTokens)
	}
	m.ctx = 32768

	c, err = New(m, Options{RequireToolCall: true})
	if err != nil {
		t.Fatal(err)
	}
	if req := stream(c, 0); func() bool { _, ok := req.Constraint.(*grammar.Constraint); return !ok }() {
		t.Errorf("RequireToolCall: constraint %T, want *grammar.Constraint", req.Constraint)
	}
	c, err = New(m, Options{Unconstrained: true, RequireToolCall: true})
	if err != nil {
		t.Fatal(err)
	}
	if req := stream(c, 0); req.Constraint != nil {
		t.Errorf("Unconstrained: constraint %T", req.Constraint)
	}
}

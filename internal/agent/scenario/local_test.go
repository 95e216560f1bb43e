package scenario

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/atelier-dev/atelier/internal/agent/local"
	"github.com/atelier-dev/atelier/internal/agent/scripted"
	"github.com/atelier-dev/atelier/internal/engine"
	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/testshared"
	"github.com/atelier-dev/atelier/internal/tokenizer"
)

// textModel stands in for the engine: it answers each prompt with the next
// scripted turn written out as raw model text in the Hermes format (the
// Qwen2.5 template's), so that the local backend's whole path runs: the
// real chat template, the real tokenizer, the streaming tool-call parser.
type textModel struct {
	tok     *tokenizer.Tokenizer
	tmpl    string
	tr      *scripted.Transcript
	strict  bool
	window  int
	mu      sync.Mutex
	next    int
	prompts [][]int32
}

func (m *textModel) Tokenizer() *tokenizer.Tokenizer { return m.tok }
func (m *textModel) ChatTemplate() string            { return m.tmpl }
func (m *textModel) ContextLength() int              { return m.window }

func (m *textModel) Generate(ctx context.Context, req engine.Request, fn func(engine.Chunk) error) (engine.Stats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := engine.Stats{PromptTokens: len(req.Prompt), StopReason: engine.StopEOG}
	text := m.tok.Decode(req.Prompt)
	if !strings.Contains(text, "<tools>") {
		return st, fn(engine.Chunk{Token: -1, Text: scripted.Summary})
	}
	if m.next >= len(m.tr.Turns) {
		return st, scripted.ErrExhausted
	}
	turn := m.tr.Turns[m.next]
	if m.strict && turn.Expect != "" {
		// What the model reacts to is what came since its last answer.
		since := text
		if n := len(m.prompts); n > 0 {
			since = m.tok.Decode(req.Prompt[min(len(m.prompts[n-1]), len(req.Prompt)):])
		}
		if !strings.Contains(since, turn.Expect) {
			return st, fmt.Errorf("turn %d expects %q in %q", m.next+1, turn.Expect, since)
		}
	}
	m.next++
	m.prompts = append(m.prompts, req.Prompt)
	out := turn.Text
	for _, c := range turn.ToolCalls {
		out += fmt.Sprintf("\n<tool_call>\n{\"name\": %q, \"arguments\": %s}\n</tool_call>", c.Name, c.Raw())
	}
	for len(out) > 0 {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		n := min(5, len(out))
		for n < len(out) && out[n]&0xC0 == 0x80 {
			n++
		}
		if err := fn(engine.Chunk{Token: -1, Text: out[:n]}); err != nil {
			return st, err
		}
		out = out[n:]
		st.Generated++
	}
	return st, nil
}

func qwenModel(t *testing.T, tr *scripted.Transcript, strict bool) *textModel {
	t.Helper()
	f, err := gguf.Open(testshared.Path(t, "testdata/vocab/ggml-vocab-qwen2.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(testshared.Path(t, "testdata/templates/Qwen-Qwen2.5-7B-Instruct.jinja"))
	if err != nil {
		t.Fatal(err)
	}
	return &textModel{tok: tok, tmpl: string(src), tr: tr, strict: strict, window: 32768}
}

// TestScenariosLocal runs the scenarios through the local backend. The
// malformed one differs there: its broken JSON is caught by the tool-call
// parser rather than by the loop, so the error the model gets is the
// parser's.
func TestScenariosLocal(t *testing.T) {
	for _, sc := range loadScenarios(t) {
		if sc.name == "fixtest" || sc.name == "rename" {
			// The same path as editretry, with go builds: kept for the
			// other backends, to keep this test fast.
			continue
		}
		t.Run(sc.name, func(t *testing.T) {
			tr := sc.transcript
			if sc.name == "malformed" {
				tr = &scripted.Transcript{Turns: append([]scripted.Turn(nil), tr.Turns...)}
				tr.Turns[1].Expect = "could not be read"
			}
			m := qwenModel(t, tr, true)
			c, err := local.New(m, local.Options{Name: "qwen-test"})
			if err != nil {
				t.Fatal(err)
			}
			dir := sc.setUp(t)
			a := newAgent(t, dir, c, nil, nil, nil, 0)
			res, err := a.Run(context.Background(), sc.prompt)
			checkOutcome(t, sc, res, err)
			checkFiles(t, dir, sc.want)
			// The KV cache is reused: each prompt extends the previous one,
			// but for the generation prompt's last token or two, which
			// merge with the answer's first characters.
			for i := 1; i < len(m.prompts); i++ {
				prev, cur := m.prompts[i-1], m.prompts[i]
				n := 0
				for n < len(prev) && n < len(cur) && prev[n] == cur[n] {
					n++
				}
				if n < len(prev)-2 {
					t.Errorf("prompt %d shares %d of the previous prompt's %d tokens; it diverges at %q", i+1, n, len(prev), m.tok.Decode(cur[n:min(n+8, len(cur))]))
				}
			}
			// The token count is exact.
			if n, err := c.CountTokens(nil, nil); err != nil || n == 0 {
				t.Errorf("CountTokens = %d, %v", n, err)
			}
		})
	}
}

func TestLocalContextFull(t *testing.T) {
	m := qwenModel(t, &scripted.Transcript{}, false)
	m.window = 1000
	c, err := local.New(m, local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := newAgent(t, t.TempDir(), c, nil, nil, nil, 0)
	if a.Window() != 1000 {
		t.Fatalf("window %d, want the model's 1000", a.Window())
	}
	_, err = a.Run(context.Background(), "hello")
	if !errors.Is(err, local.ErrContextFull) || !strings.Contains(err.Error(), "loaded with 1000") {
		t.Fatalf("err = %v", err)
	}
}

package scenario

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/agent/local"
	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/engine"
	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/model/synth"
	"github.com/atelier-dev/atelier/internal/quantize"
	"github.com/atelier-dev/atelier/internal/testshared"
)

// synthEngine loads a random-weight model in Qwen2's shape with Qwen2's
// vocabulary: it runs the real engine and writes nonsense.
func synthEngine(t *testing.T) *engine.Engine {
	t.Helper()
	return synthEngineContext(t, 2048)
}

// synthEngineContext is synthEngine's model with a context of ctxLen tokens.
func synthEngineContext(t testing.TB, ctxLen int) *engine.Engine {
	t.Helper()
	v, err := gguf.Open(testshared.Path(t, "testdata/vocab/ggml-vocab-qwen2.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	b, err := synth.Build(synth.Options{Shape: synth.Shapes()["tiny-qwen2"], Vocab: v, Type: quantize.FileTypes()["Q8_0"], Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tq.gguf")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	e, err := engine.Load(path, engine.Options{ContextLength: ctxLen})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// prefixed is the engine with a fixed text written before what the model
// generates, as if the model had started its answer with it.
type prefixed struct {
	*engine.Engine
	tmpl, prefix string
}

func (p prefixed) ChatTemplate() string { return p.tmpl }

func (p prefixed) Generate(ctx context.Context, req engine.Request, fn func(engine.Chunk) error) (engine.Stats, error) {
	if err := fn(engine.Chunk{Token: -1, Text: p.prefix}); err != nil {
		return engine.Stats{}, err
	}
	return p.Engine.Generate(ctx, req, fn)
}

// TestSynthModel runs the loop on the real engine with a model that writes
// nonsense: a tool call cut off by nonsense is answered with a tool error
// every turn until the turn limit; the same call again and again is stopped
// as a loop; plain nonsense is a (useless) answer. The conversation stays
// consistent in every case, every call with its result.
func TestSynthModel(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a model")
	}
	e := synthEngine(t)
	qwen, err := os.ReadFile(testshared.Path(t, "testdata/templates/Qwen-Qwen2.5-7B-Instruct.jinja"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		model    local.Model
		maxTurns int
		wantErr  error
		steps    int
		// result is a substring each tool result must have.
		result string
	}{
		{"nonsense", e, 3, nil, 1, ""},
		{"malformed calls", prefixed{e, string(qwen), "<tool_call>\n{\"name\": \"read\", \"arguments\": {\"file_path\": "}, 3, agent.ErrMaxTurns, 3, "could not be read"},
		{"loop", prefixed{e, string(qwen), "<tool_call>\n{\"name\": \"ls\", \"arguments\": {}}\n</tool_call>"}, 6, agent.ErrLoop, 5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := local.New(tt.model, local.Options{Name: "tiny-qwen2"})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			ts := newToolset(t, dir)
			a := agent.New(agent.Config{Client: c, Tools: ts, Gate: ts, MaxTurns: tt.maxTurns, MaxTokens: 6,
				System: agent.SystemPrompt(agent.Environment{Dir: dir})}, nil, 0)
			res, err := a.Run(context.Background(), "Say hello.")
			if !errors.Is(err, tt.wantErr) && !(tt.wantErr == nil && err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if res.Steps != tt.steps {
				t.Errorf("steps %d, want %d", res.Steps, tt.steps)
			}
			msgs := a.Messages()
			checkAnswered(t, msgs)
			for _, m := range msgs {
				if m.Role == chat.RoleTool && !strings.Contains(m.Content, tt.result) {
					t.Errorf("tool result %q lacks %q", m.Content, tt.result)
				}
			}
		})
	}
}

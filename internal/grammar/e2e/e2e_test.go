// Package e2e runs grammar-constrained generation through the engine with
// a random-weight model: every constrained output is valid, and the same
// model unconstrained writes invalid output.
package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/engine"
	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/grammar"
	"github.com/atelier-dev/atelier/internal/grammar/schematest"
	"github.com/atelier-dev/atelier/internal/model/synth"
	"github.com/atelier-dev/atelier/internal/quantize"
	"github.com/atelier-dev/atelier/internal/sample"
	"github.com/atelier-dev/atelier/internal/testshared"
)

// randomModel writes a one-layer random-weight Llama with the real
// vocabulary of Llama 2 (SentencePiece, 32,000 tokens, byte fallback; the
// Qwen2 vocabulary is exercised with random logits in package grammar) and
// loads it.
func randomModel(t *testing.T) *engine.Engine {
	t.Helper()
	vf, err := gguf.Open(testshared.Path(t, "testdata/vocab/ggml-vocab-llama-spm.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer vf.Close()
	shape := synth.Shape{Arch: "llama", Embd: 64, Layers: 1, Heads: 2, KV: 1, HeadDim: 32, FFN: 128, Context: 4096, RopeBase: 1e4, Eps: 1e-5}
	b, err := synth.Build(synth.Options{Shape: shape, Vocab: vf, Type: quantize.FileTypes()["Q8_0"], Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "random-llama.gguf")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	e, err := engine.Load(path, engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// schemas are the schemas of the grammar package's tests sampled through
// the engine.
var schemas = []string{"01-person", "02-all-optional", "03-nested", "04-int-array", "05-enum-array", "06-enum-mixed", "07-const", "08-anyof", "09-oneof", "10-recursive-ref", "11-defs-reused", "12-int-ranges", "13-tuple", "14-formats", "15-string-length", "16-patterns", "17-nullable", "18-allof", "19-map", "20-tool-call", "21-array-of-objects", "22-deep", "23-numbers", "24-unicode-enum", "25-anyof-beside"}

// maxTokens caps the answers of some schemas (others get 4000): 16-patterns
// has a free string without a length limit, which a random-weight model,
// choosing its closing quote among tens of thousands of tokens, may not
// close for thousands of tokens (seed 21 ran past 16,000), and 19-map's
// maps run long; under a modest cap the engine closes the value in time.
var maxTokens = map[string]int{"16-patterns": 60, "19-map": 200}

const (
	seeds     = 50
	freeSeeds = 10 // unconstrained runs, to show they fail
)

func TestRandomModelConstrained(t *testing.T) {
	e := randomModel(t)
	tok := e.Tokenizer()
	toks := grammar.NewTokens(tok)
	prompt := tok.Encode("[INST] Answer in JSON. [/INST]", true, false)
	for _, name := range schemas {
		t.Run(name, func(t *testing.T) {
			schema, err := os.ReadFile(filepath.Join("..", "testdata", "schemas", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			g, err := grammar.ParseSchema(schema, grammar.SchemaOptions{})
			if err != nil {
				t.Fatal(err)
			}
			invalid := 0
			for seed := range uint64(seeds) {
				params := sample.Params{Temperature: 1, Seed: seed}
				// Constrained: always valid.
				limit := maxTokens[name]
				if limit == 0 {
					limit = 4000
				}
				out, st := run(t, e, engine.Request{Prompt: prompt, MaxTokens: limit, Sampling: params, Constraint: grammar.NewConstraint(g, toks)})
				if st.StopReason != engine.StopConstraint && st.StopReason != engine.StopMaxTokens || st.Generated > limit {
					t.Fatalf("seed %d: stopped by %s after %d tokens: %q", seed, st.StopReason, st.Generated, out)
				}
				var v any
				if err := json.Unmarshal([]byte(out), &v); err != nil {
					t.Fatalf("seed %d: %v: %q", seed, err, out)
				}
				if err := schematest.ValidateJSON(schema, []byte(out)); err != nil {
					t.Fatalf("seed %d: %v: %q", seed, err, out)
				}
				if seed >= freeSeeds {
					continue
				}
				// Unconstrained: the same model writes nonsense.
				free, _ := run(t, e, engine.Request{Prompt: prompt, MaxTokens: 16, Sampling: params})
				if json.Unmarshal([]byte(free), &v) != nil {
					invalid++
				}
				if seed == 0 && testing.Verbose() {
					t.Logf("constrained: %q\nunconstrained: %q", out, free)
				}
			}
			if invalid != freeSeeds {
				t.Errorf("unconstrained: only %d of %d outputs invalid", invalid, freeSeeds)
			}
			t.Logf("constrained: %d/%d valid; unconstrained: %d/%d invalid", seeds, seeds, invalid, freeSeeds)
		})
	}
}

func TestRandomModelToolCalls(t *testing.T) {
	e := randomModel(t)
	tok := e.Tokenizer()
	toks := grammar.NewTokens(tok)
	tools := []grammar.Tool{
		{Name: "read_file", Schema: []byte(`{"type":"object","properties":{"path":{"type":"string","maxLength":20}},"required":["path"]}`)},
		{Name: "run", Schema: []byte(`{"type":"object","properties":{"command":{"type":"string","maxLength":20},"timeout":{"type":"integer","minimum":1,"maximum":60}},"required":["command"]}`)},
	}
	// The model is made to open a call; the rest is its own.
	prompt := tok.Encode("[INST] Call a tool. [/INST] <tool_call>", true, false)
	re := regexp.MustCompile(`(?s)^\s*(\{.*\})\s*</tool_call>`)
	for seed := range uint64(seeds) {
		c, err := grammar.NewToolCalls(grammar.ToolsHermes, tools, toks, grammar.SchemaOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range tok.Encode("<tool_call>", false, false) {
			if err := c.Accept(id); err != nil {
				t.Fatal(err)
			}
		}
		var out strings.Builder
		_, err = e.Generate(context.Background(), engine.Request{Prompt: prompt, MaxTokens: 300, Sampling: sample.Params{Temperature: 1, Seed: seed}, Constraint: c},
			func(ch engine.Chunk) error {
				out.WriteString(ch.Text)
				if !c.Triggered() {
					return errStop
				}
				return nil
			})
		if err != nil && err != errStop {
			t.Fatal(err)
		}
		m := re.FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("seed %d: no complete call: %q", seed, out.String())
		}
		var call struct {
			Name      string          `json:"name"`
			Arguments json.RawMessage `json:"arguments"`
		}
		if err := json.Unmarshal([]byte(m[1]), &call); err != nil {
			t.Fatalf("seed %d: %v: %q", seed, err, m[1])
		}
		var schema []byte
		for _, tl := range tools {
			if tl.Name == call.Name {
				schema = tl.Schema
			}
		}
		if schema == nil {
			t.Fatalf("seed %d: unknown tool %q", seed, call.Name)
		}
		if err := schematest.ValidateJSON(schema, call.Arguments); err != nil {
			t.Fatalf("seed %d: %v: %q", seed, err, m[1])
		}
		if seed == 0 && testing.Verbose() {
			t.Logf("call: %q", out.String())
		}
	}
}

type stopError struct{}

func (stopError) Error() string { return "stop" }

var errStop = stopError{}

func run(t *testing.T, e *engine.Engine, req engine.Request) (string, engine.Stats) {
	t.Helper()
	var out strings.Builder
	st, err := e.Generate(context.Background(), req, func(c engine.Chunk) error {
		out.WriteString(c.Text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), st
}

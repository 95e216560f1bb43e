package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/model/synth"
	"github.com/atelier-dev/atelier/internal/quantize"
	"github.com/atelier-dev/atelier/internal/testshared"
)

// Headless runs on the real engine: a model without a chat template is
// refused with a sentence saying so; a random-weight model in Qwen2's shape
// answers nonsense, and the run ends cleanly within its limits.
func TestHeadlessLocalModels(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a model")
	}
	stories := testshared.Path(t, "testdata/models/stories260K.gguf")
	v, err := gguf.Open(testshared.Path(t, "testdata/vocab/ggml-vocab-qwen2.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	b, err := synth.Build(synth.Options{Shape: synth.Shapes()["tiny-qwen2"], Vocab: v, Type: quantize.FileTypes()["Q8_0"], Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	tq := filepath.Join(t.TempDir(), "tq.gguf")
	if err := b.WriteFile(tq); err != nil {
		t.Fatal(err)
	}
	agentEnv(t, `{"turns": []}`)

	code, out, errOut := runAtelier(t, "", "-p", "say hi", "--model", stories)
	if code != 1 || out != "" || errOut != "atelier: local: the model has no chat template (stories260K): it is a plain text-completion model, not a chat model, so it cannot follow instructions or call tools; use an instruct model such as qwen2.5-coder:1.5b\n" {
		t.Errorf("stories260K: exit %d, out %q, err %q", code, out, errOut)
	}

	code, out, errOut = runAtelier(t, "", "-p", "say hi", "--model", tq, "--max-turns", "3", "--max-tokens", "6", "--output-format", "json")
	if code != 0 || errOut != "" {
		t.Fatalf("tiny-qwen2: exit %d, err %q", code, errOut)
	}
	var rep headlessReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if rep.Turns < 1 || rep.Turns > 3 || rep.Usage.CompletionTokens > 6*rep.Turns || rep.Usage.PromptTokens == 0 || rep.Error != "" {
		t.Errorf("tiny-qwen2 report: %s", out)
	}
}

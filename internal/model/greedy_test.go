package model_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/atelier-dev/atelier/internal/sample"
	"github.com/atelier-dev/atelier/internal/tokenizer"
)

// greedyPrompt is the prompt of the synthetic models' llama.cpp goldens.
const greedyPrompt = "The quick brown fox jumps over the lazy dog. def main():"

// TestGreedyMatchesLlamaCpp builds a random-weight model of each
// architecture (with a peaky output, so near-ties are rare) and checks that
// greedy decoding gives llama.cpp's 16 tokens, recorded in
// testdata/greedy/ with ../shared/peer/greedy.mjs:
//
//	ATELIER_SYNTH_OUT=/tmp/synth go test -run TestGreedyMatchesLlamaCpp ./internal/model/
//	node greedy.mjs /tmp/synth/NAME.gguf "PROMPT" --n 16 > testdata/greedy/NAME.json
func TestGreedyMatchesLlamaCpp(t *testing.T) {
	for _, m := range []synthModel{
		{"tiny-qwen2", "qwen2", "F16"},
		{"tiny-qwen3", "qwen2", "Q4_K_M"},
		{"tiny-llama3", "llama-bpe", "F16"},
	} {
		t.Run(m.name(), func(t *testing.T) {
			path := writeSynth(t, m, t.TempDir())
			g := readGolden(t, filepath.Join("testdata", "greedy", m.name()+".json"))
			f, d := openModel(t, path)
			tok, err := tokenizer.FromGGUF(f)
			if err != nil {
				t.Fatal(err)
			}
			if in := tok.Encode(greedyPrompt, true, false); fmt.Sprint(in) != fmt.Sprint(g.Input) {
				t.Errorf("prompt tokens %v, llama.cpp %v", in, g.Input)
			}
			d.SetThreads(2)
			seq := d.NewSequence(128)
			logits := make([]float32, d.Vocab)
			if err := d.Forward(seq, g.Input, logits); err != nil {
				t.Fatal(err)
			}
			minMargin := float32(1e9)
			for i, want := range g.Tokens {
				got := sample.Argmax(logits)
				if got != want {
					t.Fatalf("step %d: token %d, llama.cpp %d", i, got, want)
				}
				minMargin = min(minMargin, margin(logits))
				if err := d.Forward(seq, []int32{got}, logits); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("%d tokens identical; smallest top-1/top-2 logit margin %.3f", len(g.Tokens), minMargin)
		})
	}
}

// margin returns the difference between the two largest logits.
func margin(logits []float32) float32 {
	a, b := float32(-1e30), float32(-1e30)
	for _, l := range logits {
		if l > a {
			a, b = l, a
		} else if l > b {
			b = l
		}
	}
	return a - b
}

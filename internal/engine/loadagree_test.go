package engine

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/model/synth"
	"github.com/atelier-dev/atelier/internal/quantize"
	"github.com/atelier-dev/atelier/internal/testshared"
)

// TestLoadModesAgree generates from a Q8_0 model read each way: mapped
// (the file's order), read into the heap and read into huge pages (where
// the weights are interleaved for the kernels, when the machine has
// them); the logits of every step must be the same to the bit.
func TestLoadModesAgree(t *testing.T) {
	vf, err := gguf.Open(testshared.Path(t, "testdata/vocab/ggml-vocab-llama-spm.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer vf.Close()
	shape := synth.Shape{Arch: "qwen2", Embd: 128, Layers: 2, Heads: 4, KV: 2, HeadDim: 32, FFN: 256, Context: 256, RopeBase: 1e6, Eps: 1e-6, Tied: true}
	b, err := synth.Build(synth.Options{Shape: shape, Vocab: vf, Type: quantize.FileTypes()["Q8_0"], Seed: 7, OutNorm: 4})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "q8.gguf")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	prompt := []int32{1, 450, 4996, 17354, 1701, 432, 13, 278, 17366, 11203, 29889}
	var want [][]float32
	for _, mode := range []LoadMode{LoadMap, LoadRead, LoadAuto} {
		e, err := Load(path, Options{Threads: 2, Load: mode})
		if err != nil {
			t.Fatal(err)
		}
		var got [][]float32
		_, err = e.Generate(context.Background(), Request{
			Prompt: prompt, MaxTokens: 12,
			Logits: func(l []float32) { got = append(got, slices.Clone(l)) },
		}, func(Chunk) error { return nil })
		e.Close()
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = got
			continue
		}
		if len(got) != len(want) {
			t.Fatalf("load mode %d: %d steps, mapped file %d", mode, len(got), len(want))
		}
		for s := range got {
			for i := range got[s] {
				if math.Float32bits(got[s][i]) != math.Float32bits(want[s][i]) {
					t.Fatalf("load mode %d: step %d logit %d = %v, mapped file %v", mode, s, i, got[s][i], want[s][i])
				}
			}
		}
	}
}

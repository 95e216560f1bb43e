package model_test

import (
	"math"
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/kernels"
	"github.com/atelier-dev/atelier/internal/model"
)

// TestInterleavedQ8_0 checks that a Q8_0 model read into memory, whose
// matrices Load interleaves, computes exactly what the mapped file does:
// a prompt in one batch (the tiles put rows back in order), then tokens
// one at a time (the interleaved kernels), the embeddings read from
// interleaved rows; for tied and untied output projections.
func TestInterleavedQ8_0(t *testing.T) {
	if !kernels.InterleavesQ8_0() {
		t.Skip("no kernels for interleaved Q8_0 rows on this machine or build")
	}
	prompt := []int32{1, 200, 3000, 45, 9, 120, 7, 800, 31, 2, 17, 999, 4, 56, 78, 90, 11, 300, 5, 6}
	for _, shape := range []string{"tiny-qwen2", "tiny-qwen3"} {
		t.Run(shape, func(t *testing.T) {
			path := writeSynth(t, synthModel{shape, "llama-spm", "Q8_0"}, t.TempDir())
			_, plain := openModel(t, path)
			f, err := gguf.OpenReadAll(path)
			if err != nil {
				t.Fatal(err)
			}
			inter, err := model.Load(f)
			if err != nil {
				t.Fatal(err)
			}
			defer inter.Close()
			if plain.Embed.Interleaved() || !inter.Embed.Interleaved() || !inter.Output.Interleaved() || !inter.Layers[0].Down.Interleaved() {
				t.Fatalf("interleaved: mapped embeddings %v; read embeddings %v, output %v, down %v",
					plain.Embed.Interleaved(), inter.Embed.Interleaved(), inter.Output.Interleaved(), inter.Layers[0].Down.Interleaved())
			}
			if _, ok := f.MutableTensorData(&f.Tensors[0]); ok {
				t.Error("Load left the file unsealed")
			}
			if _, err := model.Load(f); err == nil {
				t.Error("a second Load of a file whose weights were interleaved succeeded")
			}
			for _, d := range []*model.Decoder{plain, inter} {
				d.SetThreads(2)
			}
			sp, si := plain.NewSequence(64), inter.NewSequence(64)
			want, got := make([]float32, plain.Vocab), make([]float32, inter.Vocab)
			step := func(what string, tokens []int32) {
				t.Helper()
				if err := plain.Forward(sp, tokens, want); err != nil {
					t.Fatal(err)
				}
				if err := inter.Forward(si, tokens, got); err != nil {
					t.Fatal(err)
				}
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s: logit %d = %v, mapped file gives %v", what, i, got[i], want[i])
					}
				}
			}
			step("prompt", prompt)
			for i := range 6 {
				step("token "+string(rune('0'+i)), []int32{int32(100 + 37*i)})
			}
		})
	}
}

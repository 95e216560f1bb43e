package engine

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/model"
	"github.com/atelier-dev/atelier/internal/model/synth"
	"github.com/atelier-dev/atelier/internal/quantize"
	"github.com/atelier-dev/atelier/internal/testshared"
)

// smallModel writes a one-layer random Llama with the llama-spm vocabulary,
// changed by edit (which gets the builder and the generated file), and
// returns its path.
func smallModel(t *testing.T, edit func(b *gguf.Builder, f *gguf.File)) string {
	t.Helper()
	vf, err := gguf.Open(testshared.Path(t, "testdata/vocab/ggml-vocab-llama-spm.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer vf.Close()
	shape := synth.Shape{Arch: "llama", Embd: 64, Layers: 1, Heads: 2, KV: 1, HeadDim: 32, FFN: 128, Context: 256, RopeBase: 1e4, Eps: 1e-5}
	b, err := synth.Build(synth.Options{Shape: shape, Vocab: vf, Type: quantize.FileTypes()["F32"], Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "model.gguf")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if edit == nil {
		return path
	}
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	nb := gguf.NewBuilder()
	edit(nb, f)
	out := filepath.Join(dir, "edited.gguf")
	if err := nb.WriteFile(out); err != nil {
		t.Fatal(err)
	}
	return out
}

// copyExcept copies f's metadata and tensors into b, leaving out the
// tensor named skip.
func copyExcept(t *testing.T, b *gguf.Builder, f *gguf.File, skip string) {
	for _, kv := range f.KV {
		b.Set(kv.Key, kv.Value)
	}
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		if ti.Name == skip {
			continue
		}
		if err := b.AddTensor(ti.Name, ti.Type, ti.Dims, f.TensorData(ti)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRefuseAtLoad checks that files the engine cannot run are refused
// when loaded, with one sentence that says why.
func TestRefuseAtLoad(t *testing.T) {
	if _, err := Load(smallModel(t, nil), Options{Threads: 1}); err != nil {
		t.Fatalf("the unedited model does not load: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(t *testing.T, b *gguf.Builder, f *gguf.File)
		want string
	}{
		{"unknown architecture", func(t *testing.T, b *gguf.Builder, f *gguf.File) {
			copyExcept(t, b, f, "")
			b.Set("general.architecture", "mamba")
		}, `unknown architecture "mamba"`},
		{"missing tensor", func(t *testing.T, b *gguf.Builder, f *gguf.File) {
			copyExcept(t, b, f, "blk.0.ffn_down.weight")
		}, `tensor "blk.0.ffn_down.weight" missing`},
		{"vocabulary size", func(t *testing.T, b *gguf.Builder, f *gguf.File) {
			copyExcept(t, b, f, "")
			toks, _ := f.Strings("tokenizer.ggml.tokens")
			scores, _ := f.Float32s("tokenizer.ggml.scores")
			types, _ := f.Int32s("tokenizer.ggml.token_type")
			b.Set("tokenizer.ggml.tokens", toks[:1000])
			b.Set("tokenizer.ggml.scores", scores[:1000])
			b.Set("tokenizer.ggml.token_type", types[:1000])
		}, "the vocabulary has 1000 tokens but the embedding has 32000 rows"},
		{"wrong shape", func(t *testing.T, b *gguf.Builder, f *gguf.File) {
			copyExcept(t, b, f, "")
			b.Set("llama.feed_forward_length", uint32(100))
		}, `tensor "blk.0.ffn_gate.weight" has shape [64 128], want [64 100]`},
		{"missing hyperparameter", func(t *testing.T, b *gguf.Builder, f *gguf.File) {
			nb := b
			for _, kv := range f.KV {
				if kv.Key != "llama.block_count" {
					nb.Set(kv.Key, kv.Value)
				}
			}
			for i := range f.Tensors {
				ti := &f.Tensors[i]
				if err := nb.AddTensor(ti.Name, ti.Type, ti.Dims, f.TensorData(ti)); err != nil {
					t.Fatal(err)
				}
			}
		}, "llama.block_count missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := smallModel(t, func(b *gguf.Builder, f *gguf.File) { tc.edit(t, b, f) })
			e, err := Load(path, Options{Threads: 1})
			if err == nil {
				e.Close()
				t.Fatal("loaded")
			}
			msg := err.Error()
			if !errors.Is(err, model.ErrUnsupported) || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q; want one line wrapping ErrUnsupported and containing %q", msg, tc.want)
			}
			if !strings.Contains(msg, path) {
				t.Errorf("error %q does not name the file", msg)
			}
		})
	}
}

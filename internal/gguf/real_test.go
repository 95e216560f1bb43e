package gguf

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/atelier-dev/atelier/internal/tensor"
	"github.com/atelier-dev/atelier/internal/testshared"
)

// openers are the ways of reading a file, which must agree.
var openers = []struct {
	name string
	open func(string) (*File, error)
}{
	{"mmap", Open},
	{"readall", OpenReadAll},
	{"resident", func(path string) (*File, error) { return openResident(path, 0) }},
}

func TestStories260K(t *testing.T) {
	path := testshared.Path(t, "testdata/models/stories260K.gguf")
	for _, o := range openers {
		t.Run(o.name, func(t *testing.T) {
			f, err := o.open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Version != 3 || f.Alignment != 32 || f.DataOffset%32 != 0 {
				t.Errorf("version %d, alignment %d, data offset %d", f.Version, f.Alignment, f.DataOffset)
			}
			if got := f.Architecture(); got != "llama" {
				t.Errorf("architecture %q, want llama", got)
			}
			for key, want := range map[string]uint64{
				"llama.context_length":          2048,
				"llama.embedding_length":        64,
				"llama.feed_forward_length":     172,
				"llama.attention.head_count":    8,
				"llama.attention.head_count_kv": 4,
				"llama.block_count":             5,
				"tokenizer.ggml.bos_token_id":   1,
			} {
				if got, ok := f.Uint(key); !ok || got != want {
					t.Errorf("%s = %d, %v; want %d", key, got, ok, want)
				}
			}
			if eps, ok := f.Float("llama.attention.layer_norm_rms_epsilon"); !ok || math.Abs(eps-1e-5) > 1e-12 {
				t.Errorf("rms epsilon = %g, %v", eps, ok)
			}
			tokens, ok := f.Strings("tokenizer.ggml.tokens")
			if !ok || len(tokens) != 512 || tokens[1] != "<s>" || tokens[2] != "</s>" {
				t.Errorf("tokens: %d, %v", len(tokens), ok)
			}
			if types, ok := f.Int32s("tokenizer.ggml.token_type"); !ok || len(types) != 512 || types[0] != 2 {
				t.Errorf("token types: %v", ok)
			}
			if scores, ok := f.Float32s("tokenizer.ggml.scores"); !ok || len(scores) != 512 {
				t.Errorf("scores: %v", ok)
			}
			if len(f.Tensors) != 48 { // 3 + 5 blocks of 9
				t.Errorf("%d tensors, want 48", len(f.Tensors))
			}
			var params int64
			for i := range f.Tensors {
				ti := &f.Tensors[i]
				params += ti.Elements()
				if ti.Type != tensor.F32 {
					t.Errorf("%s: type %v", ti.Name, ti.Type)
				}
				if got := int64(len(f.TensorData(ti))); got != ti.Size || got != 4*ti.Elements() {
					t.Errorf("%s: %d bytes of data, size %d", ti.Name, got, ti.Size)
				}
			}
			if params != 292800 {
				t.Errorf("%d parameters, want 292800", params)
			}
			for name, dims := range map[string][]int64{
				"token_embd.weight":     {64, 512},
				"output_norm.weight":    {64},
				"blk.3.attn_k.weight":   {64, 32},
				"blk.4.ffn_down.weight": {172, 64},
			} {
				ti, ok := f.Tensor(name)
				if !ok {
					t.Errorf("no tensor %s", name)
					continue
				}
				if !slices.Equal(ti.Dims, dims) {
					t.Errorf("%s: dims %v, want %v", name, ti.Dims, dims)
				}
			}
			// RMS norm weights of a trained model are positive and around 1.
			norm, _ := f.Tensor("output_norm.weight")
			for i, b := 0, f.TensorData(norm); i < len(b); i += 4 {
				x := math.Float32frombits(binary.LittleEndian.Uint32(b[i:]))
				if !(x > 0 && x < 10) {
					t.Fatalf("output_norm[%d] = %g", i/4, x)
				}
			}
		})
	}
}

func TestVocabFiles(t *testing.T) {
	for _, c := range []struct {
		name, model string
		n           int
		merges      bool
	}{
		{"gemma-4", "gemma4", 262144, true},
		{"llama-spm", "llama", 32000, false},
		{"llama-bpe", "gpt2", 128256, true},
		{"qwen2", "gpt2", 151936, true},
		{"gpt-2", "gpt2", 50257, true},
		{"phi-3", "llama", 32064, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := Open(testshared.Path(t, "testdata/vocab/ggml-vocab-"+c.name+".gguf"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if len(f.Tensors) != 0 {
				t.Errorf("%d tensors in a vocabulary file", len(f.Tensors))
			}
			if m, _ := f.String("tokenizer.ggml.model"); m != c.model {
				t.Errorf("tokenizer.ggml.model = %q, want %q", m, c.model)
			}
			tokens, ok := f.Strings("tokenizer.ggml.tokens")
			if !ok || len(tokens) != c.n {
				t.Errorf("tokenizer.ggml.tokens: %d, %v; want %d", len(tokens), ok, c.n)
			}
			if types, ok := f.Int32s("tokenizer.ggml.token_type"); !ok || len(types) != c.n {
				t.Errorf("tokenizer.ggml.token_type: %d, %v", len(types), ok)
			}
			if merges, ok := f.Strings("tokenizer.ggml.merges"); ok != c.merges || (ok && len(merges) == 0) {
				t.Errorf("tokenizer.ggml.merges: %d, %v", len(merges), ok)
			}
			if bos, ok := f.Uint("tokenizer.ggml.bos_token_id"); !ok || bos >= uint64(c.n) {
				t.Errorf("bos = %d, %v", bos, ok)
			}
		})
	}
}

// TestRewriteRealFiles checks that the writer lays files out as llama.cpp's
// tools do: rewriting a real file reproduces it byte for byte.
func TestRewriteRealFiles(t *testing.T) {
	for _, rel := range []string{
		"testdata/models/stories260K.gguf",
		"testdata/vocab/ggml-vocab-llama-spm.gguf",
		"testdata/vocab/ggml-vocab-qwen2.gguf",
	} {
		t.Run(rel, func(t *testing.T) {
			path := testshared.Path(t, rel)
			orig, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(orig, path)
			if err != nil {
				t.Fatal(err)
			}
			if got := rewrite(t, f); !bytes.Equal(got, orig) {
				t.Errorf("rewritten file differs (%d bytes, original %d)", len(got), len(orig))
			}
		})
	}
}

func BenchmarkOpenVocab(b *testing.B) {
	path := testshared.Path(b, "testdata/vocab/ggml-vocab-gemma-4.gguf")
	for _, o := range openers {
		b.Run(o.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f, err := o.open(path)
				if err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		})
	}
}

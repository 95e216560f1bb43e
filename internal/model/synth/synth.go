// Package synth makes random-weight models in the shapes of real ones, with
// a real tokenizer, for tests and benchmarks: speed does not depend on the
// weights' values, and a seeded generator makes the same file every time.
package synth

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/quantize"
	"github.com/atelier-dev/atelier/internal/tensor"
)

// Shape is the architecture and hyperparameters of a model.
type Shape struct {
	Arch                    string // llama, qwen2 or qwen3
	Embd, Layers, Heads, KV int
	HeadDim, FFN, Context   int
	Vocab                   int // embedding rows; 0 means the vocabulary's size
	RopeBase, Eps           float32
	Tied                    bool // output projection tied to the embeddings
	Llama3Rope              bool // rope_freqs.weight as Llama 3.x has
}

// Shapes returns the known shapes by name: real models' shapes, and small
// ones for tests.
func Shapes() map[string]Shape {
	return map[string]Shape{
		"qwen2.5-0.5b": {Arch: "qwen2", Embd: 896, Layers: 24, Heads: 14, KV: 2, HeadDim: 64, FFN: 4864, Context: 32768, Vocab: 151936, RopeBase: 1e6, Eps: 1e-6, Tied: true},
		"qwen2.5-1.5b": {Arch: "qwen2", Embd: 1536, Layers: 28, Heads: 12, KV: 2, HeadDim: 128, FFN: 8960, Context: 32768, Vocab: 151936, RopeBase: 1e6, Eps: 1e-6, Tied: true},
		"qwen3-0.6b":   {Arch: "qwen3", Embd: 1024, Layers: 28, Heads: 16, KV: 8, HeadDim: 128, FFN: 3072, Context: 40960, Vocab: 151936, RopeBase: 1e6, Eps: 1e-6, Tied: true},
		"llama3.2-1b":  {Arch: "llama", Embd: 2048, Layers: 16, Heads: 32, KV: 8, HeadDim: 64, FFN: 8192, Context: 131072, Vocab: 128256, RopeBase: 5e5, Eps: 1e-5, Tied: true, Llama3Rope: true},
		"tiny-qwen2":   {Arch: "qwen2", Embd: 256, Layers: 2, Heads: 4, KV: 2, HeadDim: 64, FFN: 512, Context: 4096, RopeBase: 1e6, Eps: 1e-6, Tied: true},
		"tiny-qwen3":   {Arch: "qwen3", Embd: 256, Layers: 2, Heads: 4, KV: 2, HeadDim: 128, FFN: 512, Context: 4096, RopeBase: 1e6, Eps: 1e-6},
		"tiny-llama3":  {Arch: "llama", Embd: 256, Layers: 2, Heads: 4, KV: 1, HeadDim: 64, FFN: 768, Context: 4096, RopeBase: 5e5, Eps: 1e-5, Tied: true, Llama3Rope: true},
	}
}

// ShapeNames returns the names of Shapes, sorted.
func ShapeNames() []string {
	var names []string
	for n := range Shapes() {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Options choose what Build makes.
type Options struct {
	Shape Shape
	// Vocab is a GGUF file whose tokenizer.* metadata the model takes.
	Vocab *gguf.File
	// Type is the file type (F32, F16, Q8_0, Q4_K_M, …).
	Type quantize.FileType
	Seed uint64
	// OutNorm is the value of the output norm's weights; larger values make
	// the next-token distribution peakier (random models are flat, and
	// near-ties flip with numeric noise). 0 means 1.
	OutNorm float32
}

// Build makes the model as a GGUF builder; call WriteFile on it.
func Build(o Options) (*gguf.Builder, error) {
	s := o.Shape
	if o.Vocab == nil {
		return nil, errors.New("synth: a vocabulary file is required")
	}
	tokens, ok := o.Vocab.Strings("tokenizer.ggml.tokens")
	if !ok {
		return nil, errors.New("synth: the vocabulary file has no tokenizer.ggml.tokens")
	}
	if s.Vocab == 0 {
		s.Vocab = len(tokens)
	}
	if s.Vocab < len(tokens) {
		return nil, fmt.Errorf("synth: the vocabulary has %d tokens, more than the shape's %d", len(tokens), s.Vocab)
	}
	b := gguf.NewBuilder()
	a := s.Arch
	b.Set("general.architecture", a)
	b.Set("general.name", fmt.Sprintf("synthetic %s %dx%d", a, s.Layers, s.Embd))
	b.Set("general.file_type", o.Type.ID)
	b.Set(a+".context_length", uint32(s.Context))
	b.Set(a+".embedding_length", uint32(s.Embd))
	b.Set(a+".block_count", uint32(s.Layers))
	b.Set(a+".feed_forward_length", uint32(s.FFN))
	b.Set(a+".attention.head_count", uint32(s.Heads))
	b.Set(a+".attention.head_count_kv", uint32(s.KV))
	b.Set(a+".attention.layer_norm_rms_epsilon", s.Eps)
	b.Set(a+".rope.freq_base", s.RopeBase)
	if s.HeadDim != s.Embd/s.Heads {
		b.Set(a+".attention.key_length", uint32(s.HeadDim))
		b.Set(a+".attention.value_length", uint32(s.HeadDim))
	}
	b.Set(a+".rope.dimension_count", uint32(s.HeadDim))
	b.Set(a+".vocab_size", uint32(s.Vocab))
	for _, kv := range o.Vocab.KV {
		if strings.HasPrefix(kv.Key, "tokenizer.") {
			b.Set(kv.Key, kv.Value)
		}
	}
	if s.Vocab > len(tokens) {
		padTokens(b, o.Vocab, s.Vocab)
	}

	g := &gen{rng: rand.New(rand.NewPCG(o.Seed, 0x5eed)), b: b, ft: o.Type, layers: s.Layers, tied: s.Tied}
	E, qw, kvw := s.Embd, s.Heads*s.HeadDim, s.KV*s.HeadDim
	// Small embeddings, as trained models have: the layers, not the token
	// itself, dominate the residual stream, so a tied output does not just
	// repeat the last token.
	g.matrix("token_embd.weight", s.Vocab, E, 0.05)
	outNorm := o.OutNorm
	if outNorm == 0 {
		outNorm = 1
	}
	g.vector("output_norm.weight", E, outNorm, 0)
	if !s.Tied {
		g.matrix("output.weight", s.Vocab, E, 1/math.Sqrt(float64(E)))
	}
	if s.Llama3Rope {
		g.add("rope_freqs.weight", []int64{int64(s.HeadDim / 2)}, llama3Freqs(s.HeadDim, s.RopeBase))
	}
	for l := range s.Layers {
		p := fmt.Sprintf("blk.%d.", l)
		g.vector(p+"attn_norm.weight", E, 1, 0.1)
		g.matrix(p+"attn_q.weight", qw, E, 1/math.Sqrt(float64(E)))
		g.matrix(p+"attn_k.weight", kvw, E, 1/math.Sqrt(float64(E)))
		g.matrix(p+"attn_v.weight", kvw, E, 1/math.Sqrt(float64(E)))
		g.matrix(p+"attn_output.weight", E, qw, 1/math.Sqrt(float64(qw)))
		if a == "qwen2" {
			g.vector(p+"attn_q.bias", qw, 0, 0.1)
			g.vector(p+"attn_k.bias", kvw, 0, 0.1)
			g.vector(p+"attn_v.bias", kvw, 0, 0.1)
		}
		if a == "qwen3" {
			g.vector(p+"attn_q_norm.weight", s.HeadDim, 1, 0.1)
			g.vector(p+"attn_k_norm.weight", s.HeadDim, 1, 0.1)
		}
		g.vector(p+"ffn_norm.weight", E, 1, 0.1)
		g.matrix(p+"ffn_gate.weight", s.FFN, E, 1/math.Sqrt(float64(E)))
		g.matrix(p+"ffn_up.weight", s.FFN, E, 1/math.Sqrt(float64(E)))
		g.matrix(p+"ffn_down.weight", E, s.FFN, 1/math.Sqrt(float64(s.FFN)))
	}
	return b, g.err
}

// gen makes seeded uniform random tensors and adds them in their type.
type gen struct {
	rng    *rand.Rand
	b      *gguf.Builder
	ft     quantize.FileType
	layers int
	tied   bool
	err    error
}

// uniform returns a value in [-a, a) from the generator's own bits, so the
// sequence does not depend on the standard library's float conversions.
func (g *gen) uniform(a float64) float32 {
	return float32((float64(g.rng.Uint64()>>11)/(1<<53)*2 - 1) * a)
}

// matrix adds a rows×cols matrix of values uniform in ±scale·√3 (standard
// deviation scale).
func (g *gen) matrix(name string, rows, cols int, scale float64) {
	v := make([]float32, rows*cols)
	a := scale * math.Sqrt(3)
	for i := range v {
		v[i] = g.uniform(a)
	}
	g.add(name, []int64{int64(cols), int64(rows)}, v)
}

// vector adds n values center±spread.
func (g *gen) vector(name string, n int, center, spread float32) {
	v := make([]float32, n)
	for i := range v {
		v[i] = center + g.uniform(float64(spread))
	}
	g.add(name, []int64{int64(n)}, v)
}

func (g *gen) add(name string, dims []int64, v []float32) {
	if g.err != nil {
		return
	}
	typ := quantize.TypeFor(g.ft, name, dims, g.layers, g.tied)
	raw := make([]byte, 4*len(v))
	for i, x := range v {
		u := math.Float32bits(x)
		raw[4*i], raw[4*i+1], raw[4*i+2], raw[4*i+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
	}
	data, err := quantize.Tensor(raw, tensor.F32, typ, dims)
	if err != nil {
		g.err = fmt.Errorf("synth: %s: %w", name, err)
		return
	}
	if err := g.b.AddTensor(name, typ, dims, data); err != nil {
		g.err = fmt.Errorf("synth: %w", err)
	}
}

// llama3Freqs returns Llama 3.1's RoPE frequency divisors (factor 32, low
// and high frequency factors 1 and 4, original context 8192).
func llama3Freqs(headDim int, base float32) []float32 {
	const factor, low, high, orig = 32.0, 1.0, 4.0, 8192.0
	lowWave, highWave := orig/low, orig/high
	out := make([]float32, headDim/2)
	for i := range out {
		freq := 1 / math.Pow(float64(base), float64(2*i)/float64(headDim))
		wave := 2 * math.Pi / freq
		switch {
		case wave < highWave:
			out[i] = 1
		case wave > lowWave:
			out[i] = factor
		default:
			smooth := (orig/wave - low) / (high - low)
			out[i] = float32(1 / ((1-smooth)/factor + smooth))
		}
	}
	return out
}

// padTokens extends the vocabulary to n entries with unused [PADi] tokens,
// as converters do when the embedding is larger than the tokenizer.
func padTokens(b *gguf.Builder, vocab *gguf.File, n int) {
	tokens, _ := vocab.Strings("tokenizer.ggml.tokens")
	tokens = slices.Clone(tokens)
	types, _ := vocab.Int32s("tokenizer.ggml.token_type")
	types = slices.Clone(types)
	scores, hasScores := vocab.Float32s("tokenizer.ggml.scores")
	scores = slices.Clone(scores)
	for i := len(tokens); i < n; i++ {
		tokens = append(tokens, fmt.Sprintf("[PAD%d]", i))
		types = append(types, 5) // unused
		scores = append(scores, 0)
	}
	b.Set("tokenizer.ggml.tokens", tokens)
	if len(types) == n {
		b.Set("tokenizer.ggml.token_type", types)
	}
	if hasScores {
		b.Set("tokenizer.ggml.scores", scores)
	}
}

// Package model turns a GGUF file into a runnable decoder-only transformer:
// its hyperparameters, its weights (mapped, never copied), the forward pass
// and the registry of architectures. Each architecture lives in its own
// package under model/ and registers itself by name.
package model

import (
	"fmt"
	"slices"

	"github.com/atelier-dev/atelier/internal/gguf"
)

// Builder builds the decoder of one architecture from a file's weights.
type Builder func(l *Loader, c Config) (*Decoder, error)

// registry maps architecture names to builders. It is written only by
// Register, from the architecture packages' init functions.
var registry = map[string]Builder{}

// Register makes an architecture available under name (the GGUF
// general.architecture value). It panics if the name is taken.
func Register(name string, b Builder) {
	if _, dup := registry[name]; dup {
		panic("model: architecture registered twice: " + name)
	}
	registry[name] = b
}

// Architectures returns the registered architecture names, sorted.
func Architectures() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Load builds the decoder for f's architecture. Every reason the engine
// cannot run the file is one error wrapping ErrUnsupported. When f's data
// is the process's own memory (gguf.OpenResident, OpenReadAll), Load lays
// out some weights anew for the kernels and seals f: f's tensors must not
// be read from it afterwards as the file's bytes.
func Load(f *gguf.File) (*Decoder, error) {
	if f.Modified() {
		// An earlier Load rearranged the weights in f's memory.
		return nil, fmt.Errorf("model: %s: the file's weights were laid out anew by an earlier Load; open the file again", f.Path)
	}
	arch := f.Architecture()
	b, ok := registry[arch]
	if !ok {
		if arch == "" {
			return nil, fmt.Errorf("%w: the file names no architecture (general.architecture)", ErrUnsupported)
		}
		return nil, fmt.Errorf("%w: unknown architecture %q (supported: %v)", ErrUnsupported, arch, Architectures())
	}
	c, err := ReadConfig(f, arch)
	if err != nil {
		return nil, err
	}
	if tokens, ok := f.Lookup("tokenizer.ggml.tokens"); ok && tokens.Len() != c.Vocab {
		return nil, fmt.Errorf("%w: the vocabulary has %d tokens but the embedding has %d rows", ErrUnsupported, tokens.Len(), c.Vocab)
	}
	l := NewLoader(f)
	d, err := b(l, c)
	if err != nil {
		return nil, err
	}
	if err := d.Check(); err != nil {
		return nil, err
	}
	if err := l.finish(); err != nil {
		return nil, err
	}
	return d, nil
}

// LoadStandard loads the weights every Llama-family decoder shares, by
// their GGUF names: token_embd, output_norm, output (tied to token_embd when
// absent), rope_freqs (optional), and per block attn_norm, attn_q/k/v,
// attn_output, ffn_norm, ffn_gate/up/down.
func LoadStandard(l *Loader, c Config) (*Decoder, error) {
	if c.Vocab == 0 {
		return nil, fmt.Errorf("%w: tensor \"token_embd.weight\" missing", ErrUnsupported)
	}
	d := &Decoder{Config: c}
	var err error
	if d.Embed, err = l.Matrix("token_embd.weight", c.Vocab, c.Embd); err != nil {
		return nil, err
	}
	if d.OutNorm, err = l.Vector("output_norm.weight", c.Embd); err != nil {
		return nil, err
	}
	d.Output = d.Embed
	if l.Has("output.weight") {
		if d.Output, err = l.Matrix("output.weight", c.Vocab, c.Embd); err != nil {
			return nil, err
		}
	}
	if l.Has("rope_freqs.weight") {
		if d.RopeFreqs, err = l.Vector("rope_freqs.weight", c.RopeDim/2); err != nil {
			return nil, err
		}
	}
	qw, kvw := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	d.Layers = make([]Layer, c.Layers)
	for i := range d.Layers {
		L := &d.Layers[i]
		p := fmt.Sprintf("blk.%d.", i)
		for _, v := range []struct {
			name string
			dst  *[]float32
		}{{"attn_norm", &L.AttnNorm}, {"ffn_norm", &L.FFNNorm}} {
			if *v.dst, err = l.Vector(p+v.name+".weight", c.Embd); err != nil {
				return nil, err
			}
		}
		for _, m := range []struct {
			name       string
			dst        **Matrix
			rows, cols int
		}{
			{"attn_q", &L.Q, qw, c.Embd},
			{"attn_k", &L.K, kvw, c.Embd},
			{"attn_v", &L.V, kvw, c.Embd},
			{"attn_output", &L.O, c.Embd, qw},
			{"ffn_gate", &L.Gate, c.FFN, c.Embd},
			{"ffn_up", &L.Up, c.FFN, c.Embd},
			{"ffn_down", &L.Down, c.Embd, c.FFN},
		} {
			if *m.dst, err = l.Matrix(p+m.name+".weight", m.rows, m.cols); err != nil {
				return nil, err
			}
		}
	}
	return d, nil
}

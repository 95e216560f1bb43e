package model

import (
	"fmt"

	"github.com/atelier-dev/atelier/internal/gguf"
)

// Config holds the hyperparameters of a decoder-only transformer, read from
// a GGUF file's "{arch}.*" metadata.
type Config struct {
	Arch      string
	Embd      int // width of the residual stream
	Layers    int
	Heads     int // query heads
	KVHeads   int // key/value heads (grouped-query attention when fewer)
	HeadDim   int
	FFN       int // hidden width of the feed-forward block
	Vocab     int
	Context   int // trained context length
	RMSEps    float32
	RopeBase  float32
	RopeDim   int     // dimensions of each head rotated by RoPE
	RopeScale float32 // linear position scaling (1 = none)
}

// ReadConfig reads the common hyperparameters of architecture arch from f.
// The vocabulary size comes from the token embedding's shape.
func ReadConfig(f *gguf.File, arch string) (Config, error) {
	c := Config{Arch: arch, RMSEps: 1e-5, RopeBase: 10000, RopeScale: 1}
	need := func(key string, dst *int) error {
		v, ok := f.Uint(arch + "." + key)
		if !ok || v == 0 || v > 1<<24 {
			return fmt.Errorf("%w: %s.%s missing or out of range", ErrUnsupported, arch, key)
		}
		*dst = int(v)
		return nil
	}
	for _, kv := range []struct {
		key string
		dst *int
	}{
		{"embedding_length", &c.Embd},
		{"block_count", &c.Layers},
		{"feed_forward_length", &c.FFN},
		{"attention.head_count", &c.Heads},
		{"context_length", &c.Context},
	} {
		if err := need(kv.key, kv.dst); err != nil {
			return c, err
		}
	}
	c.KVHeads = c.Heads
	if v, ok := f.Uint(arch + ".attention.head_count_kv"); ok {
		c.KVHeads = int(v)
	}
	if c.KVHeads <= 0 || c.Heads%c.KVHeads != 0 {
		return c, fmt.Errorf("%w: %d query heads cannot share %d key/value heads", ErrUnsupported, c.Heads, c.KVHeads)
	}
	c.HeadDim = c.Embd / c.Heads
	if v, ok := f.Uint(arch + ".attention.key_length"); ok {
		c.HeadDim = int(v)
	}
	if v, ok := f.Uint(arch + ".attention.value_length"); ok && int(v) != c.HeadDim {
		return c, fmt.Errorf("%w: key length %d differs from value length %d", ErrUnsupported, c.HeadDim, v)
	}
	if c.HeadDim <= 0 || c.HeadDim%2 != 0 {
		return c, fmt.Errorf("%w: head size %d", ErrUnsupported, c.HeadDim)
	}
	if v, ok := f.Float(arch + ".attention.layer_norm_rms_epsilon"); ok {
		c.RMSEps = float32(v)
	}
	if v, ok := f.Float(arch + ".rope.freq_base"); ok {
		c.RopeBase = float32(v)
	}
	c.RopeDim = c.HeadDim
	if v, ok := f.Uint(arch + ".rope.dimension_count"); ok {
		c.RopeDim = int(v)
	}
	if c.RopeDim <= 0 || c.RopeDim > c.HeadDim || c.RopeDim%2 != 0 {
		return c, fmt.Errorf("%w: RoPE over %d of %d dimensions", ErrUnsupported, c.RopeDim, c.HeadDim)
	}
	if typ, ok := f.String(arch + ".rope.scaling.type"); ok && typ != "none" {
		factor, _ := f.Float(arch + ".rope.scaling.factor")
		switch {
		case typ == "linear" && factor > 0:
			c.RopeScale = float32(1 / factor)
		case typ == "linear":
		default:
			return c, fmt.Errorf("%w: RoPE scaling %q", ErrUnsupported, typ)
		}
	}
	if t, ok := f.Tensor("token_embd.weight"); ok && len(t.Dims) == 2 {
		c.Vocab = int(t.Dims[1])
	}
	return c, nil
}

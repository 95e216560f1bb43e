// Package qwen3 registers the Qwen3 architecture (dense Qwen3 models).
//
// Qwen3 drops Qwen2's projection biases and instead normalises each query
// and key head with its own RMSNorm before RoPE (QK-norm), which keeps
// attention logits in range; RoPE uses the GPT-NeoX pair layout. Heads may
// be wider than embedding/heads (key_length in the file).
package qwen3

import (
	"fmt"

	"github.com/atelier-dev/atelier/internal/model"
)

func init() { model.Register("qwen3", Build) }

// Build builds a Qwen3 decoder from the file's weights.
func Build(l *model.Loader, c model.Config) (*model.Decoder, error) {
	d, err := model.LoadStandard(l, c)
	if err != nil {
		return nil, err
	}
	d.RopeNeox = true
	for i := range d.Layers {
		L := &d.Layers[i]
		p := fmt.Sprintf("blk.%d.", i)
		if L.QNorm, err = l.Vector(p+"attn_q_norm.weight", c.HeadDim); err != nil {
			return nil, err
		}
		if L.KNorm, err = l.Vector(p+"attn_k_norm.weight", c.HeadDim); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Package qwen2 registers the Qwen2 architecture (Qwen2, Qwen2.5,
// Qwen2.5-Coder).
//
// Qwen2 is the Llama block with two differences: the query, key and value
// projections carry biases, and RoPE rotates the dimension pairs (i, i+d/2)
// (the GPT-NeoX layout) rather than adjacent ones. Small models tie the
// output projection to the token embeddings.
package qwen2

import (
	"fmt"

	"github.com/atelier-dev/atelier/internal/model"
)

func init() { model.Register("qwen2", Build) }

// Build builds a Qwen2 decoder from the file's weights.
func Build(l *model.Loader, c model.Config) (*model.Decoder, error) {
	d, err := model.LoadStandard(l, c)
	if err != nil {
		return nil, err
	}
	d.RopeNeox = true
	qw, kvw := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	for i := range d.Layers {
		L := &d.Layers[i]
		p := fmt.Sprintf("blk.%d.", i)
		if L.QBias, err = l.Vector(p+"attn_q.bias", qw); err != nil {
			return nil, err
		}
		if L.KBias, err = l.Vector(p+"attn_k.bias", kvw); err != nil {
			return nil, err
		}
		if L.VBias, err = l.Vector(p+"attn_v.bias", kvw); err != nil {
			return nil, err
		}
	}
	return d, nil
}

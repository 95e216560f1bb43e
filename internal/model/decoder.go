package model

import (
	"fmt"

	"github.com/atelier-dev/atelier/internal/kernels"
)

// Layer holds the weights of one transformer block: pre-norm grouped-query
// attention with rotary position embeddings, then a pre-norm SwiGLU
// feed-forward network, each added to the residual stream.
type Layer struct {
	AttnNorm            []float32
	Q, K, V, O          *Matrix
	QBias, KBias, VBias []float32 // optional (Qwen2)
	QNorm, KNorm        []float32 // optional per-head RMSNorm of queries and keys (Qwen3)
	FFNNorm             []float32
	Gate, Up, Down      *Matrix
}

// Decoder is a decoder-only transformer of the Llama family. The
// architecture packages build one from a GGUF file's weights.
type Decoder struct {
	Config
	Embed   *Matrix // token embeddings, Vocab rows of Embd
	Layers  []Layer
	OutNorm []float32
	Output  *Matrix // Vocab rows of Embd; may be Embed itself (tied)
	// RopeNeox rotates dimension pairs (i, i+RopeDim/2) as GPT-NeoX and
	// Qwen do, instead of adjacent pairs (2i, 2i+1) as Llama does.
	RopeNeox bool
	// RopeFreqs, when set, divides each pair's rotation frequency (Llama 3's
	// long-context scaling, stored as rope_freqs.weight).
	RopeFreqs []float32

	pool *Pool
}

// Check verifies that the decoder's weights are complete and consistent.
func (d *Decoder) Check() error {
	c := d.Config
	if d.Embed == nil || d.Output == nil || len(d.OutNorm) != c.Embd || len(d.Layers) != c.Layers {
		return fmt.Errorf("%w: incomplete decoder", ErrUnsupported)
	}
	if d.Output.Rows != c.Vocab || d.Embed.Rows != c.Vocab {
		return fmt.Errorf("%w: output has %d rows for a vocabulary of %d", ErrUnsupported, d.Output.Rows, c.Vocab)
	}
	if d.RopeFreqs != nil && len(d.RopeFreqs) != c.RopeDim/2 {
		return fmt.Errorf("%w: rope_freqs has %d values, want %d", ErrUnsupported, len(d.RopeFreqs), c.RopeDim/2)
	}
	return nil
}

// SetThreads sets the worker pool the decoder computes with.
func (d *Decoder) SetThreads(n int) {
	if d.pool != nil {
		d.pool.Close()
	}
	d.pool = NewPool(n)
}

// Close releases the worker pool.
func (d *Decoder) Close() {
	if d.pool != nil {
		d.pool.Close()
		d.pool = nil
	}
}

// Forward runs tokens through the model at the positions following those
// already in seq's cache, stores their keys and values there, and writes the
// next-token logits of the last token into logits (len Vocab). It allocates
// nothing.
func (d *Decoder) Forward(seq *Sequence, tokens []int32, logits []float32) error {
	if d.pool == nil {
		d.SetThreads(0)
	}
	c := d.Config
	if len(logits) != c.Vocab {
		panic(fmt.Sprintf("model: logits of %d for a vocabulary of %d", len(logits), c.Vocab))
	}
	for len(tokens) > 0 {
		n := min(len(tokens), seq.batch)
		if err := d.forwardBatch(seq, tokens[:n]); err != nil {
			return err
		}
		tokens = tokens[n:]
	}
	// Logits of the last token only.
	last := seq.last
	kernels.RMSNorm(seq.xn[:c.Embd], seq.x[last*c.Embd:(last+1)*c.Embd], d.OutNorm, c.RMSEps)
	seq.matmul(d.pool, 1, seq.xn[:c.Embd], matOut{d.Output, logits})
	return nil
}

func (d *Decoder) forwardBatch(seq *Sequence, tokens []int32) error {
	c := d.Config
	n := len(tokens)
	pos := seq.cache.Len()
	if pos+n > seq.cache.Capacity() {
		return fmt.Errorf("%w: %d positions exceed the context of %d", ErrContextFull, pos+n, seq.cache.Capacity())
	}
	for i, t := range tokens {
		if t < 0 || int(t) >= c.Vocab {
			return fmt.Errorf("model: token %d outside the vocabulary of %d", t, c.Vocab)
		}
		d.embed(seq.x[i*c.Embd:(i+1)*c.Embd], t, seq.row)
	}
	seq.rope.prepare(d, pos, n)
	E, qw, kvw := c.Embd, c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	for l := range d.Layers {
		L := &d.Layers[l]
		// Attention.
		for i := range n {
			kernels.RMSNorm(seq.xn[i*E:(i+1)*E], seq.x[i*E:(i+1)*E], L.AttnNorm, c.RMSEps)
		}
		seq.matmul(d.pool, n, seq.xn[:n*E],
			matOut{L.Q, seq.q[:n*qw]}, matOut{L.K, seq.k[:n*kvw]}, matOut{L.V, seq.v[:n*kvw]})
		for i := range n {
			q, k, v := seq.q[i*qw:(i+1)*qw], seq.k[i*kvw:(i+1)*kvw], seq.v[i*kvw:(i+1)*kvw]
			if L.QBias != nil {
				kernels.Add(q, q, L.QBias)
				kernels.Add(k, k, L.KBias)
				kernels.Add(v, v, L.VBias)
			}
			if L.QNorm != nil {
				headNorm(q, L.QNorm, c.HeadDim, c.RMSEps)
				headNorm(k, L.KNorm, c.HeadDim, c.RMSEps)
			}
			seq.rope.apply(q, i, c.HeadDim)
			seq.rope.apply(k, i, c.HeadDim)
			seq.cache.Store(l, pos+i, k, v)
		}
		seq.attention(d.pool, l, pos, n)
		seq.matmul(d.pool, n, seq.att[:n*qw], matOut{L.O, seq.xn[:n*E]})
		if l == len(d.Layers)-1 && n > 1 {
			// As llama.cpp (inp_out_ids): after the output projection the
			// last layer goes on with the token whose logits are wanted, so
			// its feed-forward multiplies one token, in the one-token order.
			copy(seq.xn[:E], seq.xn[(n-1)*E:n*E])
			copy(seq.x[:E], seq.x[(n-1)*E:n*E])
			n = 1
		}
		kernels.Add(seq.x[:n*E], seq.x[:n*E], seq.xn[:n*E])
		// Feed-forward.
		for i := range n {
			kernels.RMSNorm(seq.xn[i*E:(i+1)*E], seq.x[i*E:(i+1)*E], L.FFNNorm, c.RMSEps)
		}
		F := c.FFN
		seq.matmul(d.pool, n, seq.xn[:n*E], matOut{L.Gate, seq.gate[:n*F]}, matOut{L.Up, seq.up[:n*F]})
		seq.swiglu(d.pool, n, F)
		seq.matmul(d.pool, n, seq.gate[:n*F], matOut{L.Down, seq.xn[:n*E]})
		kernels.Add(seq.x[:n*E], seq.x[:n*E], seq.xn[:n*E])
	}
	seq.cache.SetLen(pos + len(tokens))
	seq.last = n - 1
	return nil
}

// embed writes the embedding of token t into dst (buf holds a row of
// interleaved embeddings).
func (d *Decoder) embed(dst []float32, t int32, buf []byte) {
	if err := dequantize(d.Embed, dst, int(t), buf); err != nil {
		panic(err) // the type was checked at load
	}
}

// headNorm applies RMSNorm with weight w to each head of x separately.
func headNorm(x, w []float32, headDim int, eps float32) {
	for h := 0; h < len(x); h += headDim {
		kernels.RMSNorm(x[h:h+headDim], x[h:h+headDim], w, eps)
	}
}

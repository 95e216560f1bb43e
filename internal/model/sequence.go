package model

import (
	"errors"
	"math"
	"unsafe"

	"github.com/atelier-dev/atelier/internal/kernels"
	"github.com/atelier-dev/atelier/internal/kvcache"
	"github.com/atelier-dev/atelier/internal/tensor"
)

// ErrContextFull is returned when a sequence has no room left in its cache.
var ErrContextFull = errors.New("model: context full")

// MaxBatch is the largest number of prompt tokens computed in one pass over
// the weights.
const MaxBatch = 256

// Sequence is one conversation's state: its KV cache and the scratch buffers
// of the forward pass, allocated once so that generating allocates nothing.
type Sequence struct {
	cache *kvcache.Cache
	batch int
	last  int // index in the last batch of the token whose logits are wanted

	x, xn, q, k, v, att, gate, up []float32
	row                           []byte // a row of the embeddings, when interleaved
	acts                          activations
	rope                          ropeTable
	mm                            matmulTask
	at                            attentionTask
	sw                            swigluTask
}

// NewSequence returns a sequence that can hold capacity positions.
func (d *Decoder) NewSequence(capacity int) *Sequence {
	c := d.Config
	b := min(MaxBatch, capacity)
	s := &Sequence{
		cache: kvcache.New(c.Layers, capacity, c.KVHeads, c.HeadDim),
		batch: b,
		x:     make([]float32, b*c.Embd),
		xn:    make([]float32, b*max(c.Embd, c.Heads*c.HeadDim)),
		q:     make([]float32, b*c.Heads*c.HeadDim),
		k:     make([]float32, b*c.KVHeads*c.HeadDim),
		v:     make([]float32, b*c.KVHeads*c.HeadDim),
		att:   make([]float32, b*c.Heads*c.HeadDim),
		gate:  make([]float32, b*c.FFN),
		up:    make([]float32, b*c.FFN),
	}
	if d.Embed != nil && d.Embed.interleaved {
		s.row = make([]byte, d.Embed.RowBytes())
	}
	s.rope.init(b, c.RopeDim/2)
	threads := 1
	if d.pool != nil {
		threads = d.pool.Size()
	}
	s.at.init(s, c, capacity, max(threads, 8))
	return s
}

// Cache returns the sequence's KV cache.
func (s *Sequence) Cache() *kvcache.Cache { return s.cache }

// Len returns the number of positions the sequence holds.
func (s *Sequence) Len() int { return s.cache.Len() }

// Truncate forgets the positions from n on.
func (s *Sequence) Truncate(n int) { s.cache.Truncate(n) }

// ropeTable holds cos and sin of each position's rotation angles for one
// batch, computed once per batch rather than once per layer.
type ropeTable struct {
	pairs    int
	neox     bool
	cos, sin []float32 // batch × pairs
}

func (r *ropeTable) init(batch, pairs int) {
	r.pairs = pairs
	r.cos = make([]float32, batch*pairs)
	r.sin = make([]float32, batch*pairs)
}

// prepare computes the angles of positions pos..pos+n-1 as ggml does: the
// frequency of pair j is base^(-2j/dim), accumulated in float32.
func (r *ropeTable) prepare(d *Decoder, pos, n int) {
	c := d.Config
	r.neox = d.RopeNeox
	step := float32(math.Pow(float64(c.RopeBase), -2/float64(c.RopeDim)))
	for i := range n {
		theta := float32(pos + i)
		for j := range r.pairs {
			th := theta
			if d.RopeFreqs != nil {
				th /= d.RopeFreqs[j]
			}
			th *= c.RopeScale
			// glibc's sincosf, as ggml's rope cache calls it.
			r.sin[i*r.pairs+j], r.cos[i*r.pairs+j] = kernels.SinCosF32(th)
			theta *= step
		}
	}
}

// apply rotates each head of x (token i of the batch) in place.
func (r *ropeTable) apply(x []float32, i, headDim int) {
	cos := r.cos[i*r.pairs : (i+1)*r.pairs]
	sin := r.sin[i*r.pairs : (i+1)*r.pairs]
	for h := 0; h < len(x); h += headDim {
		head := x[h : h+headDim]
		for j := range r.pairs {
			a, b := 2*j, 2*j+1
			if r.neox {
				a, b = j, j+r.pairs
			}
			x0, x1 := head[a], head[b]
			// ggml's rope, compiled with floating-point contraction:
			// each product with x0 is fused with the sum.
			head[a] = kernels.FMA32(x0, cos[j], -(x1 * sin[j]))
			head[b] = kernels.FMA32(x0, sin[j], x1*cos[j])
		}
	}
}

// dequantize writes row r of m into dst as float32.
func dequantize(m *Matrix, dst []float32, r int, buf []byte) error {
	return tensor.Dequantize(m.Type, dst, m.rowInto(buf, r))
}

// bytesOf16 views halves as little-endian bytes (every platform Go's
// assembly kernels target is little-endian).
func bytesOf16(h []uint16) []byte {
	if len(h) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&h[0])), 2*len(h))
}

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
	acts                          activations
	rope                          ropeTable
	mm                            matmulTask
	at                            attentionTask
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

// matOut is one matrix of a matmul and where its output goes.
type matOut struct {
	m   *Matrix
	out []float32
}

// activations are the input rows of a matmul converted once to the type the
// weights' dot products take, per type (a mixed file may need two).
type activations struct {
	src   []float32
	typ   [2]tensor.Type
	buf   [2][]byte
	valid [2]bool
}

func (a *activations) reset(src []float32) {
	a.src = src
	a.valid = [2]bool{}
}

// get returns the activations as n rows of cols elements in type t.
func (a *activations) get(t tensor.Type, n, cols int) (rows []byte, stride int) {
	rb, _ := t.RowBytes(int64(cols))
	stride = int(rb)
	slot := 0
	switch {
	case a.valid[0] && a.typ[0] == t:
		return a.buf[0][:n*stride], stride
	case a.valid[1] && a.typ[1] == t:
		return a.buf[1][:n*stride], stride
	case a.valid[0]:
		slot = 1
	}
	if cap(a.buf[slot]) < n*stride {
		a.buf[slot] = make([]byte, n*stride)
	}
	buf := a.buf[slot][:n*stride]
	for i := range n {
		if err := tensor.QuantizeActivations(t, buf[i*stride:(i+1)*stride], a.src[i*cols:(i+1)*cols]); err != nil {
			panic(err) // the type was checked at load
		}
	}
	a.typ[slot], a.valid[slot] = t, true
	return buf, stride
}

// matmulTask computes up to three matrices against the same n input rows;
// the output rows of all of them are split over the workers.
type matmulTask struct {
	n, count int
	mats     [3]matOut
	xs       [3][]byte
	strides  [3]int
	total    int
}

// matmul computes out = m · x for each matrix, for n input rows of x.
func (s *Sequence) matmul(p *Pool, n int, x []float32, mats ...matOut) {
	t := &s.mm
	s.acts.reset(x)
	t.n, t.count, t.total = n, len(mats), 0
	cols := len(x) / n
	for i, m := range mats {
		if m.m.Cols != cols {
			panic("model: matmul shape mismatch " + m.m.Name)
		}
		t.mats[i] = m
		t.xs[i], t.strides[i] = s.acts.get(tensor.DotType(m.m.Type), n, cols)
		t.total += m.m.Rows
	}
	p.Run(t)
}

func (t *matmulTask) Run(part, parts int) {
	lo, hi := Split(t.total, part, parts, 8)
	base := 0
	for j := 0; j < t.count && lo < hi; j++ {
		m := t.mats[j].m
		out := t.mats[j].out
		if lo >= base+m.Rows {
			base += m.Rows
			continue
		}
		r0, r1 := lo-base, min(hi-base, m.Rows)
		x, stride := t.xs[j], t.strides[j]
		for r := r0; r < r1; r++ {
			w := m.Row(r)
			for i := range t.n {
				out[i*m.Rows+r] = tensor.Dot(m.Type, m.Cols, w, x[i*stride:(i+1)*stride])
			}
		}
		lo = base + r1
		base += m.Rows
	}
}

// attentionTask computes causal attention for n new tokens over the cache,
// split over (token, head) pairs.
type attentionTask struct {
	s             *Sequence
	c             Config
	layer, pos, n int
	scale         float32
	scores        [][]float32 // per part
	q16           [][]uint16  // per part: a query rounded to F16
	acc16         [][]uint16  // per part: the attention output accumulator
}

func (a *attentionTask) init(s *Sequence, c Config, capacity, parts int) {
	a.s, a.c = s, c
	a.scale = float32(1 / math.Sqrt(float64(c.HeadDim)))
	a.scores = make([][]float32, parts)
	a.q16 = make([][]uint16, parts)
	a.acc16 = make([][]uint16, parts)
	for i := range parts {
		a.scores[i] = make([]float32, capacity)
		a.q16[i] = make([]uint16, c.HeadDim)
		a.acc16[i] = make([]uint16, c.HeadDim)
	}
}

func (s *Sequence) attention(p *Pool, layer, pos, n int) {
	if p.Size() > len(s.at.scores) {
		s.at.init(s, s.at.c, s.cache.Capacity(), p.Size())
	}
	s.at.layer, s.at.pos, s.at.n = layer, pos, n
	p.Run(&s.at)
}

func (a *attentionTask) Run(part, parts int) {
	c := a.c
	hd := c.HeadDim
	group := c.Heads / c.KVHeads
	width := a.s.cache.Width()
	lo, hi := Split(a.n*c.Heads, part, parts, 1)
	scores, q16 := a.scores[part], a.q16[part]
	qb := bytesOf16(q16)
	for idx := lo; idx < hi; idx++ {
		i, h := idx/c.Heads, idx%c.Heads
		kvh := h / group
		T := a.pos + i + 1 // causal: positions 0..pos+i
		keys := a.s.cache.Keys(a.layer, T)
		vals := a.s.cache.Values(a.layer, T)
		q := a.s.q[(i*c.Heads+h)*hd : (i*c.Heads+h+1)*hd]
		for j, x := range q {
			q16[j] = kernels.F32ToF16(x)
		}
		sc := scores[:T]
		for t := range T {
			k := keys[t*width+kvh*hd : t*width+(kvh+1)*hd]
			sc[t] = tensor.Dot(tensor.F16, hd, bytesOf16(k), qb) * a.scale
		}
		out := a.s.att[(i*c.Heads+h)*hd : (i*c.Heads+h+1)*hd]
		// Online softmax with an F16 accumulator, as llama.cpp's CPU flash
		// attention does.
		acc := a.acc16[part][:hd]
		clear(acc)
		var sum float32
		m := float32(math.Inf(-1))
		for t, s := range sc {
			v := vals[t*width+kvh*hd : t*width+(kvh+1)*hd]
			ms, vs := float32(1), float32(1)
			if s > m {
				mold := m
				m = s
				ms = float32(math.Exp(float64(mold - m)))
				for j := range acc {
					acc[j] = kernels.F32ToF16(kernels.F16ToF32(acc[j]) * ms)
				}
			} else {
				vs = float32(math.Exp(float64(s - m)))
			}
			for j := range acc {
				acc[j] = kernels.F32ToF16(float32(math.FMA(float64(kernels.F16ToF32(v[j])), float64(vs), float64(kernels.F16ToF32(acc[j])))))
			}
			sum = sum*ms + vs
		}
		inv := 1 / sum
		for j := range out {
			out[j] = kernels.F16ToF32(acc[j]) * inv
		}
	}
}

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
			r.cos[i*r.pairs+j] = float32(math.Cos(float64(th)))
			r.sin[i*r.pairs+j] = float32(math.Sin(float64(th)))
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
			head[a] = x0*cos[j] - x1*sin[j]
			head[b] = x0*sin[j] + x1*cos[j]
		}
	}
}

// dequantize writes row r of m into dst as float32.
func dequantize(m *Matrix, dst []float32, r int) error {
	return tensor.Dequantize(m.Type, dst, m.Row(r))
}

// bytesOf16 views halves as little-endian bytes (every platform Go's
// assembly kernels target is little-endian).
func bytesOf16(h []uint16) []byte {
	if len(h) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&h[0])), 2*len(h))
}

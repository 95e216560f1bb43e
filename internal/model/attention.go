package model

import (
	"math"
	"sync/atomic"

	"github.com/atelier-dev/atelier/internal/kernels"
)

// attentionBlock is the number of positions whose scores a worker computes
// at a time: the block's keys and values stay in the core's first-level
// cache while all the group's heads use them.
const attentionBlock = 128

// attentionTask computes causal attention for n new tokens over the cache
// (batches of 64 tokens or more go to the tiled kernel). The query heads
// that share a KV head are handled together (a group), reading each key
// and value once for all of them, while each head's arithmetic is that of
// llama.cpp's one-query flash attention
// (ggml_compute_forward_flash_attn_ext_f16_one_chunk) for that head alone.
// The workers claim work items: a (token, group) pair, or, for one token
// whose view of the cache llama.cpp splits over its threads, a (group,
// chunk of positions) pair whose partial results are combined afterwards.
type attentionTask struct {
	s             *Sequence
	c             Config
	layer, pos, n int
	scale         float32
	next          atomic.Int64

	// The work items of this run.
	items, pieces, pieceHeads int // pieces of a group of heads, heads per piece
	chunk, chunks             int // positions per chunk and chunks (split)

	// Per part (worker): a block's scores and weights (heads×block), the
	// group's queries rounded to F16 and widened, the group's F16
	// accumulators, and each head's largest score and sum.
	scores, ms, vs [][]float32
	qf             [][]float32
	acc16          [][]uint16
	gm, gsum       [][]float32

	// Per (head, chunk) of a split: each chunk's accumulator, largest
	// score and sum.
	pacc     []uint16
	pm, psum []float32
	comb     combineTask
	tiled    tiledAttention // batches of 64 tokens or more
}

// init sizes the buffers for pools of up to parts workers (the cache's
// capacity no longer matters: positions go in blocks).
func (a *attentionTask) init(s *Sequence, c Config, _, parts int) {
	a.s, a.c = s, c
	a.comb.a = a
	a.scale = 1 / float32(math.Sqrt(float64(c.HeadDim))) // 1.0f/sqrtf(n_embd_head), as llama.cpp
	group := c.Heads / c.KVHeads
	a.scores = make([][]float32, parts)
	a.ms = make([][]float32, parts)
	a.vs = make([][]float32, parts)
	a.qf = make([][]float32, parts)
	a.acc16 = make([][]uint16, parts)
	a.gm = make([][]float32, parts)
	a.gsum = make([][]float32, parts)
	for i := range parts {
		a.scores[i] = make([]float32, group*attentionBlock)
		a.ms[i] = make([]float32, group*attentionBlock)
		a.vs[i] = make([]float32, group*attentionBlock)
		a.qf[i] = make([]float32, group*c.HeadDim)
		a.acc16[i] = make([]uint16, group*c.HeadDim)
		a.gm[i] = make([]float32, group)
		a.gsum[i] = make([]float32, group)
	}
	a.pacc = make([]uint16, c.Heads*parts*c.HeadDim)
	a.pm = make([]float32, c.Heads*parts)
	a.psum = make([]float32, c.Heads*parts)
}

func (s *Sequence) attention(p *Pool, layer, pos, n int) {
	if useTiled(n, s.at.c.HeadDim) {
		s.at.tiled.run(p, s, s.at.c, layer, pos, n)
		return
	}
	a := &s.at
	parts := p.Size()
	if parts > len(a.scores) {
		a.init(s, a.c, s.cache.Capacity(), parts)
	}
	a.layer, a.pos, a.n = layer, pos, n
	c := a.c
	group := c.Heads / c.KVHeads
	a.chunks = 0
	if T := pos + 1; n == 1 {
		if view := kvView(T, s.cache.Capacity()); view >= splitKV {
			// llama.cpp cuts its view of the cache into one chunk per
			// thread; the chunks past the last position are masked.
			a.chunk = (view + parts - 1) / parts
			a.chunks = (T + a.chunk - 1) / a.chunk
			a.items = c.KVHeads * a.chunks
		}
	}
	if a.chunks == 0 {
		// A piece of a group per item; more than one piece per group when
		// the groups alone would leave workers idle.
		a.pieces = 1
		if units := n * c.KVHeads; units < parts {
			a.pieces = min(group, (parts+units-1)/units)
		}
		a.pieceHeads = (group + a.pieces - 1) / a.pieces
		a.pieces = (group + a.pieceHeads - 1) / a.pieceHeads
		a.items = n * c.KVHeads * a.pieces
	}
	a.next.Store(0)
	p.Run(a)
	if a.chunks > 0 {
		a.comb.next.Store(0)
		p.Run(&a.comb)
	}
}

func (a *attentionTask) Run(part, _ int) {
	c := a.c
	hd := c.HeadDim
	group := c.Heads / c.KVHeads
	for {
		idx := int(a.next.Add(1)) - 1
		if idx >= a.items {
			return
		}
		if a.chunks > 0 {
			g, ch := idx/a.chunks, idx%a.chunks
			lo := ch * a.chunk
			hi := min(lo+a.chunk, a.pos+1)
			h0 := g * group
			acc := a.online(part, 0, h0, group, lo, hi)
			parts := len(a.pm) / c.Heads
			for j := range group {
				k := (h0+j)*parts + ch
				a.pm[k], a.psum[k] = a.gm[part][j], a.gsum[part][j]
				copy(a.pacc[k*hd:(k+1)*hd], acc[j*hd:(j+1)*hd])
			}
			continue
		}
		i, rest := idx/(c.KVHeads*a.pieces), idx%(c.KVHeads*a.pieces)
		h0 := rest/a.pieces*group + rest%a.pieces*a.pieceHeads
		hn := min(a.pieceHeads, group-rest%a.pieces*a.pieceHeads)
		acc := a.online(part, i, h0, hn, 0, a.pos+i+1) // causal: positions 0..pos+i
		for j := range hn {
			inv := 1 / a.gsum[part][j]
			out := a.s.att[(i*c.Heads+h0+j)*hd : (i*c.Heads+h0+j+1)*hd]
			for d := range out {
				out[d] = kernels.F16ToF32(acc[j*hd+d]) * inv
			}
		}
	}
}

// online runs, for the hn query heads h0.. of token i (all of one KV
// head), the online softmax over positions lo..hi-1 with an F16
// accumulator per head, as llama.cpp's one-query flash attention does for
// each head: a position's score (the F16 query's dot product with the key,
// scaled), then on a new largest score a rescale of the accumulator by
// e^(old-new) with weight 1, otherwise the weight e^(score-largest), and
// the accumulator's update by the weighted value (kernels.AttendF16). It
// goes a block of positions at a time: the block's scores for all the
// heads (kernels.DotRowsF16Group), their exponentials
// (kernels.Expfs), then the value updates (kernels.AttendF16Group); each
// head's operations are in the same order as when it is computed alone.
// It returns the accumulators and leaves each head's largest score and
// sum of weights in a.gm and a.gsum.
func (a *attentionTask) online(part, i, h0, hn, lo, hi int) []uint16 {
	c := a.c
	hd := c.HeadDim
	kvh := h0 / (c.Heads / c.KVHeads)
	width := a.s.cache.Width()
	keys := a.s.cache.Keys(a.layer, hi)
	vals := a.s.cache.Values(a.layer, hi)
	qf := a.qf[part][:hn*hd]
	for j, x := range a.s.q[(i*c.Heads+h0)*hd : (i*c.Heads+h0+hn)*hd] {
		qf[j] = kernels.F16ToF32(kernels.F32ToF16(x))
	}
	acc := a.acc16[part][:hn*hd]
	clear(acc)
	gm, gsum := a.gm[part][:hn], a.gsum[part][:hn]
	for j := range hn {
		gm[j], gsum[j] = float32(math.Inf(-1)), 0
	}
	for b := lo; b < hi; b += attentionBlock {
		L := min(attentionBlock, hi-b)
		sc := a.scores[part][:hn*L]
		kernels.DotRowsF16Group(sc, bytesOf16(keys[b*width+kvh*hd:]), 2*width, qf, hd, hn)
		ms, vs := a.ms[part][:hn*L], a.vs[part][:hn*L]
		// The exponentials' arguments first (sc's own place), in a row;
		// on a new largest score mold - m is the rescale's, marked in ms.
		for j := range hn {
			m := gm[j]
			for t, s := range sc[j*L : (j+1)*L] {
				s *= a.scale
				if s > m {
					sc[j*L+t], ms[j*L+t] = m-s, 0
					m = s
				} else {
					sc[j*L+t], ms[j*L+t] = s-m, 1
				}
			}
			gm[j] = m
		}
		kernels.Expfs(vs, sc)
		for j := range hn {
			sum := gsum[j]
			for t, e := range vs[j*L : (j+1)*L] {
				msv, vsv := float32(1), e
				if ms[j*L+t] == 0 {
					msv, vsv = e, 1
				}
				ms[j*L+t], vs[j*L+t] = msv, vsv
				sum = sum*msv + vsv
			}
			gsum[j] = sum
		}
		kernels.AttendF16Group(acc, vals[b*width+kvh*hd:(b+L-1)*width+(kvh+1)*hd], width, ms, vs, hn)
	}
	return acc
}

// splitKV is the length of llama.cpp's view of the cache from which it
// splits one query's attention over its threads.
const splitKV = 512

// kvView returns the number of cache positions llama.cpp's attention sees
// when T are in use: T rounded up to a multiple of 256 (at least 256), at
// most the cache's capacity (llama.cpp's context, rounded likewise).
func kvView(T, capacity int) int {
	const pad = 256
	return min((capacity+pad-1)/pad*pad, max(pad, (T+pad-1)/pad*pad))
}

// combine finishes head h of a split one-token attention as llama.cpp does when its
// view of the cache holds splitKV positions or more: the view was cut into
// one chunk per thread (the pool's size, stands for llama.cpp's
// thread count), each chunk's online softmax run with its own F16
// accumulator (positions past the cache's end are masked, chunks wholly
// past it left out); each head's chunks are combined here in order
// (ggml_flash_attn_ext_reduce_partials, whose products llama.cpp's
// compiler fuses as FMA32 does). The workers share the heads
// (combineTask).
func (a *attentionTask) combine(h int) {
	c := a.c
	hd := c.HeadDim
	stride := len(a.pm) / c.Heads
	out := a.s.att[h*hd : (h+1)*hd]
	mf, sf := float32(math.Inf(-1)), float32(0)
	clear(out)
	for ch := range a.chunks {
		k := h*stride + ch
		m, sum := a.pm[k], a.psum[k]
		if sum == 0 {
			continue
		}
		acc := a.pacc[k*hd : (k+1)*hd]
		mn := max(mf, m)
		so := kernels.Expf(mf - mn)
		sn := kernels.Expf(m - mn)
		for d := range out {
			out[d] = kernels.FMA32(out[d], so, kernels.F16ToF32(acc[d])*sn)
		}
		sf = kernels.FMA32(sf, so, sum*sn)
		mf = mn
	}
	if sf != 0 {
		kernels.Scale(out, 1/sf)
	}
}

// combineTask runs attentionTask.combine for each head, the workers
// claiming heads.
type combineTask struct {
	a    *attentionTask
	next atomic.Int64
}

func (t *combineTask) Run(_, _ int) {
	for {
		h := int(t.next.Add(1)) - 1
		if h >= t.a.c.Heads {
			return
		}
		t.a.combine(h)
	}
}

package model

import (
	"math"
	"sync/atomic"

	"github.com/atelier-dev/atelier/internal/kernels"
)

// attentionTask computes causal attention for n new tokens over the cache;
// the workers claim (token, head) pairs one at a time.
type attentionTask struct {
	s             *Sequence
	c             Config
	layer, pos, n int
	scale         float32
	scores        [][]float32 // per part
	ms, vs        [][]float32 // per part: each position's rescale and weight
	q16           [][]uint16  // per part: a query rounded to F16
	acc16         [][]uint16  // per part: the attention output accumulator
	next          atomic.Int64
	tiled         tiledAttention // batches of 64 tokens or more
}

func (a *attentionTask) init(s *Sequence, c Config, capacity, parts int) {
	a.s, a.c = s, c
	a.scale = 1 / float32(math.Sqrt(float64(c.HeadDim))) // 1.0f/sqrtf(n_embd_head), as llama.cpp
	a.scores = make([][]float32, parts)
	a.ms = make([][]float32, parts)
	a.vs = make([][]float32, parts)
	a.q16 = make([][]uint16, parts)
	a.acc16 = make([][]uint16, parts)
	for i := range parts {
		a.scores[i] = make([]float32, capacity)
		a.ms[i] = make([]float32, capacity)
		a.vs[i] = make([]float32, capacity)
		a.q16[i] = make([]uint16, c.HeadDim)
		a.acc16[i] = make([]uint16, c.HeadDim)
	}
}

func (s *Sequence) attention(p *Pool, layer, pos, n int) {
	if useTiled(n, s.at.c.HeadDim) {
		s.at.tiled.run(p, s, s.at.c, layer, pos, n)
		return
	}
	if p.Size() > len(s.at.scores) {
		s.at.init(s, s.at.c, s.cache.Capacity(), p.Size())
	}
	s.at.layer, s.at.pos, s.at.n = layer, pos, n
	s.at.next.Store(0)
	p.Run(&s.at)
}

func (a *attentionTask) Run(part, parts int) {
	c := a.c
	hd := c.HeadDim
	group := c.Heads / c.KVHeads
	width := a.s.cache.Width()
	scores, q16 := a.scores[part], a.q16[part]
	qb := bytesOf16(q16)
	for {
		idx := int(a.next.Add(1)) - 1
		if idx >= a.n*c.Heads {
			return
		}
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
		kernels.DotRowsF16(sc, bytesOf16(keys[kvh*hd:]), 2*width, qb, hd)
		for t := range sc {
			sc[t] *= a.scale
		}
		out := a.s.att[(i*c.Heads+h)*hd : (i*c.Heads+h+1)*hd]
		acc := a.acc16[part][:hd]
		if view := kvView(T, a.s.cache.Capacity()); a.n == 1 && view >= splitKV {
			a.split(part, parts, out, sc, vals, view, kvh)
			continue
		}
		_, sum := a.online(part, acc, sc, vals, 0, T, kvh)
		inv := 1 / sum
		for j := range out {
			out[j] = kernels.F16ToF32(acc[j]) * inv
		}
	}
}

// online runs the online softmax over positions lo..hi-1 of the scores sc
// with an F16 accumulator acc of the values, as llama.cpp's one-query
// flash attention (ggml_compute_forward_flash_attn_ext_f16_one_chunk)
// does, and returns the largest score and the sum of the exponentials:
// first each position's rescale of the accumulator (on a new largest
// score) and weight, then the updates of acc (kernels.AttendF16).
func (a *attentionTask) online(part int, acc []uint16, sc []float32, vals []uint16, lo, hi, kvh int) (m, sum float32) {
	hd := a.c.HeadDim
	width := a.s.cache.Width()
	ms, vs := a.ms[part][lo:hi], a.vs[part][lo:hi]
	clear(acc)
	m = float32(math.Inf(-1))
	for t, s := range sc[lo:hi] {
		msv, vsv := float32(1), float32(1)
		if s > m {
			mold := m
			m = s
			msv = kernels.Expf(mold - m)
		} else {
			vsv = kernels.Expf(s - m)
		}
		ms[t], vs[t] = msv, vsv
		sum = sum*msv + vsv
	}
	if hi > lo {
		kernels.AttendF16(acc, vals[lo*width+kvh*hd:(hi-1)*width+(kvh+1)*hd], width, ms, vs)
	}
	return m, sum
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

// split computes one query's attention as llama.cpp does for a single
// token when its view of the cache holds splitKV positions or more: the
// view cut into one chunk per thread (parts, the pool's size, stands for
// llama.cpp's thread count), each chunk's online softmax with its own F16
// accumulator (positions past the cache's end are masked), then the chunks
// combined in order (ggml_flash_attn_ext_reduce_partials, whose products
// llama.cpp's compiler fuses as FMA32 does).
func (a *attentionTask) split(part, parts int, out, sc []float32, vals []uint16, view, kvh int) {
	hd := a.c.HeadDim
	acc := a.acc16[part][:hd]
	chunk := (view + parts - 1) / parts
	mf, sf := float32(math.Inf(-1)), float32(0)
	clear(out)
	for lo := 0; lo < view; lo += chunk {
		hi := min(lo+chunk, len(sc))
		if lo >= hi {
			continue // masked entirely: S = 0
		}
		m, sum := a.online(part, acc, sc, vals, lo, hi, kvh)
		if sum == 0 {
			continue
		}
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

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
	q16           [][]uint16  // per part: a query rounded to F16
	acc16         [][]uint16  // per part: the attention output accumulator
	next          atomic.Int64
	tiled         tiledAttention // batches of 64 tokens or more
}

func (a *attentionTask) init(s *Sequence, c Config, capacity, parts int) {
	a.s, a.c = s, c
	a.scale = 1 / float32(math.Sqrt(float64(c.HeadDim))) // 1.0f/sqrtf(n_embd_head), as llama.cpp
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
				kernels.ScaleF16(acc, ms)
			} else {
				vs = float32(math.Exp(float64(s - m)))
			}
			kernels.AccumulateF16(acc, v, vs)
			sum = sum*ms + vs
		}
		inv := 1 / sum
		for j := range out {
			out[j] = kernels.F16ToF32(acc[j]) * inv
		}
	}
}

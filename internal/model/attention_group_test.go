package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/atelier-dev/atelier/internal/kernels"
)

// perHeadAttention is the one-query attention head by head, as llama.cpp
// computes it and as this package did before grouping the heads of a KV
// head: the F16 query's scores over all positions, the online softmax's
// weights, then the value updates (kernels.AttendF16); for one token whose
// view of the cache holds splitKV positions or more, one such pass per
// chunk of the view (threads of them) combined in order.
func perHeadAttention(s *Sequence, threads, layer, pos, n int) []float32 {
	c := s.at.c
	hd, group, width := c.HeadDim, c.Heads/c.KVHeads, s.cache.Width()
	out := make([]float32, n*c.Heads*hd)
	q16 := make([]uint16, hd)
	acc := make([]uint16, hd)
	online := func(sc []float32, vals []uint16, lo, hi, kvh int) (m, sum float32) {
		ms, vs := make([]float32, hi-lo), make([]float32, hi-lo)
		clear(acc)
		m = float32(math.Inf(-1))
		for t, x := range sc[lo:hi] {
			msv, vsv := float32(1), float32(1)
			if x > m {
				mold := m
				m = x
				msv = kernels.Expf(mold - m)
			} else {
				vsv = kernels.Expf(x - m)
			}
			ms[t], vs[t] = msv, vsv
			sum = sum*msv + vsv
		}
		kernels.AttendF16(acc, vals[lo*width+kvh*hd:(hi-1)*width+(kvh+1)*hd], width, ms, vs)
		return m, sum
	}
	for i := range n {
		T := pos + i + 1
		keys, vals := s.cache.Keys(layer, T), s.cache.Values(layer, T)
		for h := range c.Heads {
			kvh := h / group
			for j, x := range s.q[(i*c.Heads+h)*hd : (i*c.Heads+h+1)*hd] {
				q16[j] = kernels.F32ToF16(x)
			}
			sc := make([]float32, T)
			kernels.DotRowsF16(sc, bytesOf16(keys[kvh*hd:]), 2*width, bytesOf16(q16), hd)
			for t := range sc {
				sc[t] *= s.at.scale
			}
			o := out[(i*c.Heads+h)*hd : (i*c.Heads+h+1)*hd]
			if view := kvView(T, s.cache.Capacity()); n == 1 && view >= splitKV {
				chunk := (view + threads - 1) / threads
				mf, sf := float32(math.Inf(-1)), float32(0)
				for lo := 0; lo < T; lo += chunk {
					m, sum := online(sc, vals, lo, min(lo+chunk, T), kvh)
					if sum == 0 {
						continue
					}
					mn := max(mf, m)
					so, sn := kernels.Expf(mf-mn), kernels.Expf(m-mn)
					for d := range o {
						o[d] = kernels.FMA32(o[d], so, kernels.F16ToF32(acc[d])*sn)
					}
					sf = kernels.FMA32(sf, so, sum*sn)
					mf = mn
				}
				if sf != 0 {
					kernels.Scale(o, 1/sf)
				}
				continue
			}
			_, sum := online(sc, vals, 0, T, kvh)
			for d := range o {
				o[d] = kernels.F16ToF32(acc[d]) * (1 / sum)
			}
		}
	}
	return out
}

// TestGroupedAttentionMatchesPerHead checks the grouped one-query
// attention against perHeadAttention bit for bit, for the shapes of
// Qwen2.5-0.5B and 1.5B (and one with a head dimension the group kernels
// leave to the references), single tokens below and above llama.cpp's
// split, small batches, on pools of one to three workers.
func TestGroupedAttentionMatchesPerHead(t *testing.T) {
	for _, sh := range []benchShape{qwen05Attention, qwen15Attention, {"heads-of-40", 6, 3, 40}} {
		for _, c := range []struct{ pos, n int }{{0, 1}, {100, 1}, {255, 1}, {256, 1}, {300, 1}, {700, 1}, {1030, 1}, {5, 3}, {400, 7}} {
			for _, threads := range []int{1, 2, 3} {
				t.Run(fmt.Sprintf("%s/pos=%d/n=%d/threads=%d", sh.name, c.pos, c.n, threads), func(t *testing.T) {
					cfg := Config{Embd: sh.heads * sh.hd, Layers: 1, Heads: sh.heads, KVHeads: sh.kvHeads, HeadDim: sh.hd,
						FFN: 8, Vocab: 8, RopeDim: sh.hd, RopeBase: 1e6, RopeScale: 1, RMSEps: 1e-6}
					d := &Decoder{Config: cfg}
					p := NewPool(threads)
					defer p.Close()
					seq := d.NewSequence(1536)
					r := rand.New(rand.NewPCG(uint64(c.pos), uint64(threads)))
					k := make([]float32, sh.kvHeads*sh.hd)
					v := make([]float32, sh.kvHeads*sh.hd)
					for i := range c.pos + c.n {
						for j := range k {
							k[j], v[j] = float32(2*r.NormFloat64()), float32(r.NormFloat64())
						}
						seq.cache.Store(0, i, k, v)
					}
					for i := range seq.q[:c.n*sh.heads*sh.hd] {
						seq.q[i] = float32(r.NormFloat64())
					}
					seq.attention(p, 0, c.pos, c.n)
					want := perHeadAttention(seq, threads, 0, c.pos, c.n)
					for i, w := range want {
						if got := seq.att[i]; math.Float32bits(got) != math.Float32bits(w) {
							t.Fatalf("token %d head %d element %d: %v, per head %v", i/(sh.heads*sh.hd), i/sh.hd%sh.heads, i%sh.hd, got, w)
						}
					}
				})
			}
		}
	}
}

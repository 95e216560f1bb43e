package model

import (
	"math"
	"sync/atomic"

	"github.com/atelier-dev/atelier/internal/kernels"
)

// The sizes of llama.cpp's tiled flash attention (GGML_FA_TILE_Q and
// GGML_FA_TILE_KV), and the smallest batch it is used for.
const (
	tileQ      = 64
	tileKV     = 64
	tiledBatch = tileQ
)

// useTiled reports whether llama.cpp's CPU backend computes the attention
// of a batch of n queries with its tiled kernel
// (ggml_compute_forward_flash_attn_ext_f16: at least 64 queries and value
// rows a multiple of 8 floats, F32 queries, an F16 cache).
func useTiled(n, headDim int) bool { return n >= tiledBatch && headDim%8 == 0 }

// tiledAttention computes causal attention for a batch of new tokens as
// ggml_compute_forward_flash_attn_ext_tiled does on AVX2: float32 queries
// (not rounded to F16) and float32 accumulators; for each block of up to 64
// positions of the cache, the scores of a block of queries by simd_gemm
// (one fused multiply-add per dimension, in order), scaled, masked, an
// online softmax update per query (ggml_vec_soft_max_f32 with the
// vectorised exponential), then the values added by simd_gemm. Every
// query's arithmetic depends only on its own scores and the fixed tile
// boundaries (multiples of 64 positions), so the work may be split
// differently from llama.cpp's threads.
//
// It runs in two phases over the pool: the cache of the layer is widened
// to float32 once (keys transposed tile by tile, as llama.cpp packs them),
// then the workers claim (KV head, block of tokens) pairs, a block holding
// all the query heads of the KV head for up to 64 rows.
type tiledAttention struct {
	s             *Sequence
	c             Config
	layer, pos, n int
	scale         float32
	convert       bool // phase: widening the cache, or attending
	tokens        int  // tokens per block
	blocks        int  // blocks per KV head
	tiles         int  // tiles of cache positions in use
	tileCap       int  // tiles kt and vt have room for, per KV head
	kt, vt        []float32
	parts         []tiledScratch
	next          atomic.Int64
}

// tiledScratch is one worker's memory.
type tiledScratch struct {
	q, kq, vkq []float32 // tileQ rows of HeadDim, tileKV, HeadDim
	m, sum     []float32 // per row: the largest score, the softmax sum
	limit      []int     // per row: the positions the query sees
}

func (a *tiledAttention) run(p *Pool, s *Sequence, c Config, layer, pos, n int) {
	hd := c.HeadDim
	a.s, a.c, a.layer, a.pos, a.n = s, c, layer, pos, n
	a.scale = 1 / float32(math.Sqrt(float64(hd)))
	if len(a.parts) < p.Size() {
		rows := max(tileQ, c.Heads/c.KVHeads) // a block's rows (see attend)
		a.parts = make([]tiledScratch, p.Size())
		for i := range a.parts {
			a.parts[i] = tiledScratch{
				q: make([]float32, rows*hd), kq: make([]float32, rows*tileKV), vkq: make([]float32, rows*hd),
				m: make([]float32, rows), sum: make([]float32, rows), limit: make([]int, rows),
			}
		}
	}
	a.tiles = (pos + n + tileKV - 1) / tileKV
	if a.tiles > a.tileCap {
		a.tileCap = min(max(a.tiles, 2*a.tileCap), (s.cache.Capacity()+tileKV-1)/tileKV)
		a.kt = make([]float32, c.KVHeads*a.tileCap*tileKV*hd)
		a.vt = make([]float32, c.KVHeads*a.tileCap*tileKV*hd)
	}
	group := c.Heads / c.KVHeads
	a.tokens = max(1, tileQ/group)
	a.blocks = (n + a.tokens - 1) / a.tokens
	a.convert = true
	a.next.Store(0)
	p.Run(a)
	a.convert = false
	a.next.Store(0)
	p.Run(a)
}

func (a *tiledAttention) Run(part, parts int) {
	if a.convert {
		for {
			idx := int(a.next.Add(1)) - 1
			if idx >= a.c.KVHeads*a.tiles {
				return
			}
			a.widen(idx/a.tiles, idx%a.tiles)
		}
	}
	for {
		idx := int(a.next.Add(1)) - 1
		if idx >= a.c.KVHeads*a.blocks {
			return
		}
		// The last blocks see the most positions: start with them.
		a.attend(&a.parts[part], idx%a.c.KVHeads, a.blocks-1-idx/a.c.KVHeads)
	}
}

// widen writes tile t of KV head g of the layer's cache as float32: the
// keys transposed (dimension-major, 64 positions a row), the values as
// they are; positions past the cache's end are zero.
func (a *tiledAttention) widen(g, t int) {
	hd := a.c.HeadDim
	width := a.s.cache.Width()
	T := a.pos + a.n
	keys := a.s.cache.Keys(a.layer, T)
	vals := a.s.cache.Values(a.layer, T)
	kt := a.kt[(g*a.tileCap+t)*tileKV*hd:][:tileKV*hd]
	vt := a.vt[(g*a.tileCap+t)*tileKV*hd:][:tileKV*hd]
	for j := range tileKV {
		p := t*tileKV + j
		if p >= T {
			for d := range hd {
				kt[d*tileKV+j] = 0
			}
			clear(vt[j*hd : (j+1)*hd])
			continue
		}
		k := keys[p*width+g*hd : p*width+(g+1)*hd]
		for d, h := range k {
			kt[d*tileKV+j] = kernels.F16ToF32(h)
		}
		kernels.DequantizeF16(vt[j*hd:(j+1)*hd], bytesOf16(vals[p*width+g*hd:p*width+(g+1)*hd]))
	}
}

// attend computes the queries of block b of KV head g.
func (a *tiledAttention) attend(w *tiledScratch, g, b int) {
	c := a.c
	hd := c.HeadDim
	group := c.Heads / c.KVHeads
	i0 := b * a.tokens
	i1 := min(a.n, i0+a.tokens)
	rows := (i1 - i0) * group
	for i := i0; i < i1; i++ {
		for hh := range group {
			r := (i-i0)*group + hh
			h := g*group + hh
			copy(w.q[r*hd:(r+1)*hd], a.s.q[(i*c.Heads+h)*hd:])
			w.limit[r] = a.pos + i + 1
		}
	}
	clear(w.vkq[:rows*hd])
	for r := range rows {
		w.m[r] = float32(math.Inf(-1))
		w.sum[r] = 0
	}
	tiles := (a.pos + i1 + tileKV - 1) / tileKV
	for t := range tiles {
		kt := a.kt[(g*a.tileCap+t)*tileKV*hd:][:tileKV*hd]
		vt := a.vt[(g*a.tileCap+t)*tileKV*hd:][:tileKV*hd]
		kq := w.kq[:rows*tileKV]
		clear(kq)
		kernels.GemmF32(kq, w.q, kt, rows, hd, tileKV)
		kernels.Scale(kq, a.scale)
		for r := range rows {
			row := kq[r*tileKV : (r+1)*tileKV]
			// Causal mask: positions from limit on are -Inf.
			for j := max(0, w.limit[r]-t*tileKV); j < tileKV; j++ {
				row[j] = float32(math.Inf(-1))
			}
			tmax := float32(math.Inf(-1))
			for _, v := range row {
				if v > tmax {
					tmax = v
				}
			}
			if math.IsInf(float64(tmax), -1) {
				clear(row)
				continue
			}
			mold := w.m[r]
			mnew := max(mold, tmax)
			if mnew > mold {
				ms := kernels.Expf(mold - mnew)
				kernels.Scale(w.vkq[r*hd:(r+1)*hd], ms)
				w.sum[r] *= ms
			}
			w.m[r] = mnew
			w.sum[r] = float32(float64(w.sum[r]) + kernels.SoftmaxExp(row, mnew))
		}
		kernels.GemmF32(w.vkq, kq, vt, rows, tileKV, hd)
	}
	for i := i0; i < i1; i++ {
		for hh := range group {
			r := (i-i0)*group + hh
			h := g*group + hh
			var inv float32
			if w.sum[r] != 0 {
				inv = 1 / w.sum[r]
			}
			out := a.s.att[(i*c.Heads+h)*hd : (i*c.Heads+h+1)*hd]
			for d, v := range w.vkq[r*hd : (r+1)*hd] {
				out[d] = v * inv
			}
		}
	}
}

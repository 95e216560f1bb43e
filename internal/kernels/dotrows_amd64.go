//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// hasAVX2 reports whether the assembly kernels can run: they use AVX2,
// FMA and F16C.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C

// hasVNNI reports whether the prompt kernels for AVX-512 VNNI can run (on
// 256-bit registers: VPDPBUSD with AVX512VL).
var hasVNNI = hasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VNNI

// dotQ8_0Rows8 computes eight rows of Q8_0 weights at stride bytes against
// the Q8_0 activations x:
//
//	for r := range 8 {
//		out[r] = DotQ8_0Q8_0(w[r*stride:], x, nblocks)
//	}
//
//go:noescape
func dotQ8_0Rows8(w *byte, stride int, x *byte, nblocks int, out *float32)

// dotQ5_0Rows8 computes eight rows of Q5_0 weights against Q8_0 activations:
//
//	for r := range 8 {
//		out[r] = DotQ5_0Q8_0(w[r*stride:], x, nblocks)
//	}
//
//go:noescape
func dotQ5_0Rows8(w *byte, stride int, x *byte, nblocks int, out *float32)

// dotQ4_0Rows8 computes eight rows of Q4_0 weights against Q8_0 activations:
//
//	for r := range 8 {
//		out[r] = DotQ4_0Q8_0(w[r*stride:], x, nblocks)
//	}
//
//go:noescape
func dotQ4_0Rows8(w *byte, stride int, x *byte, nblocks int, out *float32)

// dotQ8_0Rows8NP is dotQ8_0Rows8 without prefetching the next rows, for
// weights already in the cache (a prompt's tile after its first token).
//
//go:noescape
func dotQ8_0Rows8NP(w *byte, stride int, x *byte, nblocks int, out *float32)

type rows8 func(w *byte, stride int, x *byte, nblocks int, out *float32)

// dotRows8 runs k over the rows of out eight at a time and dot over the rest.
func dotRows8(k rows8, out []float32, w []byte, stride int, x []byte, nblocks int, dot func(w, x []byte, nblocks int) float32) {
	r := 0
	if hasAVX2 && nblocks > 0 {
		for ; r+8 <= len(out); r += 8 {
			k(&w[r*stride], stride, &x[0], nblocks, &out[r])
		}
	}
	dotRowsRef(out, r, w, stride, x, nblocks, dot)
}

func dotRowsQ8_0(out []float32, w []byte, stride int, x []byte, nblocks int) {
	dotRows8(dotQ8_0Rows8, out, w, stride, x, nblocks, DotQ8_0Q8_0)
}

func dotRowsQ5_0(out []float32, w []byte, stride int, x []byte, nblocks int) {
	dotRows8(dotQ5_0Rows8, out, w, stride, x, nblocks, DotQ5_0Q8_0)
}

func dotRowsQ4_0(out []float32, w []byte, stride int, x []byte, nblocks int) {
	dotRows8(dotQ4_0Rows8, out, w, stride, x, nblocks, DotQ4_0Q8_0)
}

// dotTile8 computes a tile eight rows at a time with k, token by token,
// and the rows beyond a multiple of eight with dot.
func dotTile8(k rows8, t *Tile, nblocks int, dot func(w, x []byte, nblocks int) float32) {
	r8 := 0
	if hasAVX2 && nblocks > 0 {
		r8 = t.Rows &^ 7
	}
	for i := 0; i < t.Tokens && r8 > 0; i++ {
		xp := &t.X[i*t.XStride]
		out := t.Out[i*t.OutStride : i*t.OutStride+t.Rows]
		for r := 0; r < r8; r += 8 {
			k(&t.W[r*t.Stride], t.Stride, xp, nblocks, &out[r])
		}
	}
	if r8 < t.Rows {
		dotTileRef(t.rest(r8), nblocks, dot)
	}
}

// repackQ5_0Blocks rewrites nblocks consecutive Q5_0 blocks as Q8_0
// blocks, as repackQ5_0 does:
//
//	for each block b {
//		dst[b].d = src[b].d
//		dst[b].qs[j] = int8(q5(src[b], j) - 16) for j in 0..31
//	}
//
//go:noescape
func repackQ5_0Blocks(dst *byte, src *byte, nblocks int)

// tiled reports whether a tile is worth the prompt kernels.
func (t *Tile) tiled(nblocks int) bool {
	return hasAVX2 && t.Scratch != nil && t.Tokens > 1 && t.Rows >= 8 && nblocks > 0
}

// rest returns the part of t below its first r rows.
func (t *Tile) rest(r int) *Tile {
	rest := *t
	rest.Out = t.Out[r:]
	rest.W = t.W[r*t.Stride:]
	rest.Rows = t.Rows - r
	return &rest
}

// dotQ8_0TileVNNI adds, for eight rows of Q8_0 weights and ntok ≥ 1 rows
// of Q8_0 activations, block by block into acc[8*t+r] (zeroed first) what
// DotQ8_0Q8_0 adds, so that
//
//	acc[8*t+r] == DotQ8_0Q8_0(w[r*stride:], x[t*xStride:], nblocks)
//
//go:noescape
func dotQ8_0TileVNNI(w *byte, stride int, x *byte, xStride int, ntok int, nblocks int, acc *float32)

// dotTileQ8_0VNNI computes the first rows&^7 rows of a tile (t.Tokens ≥ 1)
// whose weights are w, Q8_0 rows stride bytes apart, with VNNI.
func dotTileQ8_0VNNI(t *Tile, w []byte, stride, rows, nblocks int) {
	acc := t.Scratch.floats(8 * t.Tokens)
	for g := 0; g+8 <= rows; g += 8 {
		clear(acc)
		dotQ8_0TileVNNI(&w[g*stride], stride, &t.X[0], t.XStride, t.Tokens, nblocks, &acc[0])
		for i := range t.Tokens {
			copy(t.Out[i*t.OutStride+g:i*t.OutStride+g+8], acc[8*i:8*i+8])
		}
	}
}

func dotTileQ8_0(t *Tile, nblocks int) {
	if hasVNNI && t.tiled(nblocks) {
		r8 := t.Rows &^ 7
		dotTileQ8_0VNNI(t, t.W, t.Stride, r8, nblocks)
		if r8 < t.Rows {
			dotTileRef(t.rest(r8), nblocks, DotQ8_0Q8_0)
		}
		return
	}
	if t.Tokens > 1 {
		dotTile8(dotQ8_0Rows8NP, t, nblocks, DotQ8_0Q8_0)
		return
	}
	dotTile8(dotQ8_0Rows8, t, nblocks, DotQ8_0Q8_0)
}

func dotTileQ5_0(t *Tile, nblocks int) {
	if !t.tiled(nblocks) {
		dotTile8(dotQ5_0Rows8, t, nblocks, DotQ5_0Q8_0)
		return
	}
	// For a prompt, decode the rows once to Q8_0 (the same arithmetic)
	// rather than once per token.
	r8 := t.Rows &^ 7
	stride := nblocks * BlockQ8_0
	w := t.Scratch.bytes(r8 * stride)
	for r := range r8 {
		repackQ5_0Blocks(&w[r*stride], &t.W[r*t.Stride], nblocks)
	}
	if hasVNNI {
		dotTileQ8_0VNNI(t, w, stride, r8, nblocks)
	} else {
		q8 := *t
		q8.W, q8.Stride, q8.Rows = w, stride, r8
		dotTile8(dotQ8_0Rows8NP, &q8, nblocks, DotQ8_0Q8_0)
	}
	if r8 < t.Rows {
		dotTileRef(t.rest(r8), nblocks, DotQ5_0Q8_0)
	}
}
func dotTileQ4_0(t *Tile, nblocks int) { dotTile8(dotQ4_0Rows8, t, nblocks, DotQ4_0Q8_0) }

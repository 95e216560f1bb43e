//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// hasAVX2 reports whether the assembly kernels can run: they use AVX2,
// FMA and F16C.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C

// hasVNNI reports whether the prompt kernels for AVX-512 VNNI can run (on
// 256-bit registers: VPDPBUSD with AVX512VL).
var hasVNNI = hasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VNNI

// hasGFNI reports whether the VNNI kernels of Q4_0 and Q5_0 can run: they
// split nibbles with GF2P8AFFINEQB.
var hasGFNI = hasVNNI && cpu.X86.HasAVX512GFNI

// dotQ8_0Rows8 computes eight rows of Q8_0 weights at stride bytes against
// the Q8_0 activations x in llama.cpp's order: exact int32 sums of four
// products per lane, one fused multiply-add per block and lane, the lanes
// added at the end (q8(wb, j) = int8(wb[2+j])):
//
//	for r := range 8 {
//		var acc [8]float32
//		for b := range nblocks {
//			wb, xb := w[r*stride+b*BlockQ8_0:], x[b*BlockQ8_0:]
//			s := f16at(wb, 0) * f16at(xb, 0)
//			for l := range 8 {
//				var isum int32
//				for j := 4 * l; j < 4*l+4; j++ {
//					isum += q8(wb, j) * int32(int8(xb[2+j]))
//				}
//				acc[l] = fma(float32(isum), s, acc[l])
//			}
//		}
//		out[r] = ((acc[0]+acc[1])+(acc[2]+acc[3])) + ((acc[4]+acc[5])+(acc[6]+acc[7]))
//	}
//
//go:noescape
func dotQ8_0Rows8(w *byte, stride int, x *byte, nblocks int, out *float32)

// dotQ5_0Rows8 computes eight rows of Q5_0 weights against Q8_0 activations
// as dotQ8_0Rows8 does, blocks being BlockQ5_0 bytes and the quants
// q5(wb, j) = (nibble j of wb[6:22] | (qh>>j&1)<<4) − 16, nibble j being
// the low nibble of byte j for j < 16 and the high nibble of byte j−16
// after.
//
//go:noescape
func dotQ5_0Rows8(w *byte, stride int, x *byte, nblocks int, out *float32)

// dotQ4_0Rows8 computes eight rows of Q4_0 weights against Q8_0 activations
// as dotQ8_0Rows8 does, blocks being BlockQ4_0 bytes and the quants
// q4(wb, j) = (nibble j of wb[2:18]) − 8.
//
//go:noescape
func dotQ4_0Rows8(w *byte, stride int, x *byte, nblocks int, out *float32)

// dotQ8_0Rows8VNNI is dotQ8_0Rows8 for AVX-512 VNNI (the same order): the
// quants plus 128 as unsigned bytes, one VPDPBUSD per row and block.
//
//go:noescape
func dotQ8_0Rows8VNNI(w *byte, stride int, x *byte, nblocks int, out *float32)

// dotQ5_0Rows8VNNI is dotQ5_0Rows8 for AVX-512 VNNI with GFNI.
//
//go:noescape
func dotQ5_0Rows8VNNI(w *byte, stride int, x *byte, nblocks int, out *float32)

// dotQ4_0Rows8VNNI is dotQ4_0Rows8 for AVX-512 VNNI with GFNI.
//
//go:noescape
func dotQ4_0Rows8VNNI(w *byte, stride int, x *byte, nblocks int, out *float32)

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

// The generation kernels: VNNI where the CPU has it, else AVX2.
var (
	rows8Q8_0 = pick(hasVNNI, dotQ8_0Rows8VNNI, dotQ8_0Rows8)
	rows8Q5_0 = pick(hasGFNI, dotQ5_0Rows8VNNI, dotQ5_0Rows8)
	rows8Q4_0 = pick(hasGFNI, dotQ4_0Rows8VNNI, dotQ4_0Rows8)
)

func pick(fast bool, k, avx2 rows8) rows8 {
	if fast {
		return k
	}
	return avx2
}

func dotRowsQ8_0(out []float32, w []byte, stride int, x []byte, nblocks int) {
	dotRows8(rows8Q8_0, out, w, stride, x, nblocks, DotQ8_0Q8_0)
}

func dotRowsQ5_0(out []float32, w []byte, stride int, x []byte, nblocks int) {
	dotRows8(rows8Q5_0, out, w, stride, x, nblocks, DotQ5_0Q8_0)
}

func dotRowsQ4_0(out []float32, w []byte, stride int, x []byte, nblocks int) {
	dotRows8(rows8Q4_0, out, w, stride, x, nblocks, DotQ4_0Q8_0)
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

// actSumsVNNI writes, for each token t < ntok and block b < nblocks of Q8_0
// activations xStride bytes apart, the pair (−off·Σx, dx as float32 bits)
// to dst[2*(t*nblocks+b):]:
//
//	for t := range ntok {
//		for b := range nblocks {
//			xb := x[t*xStride+b*BlockQ8_0:]
//			var sum int32
//			for j := range 32 {
//				sum += int32(int8(xb[2+j]))
//			}
//			dst[2*(t*nblocks+b)] = -int32(off) * sum
//			dst[2*(t*nblocks+b)+1] = int32(math.Float32bits(f16at(xb, 0)))
//		}
//	}
//
//go:noescape
func actSumsVNNI(x *byte, xStride int, ntok int, nblocks int, off int, dst *int32)

// tileBlock8 is the size of one block of eight repacked rows: eight
// float32 scales and 8×32 quant bytes (see repackQ8_0x8).
const tileBlock8 = 32 + 8*32

// repackQ8_0x8 repacks eight Q8_0 rows (stride bytes apart) for tile8VNNI:
// for block b, at dst[tileBlock8*b:], the eight rows' scales as float32,
// then 8 vectors of 32 bytes where vector g holds in bytes 4r..4r+3 the
// quants 4g..4g+3 of row r plus 128:
//
//	for b := range nblocks {
//		d := dst[tileBlock8*b:]
//		for r := range 8 {
//			wb := w[r*stride+b*BlockQ8_0:]
//			putF32(d[4*r:], f16at(wb, 0))
//			for j := range 32 {
//				d[32+32*(j/4)+4*r+j%4] = wb[2+j] ^ 0x80
//			}
//		}
//	}
//
//go:noescape
func repackQ8_0x8(dst *byte, w *byte, stride int, nblocks int)

// repackQ4_0x8 is repackQ8_0x8 for Q4_0 rows, the quant bytes being the
// unsigned nibbles q (0..15, for weights q − 8):
//
//	d[32+32*(j/4)+4*r+j%4] = nibble j of wb (j < 16: qs[j]&15, else qs[j-16]>>4)
//
//go:noescape
func repackQ4_0x8(dst *byte, w *byte, stride int, nblocks int)

// repackQ5_0x8 is repackQ8_0x8 for Q5_0 rows, the quant bytes being the
// unsigned five-bit q (0..31, for weights q − 16):
//
//	d[32+32*(j/4)+4*r+j%4] = nibble j of wb | (qh>>j&1)<<4
//
//go:noescape
func repackQ5_0x8(dst *byte, w *byte, stride int, nblocks int)

// tile8VNNI computes eight repacked rows (w, from repackQ*x8) against ntok
// ≥ 1 tokens of Q8_0 activations (x, xStride bytes apart) whose pairs
// actSumsVNNI wrote to sums, writing out[t*outStride+r]:
//
//	for t := range ntok {
//		var acc [8]float32
//		for b := range nblocks {
//			corr, dx := sums[2*(t*nblocks+b)], float32frombits(sums[2*(t*nblocks+b)+1])
//			for r := range 8 {
//				isum := corr
//				for j := range 32 {
//					isum += int32(u[b][r][j]) * int32(int8(x[t*xStride+b*BlockQ8_0+2+j]))
//				}
//				acc[r] = fma(float32(isum), scale[b][r]*dx, acc[r])
//			}
//		}
//		copy(out[t*outStride:], acc[:])
//	}
//
//go:noescape
func tile8VNNI(w *byte, nblocks int, x *byte, xStride int, ntok int, sums *int32, out *float32, outStride int)

// prefetchRows asks the cache for the first n bytes of each of rows rows
// stride bytes apart (n, rows ≥ 1):
//
//	for r := range rows {
//		for i := 0; i < n; i += 64 {
//			prefetch(&w[r*stride+i])
//		}
//	}
//
//go:noescape
func prefetchRows(w *byte, stride int, rows int, n int)

// tileBlock16 is the size of one block of sixteen repacked rows: sixteen
// float32 scales and 8×64 quant bytes.
const tileBlock16 = 64 + 8*64

// repackQ8_0x16h is repackQ8_0x8 into half of the sixteen-row layout of
// tile16VNNI: for block b, the eight rows' scales at dst[tileBlock16*b:]
// and vector g at dst[tileBlock16*b+64+64*g:] (dst 32 bytes further on
// for rows 8..15):
//
//	for b := range nblocks {
//		d := dst[tileBlock16*b:]
//		for r := range 8 {
//			wb := w[r*stride+b*BlockQ8_0:]
//			putF32(d[4*r:], f16at(wb, 0))
//			for j := range 32 {
//				d[64+64*(j/4)+4*r+j%4] = wb[2+j] ^ 0x80
//			}
//		}
//	}
//
//go:noescape
func repackQ8_0x16h(dst *byte, w *byte, stride int, nblocks int)

// repackQ4_0x16h is repackQ4_0x8 into the sixteen-row layout, as
// repackQ8_0x16h.
//
//go:noescape
func repackQ4_0x16h(dst *byte, w *byte, stride int, nblocks int)

// repackQ5_0x16h is repackQ5_0x8 into the sixteen-row layout, as
// repackQ8_0x16h.
//
//go:noescape
func repackQ5_0x16h(dst *byte, w *byte, stride int, nblocks int)

// tile16VNNI is tile8VNNI for sixteen rows repacked by repack*x16h (one Z
// register per vector), writing out[t*outStride+r] for r < 16:
//
//	for t := range ntok {
//		var acc [16]float32
//		for b := range nblocks {
//			corr, dx := sums[2*(t*nblocks+b)], float32frombits(sums[2*(t*nblocks+b)+1])
//			for r := range 16 {
//				isum := corr
//				for j := range 32 {
//					isum += int32(u[b][r][j]) * int32(int8(x[t*xStride+b*BlockQ8_0+2+j]))
//				}
//				acc[r] = fma(float32(isum), scale[b][r]*dx, acc[r])
//			}
//		}
//		copy(out[t*outStride:], acc[:])
//	}
//
//go:noescape
func tile16VNNI(w *byte, nblocks int, x *byte, xStride int, ntok int, sums *int32, out *float32, outStride int)

// repackers are the repack functions of one type: eight rows, and half of
// sixteen.
type repackers struct {
	x8, x16h func(dst, w *byte, stride, nblocks int)
}

// dotTile0VNNI computes the first t.Rows&^7 rows of a tile of a
// 32-element block type (blocks of wBlock bytes) with VNNI: rp (whose
// unsigned quants are the weights plus off) prepares sixteen rows at a time
// in the scratch, then eight.
func dotTile0VNNI(t *Tile, nblocks, wBlock, off int, rp repackers, ref func(w, x []byte, nblocks int) float32) {
	// The first rows arrive from memory while the activations are summed;
	// each repack asks for the next eight rows.
	prefetchRows(&t.W[0], t.Stride, 8, nblocks*wBlock)
	sums := t.Scratch.ints(2 * t.Tokens * nblocks)
	actSumsVNNI(&t.X[0], t.XStride, t.Tokens, nblocks, off, &sums[0])
	g := 0
	if t.Rows >= 16 {
		wp := t.Scratch.bytes(tileBlock16 * nblocks)
		for ; g+16 <= t.Rows; g += 16 {
			rp.x16h(&wp[0], &t.W[g*t.Stride], t.Stride, nblocks)
			rp.x16h(&wp[32], &t.W[(g+8)*t.Stride], t.Stride, nblocks)
			tile16VNNI(&wp[0], nblocks, &t.X[0], t.XStride, t.Tokens, &sums[0], &t.Out[g], t.OutStride)
		}
	}
	if g+8 <= t.Rows {
		wp := t.Scratch.bytes(tileBlock8 * nblocks)
		rp.x8(&wp[0], &t.W[g*t.Stride], t.Stride, nblocks)
		tile8VNNI(&wp[0], nblocks, &t.X[0], t.XStride, t.Tokens, &sums[0], &t.Out[g], t.OutStride)
		g += 8
	}
	if g < t.Rows {
		dotTileRef(t.rest(g), nblocks, ref)
	}
}

func dotTileQ8_0(t *Tile, nblocks int) {
	if hasVNNI && t.tiled(nblocks) {
		dotTile0VNNI(t, nblocks, BlockQ8_0, 128, repackers{repackQ8_0x8, repackQ8_0x16h}, DotQ8_0Q8_0)
		return
	}
	if t.Tokens > 1 {
		dotTile8(dotQ8_0Rows8NP, t, nblocks, DotQ8_0Q8_0)
		return
	}
	dotTile8(rows8Q8_0, t, nblocks, DotQ8_0Q8_0)
}

func dotTileQ5_0(t *Tile, nblocks int) {
	if hasVNNI && t.tiled(nblocks) {
		dotTile0VNNI(t, nblocks, BlockQ5_0, 16, repackers{repackQ5_0x8, repackQ5_0x16h}, DotQ5_0Q8_0)
		return
	}
	if !t.tiled(nblocks) {
		dotTile8(rows8Q5_0, t, nblocks, DotQ5_0Q8_0)
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
	q8 := *t
	q8.W, q8.Stride, q8.Rows = w, stride, r8
	dotTile8(dotQ8_0Rows8NP, &q8, nblocks, DotQ8_0Q8_0)
	if r8 < t.Rows {
		dotTileRef(t.rest(r8), nblocks, DotQ5_0Q8_0)
	}
}

func dotTileQ4_0(t *Tile, nblocks int) {
	if hasVNNI && t.tiled(nblocks) {
		dotTile0VNNI(t, nblocks, BlockQ4_0, 8, repackers{repackQ4_0x8, repackQ4_0x16h}, DotQ4_0Q8_0)
		return
	}
	dotTile8(rows8Q4_0, t, nblocks, DotQ4_0Q8_0)
}

//go:build !purego

package kernels

import "unsafe"

// Prompt kernels for Q4_K and Q6_K. A tile's weight rows are decoded once,
// sixteen rows at a time (AVX-512 gathers), into a layout where each int32
// lane of a 512-bit register belongs to one row and holds four consecutive
// quants of it (unsigned: Q4_K's nibbles, Q6_K's 6-bit values without the
// −32). Then two tokens at a time pass over every super-block: VPDPBUSD
// multiplies four quants of sixteen rows by four activation bytes
// broadcast from a token; two such sums (of two sub-blocks) fit in the
// halves of an int32, where VPDPWSSD applies the sub-block scales (one
// pair per row) exactly.
//
// The sums are those of the generation kernels (dotQ4KG, dotQ6KG, the
// order of llama.cpp's AVX2 build) bit for bit: per row and token, eight
// int32 lanes (lane l: elements 4l..4l+3 of every 32) and, for Q4_K, four
// lanes of mins, each converted to float32 once per super-block and fused
// into its own float32 accumulator, the lanes added at the end in the
// generation kernels' order. Q4_K's mins and Q6_K's −32 go through the
// activations' block sums (VPDPWSSD) as there.

const (
	ktRows   = 16 // weight rows per decoded group: one int32 lane each
	ktTokens = 2  // tokens per kernel pass

	// Decoded Q4_K super-block of 16 rows: for each of the 8 sub-blocks j
	// 8 vectors of quants ([k][row] uint32: quants 4k..4k+3) and, for even
	// j, the scale pairs (sc[j], sc[j+1]) as int16 (a vector unused for
	// odd j); then the mins as int16 pairs (m, m), d and dmin (float32).
	q4kTileSub   = 8*64 + 64
	q4kTileMins  = 8 * q4kTileSub
	q4kTileD     = q4kTileMins + 8*64
	q4kTileBlock = q4kTileD + 2*64

	// Decoded Q6_K super-block of 16 rows: for each of the 16 sub-blocks
	// s 4 vectors of quants and, for s%4 < 2, the scale pairs (sc[s],
	// sc[s+2]) as int16 (unused for the others); then the pairs
	// (−32·sc[2i], −32·sc[2i+1]) as int16, and d (float32).
	q6kTileSub   = 4*64 + 64
	q6kTileNeg   = 16 * q6kTileSub
	q6kTileD     = q6kTileNeg + 8*64
	q6kTileBlock = q6kTileD + 64
)

// dotQ4KTileVNNI computes sixteen decoded rows (w: nblocks super-blocks
// of q4kTileBlock bytes, see decodeQ4KTile) against the two tokens x[t]
// (Q8_K rows) as dotQ4KG does, out[16*t+r] = dotQ4KG(row r, x[t]):
//
//	for t := range 2 {
//		for r := range 16 {
//			var acc [12]float32
//			for b := range nblocks {
//				xb := x[t][b*BlockQ8_K:]
//				var lane [8]int32 // exact
//				var mins [4]int32 // exact
//				for e := range 256 {
//					lane[e%32/4] += sc[b][e/32][r] * int32(q[b][r][e]) * int32(int8(xb[4+e]))
//				}
//				for i := range 4 {
//					mins[i] = m[b][2*i][r]*(bsum(xb, 4*i)+bsum(xb, 4*i+1)) +
//						m[b][2*i+1][r]*(bsum(xb, 4*i+2)+bsum(xb, 4*i+3))
//				}
//				dd, dm := d[b][r]*dx(xb), dmin[b][r]*dx(xb)
//				for l := range 8 {
//					acc[l] = fma(float32(lane[l]), dd, acc[l])
//				}
//				for i := range 4 {
//					acc[8+i] = fma(float32(mins[i]), dm, acc[8+i])
//				}
//			}
//			var v [4]float32
//			for i := range 4 {
//				v[i] = (acc[i] + acc[i+4]) - acc[8+i]
//			}
//			out[16*t+r] = (v[0] + v[2]) + (v[1] + v[3])
//		}
//	}
//
//go:noescape
func dotQ4KTileVNNI(w *byte, x *[ktTokens]*byte, nblocks int, out *[ktTokens * ktRows]float32)

// dotQ6KTileVNNI computes sixteen decoded rows (w: nblocks super-blocks
// of q6kTileBlock bytes, see decodeQ6KTile) against the two tokens x[t]
// as dotQ6KG does, out[16*t+r] = dotQ6KG(row r, x[t]):
//
//	for t := range 2 {
//		for r := range 16 {
//			var acc [8]float32
//			for b := range nblocks {
//				xb := x[t][b*BlockQ8_K:]
//				var lane [8]int32 // exact
//				for l := range 8 {
//					lane[l] = -32 * (sc[b][2*l][r]*bsum(xb, 2*l) + sc[b][2*l+1][r]*bsum(xb, 2*l+1))
//				}
//				for e := range 256 { // q in 0..63
//					lane[e%32/4] += sc[b][e/16][r] * int32(q[b][r][e]) * int32(int8(xb[4+e]))
//				}
//				dd := d[b][r] * dx(xb)
//				for l := range 8 {
//					acc[l] = fma(float32(lane[l]), dd, acc[l])
//				}
//			}
//			var v [4]float32
//			for i := range 4 {
//				v[i] = acc[i] + acc[i+4]
//			}
//			out[16*t+r] = (v[0] + v[2]) + (v[1] + v[3])
//		}
//	}
//
//go:noescape
func dotQ6KTileVNNI(w *byte, x *[ktTokens]*byte, nblocks int, out *[ktTokens * ktRows]float32)

// kTileKernel is dotQ4KTileVNNI or dotQ6KTileVNNI.
type kTileKernel func(w *byte, x *[ktTokens]*byte, nblocks int, out *[ktTokens * ktRows]float32)

// dotTileKVNNI computes a tile sixteen rows at a time: decode the rows
// (wBlock bytes per super-block) into the scratch, then run the kernel
// over the tokens two at a time (the last group repeating the last token
// as needed).
func dotTileKVNNI(t *Tile, nblocks, wBlock, blockBytes int, decode func(dst, w []byte, stride, rows, nblocks int), kern kTileKernel) {
	buf := alignedBytes(t.Scratch, nblocks*blockBytes)
	var out [ktTokens * ktRows]float32
	var xp [ktTokens]*byte
	for r0 := 0; r0 < t.Rows; r0 += ktRows {
		rows := min(ktRows, t.Rows-r0)
		decode(buf, t.W[r0*t.Stride:], t.Stride, rows, nblocks)
		if r0+2*ktRows <= t.Rows {
			// The next group's weights come from memory while this
			// group's tokens pass.
			prefetchRows16(&t.W[(r0+ktRows)*t.Stride], t.Stride, nblocks*wBlock)
		}
		for i := 0; i < t.Tokens; i += ktTokens {
			for k := range ktTokens {
				xp[k] = &t.X[min(i+k, t.Tokens-1)*t.XStride]
			}
			kern(&buf[0], &xp, nblocks, &out)
			for k := range min(ktTokens, t.Tokens-i) {
				o := (i+k)*t.OutStride + r0
				copy(t.Out[o:o+rows], out[ktRows*k:ktRows*k+rows])
			}
		}
	}
}

// alignedBytes returns n bytes of s starting at a 64-byte boundary.
func alignedBytes(s *TileScratch, n int) []byte {
	b := s.bytes(n + 63)
	off := int(-uintptr(unsafe.Pointer(&b[0])) & 63)
	return b[off : off+n]
}

// Below these batch sizes decoding a tile's rows costs more than it
// saves, and the generation kernels run instead (measured on Zen 4, 16
// rows of 6 blocks streamed from memory as in a model's matrix product).
const (
	q4kTileMinTokens = 10
	q6kTileMinTokens = 8
)

// kTiled reports whether a K-quant tile of at least minTokens tokens goes
// to the VNNI prompt kernels.
func (t *Tile) kTiled(nblocks, minTokens int) bool {
	return hasVNNI && t.Scratch != nil && t.Tokens >= minTokens && nblocks > 0
}

func dotTileQ4K(t *Tile, nblocks int) {
	if t.kTiled(nblocks, q4kTileMinTokens) {
		dotTileKVNNI(t, nblocks, BlockQ4K, q4kTileBlock, decodeQ4KTileFast, dotQ4KTileVNNI)
		return
	}
	dotTileQ4KGen(t, nblocks)
}

func dotTileQ6K(t *Tile, nblocks int) {
	if t.kTiled(nblocks, q6kTileMinTokens) {
		dotTileKVNNI(t, nblocks, BlockQ6K, q6kTileBlock, decodeQ6KTileFast, dotQ6KTileVNNI)
		return
	}
	dotTileQ6KGen(t, nblocks)
}

// dotTileQ4KGen computes a tile with the generation kernel, a row against
// two tokens at a time.
func dotTileQ4KGen(t *Tile, nblocks int) {
	if !hasAVX2 || nblocks == 0 {
		dotTileRef(t, nblocks, DotQ4KQ8K)
		return
	}
	var out [2]float32
	for r := range t.Rows {
		w := &t.W[r*t.Stride]
		i := 0
		for ; i+2 <= t.Tokens; i += 2 {
			dotQ4KG2(w, &t.X[i*t.XStride], &t.X[(i+1)*t.XStride], nblocks, &out)
			t.Out[i*t.OutStride+r] = out[0]
			t.Out[(i+1)*t.OutStride+r] = out[1]
		}
		if i < t.Tokens {
			t.Out[i*t.OutStride+r] = dotQ4KG(w, &t.X[i*t.XStride], nblocks)
		}
	}
}

// dotTileQ6KGen computes a tile with the generation kernel, row by row.
func dotTileQ6KGen(t *Tile, nblocks int) {
	if !hasAVX2 || nblocks == 0 {
		dotTileRef(t, nblocks, DotQ6KQ8K)
		return
	}
	for r := range t.Rows {
		w := &t.W[r*t.Stride]
		for i := range t.Tokens {
			t.Out[i*t.OutStride+r] = dotQ6KG(w, &t.X[i*t.XStride], nblocks)
		}
	}
}

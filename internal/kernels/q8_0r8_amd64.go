//go:build !purego

package kernels

// dotQ8_0R8 is dotQ8_0Rows8 on eight interleaved rows (stride BlockQ8_0,
// the rows' blocks b at w[8·b·BlockQ8_0:]), without prefetching: the one
// stream is the hardware prefetchers' to follow.
//
//	for r := range 8 {
//		var acc [8]float32
//		for b := range nblocks {
//			wb, xb := w[(8*b+r)*BlockQ8_0:], x[b*BlockQ8_0:]
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
func dotQ8_0R8(w *byte, stride int, x *byte, nblocks int, out *float32)

// dotQ8_0R8VNNI is dotQ8_0R8 for AVX-512 VNNI (as dotQ8_0Rows8VNNI).
//
//go:noescape
func dotQ8_0R8VNNI(w *byte, stride int, x *byte, nblocks int, out *float32)

// deinterleaveQ8_0Group writes the eight rows of one interleaved group of
// nblocks blocks at src to dst, rows stride bytes apart:
//
//	for b := range nblocks {
//		for j := range 8 {
//			copy(dst[j*stride+b*BlockQ8_0:][:BlockQ8_0], src[(8*b+j)*BlockQ8_0:])
//		}
//	}
//
//go:noescape
func deinterleaveQ8_0Group(dst *byte, stride int, src *byte, nblocks int)

// interleaveQ8_0Group writes eight rows of nblocks blocks at src, stride
// bytes apart, to dst as one interleaved group:
//
//	for b := range nblocks {
//		for j := range 8 {
//			copy(dst[(8*b+j)*BlockQ8_0:][:BlockQ8_0], src[j*stride+b*BlockQ8_0:])
//		}
//	}
//
//go:noescape
func interleaveQ8_0Group(dst *byte, src *byte, stride int, nblocks int)

// repackQ8_0R8x8 is repackQ8_0x8 for one group of eight rows interleaved
// by InterleaveQ8_0 (stride is not used):
//
//	for b := range nblocks {
//		d := dst[tileBlock8*b:]
//		for r := range 8 {
//			wb := w[(8*b+r)*BlockQ8_0:]
//			putF32(d[4*r:], f16at(wb, 0))
//			for j := range 32 {
//				d[32+32*(j/4)+4*r+j%4] = wb[2+j] ^ 0x80
//			}
//		}
//	}
//
//go:noescape
func repackQ8_0R8x8(dst *byte, w *byte, stride int, nblocks int)

// repackQ8_0R8x16h is repackQ8_0x16h for one group of eight interleaved
// rows (as repackQ8_0R8x8).
//
//go:noescape
func repackQ8_0R8x16h(dst *byte, w *byte, stride int, nblocks int)

var interleavesQ8_0 = hasAVX2

func dotTileQ8_0R8(t *Tile, nblocks int) {
	if hasVNNI && t.tiled(nblocks) {
		// The repacks read each group of eight rows where it lies; the
		// rows past the last group are the file's, as dotTile0VNNI
		// takes them.
		dotTile0VNNI(t, nblocks, BlockQ8_0, 128, repackers{repackQ8_0R8x8, repackQ8_0R8x16h}, DotQ8_0Q8_0)
		return
	}
	dotTileQ8_0R8Plain(t, nblocks)
}

func deinterleaveGroup(dst []byte, stride int, src []byte, nblocks int) {
	if hasAVX2 && nblocks > 0 {
		deinterleaveQ8_0Group(&dst[0], stride, &src[0], nblocks)
		return
	}
	deinterleaveGroupRef(dst, stride, src, nblocks)
}

func interleaveGroup(dst, src []byte, stride, nblocks int) {
	if hasAVX2 && nblocks > 0 {
		interleaveQ8_0Group(&dst[0], &src[0], stride, nblocks)
		return
	}
	interleaveGroupRef(dst, src, stride, nblocks)
}

var rows8Q8_0R8 = pick(hasVNNI, dotQ8_0R8VNNI, dotQ8_0R8)

func dotRowsQ8_0R8(out []float32, w []byte, x []byte, nblocks int) {
	rb := nblocks * BlockQ8_0
	g8 := len(out) &^ 7
	if !hasAVX2 || nblocks == 0 {
		dotRowsQ8_0R8Ref(out, w, x, nblocks)
		return
	}
	for r := 0; r < g8; r += 8 {
		rows8Q8_0R8(&w[r*rb], BlockQ8_0, &x[0], nblocks, &out[r])
	}
	if g8 < len(out) {
		DotRowsQ8_0(out[g8:], w[g8*rb:], rb, x, nblocks)
	}
}

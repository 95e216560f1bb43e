//go:build !purego

package kernels

// quantActQ8_0AVX2 quantizes nblocks blocks of 32 activations from src into
// Q8_0 blocks at dst, as quantizeActQ8_0Ref does (the scale converted to
// half with VCVTPS2PH, round to nearest even, as F32ToF16):
//
//	for b := range nblocks {
//		x, y := src[32*b:32*b+32], dst[34*b:34*b+34]
//		d, id := actScale(x)
//		put16(y, 0, F32ToF16(d))
//		for j, v := range x {
//			y[2+j] = byte(clampI8(roundEven(v * id)))
//		}
//	}
//
//go:noescape
func quantActQ8_0AVX2(dst *byte, src *float32, nblocks int)

// quantQ8KAVX2 quantizes nblocks blocks of 256 activations from src into
// Q8_K blocks at dst, as quantizeQ8KRef does:
//
//	for b := range nblocks {
//		x, y := src[256*b:256*b+256], dst[292*b:292*b+292]
//		vmax := the first of x's values of largest magnitude
//		if vmax == 0 { clear(y); continue }
//		iscale := -127 / vmax
//		q[j] = min(127, nearestInt(iscale*x[j]))  // at y[4+j]
//		bsums[k] = Σ q[16k..16k+15]                // int16 at y[260+2k]
//		d = 1 / iscale                             // float32 at y[0]
//	}
//
//go:noescape
func quantQ8KAVX2(dst *byte, src *float32, nblocks int)

func quantizeActQ8_0(dst []byte, src []float32) {
	nb := len(src) / QK8_0
	if !hasAVX2 || nb == 0 {
		quantizeActQ8_0Ref(dst, src)
		return
	}
	_ = dst[nb*BlockQ8_0-1]
	quantActQ8_0AVX2(&dst[0], &src[0], nb)
	// Blocks whose scale is 0 as a half (all zero, or so small that
	// amax/127 rounds to zero; 127/amax may even overflow) are redone by
	// the definition, whose conversions of infinities the vector ones need
	// not match.
	for b := range nb {
		if dst[b*BlockQ8_0]|dst[b*BlockQ8_0+1]&0x7f == 0 {
			quantizeActQ8_0Ref(dst[b*BlockQ8_0:(b+1)*BlockQ8_0], src[b*QK8_0:(b+1)*QK8_0])
		}
	}
}

func quantizeQ8K(dst []byte, src []float32) {
	nb := len(src) / QK_K
	if !hasAVX2 || nb == 0 {
		quantizeQ8KRef(dst, src)
		return
	}
	_ = dst[nb*BlockQ8_K-1]
	quantQ8KAVX2(&dst[0], &src[0], nb)
	// Blocks whose d came out 0 (all zero, or so small that −127/vmax
	// overflowed) are redone by the definition.
	for b := range nb {
		if f32at(dst[b*BlockQ8_K:], 0) == 0 {
			quantizeQ8KRef(dst[b*BlockQ8_K:(b+1)*BlockQ8_K], src[b*QK_K:(b+1)*QK_K])
		}
	}
}

package kernels

// Q2_K: super-blocks of 256 weights in 16 sub-blocks of 16, 84 bytes:
// scales[16] (low nibble: scale, high nibble: min), qs[64], d (f16),
// dmin (f16). In each half of 128 elements (qs advancing by 32), element
// 32s+k takes bits 2s..2s+1 of qs[k]. x = d·sc·q − dmin·m.

// BlockQ2K is the size in bytes of one Q2_K block.
const BlockQ2K = QK_K/16 + QK_K/4 + 4

// QuantizeQ2K encodes src as quantize_row_q2_K_ref.
func QuantizeQ2K(dst []byte, src []float32) {
	nb := len(src) / QK_K
	dst = dst[:nb*BlockQ2K]
	var (
		l              [QK_K]uint8
		laux           [16]uint8
		weights        [16]float32
		scales, negMin [16]float32
	)
	for i := range nb {
		x := src[i*QK_K : i*QK_K+QK_K : i*QK_K+QK_K]
		y := dst[i*BlockQ2K : i*BlockQ2K+BlockQ2K : i*BlockQ2K+BlockQ2K]
		var maxScale, maxMin float32
		for j := range 16 {
			xs := x[16*j : 16*j+16]
			for k, v := range xs {
				weights[k] = abs32(v)
			}
			scales[j], negMin[j] = makeQKX2(3, xs, weights[:], l[16*j:16*j+16], laux[:], -0.5, 0.1, 15, true)
			maxScale = max(maxScale, scales[j])
			maxMin = max(maxMin, negMin[j])
		}
		sc := y[0:16]
		if maxScale > 0 {
			iscale := 15 / maxScale
			for j := range 16 {
				sc[j] = uint8(nearestInt(float32(iscale * scales[j])))
			}
			put16(y, 80, F32ToF16(maxScale/15))
		} else {
			clear(sc)
			put16(y, 80, 0)
		}
		if maxMin > 0 {
			iscale := 15 / maxMin
			for j := range 16 {
				sc[j] |= uint8(nearestInt(float32(iscale*negMin[j]))) << 4
			}
			put16(y, 82, F32ToF16(maxMin/15))
		} else {
			put16(y, 82, 0)
		}
		d, dmin := f16at(y, 80), f16at(y, 82)
		for j := range 16 {
			ds := d * float32(sc[j]&0xf)
			if ds == 0 {
				continue
			}
			dm := dmin * float32(sc[j]>>4)
			for k := 16 * j; k < 16*j+16; k++ {
				l[k] = uint8(min(3, max(0, nearestInt((x[k]+dm)/ds))))
			}
		}
		packQ2(y[16:80], &l)
	}
}

// packQ2 stores 256 two-bit values as Q2_K and Q3_K do.
func packQ2(qs []byte, l *[QK_K]uint8) {
	qs = qs[:64]
	for j := 0; j < QK_K; j += 128 {
		for k := range 32 {
			qs[j/4+k] = l[j+k] | l[j+k+32]<<2 | l[j+k+64]<<4 | l[j+k+96]<<6
		}
	}
}

// DequantizeQ2K decodes len(dst) values from src.
func DequantizeQ2K(dst []float32, src []byte) {
	nb := len(dst) / QK_K
	src = src[:nb*BlockQ2K]
	for i := range nb {
		b := src[i*BlockQ2K : i*BlockQ2K+BlockQ2K : i*BlockQ2K+BlockQ2K]
		y := dst[i*QK_K : i*QK_K+QK_K : i*QK_K+QK_K]
		d, dmin := f16at(b, 80), f16at(b, 82)
		for e := range QK_K {
			h, s, k := e/128, e/32%4, e%32
			sc := b[e/16]
			q := b[16+32*h+k] >> (2 * s) & 3
			y[e] = float32(float32(d*float32(sc&0xf))*float32(q)) - dmin*float32(sc>>4)
		}
	}
}

// DotQ2KQ8K returns the dot product of nblocks Q2_K blocks w with Q8_K
// blocks x as ggml_vec_dot_q2_K_q8_K (generic form): per super-block
// dall·isum − dmin·Σ(bsums·mins), summed in float32.
func DotQ2KQ8K(w, x []byte, nblocks int) float32 {
	w = w[:nblocks*BlockQ2K]
	x = x[:nblocks*BlockQ8_K]
	var sumf float32
	for i := range nblocks {
		wb := w[i*BlockQ2K : i*BlockQ2K+BlockQ2K : i*BlockQ2K+BlockQ2K]
		xb := x[i*BlockQ8_K : i*BlockQ8_K+BlockQ8_K : i*BlockQ8_K+BlockQ8_K]
		sc := wb[0:16:16]
		var summs, isum int32
		for j := range 16 {
			summs += q8kBsum(xb, j) * int32(sc[j]>>4)
		}
		for h := range 2 {
			q := wb[16+32*h : 16+32*h+32 : 16+32*h+32]
			q8 := xb[4+128*h : 4+128*h+128 : 4+128*h+128]
			for s := range 4 {
				shift := uint(2 * s)
				var lo, hi int32
				for k := range 16 {
					lo += int32(int8(q8[32*s+k])) * int32(q[k]>>shift&3)
					hi += int32(int8(q8[32*s+16+k])) * int32(q[16+k]>>shift&3)
				}
				isum += int32(sc[8*h+2*s]&0xf)*lo + int32(sc[8*h+2*s+1]&0xf)*hi
			}
		}
		dx := f32at(xb, 0)
		dall := dx * f16at(wb, 80)
		dmin := dx * f16at(wb, 82)
		sumf += float32(float32(dall*float32(isum)) - float32(dmin*float32(summs)))
	}
	return sumf
}

package kernels

// Q6_K: super-blocks of 256 weights in 16 sub-blocks of 16, 210 bytes:
// ql[128] (low four bits), qh[64] (high two bits), scales[16] (int8),
// d (f16). In each half of 128 elements (ql advancing by 64, qh by 32),
// element k < 32 takes the low nibble of ql[k] and bits 0-1 of qh[k],
// k+32 the low nibble of ql[k+32] and bits 2-3, k+64 the high nibble of
// ql[k] and bits 4-5, k+96 the high nibble of ql[k+32] and bits 6-7.
// x = d·sc·(q−32).

// BlockQ6K is the size in bytes of one Q6_K block.
const BlockQ6K = QK_K/2 + QK_K/4 + QK_K/16 + 2

// QuantizeQ6K encodes src as quantize_row_q6_K_ref.
func QuantizeQ6K(dst []byte, src []float32) {
	nb := len(src) / QK_K
	dst = dst[:nb*BlockQ6K]
	var (
		l      [QK_K]int8
		scales [QK_K / 16]float32
	)
	for i := range nb {
		x := src[i*QK_K : i*QK_K+QK_K : i*QK_K+QK_K]
		y := dst[i*BlockQ6K : i*BlockQ6K+BlockQ6K : i*BlockQ6K+BlockQ6K]
		var maxScale, maxAbsScale float32
		for ib := range QK_K / 16 {
			s := makeQX(32, x[16*ib:16*ib+16], l[16*ib:16*ib+16])
			scales[ib] = s
			if a := abs32(s); a > maxAbsScale {
				maxAbsScale, maxScale = a, s
			}
		}
		if maxAbsScale < groupMaxEps {
			clear(y)
			continue
		}
		sc := y[192:208]
		iscale := -128 / maxScale
		put16(y, 208, F32ToF16(1/iscale))
		for ib := range QK_K / 16 {
			sc[ib] = byte(int8(min(127, nearestInt(float32(iscale*scales[ib])))))
		}
		d := f16at(y, 208)
		for j := range QK_K / 16 {
			ds := d * float32(int8(sc[j]))
			if ds == 0 {
				continue
			}
			for k := 16 * j; k < 16*j+16; k++ {
				l[k] = int8(max(-32, min(31, nearestInt(x[k]/ds))) + 32)
			}
		}
		ql, qh := y[0:128], y[128:192]
		for j := 0; j < QK_K; j += 128 {
			for k := range 32 {
				q1 := uint8(l[j+k]) & 0xf
				q2 := uint8(l[j+k+32]) & 0xf
				q3 := uint8(l[j+k+64]) & 0xf
				q4 := uint8(l[j+k+96]) & 0xf
				ql[j/2+k] = q1 | q3<<4
				ql[j/2+k+32] = q2 | q4<<4
				qh[j/4+k] = uint8(l[j+k])>>4 | (uint8(l[j+k+32])>>4)<<2 |
					(uint8(l[j+k+64])>>4)<<4 | (uint8(l[j+k+96])>>4)<<6
			}
		}
	}
}

// q6 returns the four signed 6-bit quants at position k of a 128-element
// half whose low bits are ql (64 bytes) and high bits qh (32 bytes).
func q6(ql, qh []byte, k int) (q1, q2, q3, q4 int32) {
	lo, hi, h := ql[k], ql[k+32], qh[k]
	q1 = int32(lo&0xf|(h&3)<<4) - 32
	q2 = int32(hi&0xf|(h>>2&3)<<4) - 32
	q3 = int32(lo>>4|(h>>4&3)<<4) - 32
	q4 = int32(hi>>4|(h>>6&3)<<4) - 32
	return
}

// DequantizeQ6K decodes len(dst) values from src.
func DequantizeQ6K(dst []float32, src []byte) {
	nb := len(dst) / QK_K
	src = src[:nb*BlockQ6K]
	for i := range nb {
		b := src[i*BlockQ6K : i*BlockQ6K+BlockQ6K : i*BlockQ6K+BlockQ6K]
		y := dst[i*QK_K : i*QK_K+QK_K : i*QK_K+QK_K]
		d := f16at(b, 208)
		for h := range 2 {
			ql := b[64*h : 64*h+64 : 64*h+64]
			qh := b[128+32*h : 128+32*h+32 : 128+32*h+32]
			sc := b[192+8*h : 192+8*h+8 : 192+8*h+8]
			yy := y[128*h : 128*h+128 : 128*h+128]
			for k := range 32 {
				is := k / 16
				q1, q2, q3, q4 := q6(ql, qh, k)
				yy[k] = float32(d*float32(int8(sc[is]))) * float32(q1)
				yy[k+32] = float32(d*float32(int8(sc[is+2]))) * float32(q2)
				yy[k+64] = float32(d*float32(int8(sc[is+4]))) * float32(q3)
				yy[k+96] = float32(d*float32(int8(sc[is+6]))) * float32(q4)
			}
		}
	}
}

// DotQ6KQ8K returns the dot product of nblocks Q6_K blocks w with Q8_K
// blocks x as ggml_vec_dot_q6_K_q8_K (generic form: eight integer lanes,
// element index mod 8, scaled per super-block into float32 lane sums).
func DotQ6KQ8K(w, x []byte, nblocks int) float32 {
	w = w[:nblocks*BlockQ6K]
	x = x[:nblocks*BlockQ8_K]
	var sums [8]float32
	for i := range nblocks {
		wb := w[i*BlockQ6K : i*BlockQ6K+BlockQ6K : i*BlockQ6K+BlockQ6K]
		xb := x[i*BlockQ8_K : i*BlockQ8_K+BlockQ8_K : i*BlockQ8_K+BlockQ8_K]
		var aux [8]int32
		for h := range 2 {
			ql := wb[64*h : 64*h+64 : 64*h+64]
			qh := wb[128+32*h : 128+32*h+32 : 128+32*h+32]
			sc := wb[192+8*h : 192+8*h+8 : 192+8*h+8]
			q8 := xb[4+128*h : 4+128*h+128 : 4+128*h+128]
			// Sub-block s of 16 (scale sc[s]) covers elements 16s..16s+15 of
			// this half: k in [0,32) feeds sub-blocks k/16, 2+k/16, 4+k/16, 6+k/16.
			for g := range 2 {
				var a1, a2, a3, a4 [8]int32
				for k := 16 * g; k < 16*g+16; k++ {
					q1, q2, q3, q4 := q6(ql, qh, k)
					l := k & 7
					a1[l] += q1 * int32(int8(q8[k]))
					a2[l] += q2 * int32(int8(q8[k+32]))
					a3[l] += q3 * int32(int8(q8[k+64]))
					a4[l] += q4 * int32(int8(q8[k+96]))
				}
				s1, s2 := int32(int8(sc[g])), int32(int8(sc[g+2]))
				s3, s4 := int32(int8(sc[g+4])), int32(int8(sc[g+6]))
				for l := range 8 {
					aux[l] += s1*a1[l] + s2*a2[l] + s3*a3[l] + s4*a4[l]
				}
			}
		}
		d := f16at(wb, 208) * f32at(xb, 0)
		for l := range 8 {
			sums[l] += float32(d * float32(aux[l]))
		}
	}
	return kSums(0, &sums)
}

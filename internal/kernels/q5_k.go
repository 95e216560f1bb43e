package kernels

// Q5_K: super-blocks of 256 weights in 8 sub-blocks of 32, 176 bytes:
// d (f16), dmin (f16), scales[12] (as Q4_K), qh[32], qs[128]. The low four
// bits lie in qs as in Q4_K; the fifth bit of element k of sub-block j is
// bit j of qh[k]. x = d·sc·q − dmin·m.

// BlockQ5K is the size in bytes of one Q5_K block.
const BlockQ5K = 4 + 12 + QK_K/8 + QK_K/2

// QuantizeQ5K encodes src as quantize_row_q5_K_ref.
func QuantizeQ5K(dst []byte, src []float32) {
	nb := len(src) / QK_K
	dst = dst[:nb*BlockQ5K]
	var l [QK_K]uint8
	for i := range nb {
		x := src[i*QK_K : i*QK_K+QK_K : i*QK_K+QK_K]
		y := dst[i*BlockQ5K : i*BlockQ5K+BlockQ5K : i*BlockQ5K+BlockQ5K]
		quantizeBlockK4(y, x, &l, 31, -0.5, 15)
		qh := y[16:48]
		ql := y[48:BlockQ5K]
		clear(qh)
		m1, m2 := uint8(1), uint8(2)
		for n := 0; n < QK_K; n += 64 {
			for j := range 32 {
				l1, l2 := l[n+j], l[n+j+32]
				if l1 > 15 {
					l1 -= 16
					qh[j] |= m1
				}
				if l2 > 15 {
					l2 -= 16
					qh[j] |= m2
				}
				ql[n/2+j] = l1 | l2<<4
			}
			m1 <<= 2
			m2 <<= 2
		}
	}
}

// DequantizeQ5K decodes len(dst) values from src.
func DequantizeQ5K(dst []float32, src []byte) {
	nb := len(dst) / QK_K
	src = src[:nb*BlockQ5K]
	for i := range nb {
		b := src[i*BlockQ5K : i*BlockQ5K+BlockQ5K : i*BlockQ5K+BlockQ5K]
		y := dst[i*QK_K : i*QK_K+QK_K : i*QK_K+QK_K]
		d, dmin := f16at(b, 0), f16at(b, 2)
		qh := b[16:48:48]
		for j := range 4 {
			sc1, m1 := scaleMinK4(2*j, b[4:16])
			sc2, m2 := scaleMinK4(2*j+1, b[4:16])
			d1, mm1 := d*float32(sc1), dmin*float32(m1)
			d2, mm2 := d*float32(sc2), dmin*float32(m2)
			q := b[48+32*j : 48+32*j+32]
			yy := y[64*j : 64*j+64]
			for k, v := range q {
				h := qh[k] >> (2 * j)
				yy[k] = float32(d1*float32(v&0xf|(h&1)<<4)) - mm1
				yy[k+32] = float32(d2*float32(v>>4|(h>>1&1)<<4)) - mm2
			}
		}
	}
}

// DotQ5KQ8K returns the dot product of nblocks Q5_K blocks w with Q8_K
// blocks x as ggml_vec_dot_q5_K_q8_K (generic form; see DotQ4KQ8K).
func DotQ5KQ8K(w, x []byte, nblocks int) float32 {
	w = w[:nblocks*BlockQ5K]
	x = x[:nblocks*BlockQ8_K]
	var sums [8]float32
	var sumf float32
	for i := range nblocks {
		wb := w[i*BlockQ5K : i*BlockQ5K+BlockQ5K : i*BlockQ5K+BlockQ5K]
		xb := x[i*BlockQ8_K : i*BlockQ8_K+BlockQ8_K : i*BlockQ8_K+BlockQ8_K]
		q8 := xb[4 : 4+QK_K : 4+QK_K]
		qh := wb[16:48:48]
		var aux [8]int32
		var summ int32
		for j := range 4 {
			sc1, m1 := scaleMinK4(2*j, wb[4:16])
			sc2, m2 := scaleMinK4(2*j+1, wb[4:16])
			summ += (q8kBsum(xb, 4*j) + q8kBsum(xb, 4*j+1)) * int32(m1)
			summ += (q8kBsum(xb, 4*j+2) + q8kBsum(xb, 4*j+3)) * int32(m2)
			q := wb[48+32*j : 48+32*j+32 : 48+32*j+32]
			lo := q8[64*j : 64*j+32 : 64*j+32]
			hi := q8[64*j+32 : 64*j+64 : 64*j+64]
			shift := uint(2 * j)
			var a1, a2 [8]int32
			for k := 0; k < 32; k += 8 {
				for l := range 8 {
					v := q[k+l]
					h := qh[k+l] >> shift
					a1[l] += int32(v&0xf|(h&1)<<4) * int32(int8(lo[k+l]))
					a2[l] += int32(v>>4|(h>>1&1)<<4) * int32(int8(hi[k+l]))
				}
			}
			for l := range 8 {
				aux[l] += int32(sc1)*a1[l] + int32(sc2)*a2[l]
			}
		}
		dx := f32at(xb, 0)
		d := f16at(wb, 0) * dx
		for l := range 8 {
			sums[l] += float32(d * float32(aux[l]))
		}
		dmin := f16at(wb, 2) * dx
		sumf -= float32(dmin * float32(summ))
	}
	return kSums(sumf, &sums)
}

package kernels

// Q4_K: super-blocks of 256 weights in 8 sub-blocks of 32, 144 bytes:
// d (f16), dmin (f16), scales[12] (a 6-bit scale and a 6-bit min per
// sub-block, see scaleMinK4), qs[128]. Each 32 bytes of qs hold two
// sub-blocks: the low nibbles the first, the high nibbles the second.
// x = d·sc·q − dmin·m.

// BlockQ4K is the size in bytes of one Q4_K block.
const BlockQ4K = 4 + 12 + QK_K/2

// QuantizeQ4K encodes src as quantize_row_q4_K_ref (used by llama-quantize
// without an importance matrix).
func QuantizeQ4K(dst []byte, src []float32) {
	nb := len(src) / QK_K
	dst = dst[:nb*BlockQ4K]
	var l [QK_K]uint8
	for i := range nb {
		x := src[i*QK_K : i*QK_K+QK_K : i*QK_K+QK_K]
		y := dst[i*BlockQ4K : i*BlockQ4K+BlockQ4K : i*BlockQ4K+BlockQ4K]
		quantizeBlockK4(y, x, &l, 15, -1, 20)
		q := y[16:BlockQ4K]
		for j := 0; j < QK_K; j += 64 {
			for k := range 32 {
				q[j/2+k] = l[j+k] | l[j+k+32]<<4
			}
		}
	}
}

// DequantizeQ4K decodes len(dst) values from src.
func DequantizeQ4K(dst []float32, src []byte) {
	nb := len(dst) / QK_K
	src = src[:nb*BlockQ4K]
	for i := range nb {
		b := src[i*BlockQ4K : i*BlockQ4K+BlockQ4K : i*BlockQ4K+BlockQ4K]
		y := dst[i*QK_K : i*QK_K+QK_K : i*QK_K+QK_K]
		d, dmin := f16at(b, 0), f16at(b, 2)
		for j := range 4 {
			sc1, m1 := scaleMinK4(2*j, b[4:16])
			sc2, m2 := scaleMinK4(2*j+1, b[4:16])
			d1, mm1 := d*float32(sc1), dmin*float32(m1)
			d2, mm2 := d*float32(sc2), dmin*float32(m2)
			q := b[16+32*j : 16+32*j+32]
			yy := y[64*j : 64*j+64]
			for k, v := range q {
				yy[k] = float32(d1*float32(v&0xf)) - mm1
				yy[k+32] = float32(d2*float32(v>>4)) - mm2
			}
		}
	}
}

// DotQ4KQ8K returns the dot product of nblocks Q4_K blocks w with Q8_K
// blocks x as ggml_vec_dot_q4_K_q8_K (generic form): integer sums in eight
// lanes (element index mod 8) scaled per super-block by dw·dx into eight
// float32 lane sums, the mins subtracted from the running total through
// the Q8_K block sums, the lanes added at the end.
func DotQ4KQ8K(w, x []byte, nblocks int) float32 {
	w = w[:nblocks*BlockQ4K]
	x = x[:nblocks*BlockQ8_K]
	var sums [8]float32
	var sumf float32
	for i := range nblocks {
		wb := w[i*BlockQ4K : i*BlockQ4K+BlockQ4K : i*BlockQ4K+BlockQ4K]
		xb := x[i*BlockQ8_K : i*BlockQ8_K+BlockQ8_K : i*BlockQ8_K+BlockQ8_K]
		q8 := xb[4 : 4+QK_K : 4+QK_K]
		var aux [8]int32
		var summ int32
		for j := range 4 {
			sc1, m1 := scaleMinK4(2*j, wb[4:16])
			sc2, m2 := scaleMinK4(2*j+1, wb[4:16])
			summ += (q8kBsum(xb, 4*j) + q8kBsum(xb, 4*j+1)) * int32(m1)
			summ += (q8kBsum(xb, 4*j+2) + q8kBsum(xb, 4*j+3)) * int32(m2)
			q := wb[16+32*j : 16+32*j+32 : 16+32*j+32]
			lo := q8[64*j : 64*j+32 : 64*j+32]
			hi := q8[64*j+32 : 64*j+64 : 64*j+64]
			var a1, a2 [8]int32
			for k := 0; k < 32; k += 8 {
				for l := range 8 {
					v := q[k+l]
					a1[l] += int32(v&0xf) * int32(int8(lo[k+l]))
					a2[l] += int32(v>>4) * int32(int8(hi[k+l]))
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

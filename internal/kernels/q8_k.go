package kernels

import "encoding/binary"

// Q8_K: super-blocks of 256 activations, 292 bytes: d (float32), qs[256]
// (int8), bsums[16] (int16: sums of qs in groups of 16); x = d·q. Only
// activations use it, for the dot products with the K-quants.

// BlockQ8_K is the size in bytes of one Q8_K block.
const BlockQ8_K = 4 + QK_K + 2*QK_K/16

// QuantizeQ8K encodes src as quantize_row_q8_K_ref (which ggml's CPU
// backend uses for activations on x86-64 too): iscale = −127/max with max
// the value of largest magnitude, q = min(127, nearest(iscale·x)),
// d = 1/iscale. An all-zero block gets d = 0, zero quants and zero sums.
func QuantizeQ8K(dst []byte, src []float32) {
	quantizeQ8K(dst, src)
}

// quantizeQ8KRef is QuantizeQ8K's definition, block by block.
func quantizeQ8KRef(dst []byte, src []float32) {
	nb := len(src) / QK_K
	dst = dst[:nb*BlockQ8_K]
	for i := range nb {
		x := src[i*QK_K : i*QK_K+QK_K : i*QK_K+QK_K]
		y := dst[i*BlockQ8_K : i*BlockQ8_K+BlockQ8_K : i*BlockQ8_K+BlockQ8_K]
		var amax, vmax float32
		for _, v := range x {
			if a := abs32(v); a > amax {
				amax, vmax = a, v
			}
		}
		if amax == 0 {
			clear(y)
			continue
		}
		iscale := -127 / vmax
		for j, v := range x {
			y[4+j] = byte(int8(min(127, nearestInt(float32(iscale*v)))))
		}
		for j := range QK_K / 16 {
			var s int32
			for _, q := range y[4+16*j : 4+16*j+16] {
				s += int32(int8(q))
			}
			binary.LittleEndian.PutUint16(y[4+QK_K+2*j:], uint16(int16(s)))
		}
		putf32(y, 0, 1/iscale)
	}
}

// DequantizeQ8K decodes len(dst) values from src.
func DequantizeQ8K(dst []float32, src []byte) {
	nb := len(dst) / QK_K
	src = src[:nb*BlockQ8_K]
	for i := range nb {
		b := src[i*BlockQ8_K : i*BlockQ8_K+BlockQ8_K : i*BlockQ8_K+BlockQ8_K]
		y := dst[i*QK_K : i*QK_K+QK_K : i*QK_K+QK_K]
		d := f32at(b, 0)
		for j := range y {
			y[j] = d * float32(int8(b[4+j]))
		}
	}
}

// q8kBsum returns bsums[j] of a Q8_K block.
func q8kBsum(b []byte, j int) int32 {
	return int32(int16(binary.LittleEndian.Uint16(b[4+QK_K+2*j:])))
}

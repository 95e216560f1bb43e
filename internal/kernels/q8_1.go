package kernels

// Q8_1: blocks of 32 activations, 36 bytes: d (f16), s (f16, d times the
// sum of the quants), qs[32] (int8). Only activations use it, for the dot
// products with Q4_1 and Q5_1 weights.

// QK8_1 and BlockQ8_1 are the elements and bytes of one Q8_1 block.
const (
	QK8_1     = 32
	BlockQ8_1 = 4 + QK8_1
)

// QuantizeQ8_1 encodes src as quantize_row_q8_1_ref: d = amax/127,
// q = roundf(x·(1/d)), s = f16(Σq·d).
func QuantizeQ8_1(dst []byte, src []float32) {
	nb := len(src) / QK8_1
	dst = dst[:nb*BlockQ8_1]
	for i := range nb {
		x := src[i*QK8_1 : i*QK8_1+QK8_1 : i*QK8_1+QK8_1]
		y := dst[i*BlockQ8_1 : i*BlockQ8_1+BlockQ8_1 : i*BlockQ8_1+BlockQ8_1]
		var amax float32
		for _, v := range x {
			amax = max(amax, abs32(v))
		}
		d := amax / 127
		var id float32
		if d != 0 {
			id = 1 / d
		}
		var sum int32
		for j, v := range x {
			q := int8(roundAway(v * id))
			y[4+j] = byte(q)
			sum += int32(q)
		}
		put16(y, 0, F32ToF16(d))
		put16(y, 2, F32ToF16(float32(sum)*d))
	}
}

// QuantizeActQ8_1 encodes activations as ggml's CPU backend does on x86-64
// with AVX2 (quantize_row_q8_1): d = amax/127, q = x·(127/amax) rounded
// half to even, s = f16(d·Σq).
func QuantizeActQ8_1(dst []byte, src []float32) {
	nb := len(src) / QK8_1
	dst = dst[:nb*BlockQ8_1]
	for i := range nb {
		x := src[i*QK8_1 : i*QK8_1+QK8_1 : i*QK8_1+QK8_1]
		y := dst[i*BlockQ8_1 : i*BlockQ8_1+BlockQ8_1 : i*BlockQ8_1+BlockQ8_1]
		d, id := actScale(x)
		var sum int32
		for j, v := range x {
			q := roundEven(v * id)
			sum += q
			y[4+j] = byte(clampI8(q))
		}
		put16(y, 0, F32ToF16(d))
		put16(y, 2, F32ToF16(d*float32(sum)))
	}
}

// DequantizeQ8_1 decodes len(dst) values from src (x = d·q; s unused).
func DequantizeQ8_1(dst []float32, src []byte) {
	nb := len(dst) / QK8_1
	src = src[:nb*BlockQ8_1]
	for i := range nb {
		b := src[i*BlockQ8_1 : i*BlockQ8_1+BlockQ8_1 : i*BlockQ8_1+BlockQ8_1]
		y := dst[i*QK8_1 : i*QK8_1+QK8_1 : i*QK8_1+QK8_1]
		d := f16at(b, 0)
		for j := range y {
			y[j] = float32(int8(b[4+j])) * d
		}
	}
}

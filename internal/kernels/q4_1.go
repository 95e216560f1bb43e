package kernels

// Q4_1: blocks of 32 weights, 20 bytes: d (f16), m (f16), qs[16] (nibbles
// as in Q4_0); x = d·q + m.

// QK4_1 and BlockQ4_1 are the elements and bytes of one Q4_1 block.
const (
	QK4_1     = 32
	BlockQ4_1 = 4 + QK4_1/2
)

// QuantizeQ4_1 encodes src as quantize_row_q4_1_ref: m = min,
// d = (max−min)/15, q = min(15, trunc((x−m)/d + 0.5)).
func QuantizeQ4_1(dst []byte, src []float32) {
	nb := len(src) / QK4_1
	dst = dst[:nb*BlockQ4_1]
	for i := range nb {
		x := src[i*QK4_1 : i*QK4_1+QK4_1 : i*QK4_1+QK4_1]
		y := dst[i*BlockQ4_1 : i*BlockQ4_1+BlockQ4_1 : i*BlockQ4_1+BlockQ4_1]
		lo, hi := minMax(x)
		d := (hi - lo) / 15
		var id float32
		if d != 0 {
			id = 1 / d
		}
		put16(y, 0, F32ToF16(d))
		put16(y, 2, F32ToF16(lo))
		for j := range QK4_1 / 2 {
			q0 := min(15, int32(int8(float32((x[j]-lo)*id)+0.5)))
			q1 := min(15, int32(int8(float32((x[j+16]-lo)*id)+0.5)))
			y[4+j] = byte(q0) | byte(q1)<<4
		}
	}
}

// minMax returns the smallest and largest of x as ggml's loops find them
// (starting from ±FLT_MAX).
func minMax(x []float32) (lo, hi float32) {
	lo, hi = 3.4028234663852886e+38, -3.4028234663852886e+38
	for _, v := range x {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}

// DequantizeQ4_1 decodes len(dst) values from src.
func DequantizeQ4_1(dst []float32, src []byte) {
	nb := len(dst) / QK4_1
	src = src[:nb*BlockQ4_1]
	for i := range nb {
		b := src[i*BlockQ4_1 : i*BlockQ4_1+BlockQ4_1 : i*BlockQ4_1+BlockQ4_1]
		y := dst[i*QK4_1 : i*QK4_1+QK4_1 : i*QK4_1+QK4_1]
		d, m := f16at(b, 0), f16at(b, 2)
		for j := range 16 {
			q := b[4+j]
			y[j] = float32(float32(q&0xf)*d) + m
			y[j+16] = float32(float32(q>>4)*d) + m
		}
	}
}

// DotQ4_1Q8_1 returns the dot product of nblocks Q4_1 blocks w with Q8_1
// blocks x as ggml_vec_dot_q4_1_q8_1: per block (dw·dx)·sumi + m·s.
func DotQ4_1Q8_1(w, x []byte, nblocks int) float32 {
	w = w[:nblocks*BlockQ4_1]
	x = x[:nblocks*BlockQ8_1]
	var sum float32
	for i := range nblocks {
		wb := w[i*BlockQ4_1 : i*BlockQ4_1+BlockQ4_1 : i*BlockQ4_1+BlockQ4_1]
		xb := x[i*BlockQ8_1 : i*BlockQ8_1+BlockQ8_1 : i*BlockQ8_1+BlockQ8_1]
		var sumi int32
		for j := range 16 {
			q := wb[4+j]
			sumi += int32(q&0xf)*int32(int8(xb[4+j])) + int32(q>>4)*int32(int8(xb[20+j]))
		}
		dd := f16at(wb, 0) * f16at(xb, 0)
		sum += float32(float32(dd*float32(sumi)) + float32(f16at(wb, 2)*f16at(xb, 2)))
	}
	return sum
}

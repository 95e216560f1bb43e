package kernels

// Q4_0: blocks of 32 weights, 18 bytes: d (f16), qs[16]; element j < 16 is
// the low nibble of qs[j], element j+16 its high nibble; x = d·(q−8).

// QK4_0 and BlockQ4_0 are the elements and bytes of one Q4_0 block.
const (
	QK4_0     = 32
	BlockQ4_0 = 2 + QK4_0/2
)

// QuantizeQ4_0 encodes src into dst as quantize_row_q4_0_ref: d is the
// value of largest magnitude divided by −8, q = min(15, trunc(x/d + 8.5)).
func QuantizeQ4_0(dst []byte, src []float32) {
	nb := len(src) / QK4_0
	dst = dst[:nb*BlockQ4_0]
	for i := range nb {
		x := src[i*QK4_0 : i*QK4_0+QK4_0 : i*QK4_0+QK4_0]
		y := dst[i*BlockQ4_0 : i*BlockQ4_0+BlockQ4_0 : i*BlockQ4_0+BlockQ4_0]
		max := signedMax(x)
		d := max / -8
		var id float32
		if d != 0 {
			id = 1 / d
		}
		put16(y, 0, F32ToF16(d))
		for j := range QK4_0 / 2 {
			q0 := min(15, int32(int8(float32(x[j]*id)+8.5)))
			q1 := min(15, int32(int8(float32(x[j+16]*id)+8.5)))
			y[2+j] = byte(q0) | byte(q1)<<4
		}
	}
}

// signedMax returns the value of largest magnitude (the first of equals).
func signedMax(x []float32) float32 {
	var amax, max float32
	for _, v := range x {
		if a := abs32(v); amax < a {
			amax, max = a, v
		}
	}
	return max
}

// DequantizeQ4_0 decodes len(dst) values from src.
func DequantizeQ4_0(dst []float32, src []byte) {
	nb := len(dst) / QK4_0
	src = src[:nb*BlockQ4_0]
	for i := range nb {
		b := src[i*BlockQ4_0 : i*BlockQ4_0+BlockQ4_0 : i*BlockQ4_0+BlockQ4_0]
		y := dst[i*QK4_0 : i*QK4_0+QK4_0 : i*QK4_0+QK4_0]
		d := f16at(b, 0)
		for j := range 16 {
			q := b[2+j]
			y[j] = float32(int32(q&0xf)-8) * d
			y[j+16] = float32(int32(q>>4)-8) * d
		}
	}
}

// DotQ4_0Q8_0 returns the dot product of nblocks Q4_0 blocks w with Q8_0
// blocks x as ggml_vec_dot_q4_0_q8_0: per block sumi·dw·dx, in float32.
func DotQ4_0Q8_0(w, x []byte, nblocks int) float32 {
	w = w[:nblocks*BlockQ4_0]
	x = x[:nblocks*BlockQ8_0]
	var sum float32
	for i := range nblocks {
		wb := w[i*BlockQ4_0 : i*BlockQ4_0+BlockQ4_0 : i*BlockQ4_0+BlockQ4_0]
		xb := x[i*BlockQ8_0 : i*BlockQ8_0+BlockQ8_0 : i*BlockQ8_0+BlockQ8_0]
		var sumi int32
		for j := range 16 {
			q := wb[2+j]
			sumi += (int32(q&0xf)-8)*int32(int8(xb[2+j])) + (int32(q>>4)-8)*int32(int8(xb[18+j]))
		}
		sum += float32(float32(float32(sumi)*f16at(wb, 0)) * f16at(xb, 0))
	}
	return sum
}

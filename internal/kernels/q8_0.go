package kernels

// Q8_0: blocks of 32 weights, 34 bytes: d (f16), qs[32] (int8); x = d·q.

// QK8_0 and BlockQ8_0 are the elements and bytes of one Q8_0 block.
const (
	QK8_0     = 32
	BlockQ8_0 = 2 + QK8_0
)

// QuantizeQ8_0 encodes src (a multiple of 32 values) into dst as
// quantize_row_q8_0_ref does: d = amax/127, q = roundf(x·(1/d)). This is
// the quantizer of model files.
func QuantizeQ8_0(dst []byte, src []float32) {
	nb := len(src) / QK8_0
	dst = dst[:nb*BlockQ8_0]
	for i := range nb {
		x := src[i*QK8_0 : i*QK8_0+QK8_0 : i*QK8_0+QK8_0]
		y := dst[i*BlockQ8_0 : i*BlockQ8_0+BlockQ8_0 : i*BlockQ8_0+BlockQ8_0]
		var amax float32
		for _, v := range x {
			if a := abs32(v); a > amax {
				amax = a
			}
		}
		d := amax / 127
		var id float32
		if d != 0 {
			id = 1 / d
		}
		put16(y, 0, F32ToF16(d))
		for j, v := range x {
			y[2+j] = byte(int8(roundAway(v * id)))
		}
	}
}

// QuantizeActQ8_0 encodes activations into Q8_0 as ggml's CPU backend does
// on x86-64 with AVX2 (quantize_row_q8_0): d = amax/127, q = x·(127/amax)
// rounded half to even and saturated to int8.
func QuantizeActQ8_0(dst []byte, src []float32) {
	quantizeActQ8_0(dst, src)
}

// quantizeActQ8_0Ref is QuantizeActQ8_0's definition, block by block.
func quantizeActQ8_0Ref(dst []byte, src []float32) {
	nb := len(src) / QK8_0
	dst = dst[:nb*BlockQ8_0]
	for i := range nb {
		x := src[i*QK8_0 : i*QK8_0+QK8_0 : i*QK8_0+QK8_0]
		y := dst[i*BlockQ8_0 : i*BlockQ8_0+BlockQ8_0 : i*BlockQ8_0+BlockQ8_0]
		d, id := actScale(x)
		put16(y, 0, F32ToF16(d))
		for j, v := range x {
			y[2+j] = byte(clampI8(roundEven(v * id)))
		}
	}
}

// actScale returns d = amax/127 and id = 127/amax (0 when amax is 0), the
// scales of the AVX activation quantizers.
func actScale(x []float32) (d, id float32) {
	var amax float32
	for _, v := range x {
		if a := abs32(v); a > amax {
			amax = a
		}
	}
	d = amax / 127
	if amax != 0 {
		id = 127 / amax
	}
	return d, id
}

// DequantizeQ8_0 decodes len(dst) values (a multiple of 32) from src.
func DequantizeQ8_0(dst []float32, src []byte) {
	nb := len(dst) / QK8_0
	src = src[:nb*BlockQ8_0]
	for i := range nb {
		b := src[i*BlockQ8_0 : i*BlockQ8_0+BlockQ8_0 : i*BlockQ8_0+BlockQ8_0]
		y := dst[i*QK8_0 : i*QK8_0+QK8_0 : i*QK8_0+QK8_0]
		d := f16at(b, 0)
		for j := range y {
			y[j] = float32(int8(b[2+j])) * d
		}
	}
}

// DotQ8_0Q8_0 returns the dot product of nblocks Q8_0 blocks w and x with
// the arithmetic of ggml_vec_dot_q8_0_q8_0: per block the integer sum of
// products times (dw·dx), summed in float32.
func DotQ8_0Q8_0(w, x []byte, nblocks int) float32 {
	w = w[:nblocks*BlockQ8_0]
	x = x[:nblocks*BlockQ8_0]
	var sum float32
	for i := 0; i < len(w); i += BlockQ8_0 {
		wb := w[i : i+BlockQ8_0 : i+BlockQ8_0]
		xb := x[i : i+BlockQ8_0 : i+BlockQ8_0]
		var sumi int32
		for j := 2; j < BlockQ8_0; j++ {
			sumi += int32(int8(wb[j])) * int32(int8(xb[j]))
		}
		sum += float32(float32(sumi) * (f16at(wb, 0) * f16at(xb, 0)))
	}
	return sum
}

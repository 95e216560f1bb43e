package kernels

import "math"

// The plain float rows: F32 (4 bytes), F16 and BF16 (2 bytes) per element,
// little-endian. ggml's CPU backend converts activations to the weight's
// type for these (F16 weights meet F16 activations), multiplies pairs in
// float32 and accumulates in float64 (ggml_vec_dot_f16 and _bf16, scalar
// form).

// DequantizeF32 decodes len(dst) float32 values from src.
func DequantizeF32(dst []float32, src []byte) {
	src = src[:4*len(dst)]
	for i := range dst {
		dst[i] = f32at(src, 4*i)
	}
}

// QuantizeF32 encodes src into dst (4 bytes each).
func QuantizeF32(dst []byte, src []float32) {
	dst = dst[:4*len(src)]
	for i, v := range src {
		putf32(dst, 4*i, v)
	}
}

// DotF32F32 is DotF32 on n float32 values stored as bytes.
func DotF32F32(w, x []byte, n int) float32 {
	w = w[:4*n]
	x = x[:4*n]
	var s float64
	for i := 0; i < 4*n; i += 4 {
		s += float64(float32(f32at(w, i) * f32at(x, i)))
	}
	return float32(s)
}

// DequantizeF16 decodes len(dst) binary16 values from src.
func DequantizeF16(dst []float32, src []byte) {
	src = src[:2*len(dst)]
	for i := range dst {
		dst[i] = F16ToF32(le16(src, 2*i))
	}
}

// QuantizeF16 encodes src into dst as binary16 (see F32ToF16).
func QuantizeF16(dst []byte, src []float32) {
	dst = dst[:2*len(src)]
	for i, v := range src {
		put16(dst, 2*i, F32ToF16(v))
	}
}

// DotF16F16 returns the dot product of n binary16 values w and x.
func DotF16F16(w, x []byte, n int) float32 {
	w = w[:2*n]
	x = x[:2*n]
	var s float64
	for i := 0; i < 2*n; i += 2 {
		s += float64(F16ToF32(le16(w, i)) * F16ToF32(le16(x, i)))
	}
	return float32(s)
}

// DequantizeBF16 decodes len(dst) bfloat16 values from src.
func DequantizeBF16(dst []float32, src []byte) {
	src = src[:2*len(dst)]
	for i := range dst {
		dst[i] = math.Float32frombits(uint32(le16(src, 2*i)) << 16)
	}
}

// QuantizeBF16 encodes src into dst as bfloat16 (see F32ToBF16).
func QuantizeBF16(dst []byte, src []float32) {
	dst = dst[:2*len(src)]
	for i, v := range src {
		put16(dst, 2*i, F32ToBF16(v))
	}
}

// DotBF16BF16 returns the dot product of n bfloat16 values w and x.
func DotBF16BF16(w, x []byte, n int) float32 {
	w = w[:2*n]
	x = x[:2*n]
	var s float64
	for i := 0; i < 2*n; i += 2 {
		a := math.Float32frombits(uint32(le16(w, i)) << 16)
		b := math.Float32frombits(uint32(le16(x, i)) << 16)
		s += float64(float32(a * b))
	}
	return float32(s)
}

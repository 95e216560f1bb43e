package kernels

import "math"

// The plain float rows: F32 (4 bytes), F16 and BF16 (2 bytes) per element,
// little-endian. ggml's CPU backend converts activations to the weight's
// type for these (F16 weights meet F16 activations); each dot function
// says in which order it sums.

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

// DotF32F32 returns the dot product of n float32 values, summed in the
// order of ggml_vec_dot_f32 in llama.cpp's AVX2 build (what it computes
// for one token), so that results agree to the last bit (attention in F16
// amplifies last-bit differences): four 8-lane accumulators of fused
// multiply-adds over the largest multiple of 32 elements, reduced
// pairwise (hsum8h), then the remaining elements added one by one in
// float32.
func DotF32F32(w, x []byte, n int) float32 {
	w = w[:4*n]
	x = x[:4*n]
	var acc [4][8]float32
	np := n &^ 31
	for i := 0; i < 4*np; i += 128 {
		for k := range acc {
			for j := range acc[k] {
				o := i + 32*k + 4*j
				acc[k][j] = fmaf(f32at(w, o), f32at(x, o), acc[k][j])
			}
		}
	}
	s := reduce4x8(&acc)
	for i := 4 * np; i < 4*n; i += 4 {
		s += f32at(w, i) * f32at(x, i)
	}
	return s
}

// DotF32F32Batch returns the dot product of n float32 values, n a multiple
// of 8, summed as llama.cpp's AVX2 tinyBLAS matrix product does for a
// batch of two or more tokens: eight lanes of fused multiply-adds, then
// hsum8.
func DotF32F32Batch(w, x []byte, n int) float32 {
	w = w[:4*n]
	x = x[:4*n]
	var acc [8]float32
	for l := 0; l < 4*n; l += 32 {
		for j := range acc {
			acc[j] = fmaf(f32at(w, l+4*j), f32at(x, l+4*j), acc[j])
		}
	}
	return hsum8(acc)
}

// reduce4x8 sums four 8-lane accumulators as GGML_F32x8_REDUCE does: the
// third into the first and the fourth into the second, those two
// together, then the lanes (hsum8h).
func reduce4x8(acc *[4][8]float32) float32 {
	for j := range 8 {
		acc[0][j] += acc[2][j]
		acc[1][j] += acc[3][j]
		acc[0][j] += acc[1][j]
	}
	return hsum8h(acc[0])
}

// hsum8h adds eight lanes as GGML_F32x8_REDUCE does: the high half to the
// low half, then two horizontal adds (adjacent pairs first).
func hsum8h(a [8]float32) float32 {
	h0, h1, h2, h3 := a[0]+a[4], a[1]+a[5], a[2]+a[6], a[3]+a[7]
	return (h0 + h1) + (h2 + h3)
}

// fmaf is a fused multiply-add in float32: a*b+c rounded once, as the
// hardware's VFMADD...PS computes it. math.FMA's float64 result, rounded
// to float32, is that unless it lies exactly halfway between two float32
// or in float32's subnormal range (a zero is exact), where rounding twice
// may differ; fmafOdd handles those.
func fmaf(a, b, c float32) float32 {
	r := math.FMA(float64(a), float64(b), float64(c))
	if bits := math.Float64bits(r); bits&(1<<29-1) != 1<<28 && (math.Abs(r) >= 0x1p-126 || r == 0) {
		return float32(r)
	}
	return fmafOdd(a, b, c)
}

// fmafOdd is fmaf by rounding to odd: the product of two float32 is exact
// in float64; the sum, rounded to nearest in float64, is moved one ulp
// towards the exact value when it is inexact and even, which makes its
// rounding to float32 correct.
func fmafOdd(a, b, c float32) float32 {
	p := float64(float64(a) * float64(b))
	cc := float64(c)
	s := float64(p + cc)
	// TwoSum: e is the exact error of s.
	bv := float64(s - p)
	e := float64(float64(p-float64(s-bv)) + float64(cc-bv))
	if bits := math.Float64bits(s); e != 0 && bits&1 == 0 && !math.IsInf(s, 0) {
		if (e > 0) == (s > 0) {
			bits++
		} else {
			bits--
		}
		s = math.Float64frombits(bits)
	}
	return float32(s)
}

// hsum8 adds eight lanes as AVX code does: the high half to the low half,
// then pairs.
func hsum8(a [8]float32) float32 {
	h0, h1, h2, h3 := a[4]+a[0], a[5]+a[1], a[6]+a[2], a[7]+a[3]
	return (h0 + h2) + (h1 + h3)
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

// DotF16F16 returns the dot product of n binary16 values w and x, summed
// as ggml_vec_dot_f16 in llama.cpp's AVX2 build (attention scores over an
// F16 cache, F16 weights against one token): over the largest multiple of
// 32 elements, four 8-lane float32 accumulators of fused multiply-adds
// (products of halves are exact in float32, so each is one rounded
// addition), reduced as GGML_F32x8_REDUCE (hsum8h); then the remaining
// products added in float64, the result rounded to float32.
func DotF16F16(w, x []byte, n int) float32 {
	w = w[:2*n]
	x = x[:2*n]
	np := n &^ 31
	var head float32
	if np > 0 {
		head = dotF16Head(w, x, np)
	}
	return dotF16Tail(head, w, x, np, n)
}

// dotF16Tail adds the products of elements np..n-1 to head in float64.
func dotF16Tail(head float32, w, x []byte, np, n int) float32 {
	s := float64(head)
	for i := 2 * np; i < 2*n; i += 2 {
		s += float64(F16ToF32(le16(w, i)) * F16ToF32(le16(x, i)))
	}
	return float32(s)
}

// dotF16Head is the float32 part of DotF16F16 over np elements, np a
// multiple of 32.
func dotF16Head(w, x []byte, np int) float32 {
	var acc [4][8]float32
	for i := 0; i < 2*np; i += 64 {
		for k := range acc {
			for j := range acc[k] {
				o := i + 16*k + 2*j
				acc[k][j] = fmaf(F16ToF32(le16(w, o)), F16ToF32(le16(x, o)), acc[k][j])
			}
		}
	}
	return reduce4x8(&acc)
}

// DotF16F16Batch returns the dot product of n binary16 values, n a
// multiple of 8, summed as llama.cpp's AVX2 tinyBLAS matrix product does
// for F16 weights against a batch of two or more tokens (converted to F16):
// eight lanes of fused multiply-adds, then hsum8.
func DotF16F16Batch(w, x []byte, n int) float32 {
	w = w[:2*n]
	x = x[:2*n]
	var acc [8]float32
	for l := 0; l < 2*n; l += 16 {
		for j := range acc {
			acc[j] = fmaf(F16ToF32(le16(w, l+2*j)), F16ToF32(le16(x, l+2*j)), acc[j])
		}
	}
	return hsum8(acc)
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

package kernels

import "math"

// DotF32 returns the dot product of a and b (of equal length) as ggml's
// scalar ggml_vec_dot_f32 computes it: each product rounded to float32,
// the sum accumulated in float64, the result rounded to float32.
func DotF32(a, b []float32) float32 {
	b = b[:len(a)]
	var s float64
	for i, v := range a {
		s += float64(float32(v * b[i]))
	}
	return float32(s)
}

// Add sets dst[i] = a[i] + b[i].
func Add(dst, a, b []float32) {
	a = a[:len(dst)]
	b = b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

// Mul sets dst[i] = a[i] * b[i].
func Mul(dst, a, b []float32) {
	a = a[:len(dst)]
	b = b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

// Scale multiplies x by s in place (each product rounded to float32, as
// ggml_vec_scale_f32).
func Scale(x []float32, s float32) {
	x = scale32(x, s) // the largest multiple of 32 elements, in assembly
	for i := range x {
		x[i] *= s
	}
}

// RMSNormScale returns the factor ggml_compute_forward_rms_norm_f32
// multiplies x by: the squares (each rounded to float32) summed in float64,
// the mean rounded to float32, then 1/sqrtf(mean+eps) in float32.
func RMSNormScale(x []float32, eps float32) float32 {
	var sum float64
	for _, v := range x {
		sum += float64(float32(v * v))
	}
	mean := float32(sum / float64(len(x)))
	return 1 / float32(math.Sqrt(float64(mean+eps)))
}

// RMSNorm sets dst[i] = (x[i]*scale) * weight[i] with scale from
// RMSNormScale, rounding x[i]*scale to float32 first: the same numbers as
// llama.cpp's graph, where ggml_rms_norm and the multiplication by the norm
// weight are separate operations. With a nil weight it stores x[i]*scale.
// dst may be x.
func RMSNorm(dst, x, weight []float32, eps float32) {
	x = x[:len(dst)]
	s := RMSNormScale(x, eps)
	if weight == nil {
		for i, v := range x {
			dst[i] = v * s
		}
		return
	}
	weight = weight[:len(dst)]
	for i, v := range x {
		dst[i] = float32(v*s) * weight[i]
	}
}

// Softmax replaces x by its softmax as ggml's soft_max does on one row:
// e[i] = expf(x[i]-max), their sum accumulated in float64, then every e[i]
// multiplied by the float32 of 1/sum. An empty x is left alone; entries of
// -Inf (masked) become 0.
func Softmax(x []float32) {
	if len(x) == 0 {
		return
	}
	max := float32(math.Inf(-1))
	for _, v := range x {
		if v > max {
			max = v
		}
	}
	var sum float64
	for i, v := range x {
		e := expf(v - max)
		x[i] = e
		sum += float64(e)
	}
	Scale(x, float32(1/sum))
}

// SiLU returns x/(1+e**-x) in float32, as ggml_silu_f32.
func SiLU(x float32) float32 { return x / (1 + expf(-x)) }

// SwiGLU sets dst[i] = SiLU(gate[i]) * up[i] as llama.cpp's AVX2 build
// computes ggml_vec_swiglu_f32: groups of eight with the vectorised
// exponential (vexpf), the remaining elements with expf. dst may be gate
// or up.
func SwiGLU(dst, gate, up []float32) {
	gate = gate[:len(dst)]
	up = up[:len(dst)]
	n8 := len(dst) &^ 7
	swiglu8(dst[:n8], gate[:n8], up[:n8])
	for i := n8; i < len(dst); i++ {
		dst[i] = SiLU(gate[i]) * up[i]
	}
}

// vexpf is e**x as ggml's vectorised expf computes it on AVX2 (an
// approximation within 1.5 ulp): x = n·ln2 + b with n rounded to an
// integer, a degree-5 polynomial for e**b evaluated with fused
// multiply-adds, and 2**n put into the exponent bits.
func vexpf(x float32) float32 {
	const shift = 0x1.8p23
	z := fmaf(x, 0x1.715476p+0, shift)
	n := z - shift
	b := fmaf(-n, 0x1.7f7d1cp-20, fmaf(-n, 0x1.62e4p-1, x))
	e := math.Float32bits(z) << 23
	k := math.Float32frombits(e + math.Float32bits(1))
	u := b * b
	j := fmaf(fmaf(fmaf(0x1.0e4020p-7, b, 0x1.573e2ep-5), u, fmaf(0x1.555e66p-3, b, 0x1.fffdb6p-2)), u, 0x1.ffffecp-1*b)
	an := float32(math.Abs(float64(n)))
	if !(an > 126) {
		return fmaf(j, k, k)
	}
	var g uint32
	if n <= 0 {
		g = 0x82000000
	}
	s1 := math.Float32frombits(g + 0x7f000000)
	s2 := math.Float32frombits(e - g)
	if an > 192 {
		return s1 * s1
	}
	return fmaf(s2, j, s2) * s1
}

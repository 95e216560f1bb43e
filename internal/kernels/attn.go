package kernels

import "fmt"

// The kernels of llama.cpp's tiled CPU flash attention (the path it takes
// for a batch of 64 or more queries), in the float order of its AVX2
// build.

// GemmF32 adds the product of a (m rows of k) and b (k rows of n) to c (m
// rows of n) as ggml's simd_gemm does: each element of c gets one fused
// multiply-add per value of k, in order. n must be a multiple of 8 (its
// scalar columns are not reproduced).
func GemmF32(c, a, b []float32, m, k, n int) {
	if n%8 != 0 || len(c) < m*n || len(a) < m*k || len(b) < k*n {
		panic(fmt.Sprintf("kernels: GemmF32 of %d×%d by %d×%d into %d, %d, %d values", m, k, k, n, len(a), len(b), len(c)))
	}
	if m == 0 || n == 0 || k == 0 {
		return
	}
	gemmF32s(c, a, b, m, k, n)
}

// FMA32 returns a*b+c rounded once to float32, as the hardware's fused
// multiply-add (and C compiled with floating-point contraction) computes
// it.
func FMA32(a, b, c float32) float32 { return fmaf(a, b, c) }

func gemmF32Ref(c, a, b []float32, m, k, n int) {
	for i := range m {
		ci := c[i*n : (i+1)*n]
		ai := a[i*k : (i+1)*k]
		for kk, av := range ai {
			bk := b[kk*n : (kk+1)*n]
			for j := range ci {
				ci[j] = fmaf(av, bk[j], ci[j])
			}
		}
	}
}

// SoftmaxExp replaces x[i] by e**(x[i]-max) and returns their sum as
// ggml_vec_soft_max_f32 computes it on AVX2: groups of eight with the
// vectorised exponential (vexpf), each group added up in float32 (hsum8)
// and the group sums in float64; the remaining elements with expf, added in
// float64. Entries of -Inf become 0.
func SoftmaxExp(x []float32, max float32) float64 {
	n8 := len(x) &^ 7
	sum := softmaxExp8(x[:n8], max)
	for i := n8; i < len(x); i++ {
		x[i] = expf(x[i] - max)
		sum += float64(x[i])
	}
	return sum
}

func softmaxExp8Ref(x []float32, max float32) float64 {
	var sum float64
	for i := 0; i < len(x); i += 8 {
		var v [8]float32
		for j := range v {
			v[j] = vexpf(x[i+j] - max)
			x[i+j] = v[j]
		}
		sum += float64(hsum8(v))
	}
	return sum
}

func swiglu8Ref(dst, gate, up []float32) {
	for i, g := range gate {
		dst[i] = g / (1 + vexpf(0-g)) * up[i]
	}
}

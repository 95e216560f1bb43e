//go:build !purego

package kernels

// gemmF32 is GemmF32 for m, k, n > 0, n a multiple of 8.
//
//go:noescape
func gemmF32(c, a, b *float32, m, k, n int)

// softmaxF32 is softmaxExp8Ref on n elements, n a multiple of 8.
//
//go:noescape
func softmaxF32(x *float32, n int, max float32) float64

// swigluF32 is swiglu8Ref on n elements, n a multiple of 8.
//
//go:noescape
func swigluF32(dst, gate, up *float32, n int)

// scaleF32 multiplies n floats of x by s, n a multiple of 32.
//
//go:noescape
func scaleF32(x *float32, n int, s float32)

func scale32(x []float32, s float32) []float32 {
	if n := len(x) &^ 31; hasAVX2 && n > 0 {
		scaleF32(&x[0], n, s)
		return x[n:]
	}
	return x
}

func gemmF32s(c, a, b []float32, m, k, n int) {
	if hasAVX2 {
		gemmF32(&c[0], &a[0], &b[0], m, k, n)
		return
	}
	gemmF32Ref(c, a, b, m, k, n)
}

func softmaxExp8(x []float32, max float32) float64 {
	if hasAVX2 && len(x) > 0 {
		return softmaxF32(&x[0], len(x), max)
	}
	return softmaxExp8Ref(x, max)
}

func swiglu8(dst, gate, up []float32) {
	if hasAVX2 && len(dst) > 0 {
		swigluF32(&dst[0], &gate[0], &up[0], len(dst))
		return
	}
	swiglu8Ref(dst, gate, up)
}

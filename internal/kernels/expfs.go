package kernels

import "math"

// Expfs sets dst[i] = Expf(x[i]) for every i of x: glibc's expf over a
// slice, several at a time where the CPU allows, bit for bit the same.
func Expfs(dst, x []float32) {
	dst = dst[:len(x)]
	expfs(dst, x)
}

func expfsRef(dst, x []float32) {
	for i, v := range x {
		dst[i] = expf(v)
	}
}

// expfSpecial reports whether expf takes its special path for x (|x| of
// 88 or more, infinities and NaNs), which the vector kernels leave to it.
func expfSpecial(x float32) bool {
	return math.Float32bits(x)&0x7fffffff >= 0x42b00000
}

// expfConsts are the float64 constants of expf as the vector kernel
// reads them: 32/ln2, the rounding shift, the cubic's three coefficients
// scaled as expf scales them, and 1.
var expfConsts = [6]float64{
	0x1.71547652b82fep+0 * 32,
	0x1.8p+52,
	0x1.c6af84b912394p-5 / 32 / 32 / 32,
	0x1.ebfce50fac4f3p-3 / 32 / 32,
	0x1.62e42ff0c52d6p-1 / 32,
	1,
}

package kernels

import "math"

// Expf returns e**x in float32 as glibc's expf computes it (see expf):
// llama.cpp's scalar exponential (flash attention's softmax updates, the
// leftovers of its vector loops).
func Expf(x float32) float32 { return expf(x) }

// expf is e**x rounded to float32 as glibc's expf computes it on x86-64
// with FMA (glibc 2.36, from ARM's optimized routines; what llama.cpp's
// scalar code calls): x·32/ln2 = k + r, 2**(k/32) from a table and a
// cubic in r evaluated in float64 with the fused multiply-adds GCC forms,
// rounded once to float32. It is within 0.502 ulp, not always correctly
// rounded.
func expf(x float32) float32 {
	xd := float64(x)
	if abstop := (math.Float32bits(x) >> 20) & 0x7ff; abstop >= 0x42b { // |x| >= 88 or NaN
		switch {
		case math.IsInf(float64(x), -1):
			return 0
		case abstop >= 0x7f8:
			return x + x
		case x > 0x1.62e42ep6:
			return float32(math.Inf(1))
		case x < -0x1.9fe368p6:
			return 0
		}
	}
	const shift = 0x1.8p+52
	z := 0x1.71547652b82fep+0 * 32 * xd
	kd := float64(z + shift)
	ki := math.Float64bits(kd)
	kd -= shift
	r := z - kd
	t := expTab[ki%32] + ki<<47
	s := math.Float64frombits(t)
	zz := math.FMA(0x1.c6af84b912394p-5/32/32/32, r, 0x1.ebfce50fac4f3p-3/32/32)
	r2 := r * r
	y := math.FMA(0x1.62e42ff0c52d6p-1/32, r, 1)
	y = math.FMA(zz, r2, y)
	return float32(y * s)
}

// expTab[i] is the bits of 2**(i/32) less i<<47.
var expTab = [32]uint64{
	0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
	0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
	0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
	0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
	0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
	0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
	0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
	0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
}

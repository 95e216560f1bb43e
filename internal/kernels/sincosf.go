package kernels

import "math"

// SinCosF32 returns sin(x) and cos(x) in float32 as glibc's sincosf
// computes them on x86-64 with FMA (the libm llama.cpp's RoPE calls; glibc
// 2.36, from ARM's optimized routines): within 0.56 ulp but not correctly
// rounded, so a correctly rounded sin and cos differ from it for some
// angles. The argument is reduced in float64 (a single step below 120, the
// bits of 2/π in integer arithmetic above), then polynomials are evaluated
// in float64 with the fused multiply-adds GCC forms from glibc's C.
func SinCosF32(y float32) (sin, cos float32) {
	x := float64(y)
	p := &sincosTab[0]
	top := abstop12(y)
	var n int
	switch {
	case top < abstop12(0x1.921FB6p-1): // |y| < π/4
		if top < abstop12(0x1p-12) {
			return y, 1
		}
		return sincosPoly(x, x*x, p, 0)
	case top < abstop12(120):
		x, n = reduceFast(x)
		s := sincosSign[n&3]
		if n&2 != 0 {
			p = &sincosTab[1]
		}
		return sincosPoly(x*s, x*x, p, n)
	case top < abstop12(float32(math.Inf(1))):
		xi := math.Float32bits(y)
		sign := int(xi >> 31)
		x, n = reduceLarge(xi)
		s := sincosSign[(n+sign)&3]
		if (n+sign)&2 != 0 {
			p = &sincosTab[1]
		}
		return sincosPoly(x*s, x*x, p, n)
	default:
		nan := float32(math.NaN())
		return nan, nan
	}
}

func abstop12(x float32) uint32 { return (math.Float32bits(x) >> 20) & 0x7ff }

// sincosCoef holds a quadrant's cosine and sine polynomials.
type sincosCoef struct{ c0, c1, c2, c3, c4, s1, s2, s3 float64 }

var (
	sincosSign = [4]float64{1, -1, -1, 1}
	sincosTab  = [2]sincosCoef{
		{0x1p0, -0x1.ffffffd0c621cp-2, 0x1.55553e1068f19p-5, -0x1.6c087e89a359dp-10, 0x1.99343027bf8c3p-16,
			-0x1.555545995a603p-3, 0x1.1107605230bc4p-7, -0x1.994eb3774cf24p-13},
		{-0x1p0, 0x1.ffffffd0c621cp-2, -0x1.55553e1068f19p-5, 0x1.6c087e89a359dp-10, -0x1.99343027bf8c3p-16,
			-0x1.555545995a603p-3, 0x1.1107605230bc4p-7, -0x1.994eb3774cf24p-13},
	}
)

// sincosPoly evaluates the polynomials at the reduced x (x2 = x²); an odd
// quadrant n swaps sine and cosine.
func sincosPoly(x, x2 float64, p *sincosCoef, n int) (sin, cos float32) {
	x4 := x2 * x2
	x3 := x2 * x
	c2 := math.FMA(x2, p.c4, p.c3)
	s1 := math.FMA(x2, p.s3, p.s2)
	c1 := math.FMA(x2, p.c1, p.c0)
	x5 := x3 * x2
	x6 := x4 * x2
	s := math.FMA(x3, p.s1, x)
	c := math.FMA(x4, p.c2, c1)
	sin = float32(math.FMA(x5, s1, s))
	cos = float32(math.FMA(x6, c2, c))
	if n&1 != 0 {
		return cos, sin
	}
	return sin, cos
}

// reduceFast reduces |x| < 120 by multiples of π/2: the quadrant rounded
// from x·2/π scaled by 2**24.
func reduceFast(x float64) (float64, int) {
	r := x * 0x1.45F306DC9C883p+23
	n := (int32(r) + 0x800000) >> 24
	return math.FMA(-float64(n), 0x1.921FB54442D18p0, x), int(n)
}

// invPio4 holds 32-bit windows of the bits of 2/π (byte i the last of
// window i).
var invPio4 = [24]uint32{
	0xa2, 0xa2f9, 0xa2f983, 0xa2f9836e,
	0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529,
	0x441529fc, 0x1529fc27, 0x29fc2757, 0xfc2757d1,
	0x2757d1f5, 0x57d1f534, 0xd1f534dd, 0xf534ddc0,
	0x34ddc0db, 0xddc0db62, 0xc0db6295, 0xdb629599,
	0x6295993c, 0x95993c43, 0x993c4390, 0x3c439041,
}

// reduceLarge reduces a finite |x| ≥ 120 (its bits xi) by multiples of
// π/2 with the bits of 2/π in fixed point.
func reduceLarge(xi uint32) (float64, int) {
	arr := invPio4[(xi>>26)&15:]
	shift := (xi >> 23) & 7
	xi = (xi & 0xffffff) | 0x800000
	xi <<= shift
	res0 := uint64(xi * arr[0])
	res1 := uint64(xi) * uint64(arr[4])
	res2 := uint64(xi) * uint64(arr[8])
	res0 = (res2 >> 32) | (res0 << 32)
	res0 += res1
	n := (res0 + 1<<61) >> 62
	res0 -= n << 62
	return float64(int64(res0)) * 0x1.921FB54442D18p-62, int(n)
}

package kernels

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// exactFMA32 is a*b+c computed exactly and rounded once to float32.
func exactFMA32(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(400).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetPrec(400).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetPrec(400).SetFloat64(float64(c)))
	f, _ := x.Float32()
	return f
}

// TestFmafExact checks fmaf against exact arithmetic, including sums that
// round to a float32 tie in float64 (where math.FMA then float32 would
// round twice), subnormal results and cancellation.
func TestFmafExact(t *testing.T) {
	one := float32(1)
	ulp := math.Nextafter32(one, 2) - one // 2**-23
	cases := [][3]float32{
		// a*b = 2**-24 - 2**-70: the float64 sum is the tie 1 + 3·2**-24.
		{0x1p-12 * (one + ulp), 0x1p-12 * (one - ulp), one + ulp},
		{-0x1p-12 * (one + ulp), 0x1p-12 * (one - ulp), -(one + ulp)},
		{0x1p-70, 0x1p-70, 0x1p-149},
		{3, 5, -15}, {0, 0, 0}, {1e30, 1e30, 1},
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		a := float32(r.NormFloat64()) * float32(math.Ldexp(1, r.IntN(40)-20))
		b := float32(r.NormFloat64()) * float32(math.Ldexp(1, r.IntN(40)-20))
		c := float32(r.NormFloat64()) * float32(math.Ldexp(1, r.IntN(80)-40))
		if r.IntN(4) == 0 {
			c = -a * b * (1 + float32(r.NormFloat64())*0x1p-20)
		}
		cases = append(cases, [3]float32{a, b, c})
	}
	for _, c := range cases {
		want := exactFMA32(c[0], c[1], c[2])
		for name, f := range map[string]func(a, b, c float32) float32{"fmaf": fmaf, "fmafOdd": fmafOdd} {
			if got := f(c[0], c[1], c[2]); math.Float32bits(got) != math.Float32bits(want) && !(got == 0 && want == 0) {
				t.Fatalf("%s(%g, %g, %g) = %g, want %g", name, c[0], c[1], c[2], got, want)
			}
		}
	}
	c := cases[0]
	if got := float32(math.FMA(float64(c[0]), float64(c[1]), float64(c[2]))); got == exactFMA32(c[0], c[1], c[2]) {
		t.Errorf("the first case no longer rounds twice through float64; pick another")
	}
}

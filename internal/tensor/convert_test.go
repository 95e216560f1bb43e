package tensor

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// computeTypes are the weight types with dot products, with the largest
// normalized RMS error their quantize→dequantize round trip may have on
// Gaussian data.
var computeTypes = []struct {
	t       Type
	maxRMSE float64
}{
	{F32, 0},
	{F16, 0.0005},
	{BF16, 0.004},
	{Q8_0, 0.01},
	{Q4_0, 0.12},
	{Q4_1, 0.1},
	{Q5_0, 0.06},
	{Q5_1, 0.05},
	{Q2_K, 0.45},
	{Q3_K, 0.25},
	{Q4_K, 0.1},
	{Q5_K, 0.05},
	{Q6_K, 0.025},
}

// activationTypes can be quantized and dequantized but are only used as
// the second operand of Dot.
var activationTypes = []struct {
	t       Type
	maxRMSE float64
}{
	{Q8_1, 0.01},
	{Q8_K, 0.01},
}

func gaussian(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

func mustQuantize(t testing.TB, typ Type, src []float32) []byte {
	t.Helper()
	dst := make([]byte, rowBytes(typ, len(src)))
	if err := Quantize(typ, dst, src); err != nil {
		t.Fatal(err)
	}
	return dst
}

func mustQuantizeAct(t testing.TB, typ Type, src []float32) []byte {
	t.Helper()
	dst := make([]byte, rowBytes(typ, len(src)))
	if err := QuantizeActivations(typ, dst, src); err != nil {
		t.Fatal(err)
	}
	return dst
}

func mustDequantize(t testing.TB, typ Type, src []byte, n int) []float32 {
	t.Helper()
	dst := make([]float32, n)
	if err := Dequantize(typ, dst, src); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestRoundTrip(t *testing.T) {
	const n = 4096
	all := append(computeTypes[:len(computeTypes):len(computeTypes)], activationTypes...)
	for _, tc := range all {
		t.Run(tc.t.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.t), 1))
			for _, scale := range []float32{1, 1e-3, 300} {
				x := gaussian(r, n)
				for i := range x {
					x[i] *= scale
				}
				y := mustDequantize(t, tc.t, mustQuantize(t, tc.t, x), n)
				var se, sx float64
				for i := range x {
					d := float64(y[i]) - float64(x[i])
					se += d * d
					sx += float64(x[i]) * float64(x[i])
				}
				if rmse := math.Sqrt(se / sx); rmse > tc.maxRMSE {
					t.Errorf("scale %g: normalized RMS error %.5f > %.5f", scale, rmse, tc.maxRMSE)
				}
			}
			// Zeros stay zeros.
			z := mustDequantize(t, tc.t, mustQuantize(t, tc.t, make([]float32, n)), n)
			for i, v := range z {
				if v != 0 {
					t.Fatalf("zero input decodes to %g at %d", v, i)
				}
			}
		})
	}
}

// dotTolerance bounds |Dot − exact dot of the decoded rows|: float32
// rounding of the per-block terms and of the running sum, plus for Q8_1
// activations the error of the stored block sum s = f16(d·Σq) that ggml
// uses for the weight minimum, where d is the scale before its own f16
// rounding (part of ggml's arithmetic, not an error here): up to two f16
// roundings, 2⁻¹⁰ relative, or half an f16 subnormal step.
func dotTolerance(t Type, n int, w, x []byte, absSum float64) float64 {
	nb := n / t.BlockSize()
	tol := 2.4e-7*float64(nb+16)*absSum + 1e-30
	if DotType(t) == Q8_1 {
		wb, xb := t.BlockBytes(), Q8_1.BlockBytes()
		for i := range nb {
			m := math.Abs(float64(f16le(w[i*wb+2:])))
			s := math.Abs(float64(f16le(x[i*xb+2:])))
			tol += m * (s*0x1p-10 + 0x1p-25)
		}
	}
	return tol
}

func TestDotMatchesDecodedRows(t *testing.T) {
	for _, tc := range computeTypes {
		dt := DotType(tc.t)
		t.Run(fmt.Sprintf("%v×%v", tc.t, dt), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.t), 2))
			for _, n := range []int{256, 512, 4096} {
				w := mustQuantize(t, tc.t, gaussian(r, n))
				x := mustQuantizeAct(t, dt, gaussian(r, n))
				checkDot(t, tc.t, n, w, x)
			}
		})
	}
}

func checkDot(t *testing.T, typ Type, n int, w, x []byte) {
	t.Helper()
	wf := mustDequantize(t, typ, w, n)
	xf := mustDequantize(t, DotType(typ), x, n)
	var want, abs float64
	for i := range wf {
		p := float64(wf[i]) * float64(xf[i])
		want += p
		abs += math.Abs(p)
	}
	got := Dot(typ, n, w, x)
	if tol := dotTolerance(typ, n, w, x, abs); math.Abs(float64(got)-want) > tol {
		t.Errorf("n=%d: Dot = %g, decoded rows give %g (|diff| %g > %g)", n, got, want, math.Abs(float64(got)-want), tol)
	}
}

func TestNoAllocations(t *testing.T) {
	const n = 1024
	r := rand.New(rand.NewPCG(5, 5))
	src := gaussian(r, n)
	f := make([]float32, n)
	for _, tc := range computeTypes {
		dt := DotType(tc.t)
		w := make([]byte, rowBytes(tc.t, n))
		x := make([]byte, rowBytes(dt, n))
		allocs := testing.AllocsPerRun(5, func() {
			_ = Quantize(tc.t, w, src)
			_ = QuantizeActivations(dt, x, src)
			_ = Dequantize(tc.t, f, w)
			_ = Dot(tc.t, n, w, x)
		})
		if allocs != 0 {
			t.Errorf("%v: %v allocations per quantize/dequantize/dot", tc.t, allocs)
		}
	}
}

func TestUnsupported(t *testing.T) {
	for _, typ := range []Type{IQ2_XXS, I32, Type(99)} {
		if err := Dequantize(typ, nil, nil); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Dequantize(%v) error %v, want ErrUnsupported", typ, err)
		}
		if err := Quantize(typ, nil, nil); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Quantize(%v) error %v, want ErrUnsupported", typ, err)
		}
		if CanCompute(typ) {
			t.Errorf("CanCompute(%v) = true", typ)
		}
	}
	for _, tc := range computeTypes {
		if !CanCompute(tc.t) {
			t.Errorf("CanCompute(%v) = false", tc.t)
		}
	}
}

func TestLengthMismatchPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"dequantize": func() { _ = Dequantize(Q8_0, make([]float32, 32), make([]byte, 33)) },
		"quantize":   func() { _ = Quantize(Q8_0, make([]byte, 35), make([]float32, 32)) },
		"partial":    func() { _ = Quantize(Q8_0, make([]byte, 34), make([]float32, 31)) },
		"dot":        func() { Dot(Q8_0, 64, make([]byte, 68), make([]byte, 34)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic on a length mismatch", name)
				}
			}()
			f()
		}()
	}
}

func f16le(b []byte) float32 {
	h := uint16(b[0]) | uint16(b[1])<<8
	return f16ToF32Slow(h)
}

// f16ToF32Slow decodes binary16 arithmetically, independently of kernels.
func f16ToF32Slow(h uint16) float32 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	e := int(h>>10) & 0x1f
	m := float64(h & 0x3ff)
	switch e {
	case 0:
		return float32(sign * m * 0x1p-24)
	case 0x1f:
		if m != 0 {
			return float32(math.NaN())
		}
		return float32(sign * math.Inf(1))
	}
	return float32(sign * (1 + m/1024) * math.Ldexp(1, e-15))
}

func BenchmarkDot(b *testing.B) {
	const n = 4096
	r := rand.New(rand.NewPCG(6, 6))
	for _, tc := range computeTypes {
		dt := DotType(tc.t)
		w := mustQuantize(b, tc.t, gaussian(r, n))
		x := mustQuantizeAct(b, dt, gaussian(r, n))
		b.Run(tc.t.String(), func(b *testing.B) {
			b.SetBytes(int64(len(w)))
			for b.Loop() {
				Dot(tc.t, n, w, x)
			}
		})
	}
}

func BenchmarkDequantize(b *testing.B) {
	const n = 4096
	r := rand.New(rand.NewPCG(7, 7))
	dst := make([]float32, n)
	for _, tc := range computeTypes {
		w := mustQuantize(b, tc.t, gaussian(r, n))
		b.Run(tc.t.String(), func(b *testing.B) {
			b.SetBytes(int64(len(w)))
			for b.Loop() {
				_ = Dequantize(tc.t, dst, w)
			}
		})
	}
}

func BenchmarkQuantizeActivations(b *testing.B) {
	const n = 4096
	r := rand.New(rand.NewPCG(8, 8))
	src := gaussian(r, n)
	for _, tc := range computeTypes {
		dt := DotType(tc.t)
		if dt != tc.t && dt != Q8_0 {
			continue
		}
		dst := make([]byte, rowBytes(dt, n))
		b.Run(dt.String(), func(b *testing.B) {
			b.SetBytes(4 * n)
			for b.Loop() {
				_ = QuantizeActivations(dt, dst, src)
			}
		})
	}
}

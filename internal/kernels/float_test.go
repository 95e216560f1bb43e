package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randVec(r *rand.Rand, n int, scale float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale)
	}
	return x
}

func TestDotF32(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 7, 64, 1000} {
		a, b := randVec(r, n, 1), randVec(r, n, 1)
		var want, abs float64
		for i := range a {
			want += float64(a[i]) * float64(b[i])
			abs += math.Abs(float64(a[i]) * float64(b[i]))
		}
		got := DotF32(a, b)
		if math.Abs(float64(got)-want) > 1e-6*abs+1e-30 {
			t.Errorf("n=%d: DotF32 = %g, want %g", n, got, want)
		}
	}
}

func TestRMSNorm(t *testing.T) {
	x := []float32{1, 2, 3, 4}
	w := []float32{1, 0.5, 2, -1}
	const eps = 1e-5
	dst := make([]float32, 4)
	RMSNorm(dst, x, w, eps)
	s := 1 / math.Sqrt((1+4+9+16)/4.0+eps)
	for i := range x {
		want := float64(x[i]) * s * float64(w[i])
		if math.Abs(float64(dst[i])-want) > 1e-6*math.Abs(want) {
			t.Errorf("RMSNorm[%d] = %g, want %g", i, dst[i], want)
		}
	}
	// The fused form equals the two steps of llama.cpp's graph bit for bit.
	r := rand.New(rand.NewPCG(5, 6))
	x = randVec(r, 896, 3)
	w = randVec(r, 896, 1)
	fused := make([]float32, len(x))
	RMSNorm(fused, x, w, 1e-6)
	steps := make([]float32, len(x))
	RMSNorm(steps, x, nil, 1e-6)
	Mul(steps, steps, w)
	for i := range fused {
		if fused[i] != steps[i] {
			t.Fatalf("fused RMSNorm[%d] = %g, separate steps %g", i, fused[i], steps[i])
		}
	}
	// In place.
	RMSNorm(x, x, w, 1e-6)
	for i := range x {
		if x[i] != fused[i] {
			t.Fatalf("in-place RMSNorm differs at %d", i)
		}
	}
}

func TestSoftmax(t *testing.T) {
	x := []float32{1, 2, 3, float32(math.Inf(-1))}
	Softmax(x)
	e := []float64{math.Exp(-2), math.Exp(-1), 1, 0}
	sum := e[0] + e[1] + e[2]
	for i := range x {
		if want := e[i] / sum; math.Abs(float64(x[i])-want) > 1e-7 {
			t.Errorf("Softmax[%d] = %g, want %g", i, x[i], want)
		}
	}
	big := []float32{1000, 1000}
	Softmax(big)
	if big[0] != 0.5 || big[1] != 0.5 {
		t.Errorf("Softmax of large equal values = %v", big)
	}
	Softmax(nil)
}

func TestSiLUAndSwiGLU(t *testing.T) {
	for _, x := range []float32{-10, -1, 0, 0.5, 3, 20} {
		want := float64(x) / (1 + math.Exp(-float64(x)))
		if got := SiLU(x); math.Abs(float64(got)-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("SiLU(%g) = %g, want %g", x, got, want)
		}
	}
	g := []float32{-1, 0, 2}
	u := []float32{2, 5, -3}
	dst := make([]float32, 3)
	SwiGLU(dst, g, u)
	for i := range dst {
		if want := SiLU(g[i]) * u[i]; dst[i] != want {
			t.Errorf("SwiGLU[%d] = %g, want %g", i, dst[i], want)
		}
	}
}

func TestAddMulScale(t *testing.T) {
	a := []float32{1, 2, 3}
	b := []float32{4, 5, 6}
	d := make([]float32, 3)
	Add(d, a, b)
	if d[0] != 5 || d[1] != 7 || d[2] != 9 {
		t.Errorf("Add = %v", d)
	}
	Mul(d, a, b)
	if d[0] != 4 || d[1] != 10 || d[2] != 18 {
		t.Errorf("Mul = %v", d)
	}
	Scale(d, 0.5)
	if d[0] != 2 || d[1] != 5 || d[2] != 9 {
		t.Errorf("Scale = %v", d)
	}
}

func TestFloatAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	x, w := randVec(r, 256, 1), randVec(r, 256, 1)
	d := make([]float32, 256)
	if n := testing.AllocsPerRun(10, func() {
		DotF32(x, w)
		RMSNorm(d, x, w, 1e-5)
		copy(d, x)
		Softmax(d)
		SwiGLU(d, x, w)
	}); n != 0 {
		t.Errorf("float kernels allocate %v times", n)
	}
}

func BenchmarkDotF32(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	x, w := randVec(r, 4096, 1), randVec(r, 4096, 1)
	b.SetBytes(4 * 4096)
	for b.Loop() {
		DotF32(x, w)
	}
}

func BenchmarkRMSNorm(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	x, w := randVec(r, 4096, 1), randVec(r, 4096, 1)
	d := make([]float32, 4096)
	b.SetBytes(4 * 4096)
	for b.Loop() {
		RMSNorm(d, x, w, 1e-5)
	}
}

func BenchmarkSoftmax(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	x := randVec(r, 32000, 1)
	d := make([]float32, len(x))
	b.SetBytes(4 * 32000)
	for b.Loop() {
		copy(d, x)
		Softmax(d)
	}
}

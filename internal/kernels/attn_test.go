package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// wideFloats fills x with values of many magnitudes: mostly normal ones,
// some large enough to overflow or underflow an exponential, some zeros and
// infinities.
func wideFloats(r *rand.Rand, x []float32) {
	for i := range x {
		switch r.IntN(32) {
		case 0:
			x[i] = float32(r.NormFloat64() * 200)
		case 1:
			x[i] = float32(math.Inf(1 - 2*r.IntN(2)))
		case 2:
			x[i] = 0
		case 3:
			x[i] = float32(r.NormFloat64() * 1e-30)
		default:
			x[i] = float32(r.NormFloat64() * 8)
		}
	}
}

func sameFloats(a, b []float32) int {
	for i := range a {
		if !sameFloat(a[i], b[i]) {
			return i
		}
	}
	return -1
}

func checkGemm(t *testing.T, seed uint64, m, k, n int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 5))
	a := make([]float32, m*k)
	b := make([]float32, k*n)
	c := make([]float32, m*n)
	for _, x := range [][]float32{a, b, c} {
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
	}
	want := append([]float32(nil), c...)
	if k > 0 {
		gemmF32Ref(want, a, b, m, k, n)
	}
	GemmF32(c, a, b, m, k, n)
	if i := sameFloats(c, want); i >= 0 {
		t.Fatalf("GemmF32 seed %d, %d×%d by %d×%d: element %d (row %d): got %v, want %v", seed, m, k, k, n, i, i/n, c[i], want[i])
	}
}

func TestGemmF32(t *testing.T) {
	for _, c := range []struct{ m, k, n int }{
		{1, 1, 8}, {4, 64, 64}, {64, 64, 64}, {63, 128, 64}, {7, 64, 128}, {5, 8, 8}, {64, 64, 8}, {3, 5, 24}, {0, 4, 8},
	} {
		for seed := range uint64(3) {
			checkGemm(t, seed, c.m, c.k, c.n)
		}
	}
}

func FuzzGemmF32(f *testing.F) {
	f.Add(uint64(1), uint8(6), uint8(64), uint8(8))
	f.Fuzz(func(t *testing.T, seed uint64, m, k, n uint8) {
		checkGemm(t, seed, int(m%70), int(k%140), 8*int(n%20))
	})
}

func checkSoftmax(t *testing.T, seed uint64, n int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 6))
	x := make([]float32, n)
	wideFloats(r, x)
	for i := range x {
		if math.IsInf(float64(x[i]), 1) || r.IntN(4) == 0 {
			x[i] = float32(math.Inf(-1)) // masked
		}
	}
	max := float32(math.Inf(-1))
	for _, v := range x {
		max = float32(math.Max(float64(max), float64(v)))
	}
	if math.IsInf(float64(max), -1) {
		max = 0
	}
	want := append([]float32(nil), x...)
	n8 := n &^ 7
	ws := softmaxExp8Ref(want[:n8], max)
	for i := n8; i < n; i++ {
		want[i] = expf(want[i] - max)
		ws += float64(want[i])
	}
	got := SoftmaxExp(x, max)
	if i := sameFloats(x, want); i >= 0 {
		t.Fatalf("SoftmaxExp seed %d, n %d: element %d: got %v, want %v", seed, n, i, x[i], want[i])
	}
	if math.Float64bits(got) != math.Float64bits(ws) {
		t.Fatalf("SoftmaxExp seed %d, n %d: sum %v, want %v", seed, n, got, ws)
	}
}

func TestSoftmaxExp(t *testing.T) {
	for _, n := range []int{0, 3, 8, 64, 67, 256} {
		for seed := range uint64(8) {
			checkSoftmax(t, seed, n)
		}
	}
}

func FuzzSoftmaxExp(f *testing.F) {
	f.Add(uint64(1), uint8(64))
	f.Fuzz(func(t *testing.T, seed uint64, n uint8) {
		checkSoftmax(t, seed, int(n))
	})
}

func checkSwiGLU(t *testing.T, seed uint64, n int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	gate := make([]float32, n)
	up := make([]float32, n)
	wideFloats(r, gate)
	wideFloats(r, up)
	want := make([]float32, n)
	n8 := n &^ 7
	swiglu8Ref(want[:n8], gate[:n8], up[:n8])
	for i := n8; i < n; i++ {
		want[i] = SiLU(gate[i]) * up[i]
	}
	got := make([]float32, n)
	SwiGLU(got, gate, up)
	if i := sameFloats(got, want); i >= 0 {
		t.Fatalf("SwiGLU seed %d, n %d: element %d (gate %v, up %v): got %v, want %v", seed, n, i, gate[i], up[i], got[i], want[i])
	}
	SwiGLU(gate, gate, up) // in place
	if i := sameFloats(gate, want); i >= 0 {
		t.Fatalf("SwiGLU in place seed %d, n %d: element %d: got %v, want %v", seed, n, i, gate[i], want[i])
	}
}

func TestSwiGLUKernel(t *testing.T) {
	for _, n := range []int{0, 5, 8, 64, 172, 4864} {
		for seed := range uint64(4) {
			checkSwiGLU(t, seed, n)
		}
	}
}

func FuzzSwiGLU(f *testing.F) {
	f.Add(uint64(1), uint16(64))
	f.Fuzz(func(t *testing.T, seed uint64, n uint16) {
		checkSwiGLU(t, seed, int(n%2048))
	})
}

// TestVexpfLanes checks the assembly exponential against vexpf over a
// dense sweep of the whole float32 range of interest, every lane.
func TestVexpfLanes(t *testing.T) {
	x := make([]float32, 0, 1<<16)
	for v := float32(-110); v < 100; v += 0.0037 {
		x = append(x, v)
	}
	x = append(x, float32(math.Inf(-1)), -1e30, 1e30, 0, float32(math.Copysign(0, -1)))
	x = x[:len(x)&^7]
	want := append([]float32(nil), x...)
	softmaxExp8Ref(want, 0)
	SoftmaxExp(x, 0)
	if i := sameFloats(x, want); i >= 0 {
		t.Fatalf("element %d: got %v, want %v", i, x[i], want[i])
	}
}

func BenchmarkSwiGLU(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	gate := make([]float32, 4864)
	up := make([]float32, 4864)
	wideFloats(r, gate)
	wideFloats(r, up)
	b.SetBytes(4 * int64(len(gate)))
	for b.Loop() {
		SwiGLU(gate, gate, up)
	}
}

func BenchmarkGemmF32(b *testing.B) {
	a := make([]float32, 64*64)
	bb := make([]float32, 64*64)
	c := make([]float32, 64*64)
	for b.Loop() {
		GemmF32(c, a, bb, 64, 64, 64)
	}
}

func TestScale(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for _, n := range []int{0, 7, 32, 33, 100, 4096} {
		x := make([]float32, n)
		wideFloats(r, x)
		s := float32(r.NormFloat64())
		want := make([]float32, n)
		for i, v := range x {
			want[i] = v * s
		}
		Scale(x, s)
		if i := sameFloats(x, want); i >= 0 {
			t.Fatalf("Scale n %d: element %d: got %v, want %v", n, i, x[i], want[i])
		}
	}
}

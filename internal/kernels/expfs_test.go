package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// checkExpfs checks Expfs against Expf bit for bit on x.
func checkExpfs(t *testing.T, x []float32) {
	t.Helper()
	got := make([]float32, len(x))
	Expfs(got, x)
	for i, v := range x {
		if want := Expf(v); math.Float32bits(got[i]) != math.Float32bits(want) && !(want != want && got[i] != got[i]) {
			t.Fatalf("Expfs(%v (%#08x)) = %v, Expf %v", v, math.Float32bits(v), got[i], want)
		}
	}
}

func TestExpfs(t *testing.T) {
	inf := float32(math.Inf(1))
	checkExpfs(t, []float32{0, -0.0, 1, -1, 88, -88, 88.72283, 88.72284, -103.97207, -103.97208, -87.33655, -inf, inf,
		float32(math.NaN()), 1e-30, -1e-30, 0.5, -0.5, 10, -10, 3})
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, 4099)
	for i := range x {
		switch i % 3 {
		case 0:
			x[i] = math.Float32frombits(r.Uint32())
		case 1:
			x[i] = float32(-r.ExpFloat64() * 8) // softmax arguments
		default:
			x[i] = float32(r.NormFloat64() * 40)
		}
	}
	checkExpfs(t, x)
}

func FuzzExpfs(f *testing.F) {
	f.Add(uint64(1), uint16(37))
	f.Fuzz(func(t *testing.T, seed uint64, n uint16) {
		r := rand.New(rand.NewPCG(seed, 5))
		x := make([]float32, int(n)%2048)
		for i := range x {
			if r.IntN(4) == 0 {
				x[i] = math.Float32frombits(r.Uint32())
			} else {
				x[i] = float32(-r.ExpFloat64() * 20)
			}
		}
		checkExpfs(t, x)
	})
}

func BenchmarkExpfs(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, 1024)
	for i := range x {
		x[i] = float32(-r.ExpFloat64() * 8)
	}
	dst := make([]float32, len(x))
	b.Run("Expfs", func(b *testing.B) {
		for b.Loop() {
			Expfs(dst, x)
		}
	})
	b.Run("Expf", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				dst[i] = Expf(v)
			}
		}
	})
}

package kernels

import (
	"math"
	"testing"
)

// TestVexpf checks the vectorised exponential's accuracy (ggml documents
// at most 1.5 ulp) over the range where float32 e**x is normal, and its
// overflow and underflow.
func TestVexpf(t *testing.T) {
	worst := 0.0
	for x := float32(-87); x < 88; x += 0.0137 {
		got := float64(vexpf(x))
		want := math.Exp(float64(x))
		ulp := float64(math.Nextafter32(float32(want), float32(math.Inf(1)))) - float64(float32(want))
		if d := math.Abs(got-want) / ulp; d > worst {
			worst = d
		}
	}
	if worst > 2 {
		t.Errorf("vexpf: worst error %.2f ulp", worst)
	}
	for _, c := range []struct{ x, want float32 }{
		{0, 1}, {-200, 0}, {-1000, 0}, {100, float32(math.Inf(1))}, {1000, float32(math.Inf(1))},
	} {
		if got := vexpf(c.x); got != c.want {
			t.Errorf("vexpf(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}

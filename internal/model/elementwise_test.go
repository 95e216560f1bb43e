package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/atelier-dev/atelier/internal/kernels"
)

// TestSwiGLUSegments checks that the pool's swiglu, which cuts rows into
// segments, gives bit for bit what kernels.SwiGLU gives on whole rows,
// including rows whose length is not a multiple of 8 or of the segment.
func TestSwiGLUSegments(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	r := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct{ n, width int }{
		{1, 8960}, {1, 4864}, {1, 1027}, {3, 1029}, {2, 2048}, {5, 13}, {1, 1024}, {7, 3001},
	} {
		t.Run(fmt.Sprintf("n=%d/width=%d", tc.n, tc.width), func(t *testing.T) {
			s := &Sequence{gate: make([]float32, tc.n*tc.width), up: make([]float32, tc.n*tc.width)}
			for i := range s.gate {
				s.gate[i] = float32(r.NormFloat64() * 4)
				s.up[i] = float32(r.NormFloat64())
			}
			want := make([]float32, len(s.gate))
			for row := range tc.n {
				lo, hi := row*tc.width, (row+1)*tc.width
				kernels.SwiGLU(want[lo:hi], s.gate[lo:hi], s.up[lo:hi])
			}
			s.swiglu(p, tc.n, tc.width)
			for i := range want {
				if math.Float32bits(s.gate[i]) != math.Float32bits(want[i]) {
					t.Fatalf("element %d: got %v, want %v", i, s.gate[i], want[i])
				}
			}
		})
	}
}

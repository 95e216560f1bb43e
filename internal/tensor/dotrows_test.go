package tensor

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/atelier-dev/atelier/internal/kernels"
)

// TestDotRowsMatchesDot checks that DotRows and DotTile give Dot's results bit for bit
// for every type, on rows of raw weights (scales made finite) against
// activations quantized from random floats, with padding between rows.
func TestDotRowsMatchesDot(t *testing.T) {
	for _, typ := range []Type{F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K} {
		t.Run(typ.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(typ), 1))
			for _, c := range []struct{ rows, n, pad int }{{1, 256, 0}, {8, 512, 0}, {13, 256, 6}, {24, 1024, 0}} {
				rb := rowBytes(typ, c.n)
				stride := rb + c.pad
				w := make([]byte, c.rows*stride)
				for i := range w {
					w[i] = byte(r.Uint32())
				}
				for i := range c.rows {
					sanitize(typ, w[i*stride:i*stride+rb])
				}
				src := make([]float32, c.n)
				for i := range src {
					src[i] = float32(r.NormFloat64())
				}
				x := make([]byte, rowBytes(DotType(typ), c.n))
				if err := QuantizeActivations(DotType(typ), x, src); err != nil {
					t.Fatal(err)
				}
				out := make([]float32, c.rows)
				DotRows(typ, c.n, out, w, stride, x)
				tiled := make([]float32, 2*(c.rows+1))
				x2 := append(append([]byte(nil), x...), x...)
				DotTile(typ, c.n, tiled, c.rows+1, w, stride, c.rows, x2, len(x), 2, new(kernels.TileScratch))
				for i := range c.rows {
					want := Dot(typ, c.n, w[i*stride:i*stride+rb], x)
					for tok := range 2 {
						if got := tiled[tok*(c.rows+1)+i]; math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
							t.Fatalf("%d rows of %d: row %d token %d: DotTile %v, Dot %v", c.rows, c.n, i, tok, got, want)
						}
					}
					if math.Float32bits(out[i]) != math.Float32bits(want) && !(out[i] != out[i] && want != want) {
						t.Fatalf("%d rows of %d: row %d: DotRows %v, Dot %v", c.rows, c.n, i, out[i], want)
					}
				}
			}
		})
	}
}

package tensor

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/atelier-dev/atelier/internal/kernels"
)

// TestDotRowsMatchesDot checks that DotRows and DotTile give Dot's results bit for bit
// for every type (F32 batches: DotF32F32Batch's), on rows of raw weights (scales made finite) against
// activations quantized from random floats, with padding between rows.
// The K-quant kernels in reordered (see reordered) add their float terms
// in another order and must agree up to float rounding.
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
					wr := w[i*stride : i*stride+rb]
					want := Dot(typ, c.n, wr, x)
					same := func(got float32) bool {
						if math.Float32bits(got) == math.Float32bits(want) || (got != got && want != want) {
							return true
						}
						return reordered[typ] && math.Abs(float64(got-want)) <= 1e-5*magnitude(t, typ, c.n, wr, x)
					}
					for tok := range 2 {
						got := tiled[tok*(c.rows+1)+i]
						if batch := batchDot[typ]; batch != nil && c.n%8 == 0 {
							// A batch of F32 or F16 activations is summed
							// in llama.cpp's tinyBLAS order, not Dot's.
							if b := batch(wr, x, c.n); math.Float32bits(got) != math.Float32bits(b) {
								t.Fatalf("%d rows of %d: row %d token %d: DotTile %v, tinyBLAS order %v", c.rows, c.n, i, tok, got, b)
							}
							continue
						}
						if !same(got) {
							t.Fatalf("%d rows of %d: row %d token %d: DotTile %v, Dot %v", c.rows, c.n, i, tok, got, want)
						}
					}
					if !same(out[i]) {
						t.Fatalf("%d rows of %d: row %d: DotRows %v, Dot %v", c.rows, c.n, i, out[i], want)
					}
				}
			}
		})
	}
}

// batchDot holds the types whose DotTile sums a batch of tokens in
// llama.cpp's tinyBLAS order.
var batchDot = map[Type]func(w, x []byte, n int) float32{
	F32: kernels.DotF32F32Batch,
	F16: kernels.DotF16F16Batch,
}

// reordered holds the types whose DotRows and DotTile kernels may sum
// floats in another order than Dot.
var reordered = map[Type]bool{Q8_0: true, Q4_0: true, Q5_0: true, Q4_K: true, Q6_K: true}

// magnitude returns Σ |w_i·x_i| over the dequantized row and activations:
// the scale of the float rounding that reordering may change.
func magnitude(t *testing.T, typ Type, n int, w, x []byte) float64 {
	t.Helper()
	wf := make([]float32, n)
	xf := make([]float32, n)
	if err := Dequantize(typ, wf, w); err != nil {
		t.Fatal(err)
	}
	if err := Dequantize(DotType(typ), xf, x); err != nil {
		t.Fatal(err)
	}
	var m float64
	for i := range n {
		m += math.Abs(float64(wf[i]) * float64(xf[i]))
	}
	return m
}

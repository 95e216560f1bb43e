package kernels

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// activationRows returns n·block values from seed in one of several
// shapes: ordinary values at a scale from tiny to huge, blocks with ties
// of largest magnitude (of both signs), zero blocks and subnormals.
func activationRows(seed uint64, n, block int) []float32 {
	r := rand.New(rand.NewPCG(seed, 7))
	x := make([]float32, n*block)
	for b := range n {
		blk := x[b*block : (b+1)*block]
		scale := math.Pow(10, float64(r.IntN(80)-45))
		switch r.IntN(6) {
		case 0: // zero block
		case 1: // ties of the largest magnitude, either sign
			for i := range blk {
				blk[i] = float32(r.NormFloat64() * scale)
			}
			m := float32(4 * scale)
			for range 1 + r.IntN(4) {
				if r.IntN(2) == 0 {
					blk[r.IntN(block)] = m
				} else {
					blk[r.IntN(block)] = -m
				}
			}
		case 2: // subnormals and zeros
			for i := range blk {
				blk[i] = math.Float32frombits(r.Uint32() & 0x807fffff)
			}
		case 3: // a few large values among small ones
			for i := range blk {
				blk[i] = float32(r.NormFloat64() * 1e-3)
			}
			blk[r.IntN(block)] = float32(r.NormFloat64() * scale)
		default:
			for i := range blk {
				blk[i] = float32(r.NormFloat64() * scale)
			}
		}
	}
	return x
}

// checkQuantizers compares the activation quantizers with their
// definitions on n blocks of the values from seed.
func checkQuantizers(t *testing.T, seed uint64, n int) {
	t.Helper()
	x := activationRows(seed, n, QK8_0)
	got, want := make([]byte, n*BlockQ8_0), make([]byte, n*BlockQ8_0)
	QuantizeActQ8_0(got, x)
	quantizeActQ8_0Ref(want, x)
	for b := range n {
		if g, w := got[b*BlockQ8_0:(b+1)*BlockQ8_0], want[b*BlockQ8_0:(b+1)*BlockQ8_0]; !bytes.Equal(g, w) {
			t.Fatalf("seed %d: Q8_0 block %d of %d:\n got %v\nwant %v\n  x %v", seed, b, n, g, w, x[b*QK8_0:(b+1)*QK8_0])
		}
	}
	nk := max(1, n/8)
	xk := activationRows(seed, nk, QK_K)
	gotK, wantK := make([]byte, nk*BlockQ8_K), make([]byte, nk*BlockQ8_K)
	QuantizeQ8K(gotK, xk)
	quantizeQ8KRef(wantK, xk)
	for b := range nk {
		if g, w := gotK[b*BlockQ8_K:(b+1)*BlockQ8_K], wantK[b*BlockQ8_K:(b+1)*BlockQ8_K]; !bytes.Equal(g, w) {
			t.Fatalf("seed %d: Q8_K block %d of %d:\n got %v\nwant %v", seed, b, nk, g, w)
		}
	}
}

func TestActivationQuantizers(t *testing.T) {
	for seed := range uint64(200) {
		checkQuantizers(t, seed, 1+int(seed%40))
	}
}

func FuzzActivationQuantizers(f *testing.F) {
	f.Add(uint64(1), uint8(3))
	f.Add(uint64(99), uint8(64))
	f.Fuzz(func(t *testing.T, seed uint64, n uint8) {
		checkQuantizers(t, seed, 1+int(n%96))
	})
}

func BenchmarkQuantizeActivations(b *testing.B) {
	for _, n := range []int{1536, 8960} {
		x := activationRows(3, n/QK_K, QK_K)
		for i := range x {
			x[i] = float32(math.Sin(float64(i)))
		}
		dst := make([]byte, n/QK_K*BlockQ8_K)
		b.Run(fmt.Sprintf("Q8_0/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				QuantizeActQ8_0(dst, x)
			}
		})
		b.Run(fmt.Sprintf("Q8_K/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				QuantizeQ8K(dst, x)
			}
		})
	}
}

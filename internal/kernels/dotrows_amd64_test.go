//go:build !purego

package kernels

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestRepackQ5_0Blocks(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	r := rand.New(rand.NewPCG(5, 5))
	const nb = 37
	src := make([]byte, nb*BlockQ5_0)
	for i := range src {
		src[i] = byte(r.Uint32())
	}
	want := make([]byte, nb*BlockQ8_0)
	got := make([]byte, nb*BlockQ8_0)
	repackQ5_0(want, nb*BlockQ8_0, src, nb*BlockQ5_0, 1, nb)
	repackQ5_0Blocks(&got[0], &src[0], nb)
	if !bytes.Equal(got, want) {
		t.Fatalf("repack differs:\n got %x\nwant %x", got[:68], want[:68])
	}
}

// BenchmarkKQuantGen compares the K-quant kernels that keep the reference's
// float order (used by the prompt tiles) with the generation kernels, on
// one row of 4096 weights in the cache.
func BenchmarkKQuantGen(b *testing.B) {
	if !hasAVX2 {
		b.Skip("no AVX2")
	}
	const nb = 4096 / QK_K
	for _, c := range []struct {
		name string
		k    rowKernel
		dot  func(w, x *byte, nblocks int) float32
	}{
		{"Q4_K/exact", rowKernels()[3], dotQ4K},
		{"Q4_K/gen", rowKernels()[3], dotQ4KG},
		{"Q6_K/exact", rowKernels()[4], dotQ6K},
		{"Q6_K/gen", rowKernels()[4], dotQ6KG},
	} {
		b.Run(c.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			w := make([]byte, nb*c.k.wBlock)
			x := make([]byte, nb*c.k.xBlock)
			c.k.fill(r, w, x)
			b.SetBytes(int64(len(w)))
			for b.Loop() {
				c.dot(&w[0], &x[0], nb)
			}
		})
	}
}

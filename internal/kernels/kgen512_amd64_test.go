//go:build !purego

package kernels

import "testing"

// gen512Kernels are the AVX-512 generation kernels in rowKernel form, with
// the AVX2 generation kernels as the reference, bit for bit (the reference
// kernels are compared with DotQ4KQ8K and DotQ6KQ8K in dotrows_test.go).
func gen512Kernels(t testing.TB) []rowKernel {
	if !hasGen512 {
		t.Skip("no AVX-512 VNNI")
	}
	var ks []rowKernel
	for _, k := range rowKernels() {
		switch k.name {
		case "Q4_K":
			k.name, k.rows, k.ref, k.mag = "Q4_K/512", dotRowsQ4K, avx2Ref(dotQ4KG), nil
		case "Q6_K":
			k.name, k.rows, k.ref, k.mag = "Q6_K/512", dotRowsQ6K, avx2Ref(dotQ6KG), nil
		default:
			continue
		}
		ks = append(ks, k)
	}
	return ks
}

// avx2Ref wraps an AVX2 generation kernel as a rowKernel reference.
func avx2Ref(dot func(w, x *byte, nblocks int) float32) func(w, x []byte, nblocks int) float32 {
	return func(w, x []byte, nblocks int) float32 {
		if nblocks == 0 {
			return 0
		}
		return dot(&w[0], &x[0], nblocks)
	}
}

func TestGen512Rows(t *testing.T) {
	for _, k := range gen512Kernels(t) {
		t.Run(k.name, func(t *testing.T) {
			for _, c := range []struct{ rows, nblocks, pad int }{
				{0, 4, 0}, {1, 1, 0}, {7, 3, 0}, {8, 28, 0}, {9, 5, 3}, {16, gen512MaxBlocks, 0}, {3, gen512MaxBlocks + 1, 0}, {24, 7, 1}, {33, 2, 0},
			} {
				for seed := range uint64(4) {
					checkRowKernel(t, k, seed, c.rows, c.nblocks, c.pad)
				}
			}
		})
	}
}

func FuzzGen512Rows(f *testing.F) {
	f.Add(uint64(1), uint8(8), uint8(4), uint8(0), uint8(0))
	f.Add(uint64(2), uint8(17), uint8(9), uint8(3), uint8(1))
	f.Fuzz(func(t *testing.T, seed uint64, rows, nblocks, pad, kind uint8) {
		ks := gen512Kernels(t)
		k := ks[int(kind)%len(ks)]
		checkRowKernel(t, k, seed, int(rows%40), int(nblocks%100), int(pad%8))
	})
}

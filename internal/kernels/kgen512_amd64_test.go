//go:build !purego

package kernels

import "testing"

// gen512Kernels are the AVX-512 generation kernels in rowKernel form,
// called directly (the dispatch may choose another kernel).
func gen512Kernels(t testing.TB) []rowKernel {
	if !hasGen512 {
		t.Skip("no AVX-512 VNNI")
	}
	var ks []rowKernel
	for _, k := range rowKernels() {
		switch k.name {
		case "Q4_K":
			k.name, k.rows = "Q4_K/512", func(out []float32, w []byte, stride int, x []byte, nblocks int) {
				if !dotRowsQ4K512(out, w, stride, x, nblocks) {
					dotRowsRef(out, 0, w, stride, x, nblocks, DotQ4KQ8K)
				}
			}
		case "Q6_K":
			k.name, k.rows = "Q6_K/512", func(out []float32, w []byte, stride int, x []byte, nblocks int) {
				if !dotRowsQ6K512(out, w, stride, x, nblocks) {
					dotRowsRef(out, 0, w, stride, x, nblocks, DotQ6KQ8K)
				}
			}
		default:
			continue
		}
		ks = append(ks, k)
	}
	return ks
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

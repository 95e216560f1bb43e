package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The K-quant tile kernels (prompt processing) against the single-row
// references, with a scratch so that the prompt kernels run: row counts
// around the group of sixteen, token counts around the group of three.
// Where there are generation kernels (kTileExact), the tile must equal
// them bit for bit: both follow llama.cpp's AVX2 order, which the model's
// goldens depend on.

// kTileKernels returns the Q4_K and Q6_K entries of rowKernels.
func kTileKernels() []rowKernel {
	var ks []rowKernel
	for _, k := range rowKernels() {
		if k.k {
			ks = append(ks, k)
		}
	}
	return ks
}

// checkKTile runs tile on rows × tokens of nblocks (scratch set, rows and
// tokens padded apart by pad) and compares every output with k's reference.
func checkKTile(t *testing.T, k rowKernel, tile func(*Tile, int), seed uint64, rows, tokens, nblocks, pad int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 11))
	stride := nblocks*k.wBlock + pad
	xStride := nblocks*k.xBlock + pad
	w := make([]byte, rows*stride)
	x := make([]byte, tokens*xStride)
	for i := range tokens {
		k.fill(r, w, x[i*xStride:i*xStride+nblocks*k.xBlock])
	}
	outStride := rows + pad
	out := make([]float32, tokens*outStride)
	for i := range out {
		out[i] = float32(math.NaN())
	}
	tl := &Tile{Out: out, OutStride: outStride, W: w, Stride: stride, Rows: rows, X: x, XStride: xStride, Tokens: tokens, Scratch: new(TileScratch)}
	tile(tl, nblocks)
	var exact []float32
	if gen := kTileExact(k); gen != nil {
		exact = make([]float32, len(out))
		gen(&Tile{Out: exact, OutStride: outStride, W: w, Stride: stride, Rows: rows, X: x, XStride: xStride, Tokens: tokens}, nblocks)
	}
	for i := range tokens {
		for j := range rows {
			want := k.ref(w[j*stride:], x[i*xStride:], nblocks)
			if got := out[i*outStride+j]; !k.agrees(got, want, w[j*stride:], x[i*xStride:], nblocks) {
				t.Fatalf("%s tile seed %d: %d rows × %d tokens of %d blocks: row %d token %d: got %v, want %v",
					k.name, seed, rows, tokens, nblocks, j, i, got, want)
			}
			if got := out[i*outStride+j]; exact != nil && !sameFloat(got, exact[i*outStride+j]) {
				t.Fatalf("%s tile seed %d: %d rows × %d tokens of %d blocks: row %d token %d: got %v (%#x), generation kernel %v (%#x)",
					k.name, seed, rows, tokens, nblocks, j, i, got, math.Float32bits(got), exact[i*outStride+j], math.Float32bits(exact[i*outStride+j]))
			}
		}
		for j := rows; j < outStride; j++ {
			if v := out[i*outStride+j]; v == v {
				t.Fatalf("%s tile: wrote %v beyond row %d of token %d", k.name, v, rows, i)
			}
		}
	}
}

func TestDotTileK(t *testing.T) {
	for _, k := range kTileKernels() {
		t.Run(k.name, func(t *testing.T) {
			for _, c := range []struct{ rows, tokens, nblocks, pad int }{
				{16, 8, 1, 0}, {16, 2, 3, 0}, {1, 3, 2, 1}, {5, 9, 1, 0}, {17, 16, 2, 3},
				{31, 7, 4, 0}, {40, 40, 2, 0}, {16, 128, 6, 0}, {12, 1, 20, 2}, {33, 11, 20, 0},
			} {
				for seed := range uint64(2) {
					for _, impl := range kTileImpls(k) {
						checkKTile(t, k, impl.tile, seed, c.rows, c.tokens, c.nblocks, c.pad)
					}
				}
			}
		})
	}
}

// FuzzDotTileK draws tiles of 1..40 rows, 1..40 tokens and 1..20
// super-blocks; the seed corpus is in testdata/fuzz/FuzzDotTileK.
func FuzzDotTileK(f *testing.F) {
	f.Add(uint64(1), uint8(15), uint8(7), uint8(2), uint8(0), uint8(0))
	f.Add(uint64(2), uint8(16), uint8(39), uint8(19), uint8(3), uint8(1))
	f.Fuzz(func(t *testing.T, seed uint64, rows, tokens, nblocks, pad, kind uint8) {
		ks := kTileKernels()
		k := ks[int(kind)%len(ks)]
		for _, impl := range kTileImpls(k) {
			checkKTile(t, k, impl.tile, seed, 1+int(rows%40), 1+int(tokens%40), 1+int(nblocks%20), int(pad%5))
		}
	})
}

// BenchmarkDotTileK measures a prompt's tile as the model makes them: 16
// rows of 1536 weights (6 super-blocks) against 128 tokens, with each
// implementation (gen: the generation kernels, as before the prompt
// kernels). MB/s counts the tile's weights once; rowtok/s is rows × tokens
// per second.
func BenchmarkDotTileK(b *testing.B) {
	const rows, tokens, nb = 16, 128, 6
	for _, k := range kTileKernels() {
		for _, impl := range kTileImpls(k) {
			b.Run(fmt.Sprintf("%s/%s", k.name, impl.name), func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 2))
				w := make([]byte, rows*nb*k.wBlock)
				x := make([]byte, tokens*nb*k.xBlock)
				for i := range tokens {
					k.fill(r, w, x[i*nb*k.xBlock:(i+1)*nb*k.xBlock])
				}
				out := make([]float32, rows*tokens)
				t := &Tile{Out: out, OutStride: rows, W: w, Stride: nb * k.wBlock, Rows: rows, X: x, XStride: nb * k.xBlock, Tokens: tokens, Scratch: new(TileScratch)}
				b.SetBytes(int64(len(w)))
				for b.Loop() {
					impl.tile(t, nb)
				}
				b.ReportMetric(float64(rows*tokens)*float64(b.N)/b.Elapsed().Seconds(), "rowtok/s")
			})
		}
	}
}

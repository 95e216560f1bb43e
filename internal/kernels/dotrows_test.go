package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The multi-row kernels add floats in their own order (per block an exact
// integer sum, then one fused multiply-add per row, in llama.cpp's order)
// and must agree with the single-row reference up to float rounding (see
// closeTo).
// The fuzz targets draw weights (any bit pattern, float scale fields made
// finite) and activations (quants in [-127, 127], as the quantizers make)
// from a seeded generator; the seed corpora are in testdata/fuzz.

// rowKernel is one multi-row kernel with its reference and block layout.
type rowKernel struct {
	name       string
	wBlock     int   // bytes per weight block
	xBlock     int   // bytes per activation block
	wF16, xF16 []int // offsets of f16 scale fields in a block
	xF32       []int // offsets of f32 scale fields in an activation block
	xQuants    [2]int
	rows       func(out []float32, w []byte, stride int, x []byte, nblocks int)
	ref        func(w, x []byte, nblocks int) float32
	k          bool // Q8_K activations: the block sums are filled in
	tile       func(t *Tile, nblocks int)
	// mag, for kernels that may add floats in another order than ref,
	// returns the sum of the magnitudes of the terms (see closeTo); nil
	// means bit for bit.
	mag func(w, x []byte, nblocks int) float64
}

// agrees reports whether got is an acceptable result for weights w and
// activations x where the reference gives want.
func (k rowKernel) agrees(got, want float32, w, x []byte, nblocks int) bool {
	if k.mag == nil {
		return sameFloat(got, want)
	}
	return sameFloat(got, want) || closeTo(got, want, k.mag(w, x, nblocks))
}

func rowKernels() []rowKernel {
	return []rowKernel{
		{name: "Q8_0", wBlock: BlockQ8_0, xBlock: BlockQ8_0, wF16: []int{0}, xF16: []int{0}, xQuants: [2]int{2, 34}, rows: DotRowsQ8_0, tile: DotTileQ8_0, ref: DotQ8_0Q8_0, mag: magQ8_0},
		{name: "Q4_0", wBlock: BlockQ4_0, xBlock: BlockQ8_0, wF16: []int{0}, xF16: []int{0}, xQuants: [2]int{2, 34}, rows: DotRowsQ4_0, tile: DotTileQ4_0, ref: DotQ4_0Q8_0, mag: magQ4_0},
		{name: "Q5_0", wBlock: BlockQ5_0, xBlock: BlockQ8_0, wF16: []int{0}, xF16: []int{0}, xQuants: [2]int{2, 34}, rows: DotRowsQ5_0, tile: DotTileQ5_0, ref: DotQ5_0Q8_0, mag: magQ5_0},
		{name: "Q4_K", wBlock: BlockQ4K, xBlock: BlockQ8_K, wF16: []int{0, 2}, xF32: []int{0}, xQuants: [2]int{4, 4 + QK_K}, rows: DotRowsQ4K, tile: DotTileQ4K, ref: DotQ4KQ8K, k: true, mag: magQ4K},
		{name: "Q6_K", wBlock: BlockQ6K, xBlock: BlockQ8_K, wF16: []int{208}, xF32: []int{0}, xQuants: [2]int{4, 4 + QK_K}, rows: DotRowsQ6K, tile: DotTileQ6K, ref: DotQ6KQ8K, k: true, mag: magQ6K},
	}
}

// randomF16 returns a finite half, mostly of moderate size.
func randomF16(r *rand.Rand) uint16 {
	if r.IntN(8) == 0 {
		return uint16(r.Uint32()) &^ 0x4000 // any exponent but 31
	}
	return F32ToF16(float32(r.NormFloat64() * 0.05))
}

// fillRows fills w (weights) and x (activations) for kernel k.
func (k rowKernel) fill(r *rand.Rand, w, x []byte) {
	for i := range w {
		w[i] = byte(r.Uint32())
	}
	if k.name == "Q8_0" {
		for i := range w {
			if w[i] == 0x80 {
				w[i] = 0x81
			}
		}
	}
	for b := 0; b+k.wBlock <= len(w); b += k.wBlock {
		for _, off := range k.wF16 {
			binary.LittleEndian.PutUint16(w[b+off:], randomF16(r))
		}
	}
	for b := 0; b+k.xBlock <= len(x); b += k.xBlock {
		for i := k.xQuants[0]; i < k.xQuants[1]; i++ {
			x[b+i] = byte(int8(r.IntN(255) - 127))
		}
		for _, off := range k.xF16 {
			binary.LittleEndian.PutUint16(x[b+off:], randomF16(r))
		}
		if k.k {
			for j := range QK_K / 16 {
				var sum int
				for i := range 16 {
					sum += int(int8(x[b+4+16*j+i]))
				}
				binary.LittleEndian.PutUint16(x[b+4+QK_K+2*j:], uint16(int16(sum)))
			}
		}
		for _, off := range k.xF32 {
			binary.LittleEndian.PutUint32(x[b+off:], math.Float32bits(float32(r.NormFloat64()*0.01)))
		}
	}
}

func sameFloat(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

// checkRowKernel runs k on rows rows of nblocks with the given padding
// between rows and compares with the reference.
func checkRowKernel(t *testing.T, k rowKernel, seed uint64, rows, nblocks, pad int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	stride := nblocks*k.wBlock + pad
	w := make([]byte, rows*stride)
	x := make([]byte, nblocks*k.xBlock)
	k.fill(r, w, x)
	out := make([]float32, rows)
	k.rows(out, w, stride, x, nblocks)
	for i := range rows {
		want := k.ref(w[i*stride:], x, nblocks)
		if !k.agrees(out[i], want, w[i*stride:], x, nblocks) {
			t.Fatalf("%s seed %d: %d rows of %d blocks, row %d: got %v (%#x), want %v (%#x)",
				k.name, seed, rows, nblocks, i, out[i], math.Float32bits(out[i]), want, math.Float32bits(want))
		}
	}
}

// checkTile runs k's tile kernel on rows × tokens and compares each output
// with the reference.
func checkTile(t *testing.T, k rowKernel, seed uint64, rows, tokens, nblocks, pad int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 9))
	stride := nblocks*k.wBlock + pad
	xStride := nblocks*k.xBlock + pad
	w := make([]byte, rows*stride)
	x := make([]byte, tokens*xStride)
	for i := range tokens {
		k.fill(r, w, x[i*xStride:i*xStride+nblocks*k.xBlock])
	}
	outStride := rows + pad
	out := make([]float32, tokens*outStride)
	tile := &Tile{Out: out, OutStride: outStride, W: w, Stride: stride, Rows: rows, X: x, XStride: xStride, Tokens: tokens}
	if seed%2 == 0 {
		tile.Scratch = new(TileScratch)
	}
	k.tile(tile, nblocks)
	for i := range tokens {
		for j := range rows {
			want := k.ref(w[j*stride:], x[i*xStride:], nblocks)
			if got := out[i*outStride+j]; !k.agrees(got, want, w[j*stride:], x[i*xStride:], nblocks) {
				t.Fatalf("%s tile seed %d: %d rows × %d tokens of %d blocks: row %d token %d: got %v, want %v",
					k.name, seed, rows, tokens, nblocks, j, i, got, want)
			}
		}
	}
}

func TestDotTile(t *testing.T) {
	for _, k := range rowKernels() {
		t.Run(k.name, func(t *testing.T) {
			for _, c := range []struct{ rows, tokens, nblocks, pad int }{
				{0, 3, 2, 0}, {8, 0, 2, 0}, {8, 1, 4, 0}, {16, 5, 3, 0}, {13, 4, 2, 5}, {3, 7, 1, 1}, {24, 9, 28, 0},
			} {
				for seed := range uint64(4) {
					checkTile(t, k, seed, c.rows, c.tokens, c.nblocks, c.pad)
				}
			}
		})
	}
}

func TestDotRows(t *testing.T) {
	for _, k := range rowKernels() {
		t.Run(k.name, func(t *testing.T) {
			for _, c := range []struct{ rows, nblocks, pad int }{
				{0, 4, 0}, {1, 1, 0}, {7, 3, 0}, {8, 1, 0}, {8, 28, 0}, {9, 5, 3}, {16, 152, 0}, {24, 7, 1}, {33, 2, 0},
			} {
				for seed := range uint64(4) {
					checkRowKernel(t, k, seed, c.rows, c.nblocks, c.pad)
				}
			}
		})
	}
}

func FuzzDotRows(f *testing.F) {
	f.Add(uint64(1), uint8(8), uint8(4), uint8(0), uint8(0))
	f.Add(uint64(2), uint8(17), uint8(9), uint8(3), uint8(2))
	f.Fuzz(func(t *testing.T, seed uint64, rows, nblocks, pad, kind uint8) {
		ks := rowKernels()
		k := ks[int(kind)%len(ks)]
		checkRowKernel(t, k, seed, int(rows%40), int(nblocks%64), int(pad%8))
		checkTile(t, k, seed, int(rows%20), int(pad%5), int(nblocks%16), int(pad%8))
	})
}

// FuzzDotTile checks the kernels of the 32-element block types (Q8_0, Q4_0,
// Q5_0), whose prompt tiles repack the rows, on shapes a prompt meets: up to
// 40 rows (any count, not only multiples of eight), 1..40 tokens, 1..40
// blocks, with and without scratch (by the seed's parity).
func FuzzDotTile(f *testing.F) {
	f.Add(uint64(2), uint8(16), uint8(63), uint8(27), uint8(0))
	f.Add(uint64(3), uint8(13), uint8(5), uint8(2), uint8(1))
	f.Fuzz(func(t *testing.T, seed uint64, rows, tokens, nblocks, kind uint8) {
		k := rowKernels()[int(kind)%3]
		nb := 1 + int(nblocks%40)
		checkRowKernel(t, k, seed, int(rows%41), nb, int(seed%3))
		checkTile(t, k, seed, int(rows%41), 1+int(tokens%40), nb, int(seed%5))
	})
}

// BenchmarkDotRows measures the kernels on weights in the cache (64 rows)
// and streamed from memory (64 MiB and more), one goroutine.
func BenchmarkDotRows(b *testing.B) {
	const cols = 4096
	for _, rows := range []int{64, 16384} {
		for _, k := range rowKernels() {
			b.Run(fmt.Sprintf("%s/rows=%d", k.name, rows), func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 2))
				nb := cols / 32
				if k.k {
					nb = cols / QK_K
				}
				w := make([]byte, rows*nb*k.wBlock)
				x := make([]byte, nb*k.xBlock)
				k.fill(r, w, x)
				out := make([]float32, rows)
				b.SetBytes(int64(len(w)))
				for b.Loop() {
					k.rows(out, w, nb*k.wBlock, x, nb)
				}
			})
		}
	}
}

// BenchmarkDotTile measures a prompt's tile: 16 rows against 64 tokens,
// with the scratch the prompt kernels use and without.
func BenchmarkDotTile(b *testing.B) {
	const rows, tokens, cols = 16, 64, 896
	for _, k := range rowKernels() {
		for _, scratch := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/scratch=%v", k.name, scratch), func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 2))
				nb := cols / 32
				if k.k {
					nb = 1536 / QK_K
				}
				w := make([]byte, rows*nb*k.wBlock)
				x := make([]byte, tokens*nb*k.xBlock)
				k.fill(r, w, x)
				out := make([]float32, rows*tokens)
				t := &Tile{Out: out, OutStride: rows, W: w, Stride: nb * k.wBlock, Rows: rows, X: x, XStride: nb * k.xBlock, Tokens: tokens}
				if scratch {
					t.Scratch = new(TileScratch)
				}
				b.SetBytes(int64(len(w) * tokens))
				for b.Loop() {
					k.tile(t, nb)
				}
			})
		}
	}
}

package kernels

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// finiteHalves fills h with halves, mostly of attention-like sizes, some of
// any finite value.
func finiteHalves(r *rand.Rand, h []uint16) {
	for i := range h {
		if r.IntN(16) == 0 {
			h[i] = uint16(r.Uint32()) &^ 0x4000
		} else {
			h[i] = F32ToF16(float32(r.NormFloat64()))
		}
	}
}

func halvesBytes(h []uint16) []byte {
	b := make([]byte, 2*len(h))
	for i, v := range h {
		binary.LittleEndian.PutUint16(b[2*i:], v)
	}
	return b
}

func sameHalf(a, b uint16) bool {
	return a == b || (a&0x7c00 == 0x7c00 && a&0x3ff != 0 && b&0x7c00 == 0x7c00 && b&0x3ff != 0)
}

func checkF16Kernels(t *testing.T, seed uint64, rows, n, pad int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 11))
	stride := n + pad
	w := make([]uint16, rows*stride)
	x := make([]uint16, n)
	finiteHalves(r, w)
	finiteHalves(r, x)
	wb, xb := halvesBytes(w), halvesBytes(x)
	out := make([]float32, rows)
	DotRowsF16(out, wb, 2*stride, xb, n)
	for i := range rows {
		if want := DotF16F16(wb[2*i*stride:], xb, n); !sameFloat(out[i], want) {
			t.Fatalf("DotRowsF16 seed %d, %d rows of %d: row %d: got %v, want %v", seed, rows, n, i, out[i], want)
		}
	}
	if n%8 == 0 {
		DotRowsF16Batch(out, wb, 2*stride, xb, n)
		for i := range rows {
			if want := DotF16F16Batch(wb[2*i*stride:], xb, n); !sameFloat(out[i], want) {
				t.Fatalf("DotRowsF16Batch seed %d, %d rows of %d: row %d: got %v, want %v", seed, rows, n, i, out[i], want)
			}
		}
	}
	acc := make([]uint16, n)
	finiteHalves(r, acc)
	ref := append([]uint16(nil), acc...)
	s := float32(r.ExpFloat64())
	AccumulateF16(acc, x, s)
	accumulateF16Ref(ref, x, s)
	for j := range acc {
		if !sameHalf(acc[j], ref[j]) {
			t.Fatalf("AccumulateF16 seed %d, n %d: element %d: got %#x, want %#x", seed, n, j, acc[j], ref[j])
		}
	}
	// A few positions of online softmax updates: some rescale, some not.
	npos := 1 + int(seed%5)
	vals := make([]uint16, npos*stride)
	finiteHalves(r, vals)
	ms := make([]float32, npos)
	vs := make([]float32, npos)
	for i := range ms {
		ms[i], vs[i] = 1, float32(r.Float64())
		if r.IntN(3) == 0 {
			ms[i], vs[i] = float32(r.Float64()), 1
		}
	}
	AttendF16(acc, vals, stride, ms, vs)
	attendF16Ref(ref, vals, stride, ms, vs)
	for j := range acc {
		if !sameHalf(acc[j], ref[j]) {
			t.Fatalf("AttendF16 seed %d, n %d: element %d: got %#x, want %#x", seed, n, j, acc[j], ref[j])
		}
	}
	ScaleF16(acc, s)
	scaleF16Ref(ref, s)
	for j := range acc {
		if !sameHalf(acc[j], ref[j]) {
			t.Fatalf("ScaleF16 seed %d, n %d: element %d: got %#x, want %#x", seed, n, j, acc[j], ref[j])
		}
	}
}

func TestF16Kernels(t *testing.T) {
	for _, c := range []struct{ rows, n, pad int }{
		{0, 8, 0}, {1, 8, 0}, {4, 64, 0}, {5, 64, 64}, {13, 128, 8}, {8, 12, 0}, {3, 7, 1}, {16, 256, 0},
		{6, 40, 0}, {7, 100, 3}, {2, 896, 0},
	} {
		for seed := range uint64(4) {
			checkF16Kernels(t, seed, c.rows, c.n, c.pad)
		}
	}
}

func FuzzF16Kernels(f *testing.F) {
	f.Add(uint64(1), uint8(4), uint8(64), uint8(0))
	f.Fuzz(func(t *testing.T, seed uint64, rows, n, pad uint8) {
		checkF16Kernels(t, seed, int(rows%24), int(n), int(pad%16))
	})
}

func BenchmarkDotRowsF16(b *testing.B) {
	const rows, n = 256, 128
	r := rand.New(rand.NewPCG(1, 2))
	w := make([]uint16, rows*n)
	x := make([]uint16, n)
	finiteHalves(r, w)
	finiteHalves(r, x)
	wb, xb := halvesBytes(w), halvesBytes(x)
	out := make([]float32, rows)
	b.SetBytes(int64(len(wb)))
	for b.Loop() {
		DotRowsF16(out, wb, 2*n, xb, n)
	}
}

func BenchmarkAccumulateF16(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	acc := make([]uint16, 128)
	v := make([]uint16, 128)
	finiteHalves(r, v)
	b.SetBytes(2 * int64(len(v)))
	for b.Loop() {
		AccumulateF16(acc, v, 0.5)
	}
}

package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// checkGroupKernels checks DotRowsF16Group against DotF16F16 and
// AttendF16Group against AttendF16 head by head, bit for bit, for heads
// queries of n halves over rows key and value rows at stride n+pad.
func checkGroupKernels(t *testing.T, seed uint64, heads, rows, n, pad int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 17))
	stride := n + pad
	w := make([]uint16, rows*stride)
	x := make([]uint16, heads*n)
	finiteHalves(r, w)
	finiteHalves(r, x)
	wb, xb := halvesBytes(w), halvesBytes(x)
	q := make([]float32, len(x))
	for i, h := range x {
		q[i] = F16ToF32(h)
	}
	out := make([]float32, heads*rows)
	DotRowsF16Group(out, wb, 2*stride, q, n, heads)
	for h := range heads {
		for i := range rows {
			if want := DotF16F16(wb[2*i*stride:], xb[2*h*n:], n); !sameFloat(out[h*rows+i], want) {
				t.Fatalf("DotRowsF16Group seed %d, %d heads, %d rows of %d: head %d row %d: got %v, want %v",
					seed, heads, rows, n, h, i, out[h*rows+i], want)
			}
		}
	}

	// Weights as the online softmax makes them (a rescale on a new largest
	// score with weight 1, otherwise a weight below 1), some arbitrary.
	ms := make([]float32, heads*rows)
	vs := make([]float32, heads*rows)
	for i := range ms {
		ms[i], vs[i] = 1, float32(r.Float64())
		switch r.IntN(8) {
		case 0:
			ms[i], vs[i] = float32(r.Float64()), 1
		case 1:
			ms[i], vs[i] = float32(r.ExpFloat64()), float32(r.NormFloat64())
		}
	}
	acc := make([]uint16, heads*n)
	finiteHalves(r, acc)
	want := append([]uint16(nil), acc...)
	AttendF16Group(acc, w, stride, ms, vs, heads)
	for h := range heads {
		attendF16Ref(want[h*n:(h+1)*n], w, stride, ms[h*rows:(h+1)*rows], vs[h*rows:(h+1)*rows])
	}
	for i := range acc {
		if !sameHalf(acc[i], want[i]) {
			t.Fatalf("AttendF16Group seed %d, %d heads, %d rows of %d: head %d element %d: got %#04x, want %#04x",
				seed, heads, rows, n, i/n, i%n, acc[i], want[i])
		}
	}
}

func TestGroupKernels(t *testing.T) {
	for _, c := range []struct{ heads, rows, n, pad int }{
		{1, 1, 64, 0},
		{7, 37, 64, 64},   // Qwen2.5-0.5B: 14 heads over 2 KV heads of 64
		{6, 29, 128, 128}, // Qwen2.5-1.5B: 12 heads over 2 KV heads of 128
		{2, 5, 32, 32},
		{4, 9, 96, 0},
		{8, 3, 8, 24}, // stories260K-like: the references
		{5, 4, 40, 0}, // a tail after 32
	} {
		for seed := range uint64(3) {
			checkGroupKernels(t, seed, c.heads, c.rows, c.n, c.pad)
		}
	}
}

func FuzzGroupKernels(f *testing.F) {
	f.Add(uint64(1), uint8(7), uint8(40), uint8(7), uint8(2))
	f.Add(uint64(2), uint8(6), uint8(17), uint8(15), uint8(0))
	f.Fuzz(func(t *testing.T, seed uint64, heads, rows, nsel, pad uint8) {
		n := 8 * (1 + int(nsel)%24)
		checkGroupKernels(t, seed, 1+int(heads)%16, int(rows), n, 8*(int(pad)%4))
	})
}

// BenchmarkGroupKernels measures the grouped kernels over a block of 128
// positions for the group shapes of Qwen2.5-0.5B (7 heads of 64) and 1.5B
// (6 heads of 128), keys and values interleaved with another KV head's.
func BenchmarkGroupKernels(b *testing.B) {
	for _, c := range []struct{ heads, hd int }{{7, 64}, {6, 128}} {
		const rows = 128
		r := rand.New(rand.NewPCG(1, 2))
		stride := 2 * c.hd
		w := make([]uint16, rows*stride)
		finiteHalves(r, w)
		wb := halvesBytes(w)
		q := make([]float32, c.heads*c.hd)
		for i := range q {
			q[i] = F16ToF32(F32ToF16(float32(r.NormFloat64())))
		}
		out := make([]float32, c.heads*rows)
		b.Run(fmt.Sprintf("DotRowsF16Group/heads=%d/hd=%d", c.heads, c.hd), func(b *testing.B) {
			for b.Loop() {
				DotRowsF16Group(out, wb, 2*stride, q, c.hd, c.heads)
			}
		})
		ms := make([]float32, c.heads*rows)
		vs := make([]float32, c.heads*rows)
		for i := range ms {
			ms[i], vs[i] = 1, float32(r.Float64())
			if i%40 == 0 {
				ms[i], vs[i] = 0.5, 1
			}
		}
		acc := make([]uint16, c.heads*c.hd)
		b.Run(fmt.Sprintf("AttendF16Group/heads=%d/hd=%d", c.heads, c.hd), func(b *testing.B) {
			for b.Loop() {
				clear(acc)
				AttendF16Group(acc, w, stride, ms, vs, c.heads)
			}
		})
	}
}

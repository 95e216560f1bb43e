package kernels

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// q8r8Case makes rows plain Q8_0 rows of nblocks blocks and activations.
func q8r8Case(seed uint64, rows, nblocks int) (w, x []byte) {
	r := rand.New(rand.NewPCG(seed, uint64(rows*1000+nblocks)))
	w = make([]byte, rows*nblocks*BlockQ8_0)
	x = make([]byte, nblocks*BlockQ8_0)
	rowKernels()[0].fill(r, w, x)
	return w, x
}

// checkQ8_0R8 checks that interleaving rows and computing them with
// DotRowsQ8_0R8 (with every kernel variant the machine can run) gives the
// plain rows' DotRowsQ8_0 bit for bit, that each row reads back with
// RowQ8_0R8, and that DeinterleaveQ8_0 restores the file's order.
func checkQ8_0R8(t *testing.T, seed uint64, rows, nblocks int) {
	t.Helper()
	rb := nblocks * BlockQ8_0
	w, x := q8r8Case(seed, rows, nblocks)
	want := make([]float32, rows)
	DotRowsQ8_0(want, w, rb, x, nblocks)
	iw := bytes.Clone(w)
	InterleaveQ8_0(iw, rows, nblocks, make([]byte, 8*rb))
	if rows >= 8 && nblocks > 1 && bytes.Equal(iw, w) {
		t.Fatalf("rows=%d nblocks=%d: interleaving changed nothing", rows, nblocks)
	}
	if g8 := rows &^ 7; g8 > 0 {
		// The group moves against their plain Go definitions.
		ref := make([]byte, g8*rb)
		for g := 0; g < g8; g += 8 {
			interleaveGroupRef(ref[g*rb:], w[g*rb:], rb, nblocks)
		}
		if !bytes.Equal(ref, iw[:g8*rb]) {
			t.Fatalf("rows=%d nblocks=%d: InterleaveQ8_0 differs from interleaveGroupRef", rows, nblocks)
		}
		for g := 0; g < g8; g += 8 {
			deinterleaveGroupRef(ref[g*rb:], rb, iw[g*rb:], nblocks)
		}
		if !bytes.Equal(ref, w[:g8*rb]) {
			t.Fatalf("rows=%d nblocks=%d: deinterleaveGroupRef does not restore the rows", rows, nblocks)
		}
	}
	back := make([]byte, len(w))
	DeinterleaveQ8_0(back, iw, rows, nblocks)
	if !bytes.Equal(back, w) {
		t.Fatalf("rows=%d nblocks=%d: deinterleaving does not restore the rows", rows, nblocks)
	}
	row := make([]byte, rb)
	for r := range rows {
		RowQ8_0R8(row, iw, rows, nblocks, r)
		if !bytes.Equal(row, w[r*rb:(r+1)*rb]) {
			t.Fatalf("rows=%d nblocks=%d: RowQ8_0R8 of row %d differs", rows, nblocks, r)
		}
	}
	checkTileQ8_0R8(t, seed, w, iw, rows, nblocks)
	for _, v := range q8r8Variants() {
		got := make([]float32, rows)
		v.dot(got, iw, x, nblocks)
		for r := range got {
			if math.Float32bits(got[r]) != math.Float32bits(want[r]) {
				t.Fatalf("%s seed=%d rows=%d nblocks=%d: row %d = %v, plain rows give %v", v.name, seed, rows, nblocks, r, got[r], want[r])
			}
		}
	}
}

func TestQ8_0R8(t *testing.T) {
	for _, c := range []struct{ rows, nblocks int }{
		{8, 1}, {8, 2}, {8, 3}, {8, 48}, {16, 280}, {9, 5}, {23, 7}, {3, 4}, {64, 48}, {40, 33}, {24, 28}, {32, 5},
	} {
		t.Run(fmt.Sprintf("rows=%d/nblocks=%d", c.rows, c.nblocks), func(t *testing.T) {
			for seed := range uint64(3) {
				checkQ8_0R8(t, seed, c.rows, c.nblocks)
			}
		})
	}
}

// FuzzQ8_0R8 runs the interleaved kernels on up to 40 rows of 1..64
// blocks against the plain rows.
func FuzzQ8_0R8(f *testing.F) {
	f.Add(uint64(1), uint8(8), uint8(3))
	f.Add(uint64(2), uint8(21), uint8(48))
	f.Fuzz(func(t *testing.T, seed uint64, rows, nblocks uint8) {
		checkQ8_0R8(t, seed, 1+int(rows)%40, 1+int(nblocks)%64)
	})
}

func BenchmarkDotRowsQ8_0R8(b *testing.B) {
	const rows, nblocks = 64, 128
	w, x := q8r8Case(1, rows, nblocks)
	InterleaveQ8_0(w, rows, nblocks, make([]byte, 8*nblocks*BlockQ8_0))
	out := make([]float32, rows)
	b.SetBytes(int64(len(w)))
	for b.Loop() {
		DotRowsQ8_0R8(out, w, x, nblocks)
	}
}

func BenchmarkDeinterleaveQ8_0(b *testing.B) {
	const rows, nblocks = 16, 48
	w, _ := q8r8Case(1, rows, nblocks)
	dst := make([]byte, len(w))
	b.SetBytes(int64(len(w)))
	for b.Loop() {
		DeinterleaveQ8_0(dst, w, rows, nblocks)
	}
}

func BenchmarkInterleaveQ8_0(b *testing.B) {
	const rows, nblocks = 64, 48
	w, _ := q8r8Case(1, rows, nblocks)
	tmp := make([]byte, 8*nblocks*BlockQ8_0)
	b.SetBytes(int64(len(w)))
	for b.Loop() {
		InterleaveQ8_0(w, rows, nblocks, tmp)
	}
}

// checkTileQ8_0R8 checks DotTileQ8_0R8 on the interleaved rows iw against
// DotTileQ8_0 on the plain rows w, bit for bit, for a few batches, with
// scratch and without.
func checkTileQ8_0R8(t *testing.T, seed uint64, w, iw []byte, rows, nblocks int) {
	t.Helper()
	rb := nblocks * BlockQ8_0
	r := rand.New(rand.NewPCG(seed, 77))
	for _, tokens := range []int{1, 2, 1 + int(seed%9)} {
		x := make([]byte, tokens*rb)
		rowKernels()[0].fill(r, nil, x)
		for _, scratch := range []bool{false, true} {
			want := make([]float32, tokens*rows)
			got := make([]float32, tokens*rows)
			plain := &Tile{Out: want, OutStride: rows, W: w, Stride: rb, Rows: rows, X: x, XStride: rb, Tokens: tokens}
			inter := &Tile{Out: got, OutStride: rows, W: iw, Stride: rb, Rows: rows, X: x, XStride: rb, Tokens: tokens}
			if scratch {
				plain.Scratch, inter.Scratch = new(TileScratch), new(TileScratch)
			}
			DotTileQ8_0(plain, nblocks)
			DotTileQ8_0R8(inter, nblocks)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("tile seed=%d rows=%d nblocks=%d tokens=%d scratch=%v: output %d = %v, plain rows give %v", seed, rows, nblocks, tokens, scratch, i, got[i], want[i])
				}
			}
		}
	}
}

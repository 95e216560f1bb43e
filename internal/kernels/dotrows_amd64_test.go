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

// rows8Variants are every eight-row kernel of the 32-element block types,
// including those the CPU dispatch does not pick on this machine.
func rows8Variants() []struct {
	name string
	kind int // index in rowKernels
	k    rows8
	vnni bool
} {
	return []struct {
		name string
		kind int
		k    rows8
		vnni bool
	}{
		{"Q8_0/AVX2", 0, dotQ8_0Rows8, false},
		{"Q8_0/AVX2-NP", 0, dotQ8_0Rows8NP, false},
		{"Q8_0/VNNI", 0, dotQ8_0Rows8VNNI, true},
		{"Q4_0/AVX2", 1, dotQ4_0Rows8, false},
		{"Q4_0/VNNI", 1, dotQ4_0Rows8VNNI, true},
		{"Q5_0/AVX2", 2, dotQ5_0Rows8, false},
		{"Q5_0/VNNI", 2, dotQ5_0Rows8VNNI, true},
	}
}

// TestRows8Variants checks each eight-row kernel, whichever the dispatch
// picks, against the reference.
func TestRows8Variants(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	for _, v := range rows8Variants() {
		t.Run(v.name, func(t *testing.T) {
			if v.vnni && !hasGFNI {
				t.Skip("no AVX-512 VNNI and GFNI")
			}
			k := rowKernels()[v.kind]
			ref := k.ref
			k.rows = func(out []float32, w []byte, stride int, x []byte, nblocks int) {
				dotRows8(v.k, out, w, stride, x, nblocks, ref)
			}
			for _, c := range []struct{ rows, nblocks, pad int }{
				{8, 1, 0}, {8, 28, 0}, {9, 5, 3}, {16, 152, 0}, {24, 7, 1}, {33, 40, 0},
			} {
				for seed := range uint64(4) {
					checkRowKernel(t, k, seed, c.rows, c.nblocks, c.pad)
				}
			}
		})
	}
}

// TestDotTileAVX2 checks the tile paths of machines without VNNI: the
// generation kernels token by token, Q5_0 rows repacked to Q8_0 first.
func TestDotTileAVX2(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	ks := rowKernels()
	paths := []struct {
		kind int
		tile func(t *Tile, nblocks int)
	}{
		{0, func(t *Tile, nb int) { dotTile8(dotQ8_0Rows8NP, t, nb, DotQ8_0Q8_0) }},
		{1, func(t *Tile, nb int) { dotTile8(dotQ4_0Rows8, t, nb, DotQ4_0Q8_0) }},
		{2, func(t *Tile, nb int) {
			r8 := t.Rows &^ 7
			stride := nb * BlockQ8_0
			w := make([]byte, r8*stride)
			repackQ5_0(w, stride, t.W, t.Stride, r8, nb)
			q8 := *t
			q8.W, q8.Stride, q8.Rows = w, stride, r8
			dotTile8(dotQ8_0Rows8NP, &q8, nb, DotQ8_0Q8_0)
			if r8 < t.Rows {
				dotTileRef(t.rest(r8), nb, DotQ5_0Q8_0)
			}
		}},
	}
	for _, p := range paths {
		k := ks[p.kind]
		k.tile = p.tile
		t.Run(k.name, func(t *testing.T) {
			for _, c := range []struct{ rows, tokens, nblocks, pad int }{{8, 3, 4, 0}, {16, 5, 3, 0}, {13, 4, 2, 5}, {24, 9, 28, 0}} {
				for seed := range uint64(2) {
					checkTile(t, k, seed, c.rows, c.tokens, c.nblocks, c.pad)
				}
			}
		})
	}
}

// FuzzRows8Variants runs every eight-row kernel (AVX2 and VNNI alike) on
// up to 40 rows of 1..40 blocks against the reference.
func FuzzRows8Variants(f *testing.F) {
	f.Add(uint64(1), uint8(8), uint8(3), uint8(0))
	f.Add(uint64(2), uint8(19), uint8(39), uint8(6))
	f.Fuzz(func(t *testing.T, seed uint64, rows, nblocks, variant uint8) {
		if !hasAVX2 {
			t.Skip("no AVX2")
		}
		vs := rows8Variants()
		v := vs[int(variant)%len(vs)]
		if v.vnni && !hasGFNI {
			t.Skip("no AVX-512 VNNI and GFNI")
		}
		k := rowKernels()[v.kind]
		ref := k.ref
		k.rows = func(out []float32, w []byte, stride int, x []byte, nblocks int) {
			dotRows8(v.k, out, w, stride, x, nblocks, ref)
		}
		checkRowKernel(t, k, seed, int(rows%41), 1+int(nblocks%40), int(seed%3))
	})
}

//go:build !purego

package kernels

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

type tileImpl struct {
	name string
	tile func(*Tile, int)
}

// kTileImpls lists the implementations of k's tile to compare: the
// generation kernels row by row, DotTile as dispatched, and the prompt
// kernels for any batch size.
func kTileImpls(k rowKernel) []tileImpl {
	gen := dotTileQ4KGen
	if k.name == "Q6_K" {
		gen = dotTileQ6KGen
	}
	impls := []tileImpl{{"gen", gen}, {"tile", k.tile}}
	if hasVNNI {
		// The prompt kernels whatever the batch size.
		vnni := func(t *Tile, nblocks int) {
			if t.Scratch == nil || nblocks == 0 {
				k.tile(t, nblocks)
				return
			}
			if k.name == "Q6_K" {
				dotTileKVNNI(t, nblocks, BlockQ6K, q6kTileBlock, decodeQ6KTileFast, dotQ6KTileVNNI)
			} else {
				dotTileKVNNI(t, nblocks, BlockQ4K, q4kTileBlock, decodeQ4KTileFast, dotQ4KTileVNNI)
			}
		}
		impls = append(impls, tileImpl{"vnni", vnni})
	}
	return impls
}

// kTileExact returns the generation kernels' tile for k, which the prompt
// kernels must equal bit for bit.
func kTileExact(k rowKernel) func(*Tile, int) {
	if !hasAVX2 {
		return nil
	}
	return kTileImpls(k)[0].tile
}

// TestDecodeKTile checks the assembly decoders against the Go ones.
func TestDecodeKTile(t *testing.T) {
	if !hasVNNI {
		t.Skip("no AVX-512 VNNI")
	}
	r := rand.New(rand.NewPCG(3, 3))
	for _, c := range []struct {
		name        string
		block, tile int
		f16         []int
		ref, fast   func(dst, w []byte, stride, rows, nblocks int)
	}{
		{"Q4_K", BlockQ4K, q4kTileBlock, []int{0, 2}, decodeQ4KTile, decodeQ4KTileFast},
		{"Q6_K", BlockQ6K, q6kTileBlock, []int{208}, decodeQ6KTile, decodeQ6KTileFast},
	} {
		for _, nb := range []int{1, 3, 7} {
			stride := nb*c.block + 5
			w := make([]byte, 16*stride)
			for i := range w {
				w[i] = byte(r.Uint32())
			}
			for row := range 16 {
				for b := range nb {
					for _, off := range c.f16 {
						binary.LittleEndian.PutUint16(w[row*stride+b*c.block+off:], randomF16(r))
					}
				}
			}
			want := make([]byte, nb*c.tile)
			got := make([]byte, nb*c.tile)
			c.ref(want, w, stride, 16, nb)
			c.fast(got, w, stride, 16, nb)
			if !bytes.Equal(got, want) {
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%s, %d blocks: byte %d (block %d offset %d): got %#x, want %#x", c.name, nb, i, i/c.tile, i%c.tile, got[i], want[i])
					}
				}
			}
		}
	}
}

//go:build !purego

package kernels

import "testing"

type tileImpl struct {
	name string
	tile func(*Tile, int)
}

// kTileImpls lists the implementations of k's tile to compare: the
// generation kernels row by row and the prompt kernels.
func kTileImpls(k rowKernel) []tileImpl {
	gen := dotTileQ4KGen
	if k.name == "Q6_K" {
		gen = dotTileQ6KGen
	}
	return []tileImpl{{"gen", gen}, {"tile", k.tile}}
}

// kTileExact returns the generation kernels' tile for k, which the prompt
// kernels must equal bit for bit.
func kTileExact(k rowKernel) func(*Tile, int) {
	if !hasAVX2 {
		return nil
	}
	return kTileImpls(k)[0].tile
}

// TestDotTileKGen checks the generation-kernel path that machines without
// VNNI take.
func TestDotTileKGen(t *testing.T) {
	for _, k := range kTileKernels() {
		gen := kTileImpls(k)[0].tile
		for seed := range uint64(2) {
			checkKTile(t, k, gen, seed, 17, 9, 3, 1)
		}
	}
}

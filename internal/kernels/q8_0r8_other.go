//go:build !amd64 || purego

package kernels

const interleavesQ8_0 = false

func dotRowsQ8_0R8(out []float32, w []byte, x []byte, nblocks int) {
	dotRowsQ8_0R8Ref(out, w, x, nblocks)
}

func deinterleaveGroup(dst []byte, stride int, src []byte, nblocks int) {
	deinterleaveGroupRef(dst, stride, src, nblocks)
}

func interleaveGroup(dst, src []byte, stride, nblocks int) {
	interleaveGroupRef(dst, src, stride, nblocks)
}

func dotTileQ8_0R8(t *Tile, nblocks int) { dotTileQ8_0R8Plain(t, nblocks) }

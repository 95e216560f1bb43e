//go:build !amd64 || purego

package kernels

func dotRowsQ8_0(out []float32, w []byte, stride int, x []byte, nblocks int) {
	dotRowsRef(out, 0, w, stride, x, nblocks, DotQ8_0Q8_0)
}

func dotRowsQ5_0(out []float32, w []byte, stride int, x []byte, nblocks int) {
	dotRowsRef(out, 0, w, stride, x, nblocks, DotQ5_0Q8_0)
}

func dotRowsQ4_0(out []float32, w []byte, stride int, x []byte, nblocks int) {
	dotRowsRef(out, 0, w, stride, x, nblocks, DotQ4_0Q8_0)
}

func dotRowsF16(out []float32, w []byte, stride int, x []byte, n int) {
	for r := range out {
		out[r] = DotF16F16(w[r*stride:], x, n)
	}
}

func accumulateF16(acc, v []uint16, s float32) { accumulateF16Ref(acc, v, s) }

func scaleF16(acc []uint16, s float32) { scaleF16Ref(acc, s) }

func dotRowsQ4K(out []float32, w []byte, stride int, x []byte, nblocks int) {
	dotRowsRef(out, 0, w, stride, x, nblocks, DotQ4KQ8K)
}

func dotRowsQ6K(out []float32, w []byte, stride int, x []byte, nblocks int) {
	dotRowsRef(out, 0, w, stride, x, nblocks, DotQ6KQ8K)
}

func dotTileQ8_0(t *Tile, nblocks int) { dotTileRef(t, nblocks, DotQ8_0Q8_0) }
func dotTileQ5_0(t *Tile, nblocks int) { dotTileRef(t, nblocks, DotQ5_0Q8_0) }
func dotTileQ4_0(t *Tile, nblocks int) { dotTileRef(t, nblocks, DotQ4_0Q8_0) }
func dotTileQ4K(t *Tile, nblocks int)  { dotTileRef(t, nblocks, DotQ4KQ8K) }
func dotTileQ6K(t *Tile, nblocks int)  { dotTileRef(t, nblocks, DotQ6KQ8K) }

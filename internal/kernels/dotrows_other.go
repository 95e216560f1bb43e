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

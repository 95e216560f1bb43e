package kernels

import "fmt"

// Multi-row dot products: one activation row against several weight rows
// at a fixed stride, the inner loop of a matrix multiplication. Each output
// equals the single-row dot product of its type bit for bit; on amd64 with
// AVX2, FMA and F16C they run in assembly (see dotrows_amd64.go).

// checkRows panics unless w holds rows rows of nbytes at stride and x holds
// xbytes: a programmer error.
func checkRows(op string, rows int, w []byte, stride, nbytes int, x []byte, xbytes int) {
	if rows == 0 {
		return
	}
	if stride < nbytes || len(w) < (rows-1)*stride+nbytes || len(x) < xbytes {
		panic(fmt.Sprintf("kernels: %s: %d rows of %d bytes at stride %d need %d bytes of weights (have %d) and %d of activations (have %d)",
			op, rows, nbytes, stride, (rows-1)*stride+nbytes, len(w), xbytes, len(x)))
	}
}

// DotRowsQ8_0 sets out[r] = DotQ8_0Q8_0(w[r*stride:], x, nblocks) for every
// r of out.
func DotRowsQ8_0(out []float32, w []byte, stride int, x []byte, nblocks int) {
	checkRows("DotRowsQ8_0", len(out), w, stride, nblocks*BlockQ8_0, x, nblocks*BlockQ8_0)
	dotRowsQ8_0(out, w, stride, x, nblocks)
}

// DotRowsQ4_0 sets out[r] = DotQ4_0Q8_0(w[r*stride:], x, nblocks) for every
// r of out.
func DotRowsQ4_0(out []float32, w []byte, stride int, x []byte, nblocks int) {
	checkRows("DotRowsQ4_0", len(out), w, stride, nblocks*BlockQ4_0, x, nblocks*BlockQ8_0)
	dotRowsQ4_0(out, w, stride, x, nblocks)
}

// DotRowsQ5_0 sets out[r] = DotQ5_0Q8_0(w[r*stride:], x, nblocks) for every
// r of out.
func DotRowsQ5_0(out []float32, w []byte, stride int, x []byte, nblocks int) {
	checkRows("DotRowsQ5_0", len(out), w, stride, nblocks*BlockQ5_0, x, nblocks*BlockQ8_0)
	dotRowsQ5_0(out, w, stride, x, nblocks)
}

// dotRowsRef computes the rows of out one at a time with dot, from row r0.
func dotRowsRef(out []float32, r0 int, w []byte, stride int, x []byte, nblocks int, dot func(w, x []byte, nblocks int) float32) {
	for r := r0; r < len(out); r++ {
		out[r] = dot(w[r*stride:], x, nblocks)
	}
}

// DotRowsQ4K sets out[r] = DotQ4KQ8K(w[r*stride:], x, nblocks) for every r
// of out.
func DotRowsQ4K(out []float32, w []byte, stride int, x []byte, nblocks int) {
	checkRows("DotRowsQ4K", len(out), w, stride, nblocks*BlockQ4K, x, nblocks*BlockQ8_K)
	dotRowsQ4K(out, w, stride, x, nblocks)
}

// DotRowsQ6K sets out[r] = DotQ6KQ8K(w[r*stride:], x, nblocks) for every r
// of out.
func DotRowsQ6K(out []float32, w []byte, stride int, x []byte, nblocks int) {
	checkRows("DotRowsQ6K", len(out), w, stride, nblocks*BlockQ6K, x, nblocks*BlockQ8_K)
	dotRowsQ6K(out, w, stride, x, nblocks)
}

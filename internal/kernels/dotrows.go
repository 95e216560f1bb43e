package kernels

import "fmt"

// Multi-row dot products: one activation row against several weight rows
// at a fixed stride, the inner loop of a matrix multiplication. Each output
// is the single-row dot product of its type, up to float rounding: the
// kernels sum each block exactly in integers like the reference but may
// add the blocks' float terms in another order (llama.cpp's: one fused
// multiply-add per block and row). On amd64 with AVX2, FMA and F16C they
// run in assembly (see dotrows_amd64.go).

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

// A Tile is a block of a matrix product: Rows weight rows Stride bytes
// apart against Tokens activation rows XStride bytes apart, the results
// going to Out[i*OutStride+r] for token i and row r.
type Tile struct {
	Out       []float32
	OutStride int
	W         []byte
	Stride    int
	Rows      int
	X         []byte
	XStride   int
	Tokens    int
	// Scratch, when set, is memory the kernels may use (one per worker).
	Scratch *TileScratch
}

// TileScratch is a worker's memory for the tile kernels: repacked weights
// and the activations' block sums. It grows on first use and is then
// reused.
type TileScratch struct {
	b     []byte
	i     []int32
	plain []byte // interleaved rows put back in order (DotTileQ8_0R8)
}

func (s *TileScratch) plainRows(n int) []byte {
	if cap(s.plain) < n {
		s.plain = make([]byte, n)
	}
	return s.plain[:n]
}

func (s *TileScratch) ints(n int) []int32 {
	if cap(s.i) < n {
		s.i = make([]int32, n)
	}
	return s.i[:n]
}

func (s *TileScratch) bytes(n int) []byte {
	if cap(s.b) < n {
		s.b = make([]byte, n)
	}
	return s.b[:n]
}

// repackQ5_0 writes rows of Q5_0 blocks as Q8_0 blocks with the same scale
// and quants q−16, whose dot products with Q8_0 activations are the same
// numbers computed the same way.
func repackQ5_0(dst []byte, dstStride int, src []byte, srcStride, rows, nblocks int) {
	for r := range rows {
		s := src[r*srcStride : r*srcStride+nblocks*BlockQ5_0]
		d := dst[r*dstStride : r*dstStride+nblocks*BlockQ8_0]
		for b := range nblocks {
			sb := s[b*BlockQ5_0 : (b+1)*BlockQ5_0 : (b+1)*BlockQ5_0]
			db := d[b*BlockQ8_0 : (b+1)*BlockQ8_0 : (b+1)*BlockQ8_0]
			db[0], db[1] = sb[0], sb[1]
			qh := uint32(sb[2]) | uint32(sb[3])<<8 | uint32(sb[4])<<16 | uint32(sb[5])<<24
			for j := range 16 {
				q := sb[6+j]
				db[2+j] = byte(int8(q&0xf|byte(qh>>j&1)<<4) - 16)
				db[18+j] = byte(int8(q>>4|byte(qh>>(j+16)&1)<<4) - 16)
			}
		}
	}
}

// check panics unless the tile's slices hold its rows of wbytes and tokens
// of xbytes (a programmer error); it reports whether there is work.
func (t *Tile) check(op string, wbytes, xbytes int) bool {
	if t.Rows == 0 || t.Tokens == 0 {
		return false
	}
	checkRows(op, t.Rows, t.W, t.Stride, wbytes, t.X[(t.Tokens-1)*t.XStride:], xbytes)
	if t.XStride < xbytes || t.OutStride < t.Rows || len(t.Out) < (t.Tokens-1)*t.OutStride+t.Rows {
		panic("kernels: " + op + ": tile strides or output too small")
	}
	return true
}

// DotTileQ8_0 computes a tile of Q8_0 weights against Q8_0 activations.
func DotTileQ8_0(t *Tile, nblocks int) {
	if t.check("DotTileQ8_0", nblocks*BlockQ8_0, nblocks*BlockQ8_0) {
		dotTileQ8_0(t, nblocks)
	}
}

// DotTileQ4_0 computes a tile of Q4_0 weights against Q8_0 activations.
func DotTileQ4_0(t *Tile, nblocks int) {
	if t.check("DotTileQ4_0", nblocks*BlockQ4_0, nblocks*BlockQ8_0) {
		dotTileQ4_0(t, nblocks)
	}
}

// DotTileQ5_0 computes a tile of Q5_0 weights against Q8_0 activations.
func DotTileQ5_0(t *Tile, nblocks int) {
	if t.check("DotTileQ5_0", nblocks*BlockQ5_0, nblocks*BlockQ8_0) {
		dotTileQ5_0(t, nblocks)
	}
}

// DotTileQ4K computes a tile of Q4_K weights against Q8_K activations.
func DotTileQ4K(t *Tile, nblocks int) {
	if t.check("DotTileQ4K", nblocks*BlockQ4K, nblocks*BlockQ8_K) {
		dotTileQ4K(t, nblocks)
	}
}

// DotTileQ6K computes a tile of Q6_K weights against Q8_K activations.
func DotTileQ6K(t *Tile, nblocks int) {
	if t.check("DotTileQ6K", nblocks*BlockQ6K, nblocks*BlockQ8_K) {
		dotTileQ6K(t, nblocks)
	}
}

// dotTileRef computes the tile with dot, rows outermost so that each
// weight row stays in the cache while the tokens pass.
func dotTileRef(t *Tile, nblocks int, dot func(w, x []byte, nblocks int) float32) {
	for r := range t.Rows {
		w := t.W[r*t.Stride:]
		for i := range t.Tokens {
			t.Out[i*t.OutStride+r] = dot(w, t.X[i*t.XStride:], nblocks)
		}
	}
}

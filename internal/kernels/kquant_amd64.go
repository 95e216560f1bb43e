//go:build !purego

package kernels

// dotQ4K returns DotQ4KQ8K(w, x, nblocks), computed as
//
//	var sums [8]float32
//	sumf := float32(0)
//	for each block i {
//		aux := the integer sums of scale·q·x by element index mod 8
//		for l := range 8 {
//			sums[l] += float32(d*dx * float32(aux[l]))
//		}
//		sumf -= float32(dmin*dx * float32(Σ mins·bsums))
//	}
//	return kSums(sumf, &sums)
//
//go:noescape
func dotQ4K(w, x *byte, nblocks int) float32

// dotQ6K returns DotQ6KQ8K(w, x, nblocks), computed as
//
//	var sums [8]float32
//	for each block i {
//		aux := the integer sums of scale·(q−32)·x by element index mod 8
//		for l := range 8 {
//			sums[l] += float32(d*dx * float32(aux[l]))
//		}
//	}
//	return kSums(0, &sums)
//
//go:noescape
func dotQ6K(w, x *byte, nblocks int) float32

func dotRowsQ4K(out []float32, w []byte, stride int, x []byte, nblocks int) {
	if !hasAVX2 || nblocks == 0 {
		dotRowsRef(out, 0, w, stride, x, nblocks, DotQ4KQ8K)
		return
	}
	for r := range out {
		out[r] = dotQ4K(&w[r*stride], &x[0], nblocks)
	}
}

func dotRowsQ6K(out []float32, w []byte, stride int, x []byte, nblocks int) {
	if !hasAVX2 || nblocks == 0 {
		dotRowsRef(out, 0, w, stride, x, nblocks, DotQ6KQ8K)
		return
	}
	for r := range out {
		out[r] = dotQ6K(&w[r*stride], &x[0], nblocks)
	}
}

// blockQ4KP is the size of a Q4_K block decoded by repackQ4K.
const blockQ4KP = 296

// repackQ4K decodes nblocks Q4_K blocks for dotQ4KP: the quants as bytes in
// kperm's order, the scales and mins as int16, d and dmin as float32.
//
//go:noescape
func repackQ4K(dst, src *byte, nblocks int)

// dotQ4KP is dotQ4K on blocks decoded by repackQ4K.
//
//go:noescape
func dotQ4KP(w, x *byte, nblocks int) float32

func dotTileQ4K(t *Tile, nblocks int) {
	if !hasAVX2 || nblocks == 0 {
		dotTileRef(t, nblocks, DotQ4KQ8K)
		return
	}
	if t.Scratch != nil && t.Tokens > 1 {
		// For a prompt, decode each row once rather than once per token.
		w := t.Scratch.bytes(nblocks * blockQ4KP)
		for r := range t.Rows {
			repackQ4K(&w[0], &t.W[r*t.Stride], nblocks)
			for i := range t.Tokens {
				t.Out[i*t.OutStride+r] = dotQ4KP(&w[0], &t.X[i*t.XStride], nblocks)
			}
		}
		return
	}
	for r := range t.Rows {
		w := &t.W[r*t.Stride]
		for i := range t.Tokens {
			t.Out[i*t.OutStride+r] = dotQ4K(w, &t.X[i*t.XStride], nblocks)
		}
	}
}

func dotTileQ6K(t *Tile, nblocks int) {
	if !hasAVX2 || nblocks == 0 {
		dotTileRef(t, nblocks, DotQ6KQ8K)
		return
	}
	for r := range t.Rows {
		w := &t.W[r*t.Stride]
		for i := range t.Tokens {
			t.Out[i*t.OutStride+r] = dotQ6K(w, &t.X[i*t.XStride], nblocks)
		}
	}
}

//go:build !purego

package kernels

// dotQ4K computes the lane sums of a Q4_K row against Q8_K activations;
// the dot product is kSums of its result and sums:
//
//	sumf := float32(0)
//	for each block i {
//		aux := the integer sums of scale·q·x by element index mod 8
//		for l := range 8 {
//			sums[l] += float32(d*dx * float32(aux[l]))
//		}
//		sumf -= float32(dmin*dx * float32(Σ mins·bsums))
//	}
//	return sumf
//
//go:noescape
func dotQ4K(w, x *byte, nblocks int, sums *[8]float32) float32

// dotQ6K computes the lane sums of a Q6_K row against Q8_K activations;
// the dot product is kSums(0, sums):
//
//	for each block i {
//		aux := the integer sums of scale·(q−32)·x by element index mod 8
//		for l := range 8 {
//			sums[l] += float32(d*dx * float32(aux[l]))
//		}
//	}
//
//go:noescape
func dotQ6K(w, x *byte, nblocks int, sums *[8]float32)

func dotRowsQ4K(out []float32, w []byte, stride int, x []byte, nblocks int) {
	if !hasAVX2 || nblocks == 0 {
		dotRowsRef(out, 0, w, stride, x, nblocks, DotQ4KQ8K)
		return
	}
	for r := range out {
		var sums [8]float32
		sumf := dotQ4K(&w[r*stride], &x[0], nblocks, &sums)
		out[r] = kSums(sumf, &sums)
	}
}

func dotRowsQ6K(out []float32, w []byte, stride int, x []byte, nblocks int) {
	if !hasAVX2 || nblocks == 0 {
		dotRowsRef(out, 0, w, stride, x, nblocks, DotQ6KQ8K)
		return
	}
	for r := range out {
		var sums [8]float32
		dotQ6K(&w[r*stride], &x[0], nblocks, &sums)
		out[r] = kSums(0, &sums)
	}
}

func dotTileQ4K(t *Tile, nblocks int) {
	if !hasAVX2 || nblocks == 0 {
		dotTileRef(t, nblocks, DotQ4KQ8K)
		return
	}
	for r := range t.Rows {
		w := &t.W[r*t.Stride]
		for i := range t.Tokens {
			var sums [8]float32
			sumf := dotQ4K(w, &t.X[i*t.XStride], nblocks, &sums)
			t.Out[i*t.OutStride+r] = kSums(sumf, &sums)
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
			var sums [8]float32
			dotQ6K(w, &t.X[i*t.XStride], nblocks, &sums)
			t.Out[i*t.OutStride+r] = kSums(0, &sums)
		}
	}
}

//go:build !purego

package kernels

// dotQ4KG returns DotQ4KQ8K(w, x, nblocks) up to float rounding, summed
// as llama.cpp's AVX2 kernel does:
//
//	var acc [8]float32
//	var accm [4]float32
//	for each block i {
//		dx := x[i].d
//		var isum [8]int32 // exact: Σ sc·q·x, lane by VPMADDUBSW/VPMADDWD position
//		for j := range 8 {
//			for k := range 32 {
//				isum[(k/2)%8] += int32(sc[j]) * int32(q[j][k]) * int32(x[i].qs[32*j+k])
//			}
//		}
//		for l := range 8 {
//			acc[l] += float32(d*dx) * float32(isum[l])
//		}
//		for l := range 4 {
//			accm[l] += float32(dmin*dx) * float32(m[2l]·bsum32[2l] + m[2l+1]·bsum32[2l+1])
//		}
//	}
//	return Σ over the lanes of (acc[l] + acc[l+4] − accm[l]), tree order
//
//go:noescape
func dotQ4KG(w, x *byte, nblocks int) float32

// dotQ6KG returns DotQ6KQ8K(w, x, nblocks) up to float rounding, summed
// as llama.cpp's AVX2 kernel does, with the −32 of each quant taken out
// through the activations' block sums:
//
//	var acc [8]float32
//	for each block i {
//		var isum [8]int32 // exact
//		isum[l] = −32·(sc[2l]·bsum[2l] + sc[2l+1]·bsum[2l+1])
//		for each element e of the block {
//			isum[lane(e)] += int32(sc[e/16]) * int32(q6(e)) * int32(x[i].qs[e])
//		}
//		for l := range 8 {
//			acc[l] += float32(d*x[i].d) * float32(isum[l])
//		}
//	}
//	return Σ acc, tree order
//
//go:noescape
func dotQ6KG(w, x *byte, nblocks int) float32

// dotQ4KG2 is dotQ4KG for one row of weights against two tokens, the
// weights decoded once for both:
//
//	out[0] = dotQ4KG(w, x0, nblocks)
//	out[1] = dotQ4KG(w, x1, nblocks)
//
//go:noescape
func dotQ4KG2(w, x0, x1 *byte, nblocks int, out *[2]float32)

func dotRowsQ4K(out []float32, w []byte, stride int, x []byte, nblocks int) {
	if dotRowsQ4K512(out, w, stride, x, nblocks) {
		return
	}
	if !hasAVX2 || nblocks == 0 {
		dotRowsRef(out, 0, w, stride, x, nblocks, DotQ4KQ8K)
		return
	}
	for r := range out {
		out[r] = dotQ4KG(&w[r*stride], &x[0], nblocks)
	}
}

func dotRowsQ6K(out []float32, w []byte, stride int, x []byte, nblocks int) {
	if dotRowsQ6K512(out, w, stride, x, nblocks) {
		return
	}
	if !hasAVX2 || nblocks == 0 {
		dotRowsRef(out, 0, w, stride, x, nblocks, DotQ6KQ8K)
		return
	}
	for r := range out {
		out[r] = dotQ6KG(&w[r*stride], &x[0], nblocks)
	}
}

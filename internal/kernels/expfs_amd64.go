//go:build !purego

package kernels

// expf4 computes expf of n floats, n a positive multiple of 4, four at a
// time in float64 (AVX2, FMA), with c = &expfConsts and tab = &expTab,
// leaving garbage where expfSpecial(x[i]):
//
//	for i := range n {
//		dst[i] = expf(x[i]) // expf's main path
//	}
//
//go:noescape
func expf4(dst, x *float32, n int, c *[6]float64, tab *[32]uint64)

func expfs(dst, x []float32) {
	n := len(x) &^ 3
	if !hasAVX2 || n == 0 {
		expfsRef(dst, x)
		return
	}
	expf4(&dst[0], &x[0], n, &expfConsts, &expTab)
	for i, v := range x[:n] {
		if expfSpecial(v) {
			dst[i] = expf(v)
		}
	}
	expfsRef(dst[n:], x[n:])
}

//go:build !purego

package kernels

// q8r8Variants are the ways of computing interleaved Q8_0 rows this
// machine can run: the dispatched one and each assembly kernel.
func q8r8Variants() []struct {
	name string
	dot  func(out []float32, w, x []byte, nblocks int)
} {
	vs := []struct {
		name string
		dot  func(out []float32, w, x []byte, nblocks int)
	}{{"dispatch", DotRowsQ8_0R8}, {"reference", dotRowsQ8_0R8Ref}}
	with := func(k rows8) func(out []float32, w, x []byte, nblocks int) {
		return func(out []float32, w, x []byte, nblocks int) {
			rb := nblocks * BlockQ8_0
			g8 := len(out) &^ 7
			for r := 0; r < g8; r += 8 {
				k(&w[r*rb], BlockQ8_0, &x[0], nblocks, &out[r])
			}
			DotRowsQ8_0(out[g8:], w[g8*rb:], rb, x, nblocks)
		}
	}
	if hasAVX2 {
		vs = append(vs, struct {
			name string
			dot  func(out []float32, w, x []byte, nblocks int)
		}{"AVX2", with(dotQ8_0R8)})
	}
	if hasVNNI {
		vs = append(vs, struct {
			name string
			dot  func(out []float32, w, x []byte, nblocks int)
		}{"VNNI", with(dotQ8_0R8VNNI)})
	}
	return vs
}

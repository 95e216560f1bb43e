//go:build !amd64 || purego

package kernels

func q8r8Variants() []struct {
	name string
	dot  func(out []float32, w, x []byte, nblocks int)
} {
	return []struct {
		name string
		dot  func(out []float32, w, x []byte, nblocks int)
	}{{"dispatch", DotRowsQ8_0R8}, {"reference", dotRowsQ8_0R8Ref}}
}

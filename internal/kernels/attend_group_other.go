//go:build !amd64 || purego

package kernels

func dotRowsF16Group(out []float32, w []byte, stride int, q []float32, n, heads, rows int) {
	dotRowsF16GroupRef(out, w, stride, q, n, heads, rows)
}

func attendF16Group(acc, v []uint16, stride int, ms, vs []float32, heads, hd, npos int) {
	attendF16GroupRef(acc, v, stride, ms, vs, heads, hd, npos)
}

//go:build !amd64 || purego

package kernels

func expfs(dst, x []float32) { expfsRef(dst, x) }

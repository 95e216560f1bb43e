//go:build !amd64 || purego

package kernels

func gemmF32s(c, a, b []float32, m, k, n int) { gemmF32Ref(c, a, b, m, k, n) }

func softmaxExp8(x []float32, max float32) float64 { return softmaxExp8Ref(x, max) }

func swiglu8(dst, gate, up []float32) { swiglu8Ref(dst, gate, up) }

func dotRowsF16Batch(out []float32, w []byte, stride int, x []byte, n int) {
	dotRowsF16BatchRef(out, w, stride, x, n)
}

func attendF16(acc, v []uint16, stride int, ms, vs []float32) { attendF16Ref(acc, v, stride, ms, vs) }

func scale32(x []float32, s float32) []float32 { return x }

//go:build !amd64 || purego

package kernels

func quantizeActQ8_0(dst []byte, src []float32) { quantizeActQ8_0Ref(dst, src) }

func quantizeQ8K(dst []byte, src []float32) { quantizeQ8KRef(dst, src) }
